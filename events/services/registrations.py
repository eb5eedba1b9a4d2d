"""Registration for regional programmes: seats and the waiting list.

Seats are counted in ``Event.seats_taken`` and taken with a conditional UPDATE
(``seats_taken < capacity``), while the event row is locked (``select_for_update``): concurrent
sign-ups are serialised on PostgreSQL, so the waiting list is numbered without gaps or
duplicates, and the database check ``seats_taken <= capacity`` is the last line of defence.
"""

import datetime
import functools
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import BooleanField, CharField, ExpressionWrapper, F, Max, Q, Value
from django.utils import formats, timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from events.models import Event, Registration
from events.services.mail import MailKind, registration_send_mail
from municipalities.models import Municipality, MunicipalStaff
from ngos.models import NGO, Membership, VerificationStatus
from portal.access import roles_of

Status = Registration.Status
# Statuses that hold a place at the programme (a seat, or a place in the queue).
ACTIVE_STATUSES = (Status.REGISTERED, Status.ATTENDED, Status.WAITLISTED)
SEATED_STATUSES = (Status.REGISTERED, Status.ATTENDED)


class OrganisationKind(models.TextChoices):
    NGO = "ngo", _("NGO")
    MUNICIPALITY = "municipality", _("Municipality")


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


def person_name(user) -> str:
    return user.full_name or user.email


def format_moment(moment: datetime.datetime) -> str:
    """A moment as Türkiye time for people: "12 Mayıs 2030, 10:00"."""
    return formats.date_format(
        timezone.localtime(moment, timezone.get_default_timezone()), "DATETIME_FORMAT"
    )


def _refuse_closed(event: Event) -> None:
    """Raise the reason why the programme takes no registrations, if it takes none."""
    if event.state == Event.State.CANCELLED:
        raise ValidationError(
            gettext("This programme has been cancelled: registration is closed."),
            code="cancelled",
        )
    if event.is_over():
        raise ValidationError(
            gettext("This programme has already been held: registration is closed."),
            code="held",
        )
    if event.registration_deadline < timezone.now():
        raise ValidationError(
            gettext("Registration closed on %(deadline)s (Türkiye time).")
            % {"deadline": format_moment(event.registration_deadline)},
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
