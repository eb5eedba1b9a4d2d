"""The attendee exports of a programme (CSV and XLSX) and their audit record."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from events.models import Event
from events.services.registrations import (
    ACTIVE_STATUSES,
    OrganisationKind,
    Status,
    format_moment,
    person_name,
)
from portal import exports
from portal.audit import audit_export
from portal.models import ExportLog
from portal.turkish import sort_key

EXPORT_KIND = "event_attendees"


def _export_headers() -> list[str]:
    return [
        gettext("Name"),
        gettext("Email"),
        gettext("Organisation"),
        gettext("Organisation type"),
        gettext("Province"),
        gettext("Status"),
        gettext("Registered at"),
        gettext("Checked in at"),
    ]


def _export_details() -> list[tuple[str, str]]:
    return [(gettext("Exported at"), format_moment(timezone.now()))]


# The kind of value of each column, for the XLSX number formats (portal/exports.py).
COLUMN_KINDS = [None, None, None, None, None, None, "datetime", "datetime"]


def _local(moment):
    """A naive Türkiye-time datetime (spreadsheets have no time zones), or None."""
    return (
        timezone.localtime(moment, timezone.get_default_timezone()).replace(tzinfo=None)
        if moment
        else None
    )


def attendee_rows(event: Event) -> list[list]:
    """One row per registration holding a place (seated first, then the waiting list in order),
    in the export's column order; datetimes in Türkiye time."""
    registrations = event.registrations.filter(status__in=ACTIVE_STATUSES).select_related(
        "user", "ngo__province", "municipality__province"
    )
    ordered = sorted(
        registrations,
        key=lambda r: (
            r.status == Status.WAITLISTED,
            r.waitlist_position or 0,
            sort_key(person_name(r.user)),
            r.pk,
        ),
    )
    rows = []
    for registration in ordered:
        organisation = registration.organisation
        kind = OrganisationKind.NGO if registration.ngo_id else OrganisationKind.MUNICIPALITY
        status = registration.get_status_display()
        if registration.status == Status.WAITLISTED:
            status = f"{status} #{registration.waitlist_position}"
        rows.append(
            [
                person_name(registration.user),
                registration.user.email,
                organisation.name,
                kind.label,
                organisation.province.name,
                status,
                _local(registration.created_at),
                _local(registration.checked_in_at),
            ]
        )
    return rows


def attendees_csv(filename, event: Event, rows: list[list]):
    """The CSV export (streamed, see portal/exports.py): the programme's title and the date,
    the column headers, then one row per attendee."""
    return exports.csv_response(
        filename,
        title=event.title,
        details=_export_details(),
        columns=_export_headers(),
        rows=rows,
    )


def attendees_xlsx(filename, event: Event, rows: list[list]):
    """The XLSX export: the same header, then one row per attendee."""
    return exports.xlsx_response(
        filename,
        sheet_title=gettext("Attendees"),
        title=event.title,
        details=_export_details(),
        columns=_export_headers(),
        rows=rows,
        kinds=COLUMN_KINDS,
    )


@transaction.atomic
def attendees_export_log(*, user, event: Event, export_format: str, row_count: int) -> ExportLog:
    """Record an export of a programme's attendees.

    Side effects: inserts an ExportLog and an AuditEntry.
    """
    return audit_export(
        user=user,
        kind=EXPORT_KIND,
        filters={"event": event.slug, "format": export_format},
        row_count=row_count,
    )
