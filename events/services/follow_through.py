"""The follow-through of the regional programmes: per sub-region, the programmes planned, held,
cancelled and awaiting their minutes, the registrations and the attendance counted at the
check-in (``Registration.checked_in_at``); and each programme with the same figures. Aggregated
in the database: three queries whatever the number of programmes and registrations."""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.translation import gettext

from events.models import Event, Registration
from events.services.registrations import ACTIVE_STATUSES, SEATED_STATUSES, format_moment
from municipalities.models import SubRegion
from portal import exports
from portal.access import roles_of
from portal.audit import audit_export
from portal.models import ExportLog

EXPORT_KIND = "event_follow_through"
Status = Registration.Status
State = Event.State
SEATED = SEATED_STATUSES
ACTIVE = ACTIVE_STATUSES


@dataclass
class SubregionRow:
    """The figures of one sub-region (or of all of them: the totals)."""

    subregion: SubRegion | None
    planned: int = 0
    awaiting_minutes: int = 0
    held: int = 0
    cancelled: int = 0
    registrations: int = 0
    held_seated: int = 0
    attended: int = 0
    next_start: object = None

    @property
    def has_programme(self) -> bool:
        return bool(self.planned or self.awaiting_minutes or self.held)

    @property
    def attendance_rate(self) -> float | None:
        """Of the seats held at programmes that took place, the share checked in."""
        return self.attended / self.held_seated if self.held_seated else None

    @property
    def attendance_percent(self) -> float | None:
        rate = self.attendance_rate
        return None if rate is None else round(rate * 100, 1)


def follow_through_subregions(user):
    """The sub-regions whose programmes the user follows (all 17 for national coordinators and
    site administrators)."""
    roles = roles_of(user)
    subregions = SubRegion.objects.select_related("host_province", "region").order_by("code")
    if roles.is_national_coordinator or roles.is_site_admin:
        return subregions
    return subregions.filter(pk__in=roles.subregion_ids)


def follow_through(user, now=None) -> tuple[list[SubregionRow], SubregionRow, list[Event]]:
    """Per sub-region figures, their totals, and the programmes with their own figures
    (``registrations``, ``seated`` and ``attended`` annotated), ordered by sub-region and date.

    A programme is "planned" while it is planned and not over, "awaiting minutes" when it is
    planned but over (nobody has recorded it held), held or cancelled otherwise.
    """
    now = now or timezone.now()
    subregions = list(follow_through_subregions(user))
    ids = [s.pk for s in subregions]
    upcoming = Q(state=State.PLANNED, ends_at__gte=now)
    programmes = list(
        Event.objects.filter(subregion_id__in=ids)
        .select_related("host_province")
        .annotate(
            registrations_count=Count("registrations", filter=Q(registrations__status__in=ACTIVE)),
            seated=Count("registrations", filter=Q(registrations__status__in=SEATED)),
            attended=Count("registrations", filter=Q(registrations__checked_in_at__isnull=False)),
        )
        .order_by("subregion__code", "starts_at", "pk")
    )
    figures = (
        Event.objects.filter(subregion_id__in=ids)
        .values("subregion_id")
        .annotate(
            planned=Count("pk", filter=upcoming),
            awaiting_minutes=Count("pk", filter=Q(state=State.PLANNED, ends_at__lt=now)),
            held=Count("pk", filter=Q(state=State.HELD)),
            cancelled=Count("pk", filter=Q(state=State.CANCELLED)),
            next_start=Min("starts_at", filter=upcoming),
        )
        .order_by()
    )
    rows = {s.pk: SubregionRow(subregion=s) for s in subregions}
    for figure in figures:
        row = rows[figure.pop("subregion_id")]
        for name, value in figure.items():
            setattr(row, name, value)
    for event in programmes:
        row = rows[event.subregion_id]
        row.registrations += event.registrations_count
        if event.state == State.HELD:
            row.held_seated += event.seated
            row.attended += event.attended
    total = SubregionRow(subregion=None)
    for row in rows.values():
        for name in (
            "planned",
            "awaiting_minutes",
            "held",
            "cancelled",
            "registrations",
            "held_seated",
            "attended",
        ):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return list(rows.values()), total, programmes


def follow_through_columns() -> list[str]:
    return [
        gettext("Code"),
        gettext("Sub-region"),
        gettext("Host province"),
        gettext("Planned"),
        gettext("Awaiting minutes"),
        gettext("Held"),
        gettext("Cancelled"),
        gettext("Registrations"),
        gettext("Seats at held programmes"),
        gettext("Checked in"),
        gettext("Attendance (%)"),
    ]


def follow_through_rows(rows: list[SubregionRow]) -> list[list]:
    """The export's rows: one per sub-region."""
    return [
        [
            row.subregion.code,
            row.subregion.name,
            row.subregion.host_province.name if row.subregion.host_province else "",
            row.planned,
            row.awaiting_minutes,
            row.held,
            row.cancelled,
            row.registrations,
            row.held_seated,
            row.attended,
            row.attendance_percent,
        ]
        for row in rows
    ]


def follow_through_csv(filename, rows: list[list]):
    """The CSV export (portal/exports.py) of the sub-regions' figures."""
    return exports.csv_response(
        filename,
        title=gettext("Follow-through of the regional programmes"),
        details=[(gettext("Exported at"), format_moment(timezone.now()))],
        columns=follow_through_columns(),
        rows=rows,
    )


@transaction.atomic
def follow_through_export_log(*, user, row_count: int) -> ExportLog:
    """Record an export of the follow-through. Side effects: an ExportLog and an AuditEntry."""
    return audit_export(user=user, kind=EXPORT_KIND, filters={"format": "csv"}, row_count=row_count)
