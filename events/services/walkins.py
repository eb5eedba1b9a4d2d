"""Walk-in registration at the door: a coordinator registers a person who came without
registering, while seats remain, and checks them in at once.

A registration belongs to a user and to one NGO or municipality (database constraints), so a
walk-in is recorded for the person's portal account, found by e-mail address or created without
a password (they can set one with "Forgot your password?" and then download their certificate).
The person does not become a member of the organisation: the coordinator vouches for this
attendance only.
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from events.models import Event, Registration
from events.services.checkin import checkin_closed_reason
from events.services.registrations import _promote_waitlisted, _take_seat

Status = Registration.Status


def _person(*, email: str, full_name: str):
    """The user with this e-mail address, or a new one without a password."""
    User = get_user_model()
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User.objects.create_user(email=email, password=None, full_name=full_name.strip())
    elif not user.full_name:
        user.full_name = full_name.strip()
        user.save(update_fields=["full_name"])
    return user


@transaction.atomic
def event_register_walk_in(
    *, event_id, full_name: str, email: str, ngo=None, municipality=None, by, base_url: str = ""
) -> Registration:
    """Register a person at the door and check them in, when a seat is free.

    Refuses (ValidationError, translated) when the programme is cancelled, the check-in is not
    open, no seat is free, or the person already holds a place. Side effects: locks the event
    row (the same lock as ``event_register``, so walk-ins and online sign-ups never overbook);
    gives free seats to the waiting list first; creates the user when the e-mail address is
    new (no password, no membership); takes a seat (``seats_taken`` + 1) and creates, or
    reuses a cancelled, registration as attended, checked in now by ``by``. No mail is sent.
    """
    if (ngo is None) == (municipality is None):
        raise ValidationError(
            gettext("Choose the organisation the person attends for."), code="organisation"
        )
    event = Event.objects.select_for_update().get(pk=event_id)
    if event.state == Event.State.CANCELLED:
        raise ValidationError(
            gettext("This programme has been cancelled: there is nobody to check in."),
            code="cancelled",
        )
    closed = checkin_closed_reason(event)
    if closed:
        raise ValidationError(closed, code="checkin_closed")
    user = _person(email=email, full_name=full_name)
    registration = Registration.objects.select_for_update().filter(event=event, user=user).first()
    if registration is not None and registration.status != Status.CANCELLED:
        raise ValidationError(
            gettext(
                "%(person)s is already registered for this programme: check them in from the list."
            )
            % {"person": user.full_name or user.email},
            code="already_registered",
        )
    _promote_waitlisted(event, base_url=base_url)
    if not _take_seat(event.pk):
        raise ValidationError(
            gettext("No seat is left: a walk-in can only be registered while seats remain."),
            code="full",
        )
    now = timezone.now()
    if registration is None:
        registration = Registration(event=event, user=user)
    else:
        registration.created_at = now
    registration.ngo = ngo
    registration.municipality = municipality
    registration.status = Status.ATTENDED
    registration.waitlist_position = None
    registration.checked_in_at = now
    registration.checked_in_by = by
    registration.save()
    return registration
