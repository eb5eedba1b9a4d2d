"""Concurrent writes to an activation on PostgreSQL: threads with their own connections, released
together by a barrier (as tests/security/test_concurrency.py). Many NGOs answering at once lose
nothing; two people saving the same row with the same version: one wins, the other is told."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Sum

from cooperation.models import Activation, ActivationLogEntry, Call, Need, Response
from cooperation.services.activations import (
    ActivationConflict,
    call_change_state,
    need_update,
)
from cooperation.services.calls import Answer, calls_send, response_save
from tests.factories import (
    ActivationFactory,
    CallFactory,
    MembershipFactory,
    MunicipalStaffFactory,
    NeedFactory,
    NGOFactory,
)
from tests.security.test_concurrency import race

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]


def answer(need, pledged, availability="available"):
    return Answer(availability=availability, people=3, vehicles=1, items={need.pk: pledged})


def test_many_ngos_answering_at_once_lose_nothing():
    activation = ActivationFactory()
    need = NeedFactory(activation=activation, quantity=500)
    people = []
    for n in range(10):
        call = CallFactory(activation=activation, ngo=NGOFactory(name=f"Eşzamanlı Dernek {n}"))
        people.append((call, MembershipFactory(ngo=call.ngo, role="admin").user))

    outcomes = race(
        *(
            (
                lambda c=call, u=user, n=n: response_save(
                    call_id=c.pk, user=u, answer=answer(need, 10 + n), expected_version=0
                )
            )
            for n, (call, user) in enumerate(people)
        )
    )

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    assert Response.objects.filter(call__activation=activation).count() == 10
    assert set(Call.objects.filter(activation=activation).values_list("state", flat=True)) == {
        "responded"
    }
    pledged = Need.objects.filter(pk=need.pk).aggregate(total=Sum("pledges__pledged"))["total"]
    assert pledged == sum(10 + n for n in range(10))
    assert ActivationLogEntry.objects.filter(activation=activation, verb="responded").count() == 10


def test_two_people_of_one_ngo_answering_with_the_same_version_one_is_told():
    call = CallFactory()
    need = NeedFactory(activation=call.activation)
    first, second = (MembershipFactory(ngo=call.ngo).user for _ in range(2))

    outcomes = race(
        lambda: response_save(
            call_id=call.pk, user=first, answer=answer(need, 5), expected_version=0
        ),
        lambda: response_save(
            call_id=call.pk, user=second, answer=answer(need, 9, "partly"), expected_version=0
        ),
    )

    winners = [o for o in outcomes if isinstance(o, Response)]
    conflicts = [o for o in outcomes if isinstance(o, ActivationConflict)]
    assert len(winners) == 1 and len(conflicts) == 1, outcomes
    saved = Response.objects.get(call=call)
    assert saved.version == 1 and saved.responded_by == winners[0].responded_by
    assert list(saved.items.values_list("pledged", flat=True)) == [
        5 if saved.availability == "available" else 9
    ]


def test_two_officers_editing_the_same_need_one_is_told():
    need = NeedFactory(quantity=100)
    officers = [MunicipalStaffFactory().user for _ in range(2)]

    outcomes = race(
        *(
            (
                lambda u=user, q=quantity: need_update(
                    need_id=need.pk, user=u, expected_version=1, changes={"quantity": q}
                )
            )
            for user, quantity in zip(officers, (150, 250), strict=True)
        )
    )

    winners = [o for o in outcomes if isinstance(o, Need)]
    assert len(winners) == 1
    assert sum(isinstance(o, ActivationConflict) for o in outcomes) == 1
    need.refresh_from_db()
    assert (need.quantity, need.version) == (winners[0].quantity, 2)


def test_two_officers_calling_the_same_ngo_make_one_call():
    activation = ActivationFactory()
    ngo = NGOFactory()
    MembershipFactory(ngo=ngo)
    officers = [MunicipalStaffFactory(role="manager").user for _ in range(2)]

    outcomes = race(
        *(
            (lambda u=user: calls_send(activation=activation, ngo_ids=[ngo.pk], user=u))
            for user in officers
        )
    )

    assert sum(isinstance(o, list) for o in outcomes) == 1
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 1
    assert Call.objects.filter(activation=activation, ngo=ngo).count() == 1
    assert Activation.objects.get(pk=activation.pk).log.filter(verb="called").count() == 1


def test_two_officers_moving_the_same_ngo_one_is_told():
    call = CallFactory()
    officers = [MunicipalStaffFactory().user for _ in range(2)]

    outcomes = race(
        *(
            (
                lambda u=user: call_change_state(
                    call_id=call.pk, user=u, from_state="called", to_state="released"
                )
            )
            for user in officers
        )
    )

    assert sum(isinstance(o, Call) for o in outcomes) == 1
    assert sum(isinstance(o, ActivationConflict) for o in outcomes) == 1
    assert ActivationLogEntry.objects.filter(verb="state_changed").count() == 1
