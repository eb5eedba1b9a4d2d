"""Registration for regional programmes: seats, the waiting list, confirmation mails, check-in and
attendee exports.

Seats are counted in ``Event.seats_taken`` and taken with a conditional UPDATE
(``seats_taken < capacity``), while the event row is locked (``select_for_update``): concurrent
sign-ups are serialised on PostgreSQL, so the waiting list is numbered without gaps or
duplicates, and the database check ``seats_taken <= capacity`` is the last line of defence.
"""

import datetime
import functools
import logging
import zoneinfo
from dataclasses import dataclass
from smtplib import SMTPException
from urllib.parse import urljoin

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.db.models import BooleanField, CharField, ExpressionWrapper, F, Max, Q, Value
from django.template.loader import render_to_string
from django.utils import formats, timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from events.ics import event_ics
from events.models import Event, Registration
from municipalities.models import Municipality, MunicipalStaff
from ngos.models import NGO, Membership, VerificationStatus
from portal import exports
from portal.access import roles_of
from portal.audit import audit_export
from portal.models import EmailPreferences, ExportLog, Notification
from portal.turkish import search_key, sort_key

logger = logging.getLogger(__name__)

TURKIYE = zoneinfo.ZoneInfo("Europe/Istanbul")
Status = Registration.Status
# Statuses that hold a place at the programme (a seat, or a place in the queue).
ACTIVE_STATUSES = (Status.REGISTERED, Status.ATTENDED, Status.WAITLISTED)
SEATED_STATUSES = (Status.REGISTERED, Status.ATTENDED)
EXPORT_KIND = "event_attendees"


class OrganisationKind(models.TextChoices):
    NGO = "ngo", _("NGO")
    MUNICIPALITY = "municipality", _("Municipality")


class MailKind(models.TextChoices):
    CONFIRMATION = "confirmation", _("Registration confirmation")
    PROMOTED = "promoted", _("A seat from the waiting list")


@dataclass(frozen=True)
class Organisation:
    """An organisation a user may register on behalf of."""

    kind: str
    pk: int
    name: str
    is_verified: bool

    @property
    def key(self) -> str:
        """The value of the organisation in the registration form."""
        return f"{self.kind}-{self.pk}"


def registration_organisations(user) -> list[Organisation]:
    """The user's NGOs and municipalities, in Turkish order, read with one UNION query."""
    if user is None or not user.is_authenticated:
        return []
    ngos = (
        NGO.objects.filter(memberships__user=user)
        .annotate(
            organisation_kind=Value(OrganisationKind.NGO.value, output_field=CharField()),
            verified=ExpressionWrapper(
                Q(status=VerificationStatus.VERIFIED), output_field=BooleanField()
            ),
        )
        .values_list("pk", "name", "name_sort", "organisation_kind", "verified")
        .order_by()
    )
    municipalities = (
        Municipality.objects.filter(staff__user=user)
        .annotate(
            organisation_kind=Value(OrganisationKind.MUNICIPALITY.value, output_field=CharField()),
            verified=Value(True, output_field=BooleanField()),
        )
        .values_list("pk", "name", "name_sort", "organisation_kind", "verified")
        .order_by()
    )
    rows = ngos.union(municipalities, all=True).order_by("name_sort", "organisation_kind", "pk")
    return [
        Organisation(kind=kind, pk=pk, name=name, is_verified=bool(verified))
        for pk, name, _sort, kind, verified in rows
    ]


# --- Registration ----------------------------------------------------------------------------


def _format_moment(moment: datetime.datetime) -> str:
    return formats.date_format(timezone.localtime(moment, TURKIYE), "j F Y, H:i")


def _refuse_closed(event: Event) -> None:
    """Raise the reason why the programme takes no registrations, if it takes none."""
    if event.state == Event.State.CANCELLED:
        raise ValidationError(
            gettext("This programme has been cancelled: registration is closed."),
            code="cancelled",
        )
    if event.state == Event.State.HELD or event.ends_at <= timezone.now():
        raise ValidationError(
            gettext("This programme has already been held: registration is closed."),
            code="held",
        )
    if event.registration_deadline < timezone.now():
        raise ValidationError(
            gettext("Registration closed on %(deadline)s (Türkiye time).")
            % {"deadline": _format_moment(event.registration_deadline)},
            code="deadline_passed",
        )


def _check_organisation(*, user, ngo, municipality) -> None:
    """Raise unless the user may register on behalf of exactly this one organisation."""
    if (ngo is None) == (municipality is None):
        raise ValidationError(
            gettext("Choose the organisation you are registering for."), code="organisation"
        )
    if ngo is not None:
        if not Membership.objects.filter(user=user, ngo=ngo).exists():
            raise ValidationError(
                gettext("You are not a member of %(ngo)s.") % {"ngo": ngo.name},
                code="not_member",
            )
        if ngo.status != VerificationStatus.VERIFIED:
            raise ValidationError(
                gettext(
                    "%(ngo)s is not verified yet: only verified NGOs can register for "
                    "programmes. A coordinator of your sub-region verifies new NGOs."
                )
                % {"ngo": ngo.name},
                code="ngo_not_verified",
            )
    elif not MunicipalStaff.objects.filter(user=user, municipality=municipality).exists():
        raise ValidationError(
            gettext("You are not on the staff of %(municipality)s.")
            % {"municipality": municipality.name},
            code="not_staff",
        )


def _take_seat(event_id: int) -> bool:
    """Take one seat if one is free: a conditional UPDATE, so capacity is never exceeded."""
    return bool(
        Event.objects.filter(pk=event_id, seats_taken__lt=F("capacity")).update(
            seats_taken=F("seats_taken") + 1
        )
    )


def _free_seat(event_id: int) -> None:
    Event.objects.filter(pk=event_id, seats_taken__gt=0).update(seats_taken=F("seats_taken") - 1)


def _close_gap(event_id: int, position: int) -> None:
    """Move everyone behind ``position`` one place up, so positions stay 1, 2, 3, …

    Positions are unique per programme (a database constraint checked row by row), and neither
    PostgreSQL nor SQLite updates rows in a chosen order; so the queue behind the gap is first
    lifted above every position in use and then set down one place ahead of where it was. The
    caller holds the lock on the event row.
    """
    behind = Registration.objects.filter(
        event_id=event_id, status=Status.WAITLISTED, waitlist_position__gt=position
    )
    last = behind.aggregate(last=Max("waitlist_position"))["last"]
    if last is None:
        return
    behind.update(waitlist_position=F("waitlist_position") + last)
    Registration.objects.filter(
        event_id=event_id, status=Status.WAITLISTED, waitlist_position__gt=last
    ).update(waitlist_position=F("waitlist_position") - last - 1)


def _promote_waitlisted(event: Event, *, base_url: str) -> list[Registration]:
    """Give free seats to the first people of the waiting list, in order, and email them.

    The caller holds the lock on the event row.
    """
    promoted = []
    while True:
        first = (
            Registration.objects.select_for_update()
            .filter(event=event, status=Status.WAITLISTED)
            .order_by("waitlist_position", "pk")
            .first()
        )
        if first is None or not _take_seat(event.pk):
            break
        position = first.waitlist_position
        first.status = Status.REGISTERED
        first.waitlist_position = None
        first.save(update_fields=["status", "waitlist_position", "updated_at"])
        _close_gap(event.pk, position)
        transaction.on_commit(
            functools.partial(
                registration_send_mail,
                registration_id=first.pk,
                kind=MailKind.PROMOTED,
                base_url=base_url,
            )
        )
        promoted.append(first)
    return promoted


@transaction.atomic
def event_register(*, event_id, user, ngo=None, municipality=None, base_url) -> Registration:
    """Register ``user`` for a programme on behalf of one NGO or municipality.

    Refuses (ValidationError with a translated message) when the programme is cancelled or held,
    the registration deadline has passed, the user does not belong to the organisation, the NGO
    is not verified, or the user already holds a place. Side effects: locks the event row; gives
    free seats to people already waiting first; takes a seat (``seats_taken`` + 1) and creates the
    registration as registered, or puts it at the end of the waiting list when the programme is
    full; a cancelled registration of the same person is reused. After commit, emails the
    confirmation (with the .ics attached) or, when the user has turned programme emails off,
    leaves an in-app notification.
    """
    # The lock serialises every registration and cancellation of this programme (PostgreSQL).
    event = Event.objects.select_for_update().get(pk=event_id)
    _refuse_closed(event)
    _check_organisation(user=user, ngo=ngo, municipality=municipality)
    registration = Registration.objects.filter(event=event, user=user).first()
    if registration is not None and registration.status != Status.CANCELLED:
        raise ValidationError(
            gettext("You are already registered for this programme."),
            code="already_registered",
        )
    # Seats freed by a capacity increase go to the people already waiting, not to a newcomer.
    _promote_waitlisted(event, base_url=base_url)
    if _take_seat(event.pk):
        status, position = Status.REGISTERED, None
    else:
        last = Registration.objects.filter(event=event, status=Status.WAITLISTED).aggregate(
            last=Max("waitlist_position")
        )["last"]
        status, position = Status.WAITLISTED, (last or 0) + 1
    if registration is None:
        registration = Registration.objects.create(
            event=event,
            user=user,
            ngo=ngo,
            municipality=municipality,
            status=status,
            waitlist_position=position,
        )
    else:
        registration.ngo = ngo
        registration.municipality = municipality
        registration.status = status
        registration.waitlist_position = position
        registration.created_at = timezone.now()
        registration.checked_in_at = None
        registration.checked_in_by = None
        registration.save()
    transaction.on_commit(
        functools.partial(
            registration_send_mail,
            registration_id=registration.pk,
            kind=MailKind.CONFIRMATION,
            base_url=base_url,
        )
    )
    return registration


@transaction.atomic
def event_cancel_registration(*, registration_id, by, base_url: str = "") -> Registration:
    """Cancel a registration (its holder, or a coordinator of the programme's sub-region).

    Refuses when the registration is already cancelled or attended, or the programme has been
    held. Side effects: locks the event row; a registered cancellation frees its seat
    (``seats_taken`` - 1) and gives it to the first person of the waiting list, who is emailed
    after commit (with the .ics); a waitlisted cancellation leaves the queue and everyone behind
    moves up one place.
    """
    event_id = Registration.objects.values_list("event_id", flat=True).get(pk=registration_id)
    event = Event.objects.select_for_update().get(pk=event_id)
    registration = Registration.objects.select_for_update().get(pk=registration_id)
    roles = roles_of(by)
    if registration.user_id != by.pk and not (
        roles.coordinates_subregion(event.subregion_id) or roles.is_site_admin
    ):
        raise ValidationError(gettext("You may not cancel this registration."), code="forbidden")
    if registration.status == Status.CANCELLED:
        raise ValidationError(
            gettext("This registration is already cancelled."), code="already_cancelled"
        )
    if registration.status == Status.ATTENDED or event.state == Event.State.HELD:
        raise ValidationError(
            gettext("The programme has been held: this registration can no longer be cancelled."),
            code="held",
        )
    previous, position = registration.status, registration.waitlist_position
    registration.status = Status.CANCELLED
    registration.waitlist_position = None
    registration.save(update_fields=["status", "waitlist_position", "updated_at"])
    if previous == Status.WAITLISTED:
        _close_gap(event.pk, position)
    else:
        _free_seat(event.pk)
        if event.state == Event.State.PLANNED:
            _promote_waitlisted(event, base_url=base_url)
    return registration


@transaction.atomic
def event_fill_from_waitlist(*, event_id, base_url: str = "") -> list[Registration]:
    """Give the free seats of a programme to the waiting list (e.g. after raising its capacity).

    Side effects: locks the event row; promotes waitlisted people in order while seats are free
    and emails each of them after commit. Returns the promoted registrations.
    """
    event = Event.objects.select_for_update().get(pk=event_id)
    if event.state != Event.State.PLANNED:
        return []
    return _promote_waitlisted(event, base_url=base_url)


# --- Mail ------------------------------------------------------------------------------------


def _mail_subject(registration: Registration, kind: str) -> str:
    title = registration.event.title
    if kind == MailKind.PROMOTED:
        return gettext("A seat is now yours: %(title)s") % {"title": title}
    if registration.status == Status.WAITLISTED:
        return gettext("You are on the waiting list: %(title)s") % {"title": title}
    return gettext("Registration confirmed: %(title)s") % {"title": title}


def _notification_text(registration: Registration, kind: str) -> str:
    context = {"title": registration.event.title, "position": registration.waitlist_position}
    if kind == MailKind.PROMOTED:
        text = gettext("A seat has become free: you are now registered for %(title)s.")
    elif registration.status == Status.WAITLISTED:
        text = gettext("You are number %(position)s on the waiting list of %(title)s.")
    else:
        text = gettext("You are registered for %(title)s.")
    message = text % context
    return message if len(message) <= 300 else message[:299] + "…"


def registration_send_mail(*, registration_id: int, kind: str, base_url: str = "") -> bool:
    """Email a registration's holder its confirmation, waiting-list place or promotion, in their
    language, with the programme's .ics attached; a user who turned programme emails off gets an
    in-app notification instead. Returns whether a mail was sent; mail failures are logged."""
    registration = Registration.objects.select_related(
        "event__host_province", "user", "ngo", "municipality"
    ).get(pk=registration_id)
    if registration.status == Status.CANCELLED:
        return False
    user, event = registration.user, registration.event
    language = user.preferred_language or "tr"
    with translation.override(language), timezone.override(TURKIYE):
        url = urljoin(base_url, event.get_absolute_url()) if base_url else ""
        if EmailPreferences.objects.filter(user=user, events=False).exists():
            Notification.objects.create(
                user=user,
                kind="event",
                message=_notification_text(registration, kind),
                url=event.get_absolute_url(),
            )
            return False
        subject = _mail_subject(registration, kind)
        template = (
            "emails/event_promoted.txt"
            if kind == MailKind.PROMOTED
            else "emails/event_registration.txt"
        )
        body = render_to_string(
            template,
            {"registration": registration, "event": event, "recipient": user, "url": url},
        )
    message = EmailMessage(subject, body, None, [user.email])
    message.attach("programme.ics", event_ics(event, url=url), "text/calendar; charset=utf-8")
    try:
        message.send()
    except (SMTPException, OSError):
        # The registration is saved; a mail server failure must not undo it.
        logger.exception("Could not send the %s mail of registration %s", kind, registration.pk)
        return False
    return True


# --- Check-in --------------------------------------------------------------------------------


def checkin_registrations(event: Event) -> list[Registration]:
    """The programme's registrations that hold a place (seated or waiting), with person and
    organisation, in Turkish alphabetical order of the person's name."""
    rows = event.registrations.filter(status__in=ACTIVE_STATUSES).select_related(
        "user", "ngo__province", "municipality__province"
    )
    return sorted(rows, key=lambda r: (sort_key(person_name(r.user)), r.pk))


def registrations_search(rows: list[Registration], query: str) -> list[Registration]:
    """The rows whose person (name or email) or organisation matches a Turkish-aware query:
    "sahin" finds "Şahin", "igdir" finds "Iğdır".

    User names have no stored search key, so the (capacity-bounded) rows are filtered in Python.
    """
    key = search_key(query)
    if not key:
        return rows
    return [
        r
        for r in rows
        if key in search_key(r.user.full_name)
        or key in search_key(r.user.email)
        or key in search_key(r.organisation.name)
    ]


def person_name(user) -> str:
    return user.full_name or user.email


@transaction.atomic
def registration_check_in(*, registration_id, attended: bool, by) -> Registration:
    """Mark a registered person as attended, or undo it.

    Refuses for a cancelled programme and for registrations without a seat (waitlisted,
    cancelled). Side effects: sets status attended with checked_in_at/by, or back to registered
    with both cleared. The seat count does not change.
    """
    registration = (
        Registration.objects.select_for_update().select_related("event").get(pk=registration_id)
    )
    if registration.event.state == Event.State.CANCELLED:
        raise ValidationError(
            gettext("This programme has been cancelled: there is nobody to check in."),
            code="cancelled",
        )
    if registration.status not in SEATED_STATUSES:
        raise ValidationError(gettext("Only people with a seat can be checked in."), code="no_seat")
    if attended and registration.status == Status.REGISTERED:
        registration.status = Status.ATTENDED
        registration.checked_in_at = timezone.now()
        registration.checked_in_by = by
    elif not attended and registration.status == Status.ATTENDED:
        registration.status = Status.REGISTERED
        registration.checked_in_at = None
        registration.checked_in_by = None
    else:
        return registration
    registration.save(update_fields=["status", "checked_in_at", "checked_in_by", "updated_at"])
    return registration


# --- Exports ---------------------------------------------------------------------------------


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


def _export_title(event: Event) -> list[str]:
    return [
        event.title,
        gettext("Attendees exported on %(date)s") % {"date": _format_moment(timezone.now())},
    ]


def _local(moment):
    """A naive Türkiye-time datetime (spreadsheets have no time zones), or None."""
    return timezone.localtime(moment, TURKIYE).replace(tzinfo=None) if moment else None


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


def attendees_csv_rows(event: Event, rows: list[list]):
    """The rows of the CSV export (see portal/exports.py): a title row naming the programme and
    the date, the column headers, then one row per attendee."""
    # Translated now: the lines are produced while the response streams, after the view returned.
    title = _export_title(event)
    headers = _export_headers()

    def lines():
        yield title
        yield headers
        yield from rows

    return lines()


def attendees_xlsx(event: Event, rows: list[list]) -> bytes:
    """The XLSX export: a title row, the column headers, then one row per attendee."""
    return exports.xlsx_content(
        [_export_title(event), _export_headers(), *rows], sheet_title=gettext("Attendees")
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
