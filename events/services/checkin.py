"""The check-in of a programme: who holds a place, a Turkish-aware search, marking attendance,
also by the personal check-in code that a registration's QR code carries."""

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext, ngettext

from events.models import Event, Registration
from events.services import codes
from events.services.registrations import ACTIVE_STATUSES, SEATED_STATUSES, Status, person_name
from events.services.tickets import CHECKIN_SALT, checkin_code_from_text, checkin_message
from portal.turkish import search_key, sort_key


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


def checkin_closed_reason(event: Event, now=None) -> str:
    """Why nobody can be checked in now (empty while the check-in is open): too early, or the
    programme's last day is over."""
    now = now or timezone.now()
    opens, closes = event.checkin_window()
    if now < opens:
        hours = settings.EVENT_CHECKIN_OPENS_HOURS_BEFORE
        return ngettext(
            "The check-in opens on %(opens)s, %(hours)d hour before the programme starts.",
            "The check-in opens on %(opens)s, %(hours)d hours before the programme starts.",
            hours,
        ) % {
            "opens": formats.date_format(timezone.localtime(opens), "DATETIME_FORMAT"),
            "hours": hours,
        }
    if now >= closes:
        last_day = timezone.localdate(event.ends_at)
        return gettext("The check-in closed at the end of the programme's last day (%(day)s).") % {
            "day": formats.date_format(last_day, "DATE_FORMAT")
        }
    return ""


@transaction.atomic
def registration_check_in(*, registration_id, attended: bool, by) -> Registration:
    """Mark a registered person as attended, or undo it.

    Refuses for a cancelled programme, for registrations without a seat (waitlisted,
    cancelled), and marking attendance outside the check-in window (``Event.checkin_window``);
    undoing a check-in stays possible afterwards, to correct a mistake. Side effects: sets
    status attended with checked_in_at/by, or back to registered with both cleared. The seat
    count does not change.
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
    closed = checkin_closed_reason(registration.event) if attended else ""
    if closed:
        raise ValidationError(closed, code="checkin_closed")
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


# --- Check-in by the personal code (QR) -------------------------------------------------------


@dataclass(frozen=True)
class CodeCheckIn:
    """The outcome of a check-in by code: the registration, and whether it had already been
    checked in (not an error at the door: the person is in)."""

    registration: Registration
    already: bool


def registration_for_checkin_code(event: Event, text: str) -> Registration:
    """The registration of ``event`` whose check-in code was typed or scanned.

    Raises a ValidationError with a translated message when the text is no valid code, or is
    the code of another programme's registration (which is not named: the coordinator may not
    run it).
    """
    registration = codes.coded_object(
        Registration.objects.select_related("event"),
        checkin_code_from_text(text),
        salt=CHECKIN_SALT,
        message=checkin_message,
    )
    if registration is None:
        raise ValidationError(
            gettext(
                "This is not a valid check-in code. Check what was typed, or find the person "
                "in the list."
            ),
            code="invalid_code",
        )
    if registration.event_id != event.pk:
        raise ValidationError(
            gettext("This check-in code is for another programme, not for this one."),
            code="other_programme",
        )
    if registration.status == Status.CANCELLED:
        raise ValidationError(
            gettext("This registration has been cancelled: the person has no seat."),
            code="cancelled_registration",
        )
    return registration


def registration_check_in_by_code(*, event: Event, text: str, by) -> CodeCheckIn:
    """Check in the person whose personal code (or QR code's URL) was typed or scanned.

    Refuses as ``registration_for_checkin_code`` and ``registration_check_in`` do (invalid
    code, another programme, no seat, outside the check-in window); a person already checked
    in is reported as such, not refused. Side effects: those of ``registration_check_in``.
    """
    registration = registration_for_checkin_code(event, text)
    if registration.status == Status.ATTENDED:
        return CodeCheckIn(registration, already=True)
    registration = registration_check_in(registration_id=registration.pk, attended=True, by=by)
    return CodeCheckIn(registration, already=False)
