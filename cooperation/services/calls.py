"""Calls for support: sending them (in the request: bulk inserts only), delivering them (on the
task worker: in-app, e-mail through the outbox, SMS through the backend), the NGOs' answers, and
offers of help from NGOs that were not called.

Delivery is idempotent: one Delivery row per (call, person, channel) leaves "queued" exactly once;
rows are locked while they are sent, so two workers never send the same row. A row that could
not be sent stays queued with its attempt count and error; the task retries with backoff and
``deliveries_sweep`` re-enqueues rows whose task was lost, so nothing is dropped when the SMS
gateway or the mail server is down. After the last retry a row is marked failed.
"""

import datetime
import logging
from dataclasses import dataclass
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cooperation.models import (
    ActivationLogEntry,
    Call,
    CallState,
    Delivery,
    DeliveryChannel,
    DeliveryState,
    Offer,
    Response,
    ResponseItem,
)
from cooperation.services.activations import (
    ActivationConflict,
    activation_lock_open,
    log_entry,
    runs_activation,
)
from cooperation.services.proposals import covering_protocols
from cooperation.services.sms import SmsError, get_backend, normalise_number
from municipalities.models import MunicipalStaff
from ngos.models import NGO, Membership
from portal.access import roles_of
from portal.models import Notification
from portal.notifications import Message, notify
from portal.turkish import sort_key

logger = logging.getLogger(__name__)
User = get_user_model()
Verb = ActivationLogEntry.Verb
NOTIFICATION_KIND = "activation_call"
ANSWER_NOTIFICATION_KIND = "activation_answer"
OFFER_NOTIFICATION_KIND = "activation_offer"
# Calls per delivery task and Delivery rows per INSERT.
INSERT_BATCH = 2000


# --- sending a call --------------------------------------------------------------------------


def _first_person(ngo_ids) -> dict:
    """Each NGO's first active person, administrators first: the SMS to the NGO's number is
    addressed to them."""
    rows = (
        Membership.objects.filter(ngo_id__in=ngo_ids, user__is_active=True)
        .order_by("ngo_id", "role", "pk")  # "admin" sorts before "member"
        .values_list("ngo_id", "user_id")
    )
    first = {}
    for ngo_id, user_id in rows:
        first.setdefault(ngo_id, user_id)
    return first


def _insert_person_deliveries(activation_id, sent_at):
    """One in-app and one e-mail Delivery for every active person of every NGO called at
    ``sent_at``, in one INSERT … SELECT: a call to a thousand NGOs writes its thousands of rows
    without building them in Python (the same SQL on SQLite and PostgreSQL)."""
    qn = connection.ops.quote_name
    when = connection.ops.adapt_datetimefield_value(sent_at)
    sql = f"""
        INSERT INTO {qn(Delivery._meta.db_table)}
            (call_id, recipient_id, channel, state, attempts, last_error, created_at, updated_at)
        SELECT c.id, m.user_id, ch.channel, %s, 0, '', %s, %s
        FROM {qn(Call._meta.db_table)} c
        JOIN {qn(Membership._meta.db_table)} m ON m.ngo_id = c.ngo_id
        JOIN {qn(User._meta.db_table)} u ON u.id = m.user_id
        CROSS JOIN (SELECT %s AS channel UNION ALL SELECT %s) ch
        WHERE c.activation_id = %s AND c.sent_at = %s AND u.is_active = %s
    """
    params = [DeliveryState.QUEUED, when, when, "in_app", "email", activation_id, when, True]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


@transaction.atomic
def calls_send(*, activation, ngo_ids, user, message="", base_url="") -> list[Call]:
    """Call the NGOs ``ngo_ids`` (verified, not called yet) to an open activation.

    In the request: one Call per NGO, one Delivery per person and channel (in-app and e-mail for
    each active member; one SMS to the NGO's mobile number, addressed to its first
    administrator), one log line per NGO, all inserted in bulk. After the commit, delivery
    tasks are enqueued, ``settings.CALL_DELIVERY_BATCH`` calls each. Returns the new calls.
    Raises ValidationError for an NGO that is not verified or was called already.
    """
    from cooperation.tasks import deliver_calls

    activation_lock_open(activation.pk)  # one officer's call at a time per activation
    wanted = {int(pk) for pk in ngo_ids}
    if not wanted:
        raise ValidationError(_("Choose at least one NGO to call."), code="empty")
    ngos = {
        ngo.pk: ngo
        for ngo in NGO.objects.filter(pk__in=wanted, status=NGO.Status.VERIFIED).only(
            "pk", "name", "phone"
        )
    }
    if set(ngos) != wanted:
        raise ValidationError(_("Only verified NGOs can be called."), code="unverified")
    already = set(activation.calls.filter(ngo_id__in=wanted).values_list("ngo__name", flat=True))
    if already:
        raise ValidationError(
            _("Already called: %(ngos)s.") % {"ngos": ", ".join(sorted(already, key=sort_key))},
            code="called",
        )
    plates = list(activation.provinces.values_list("plate", flat=True))
    protocol_of = {}
    for ngo_id, protocol_id in (
        covering_protocols(plates)
        .filter(parties__ngo__in=wanted)
        .values_list("parties__ngo", "pk")
        .order_by("ends_on", "pk")
    ):
        protocol_of.setdefault(ngo_id, protocol_id)
    now = timezone.now()
    try:
        with transaction.atomic():
            calls = Call.objects.bulk_create(
                [
                    Call(
                        activation=activation,
                        ngo_id=ngo_id,
                        protocol_id=protocol_of.get(ngo_id),
                        sent_by=user,
                        sent_at=now,
                        message=message,
                    )
                    for ngo_id in sorted(wanted)
                ],
                batch_size=INSERT_BATCH,
            )
    except IntegrityError as error:  # another officer called one of them just now
        raise ValidationError(
            _("Someone else called one of these NGOs just now. Reload the page and try again."),
            code="called",
        ) from error
    _insert_person_deliveries(activation.pk, now)
    first_person = _first_person(wanted)
    Delivery.objects.bulk_create(
        [
            Delivery(call=call, recipient_id=first_person[call.ngo_id], channel="sms")
            for call in calls
            if call.ngo_id in first_person and normalise_number(ngos[call.ngo_id].phone)
        ],
        batch_size=INSERT_BATCH,
    )
    ActivationLogEntry.objects.bulk_create(
        [
            ActivationLogEntry(
                activation=activation,
                actor=user,
                verb=Verb.CALLED,
                at=now,
                details={"ngo": ngos[call.ngo_id].name, "ngo_id": call.ngo_id},
            )
            for call in calls
        ],
        batch_size=INSERT_BATCH,
    )
    ids = [call.pk for call in calls]
    size = settings.CALL_DELIVERY_BATCH
    for start in range(0, len(ids), size):
        chunk = ids[start : start + size]
        transaction.on_commit(lambda chunk=chunk: deliver_calls.delay(chunk, base_url))
    return calls


# --- delivering it (the task worker) ---------------------------------------------------------


def _respond_url(call, base_url):
    path = reverse("cooperation:respond", kwargs={"pk": call.activation_id, "call": call.pk})
    return urljoin(base_url, path) if base_url else path


def _texts(call, base_url):
    """The in-app line, the e-mail and the SMS of a call, in the active language."""
    activation = call.activation
    caller = activation.municipality.name if activation.municipality_id else _("the coordinators")
    url = _respond_url(call, base_url)
    exercise = _("EXERCISE — ") if activation.is_exercise else ""
    line = _("%(exercise)sCall for support from %(caller)s: %(title)s") % {
        "exercise": exercise,
        "caller": caller,
        "title": activation.title,
    }
    subject = _("%(exercise)sCall for support: %(title)s") % {
        "exercise": exercise,
        "title": activation.title,
    }
    body = _(
        "%(caller)s calls on %(ngo)s for support: %(title)s (%(hazard)s).\n\n"
        "%(message)s\n\n"
        "Please answer in the portal whether you can come, with whom and what, and when:\n"
        "%(url)s\n"
    ) % {
        "caller": caller,
        "ngo": call.ngo.name,
        "title": activation.title,
        "hazard": activation.get_hazard_display(),
        "message": call.message or "",
        "url": url,
    }
    sms = _("%(exercise)sSupport call: %(title)s. Answer: %(url)s") % {
        "exercise": exercise,
        "title": activation.title[:60],
        "url": url,
    }
    return line, url, subject, body, sms


def _pending(call_ids, channel):
    return (
        Delivery.objects.select_for_update(skip_locked=True, of=("self",))
        .filter(call_id__in=call_ids, channel=channel, state=DeliveryState.QUEUED)
        .select_related("call__activation__municipality", "call__ngo", "recipient")
        .order_by("pk")
    )


def _mark_sent(ids):
    Delivery.objects.filter(pk__in=ids).update(
        state=DeliveryState.SENT,
        sent_at=timezone.now(),
        attempts=F("attempts") + 1,
        last_error="",
        updated_at=timezone.now(),
    )


def _mark_attempt(ids, error, *, final):
    changes = {"attempts": F("attempts") + 1, "last_error": str(error)[:2000]}
    if final:
        changes["state"] = DeliveryState.FAILED
    Delivery.objects.filter(pk__in=ids, state=DeliveryState.QUEUED).update(
        **changes, updated_at=timezone.now()
    )


def _deliver_in_app(call_ids, base_url):
    with transaction.atomic():
        rows = list(_pending(call_ids, DeliveryChannel.IN_APP))
        notes = []
        for row in rows:
            with translation.override(row.recipient.preferred_language):
                line, url, *_rest = _texts(row.call, base_url)
            notes.append(
                Notification(
                    user=row.recipient, kind=NOTIFICATION_KIND, message=line[:300], url=url
                )
            )
        Notification.objects.bulk_create(notes)
        _mark_sent([row.pk for row in rows])


def _deliver_email(call_ids, base_url, *, final):
    with transaction.atomic():
        rows = list(_pending(call_ids, DeliveryChannel.EMAIL))
        if not rows:
            return
        messages = []
        for row in rows:
            with translation.override(row.recipient.preferred_language):
                _line, _url, subject, body, _sms = _texts(row.call, base_url)
            messages.append(EmailMessage(subject, body, None, [row.recipient.email]))
        ids = [row.pk for row in rows]
        try:
            # The portal's backend stores them in the outbox, which sends them with retries.
            get_connection().send_messages(messages)
        except OSError as error:
            _mark_attempt(ids, error, final=final)
            return
        _mark_sent(ids)


def _deliver_sms(call_ids, base_url, *, final):
    backend = get_backend()
    ids = list(
        Delivery.objects.filter(
            call_id__in=call_ids, channel=DeliveryChannel.SMS, state=DeliveryState.QUEUED
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for pk in ids:
        # One row per transaction: a crash repeats one message at most.
        with transaction.atomic():
            row = _pending(call_ids, DeliveryChannel.SMS).filter(pk=pk).first()
            if row is None:
                continue
            number = normalise_number(row.call.ngo.phone)
            with translation.override(row.recipient.preferred_language):
                *_rest, text = _texts(row.call, base_url)
            try:
                if not number:
                    raise SmsError("no mobile number", permanent=True)
                backend.send(number, text)
            except SmsError as error:
                _mark_attempt([pk], error, final=final or error.permanent)
                continue
            _mark_sent([pk])


def deliveries_send(*, call_ids, base_url="", final=False) -> int:
    """Deliver the queued deliveries of the calls: in-app notifications, e-mails (handed to the
    outbox) and SMS (through ``settings.SMS_BACKEND``). A failed attempt is counted and its
    error kept; with ``final`` (the task's last retry) it is marked failed instead of left
    queued. Returns how many are still queued (the task retries them)."""
    _deliver_in_app(call_ids, base_url)
    _deliver_email(call_ids, base_url, final=final)
    _deliver_sms(call_ids, base_url, final=final)
    return Delivery.objects.filter(call_id__in=call_ids, state=DeliveryState.QUEUED).count()


def deliveries_stale(*, older_than_seconds=600, limit=5000) -> list[int]:
    """The calls with deliveries queued for longer than the given time (their task was lost or
    is still retrying), for the sweep to enqueue again."""
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    return list(
        Delivery.objects.filter(state=DeliveryState.QUEUED, created_at__lt=cutoff)
        .order_by("call_id")
        .values_list("call_id", flat=True)
        .distinct()[:limit]
    )


@transaction.atomic
def deliveries_retry_failed(*, activation, user) -> list[int]:
    """Put an activation's failed deliveries back in the queue (an officer's "send again").
    Returns the calls concerned; their delivery is enqueued after the commit."""
    from cooperation.tasks import deliver_calls

    failed = Delivery.objects.filter(call__activation=activation, state=DeliveryState.FAILED)
    call_ids = sorted(set(failed.values_list("call_id", flat=True)))
    failed.update(state=DeliveryState.QUEUED, updated_at=timezone.now())
    size = settings.CALL_DELIVERY_BATCH
    for start in range(0, len(call_ids), size):
        chunk = call_ids[start : start + size]
        transaction.on_commit(lambda chunk=chunk: deliver_calls.delay(chunk, ""))
    return call_ids


# --- telling the officers --------------------------------------------------------------------


def officers_to_tell(activation, *, exclude=None) -> list:
    """Who is told in the portal when a called NGO answers (or changes its answer) and when an
    NGO offers help: the activating municipality's managers and the officer who opened the
    activation (a staff member of the municipality, or the coordinator who opened it for their
    area), each only while they still run it; never ``exclude`` (the person who acted)."""
    users = {}
    if activation.municipality_id:
        for staff in MunicipalStaff.objects.filter(
            municipality_id=activation.municipality_id,
            role=MunicipalStaff.Role.MANAGER,
            user__is_active=True,
        ).select_related("user"):
            users[staff.user_id] = staff.user
    opener = activation.opened_by
    if (
        opener is not None
        and opener.pk not in users
        and opener.is_active
        and runs_activation(opener, activation)
    ):
        users[opener.pk] = opener
    if exclude is not None:
        users.pop(exclude.pk, None)
    return sorted(users.values(), key=lambda user: user.pk)


def _tell_officers(activation, *, kind, text, values, exclude):
    """An in-app notification for each officer to tell, in their language, linking the board.
    ``text`` is an English format string (marked for translation where it is written)."""

    def build(user):
        url = reverse("cooperation:board", kwargs={"pk": activation.pk})
        return Message(text=_(text) % {"title": activation.title, **values()}, url=url)

    return notify(
        users=officers_to_tell(activation, exclude=exclude), kind=kind, preference=None, build=build
    )


# Translated per recipient (in _tell_officers), so only marked here.
ANSWERED_TEXT = gettext_noop("%(ngo)s answered the call “%(title)s”: %(availability)s.")
ANSWER_CHANGED_TEXT = gettext_noop("%(ngo)s changed its answer to “%(title)s”: %(availability)s.")
OFFERED_TEXT = gettext_noop(
    "%(ngo)s offers help for “%(title)s”: accept or decline it on the board."
)


# --- the NGO's answer ------------------------------------------------------------------------


@dataclass
class Answer:
    """What an NGO answers to a call (the response form's cleaned data)."""

    availability: str
    people: int = 0
    vehicles: int = 0
    eta: object = None
    contact_name: str = ""
    contact_phone: str = ""
    note: str = ""
    items: dict = None  # need id → quantity pledged


@transaction.atomic
def response_save(*, call_id, user, answer: Answer, expected_version: int) -> Response:
    """Save the NGO's answer to a call, or change it.

    ``expected_version`` is the version of the answer the person saw (0: none yet); if one of
    their colleagues saved in the meantime, nothing is saved (ActivationConflict). Side effects:
    inserts or updates the Response and its items (a need with nothing pledged has no item);
    the first answer moves the call to "responded"; a log line.
    """
    call = Call.objects.select_for_update().select_related("ngo").get(pk=call_id)
    if call.ngo_id not in roles_of(user).ngo_ids:
        raise ValidationError(_("Only the called NGO's people may answer."), code="scope")
    activation_lock_open(call.activation_id)
    response = Response.objects.filter(call=call).first()
    current = response.version if response else 0
    if current != int(expected_version):
        raise ActivationConflict(
            _(
                "Someone else from your NGO changed the answer in the meantime. Nothing was "
                "saved; what you typed is still in the form. Check the answer shown and save "
                "again."
            )
        )
    sends_nothing = answer.availability == Response.Availability.NOT_AVAILABLE
    items = {} if sends_nothing else {k: v for k, v in (answer.items or {}).items() if v}
    valid_needs = set(call.activation.needs.filter(pk__in=list(items)).values_list("pk", flat=True))
    if set(items) - valid_needs:
        raise ValidationError(_("A pledged need does not belong to this activation."))
    verb = Verb.RESPONSE_CHANGED if response else Verb.RESPONDED
    response = response or Response(call=call)
    response.availability = answer.availability
    response.people = 0 if sends_nothing else answer.people
    response.vehicles = 0 if sends_nothing else answer.vehicles
    response.eta = None if sends_nothing else answer.eta
    response.contact_name = answer.contact_name
    response.contact_phone = answer.contact_phone
    response.note = answer.note
    response.responded_by = user
    response.version = current + 1
    response.save()
    existing = {item.need_id: item for item in response.items.all()}
    response.items.exclude(need_id__in=list(items)).delete()
    for need_id, pledged in items.items():
        item = existing.get(need_id)
        if item is None:
            ResponseItem.objects.create(response=response, need_id=need_id, pledged=pledged)
        elif item.pledged != pledged:
            item.pledged = pledged
            item.save(update_fields=["pledged", "updated_at"])
    if call.responded_at is None:
        call.responded_at = max(timezone.now(), call.sent_at)
        if call.state == CallState.CALLED:
            call.state = CallState.RESPONDED
            call.state_changed_at = call.responded_at
        call.save(update_fields=["responded_at", "state", "state_changed_at"])
    log_entry(
        call.activation_id,
        user,
        verb,
        ngo=call.ngo.name,
        ngo_id=call.ngo_id,
        availability=answer.availability,
    )
    _tell_officers(
        call.activation,
        kind=ANSWER_NOTIFICATION_KIND,
        text=ANSWER_CHANGED_TEXT if verb == Verb.RESPONSE_CHANGED else ANSWERED_TEXT,
        values=lambda: {
            "ngo": call.ngo.name,
            "availability": Response.Availability(answer.availability).label,
        },
        exclude=user,
    )
    return response


# --- offers of help --------------------------------------------------------------------------


@transaction.atomic
def offer_make(*, activation, ngo, user, message) -> Offer:
    """A verified NGO that was not called offers help on the public page of an open real
    activation. Side effects: an Offer, a log line. Raises ValidationError otherwise."""
    activation = activation_lock_open(activation.pk)
    if activation.is_exercise:
        raise ValidationError(_("Exercises take no offers."), code="exercise")
    if ngo.pk not in roles_of(user).ngo_ids or not ngo.is_verified:
        raise ValidationError(_("Only the people of a verified NGO may offer its help."))
    if activation.calls.filter(ngo=ngo).exists():
        raise ValidationError(_("Your NGO has been called already: answer the call instead."))
    if activation.offers.filter(ngo=ngo).exists():
        raise ValidationError(_("Your NGO has offered help already."), code="duplicate")
    offer = Offer.objects.create(activation=activation, ngo=ngo, offered_by=user, message=message)
    log_entry(activation.pk, user, Verb.OFFERED, ngo=ngo.name, ngo_id=ngo.pk)
    _tell_officers(
        activation,
        kind=OFFER_NOTIFICATION_KIND,
        text=OFFERED_TEXT,
        values=lambda: {"ngo": ngo.name},
        exclude=user,
    )
    return offer


@transaction.atomic
def offer_decide(*, offer_id, user, accept: bool, base_url="") -> Offer:
    """Accept (the NGO is then called like the others) or decline a pending offer.
    Side effects: updates the Offer; on acceptance a Call with its deliveries; a log line."""
    offer = Offer.objects.select_for_update().select_related("ngo", "activation").get(pk=offer_id)
    if offer.status != Offer.Status.PENDING:
        raise ActivationConflict(
            _("This offer was already decided: %(status)s.")
            % {"status": offer.get_status_display()}
        )
    if accept:
        calls_send(
            activation=offer.activation,
            ngo_ids=[offer.ngo_id],
            user=user,
            message=_("Your offer of help was accepted."),
            base_url=base_url,
        )
    offer.status = Offer.Status.ACCEPTED if accept else Offer.Status.DECLINED
    offer.decided_at = timezone.now()
    offer.decided_by = user
    offer.save(update_fields=["status", "decided_at", "decided_by"])
    log_entry(
        offer.activation_id,
        user,
        Verb.OFFER_ACCEPTED if accept else Verb.OFFER_DECLINED,
        ngo=offer.ngo.name,
        ngo_id=offer.ngo_id,
    )
    return offer
