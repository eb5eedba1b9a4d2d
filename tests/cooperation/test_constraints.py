"""Every invariant of the cooperation models has a database constraint behind it: plain ORM
writes that bypass the forms and services are refused by the database (IntegrityError), on
SQLite and PostgreSQL."""

import datetime
from contextlib import contextmanager

import pytest
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone

from cooperation.models import (
    Activation,
    ActivationLogEntry,
    Call,
    Delivery,
    MunicipalCommitment,
    Need,
    NGOCommitment,
    Offer,
    Protocol,
    ProtocolParty,
    Response,
    ResponseItem,
)
from tests.factories import (
    ActivationFactory,
    ActivationLogEntryFactory,
    CallFactory,
    DeliveryFactory,
    MunicipalCommitmentFactory,
    NeedFactory,
    NGOCommitmentFactory,
    OfferFactory,
    ProtocolFactory,
    ProtocolPartyFactory,
    ResponseFactory,
    ResponseItemFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TOO_MANY = 10_000_001


@contextmanager
def refused():
    """The database refuses the write; the savepoint keeps the test's transaction usable."""
    with pytest.raises(IntegrityError), transaction.atomic():
        yield


def update(obj, **fields):
    type(obj).objects.filter(pk=obj.pk).update(**fields)


# --- protocols -----------------------------------------------------------------------------------


def test_protocol_factories_satisfy_every_constraint():
    assert ProtocolFactory().status == "draft"
    assert ProtocolFactory(proposed=True).status == "proposed"
    active = ProtocolFactory(active=True)
    assert active.status == "active"
    assert active.hazards == ["earthquake"]
    assert active.phases == ["preparedness"]


def test_protocol_without_any_hazard_is_refused():
    protocol = ProtocolFactory()
    with refused():
        update(protocol, hazard_earthquake=False)
    update(protocol, hazard_earthquake=False, hazard_drought=True)
    assert list(Protocol.objects.for_hazard("drought")) == [protocol]


def test_protocol_without_any_phase_is_refused():
    protocol = ProtocolFactory()
    with refused():
        update(protocol, phase_preparedness=False)
    update(protocol, phase_preparedness=False, phase_recovery=True)
    assert list(Protocol.objects.in_phase("recovery")) == [protocol]


def test_protocol_ending_before_it_starts_is_refused():
    protocol = ProtocolFactory(proposed=True)
    with refused():
        update(protocol, ends_on=protocol.starts_on - datetime.timedelta(days=1))
    update(protocol, ends_on=protocol.starts_on)  # a one-day protocol is fine


def test_protocol_proposed_without_dates_is_refused():
    draft = ProtocolFactory()  # a draft may leave the dates for later
    with refused():
        update(draft, status="proposed", proposed_at=timezone.now())
    with refused():
        update(ProtocolFactory(proposed=True), ends_on=None)


def test_protocol_with_unknown_status_is_refused():
    with refused():
        update(ProtocolFactory(), status="accepted")


def test_protocol_active_without_its_times_is_refused():
    protocol = ProtocolFactory(proposed=True)
    with refused():
        update(protocol, status="active")
    with refused():
        update(ProtocolFactory(active=True), proposed_at=None)


def test_protocol_terminated_without_a_reason_is_refused():
    protocol = ProtocolFactory(active=True)
    with refused():
        update(protocol, status="terminated", ended_at=timezone.now())
    with refused():
        update(protocol, status="terminated", termination_reason="Taraflar anlaştı.")
    with refused():  # a reason on a protocol that was not terminated
        update(protocol, termination_reason="Taraflar anlaştı.")
    update(protocol, status="terminated", ended_at=timezone.now(), termination_reason="Anlaşmayla.")


def test_protocol_expired_without_end_time_is_refused():
    protocol = ProtocolFactory(active=True)
    with refused():
        update(protocol, status="expired")
    with refused():
        update(protocol, ended_at=timezone.now())  # still active
    update(protocol, status="expired", ended_at=timezone.now())


def test_second_party_row_for_the_same_ngo_is_refused():
    party = ProtocolPartyFactory()
    with refused():
        ProtocolParty.objects.create(protocol=party.protocol, ngo=party.ngo)
    assert party.protocol.parties.count() == 1


def test_party_accepted_by_someone_without_a_time_is_refused():
    party = ProtocolPartyFactory()
    user = UserFactory()
    with refused():
        update(party, accepted_by=user)
    update(party, accepted_by=user, accepted_at=timezone.now())


@pytest.mark.parametrize(
    "fields",
    [
        {"kind": "magic"},
        {"unit": "buckets"},
        {"quantity": -1},
        {"quantity": TOO_MANY},
        {"people": -1},
        {"people": TOO_MANY},
        {"unit": ""},  # a quantity without its unit
    ],
)
def test_ngo_commitment_out_of_range_is_refused(fields):
    commitment = NGOCommitmentFactory()
    with refused():
        update(commitment, **fields)
    assert NGOCommitment.objects.get(pk=commitment.pk).quantity == 2


def test_ngo_commitment_without_quantity_needs_no_unit():
    commitment = NGOCommitmentFactory(quantity=None, unit="", people=None, note="Koordinasyon")
    assert commitment.pk


def test_empty_municipal_commitment_is_refused():
    commitment = MunicipalCommitmentFactory()
    with refused():
        update(commitment, text="")
    assert MunicipalCommitment.objects.get().text == commitment.text


# --- activations ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"hazard": "meteor"},
        {"status": "paused"},
        {"severity": 0},
        {"severity": 5},
        {"status": "closed"},  # closed without a time
        {"closed_at": timezone.now()},  # a closing time on an open activation
    ],
)
def test_activation_with_bad_values_is_refused(fields):
    activation = ActivationFactory()
    with refused():
        update(activation, **fields)
    assert Activation.objects.get(pk=activation.pk).status == "open"


def test_activation_closed_before_it_started_is_refused():
    activation = ActivationFactory()
    with refused():
        update(activation, status="closed", closed_at=activation.started_at - datetime.timedelta(1))
    update(activation, status="closed", closed_at=activation.started_at)


@pytest.mark.parametrize(
    "fields",
    [
        {"quantity": -1},
        {"quantity": TOO_MANY},
        {"kind": "magic"},
        {"unit": ""},
        {"priority": 0},
        {"priority": 4},
    ],
)
def test_need_out_of_range_is_refused(fields):
    need = NeedFactory()
    with refused():
        update(need, **fields)
    assert Need.objects.get(pk=need.pk).quantity == 100


def test_need_of_zero_is_allowed():
    need = NeedFactory()
    update(need, quantity=0)  # met, kept for the record


def test_second_call_to_the_same_ngo_in_an_activation_is_refused():
    call = CallFactory()
    with refused():
        Call.objects.create(activation=call.activation, ngo=call.ngo)
    assert Call.objects.count() == 1
    CallFactory(ngo=call.ngo)  # another activation may call it


def test_call_with_unknown_state_is_refused():
    with refused():
        update(CallFactory(), state="lost")


@pytest.mark.parametrize("state", ["responded", "on_the_way", "on_site"])
def test_call_past_responded_without_a_response_time_is_refused(state):
    call = CallFactory()
    with refused():
        update(call, state=state)
    update(call, state=state, responded_at=call.sent_at)


def test_call_released_without_an_answer_is_allowed():
    call = CallFactory()
    update(call, state="released")


def test_call_answered_before_it_was_sent_is_refused():
    call = CallFactory()
    with refused():
        update(call, responded_at=call.sent_at - datetime.timedelta(minutes=1))


def test_second_delivery_to_a_person_on_a_channel_is_refused():
    delivery = DeliveryFactory()
    with refused():
        Delivery.objects.create(
            call=delivery.call, recipient=delivery.recipient, channel=delivery.channel
        )
    DeliveryFactory(call=delivery.call, recipient=delivery.recipient, channel="sms")
    assert delivery.call.deliveries.count() == 2


@pytest.mark.parametrize(
    "fields",
    [
        {"channel": "fax"},
        {"state": "lost"},
        {"attempts": -1},
        {"state": "sent"},  # sent without a time
        {"sent_at": timezone.now()},  # a sending time on a queued delivery
        {"state": "failed"},  # failed without its error
    ],
)
def test_delivery_with_bad_values_is_refused(fields):
    delivery = DeliveryFactory()
    with refused():
        update(delivery, **fields)
    assert Delivery.objects.get(pk=delivery.pk).state == "queued"


def test_second_response_to_a_call_is_refused():
    response = ResponseFactory()
    with refused():
        Response.objects.create(call=response.call, availability="partly")


@pytest.mark.parametrize(
    "fields",
    [
        {"availability": "maybe"},
        {"people": -1},
        {"vehicles": TOO_MANY},
        {"availability": "not_available"},  # while still sending people and a vehicle
    ],
)
def test_response_with_bad_values_is_refused(fields):
    response = ResponseFactory()
    with refused():
        update(response, **fields)
    update(response, availability="not_available", people=0, vehicles=0)


def test_second_item_for_the_same_need_in_a_response_is_refused():
    item = ResponseItemFactory()
    with refused():
        ResponseItem.objects.create(response=item.response, need=item.need, pledged=1)


@pytest.mark.parametrize("fields", [{"pledged": -1}, {"arrived": -1}, {"arrived": TOO_MANY}])
def test_response_item_out_of_range_is_refused(fields):
    item = ResponseItemFactory()
    with refused():
        update(item, **fields)
    update(item, arrived=25)  # more than pledged may arrive


def test_need_with_pledges_cannot_be_deleted():
    item = ResponseItemFactory()
    with pytest.raises(ProtectedError):
        item.need.delete()


def test_second_offer_of_an_ngo_for_an_activation_is_refused():
    offer = OfferFactory()
    with refused():
        Offer.objects.create(activation=offer.activation, ngo=offer.ngo, message="Yine biz.")


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "maybe"},
        {"message": ""},
        {"status": "accepted"},  # decided without a time
        {"decided_at": timezone.now()},  # a decision time on a pending offer
    ],
)
def test_offer_with_bad_values_is_refused(fields):
    offer = OfferFactory()
    with refused():
        update(offer, **fields)
    update(offer, status="declined", decided_at=timezone.now())


def test_log_entry_with_unknown_verb_is_refused():
    entry = ActivationLogEntryFactory()
    with refused():
        update(entry, verb="teleported")
    assert ActivationLogEntry.objects.get(pk=entry.pk).verb == "opened"
