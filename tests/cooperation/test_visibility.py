"""Who sees which protocols and activations (issue 16, "Access"): ``visible_to(user)`` for each
role. Views look objects up through these querysets, so anything outside them is a 404."""

import pytest
from django.contrib.auth.models import AnonymousUser

from cooperation.models import Activation, Protocol
from municipalities.models import Municipality, Province
from tests.factories import (
    ActivationFactory,
    CallFactory,
    CoordinatorAssignmentFactory,
    MembershipFactory,
    MunicipalStaffFactory,
    NGOFactory,
    OfferFactory,
    ProtocolFactory,
    ProtocolPartyFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def top_municipality(plate):
    return Municipality.objects.get(
        province=plate, kind__in=[Municipality.Kind.METROPOLITAN, Municipality.Kind.PROVINCIAL]
    )


def staff_of(municipality, role="staff"):
    return MunicipalStaffFactory(municipality=municipality, role=role).user


def member_of(ngo, role="member"):
    return MembershipFactory(ngo=ngo, role=role).user


def coordinator_of(plate):
    """A regional coordinator of the sub-region of the province (25 Erzurum and 36 Kars share
    sub-region 14, Erzurum-Kars; 34 İstanbul is elsewhere)."""
    return CoordinatorAssignmentFactory(subregion=Province.objects.get(plate=plate).subregion).user


def national_coordinator():
    return CoordinatorAssignmentFactory(subregion=None).user


def visible(queryset, user):
    rows = list(queryset.visible_to(user))
    assert len(rows) == len(set(rows)), "a row came twice"
    return set(rows)


@pytest.fixture
def protocols():
    """Erzurum's draft, Erzurum's active protocol with one NGO party, Kars's active protocol,
    İstanbul's active protocol."""
    erzurum, kars, istanbul = top_municipality(25), top_municipality(36), top_municipality(34)
    party_ngo = NGOFactory()
    active = ProtocolFactory(municipality=erzurum, active=True)
    ProtocolPartyFactory(protocol=active, ngo=party_ngo)
    return {
        "draft": ProtocolPartyFactory(
            protocol=ProtocolFactory(municipality=erzurum), ngo=party_ngo
        ).protocol,
        "active": active,
        "kars": ProtocolFactory(municipality=kars, active=True),
        "istanbul": ProtocolFactory(municipality=istanbul, active=True),
        "party_ngo": party_ngo,
    }


# --- protocols -----------------------------------------------------------------------------------


def test_protocols_are_hidden_from_anonymous_visitors_and_users_without_a_role(protocols):
    assert visible(Protocol.objects, AnonymousUser()) == set()
    assert visible(Protocol.objects, UserFactory()) == set()


def test_protocols_of_a_municipality_are_visible_to_its_staff_drafts_included(protocols):
    user = staff_of(top_municipality(25))
    assert visible(Protocol.objects, user) == {protocols["draft"], protocols["active"]}


def test_protocols_of_a_municipality_are_hidden_from_other_municipalities(protocols):
    user = staff_of(top_municipality(36))
    assert visible(Protocol.objects, user) == {protocols["kars"]}


def test_a_party_ngo_sees_its_protocols_once_proposed_but_not_drafts(protocols):
    for role in ("member", "admin"):
        user = member_of(protocols["party_ngo"], role=role)
        assert visible(Protocol.objects, user) == {protocols["active"]}


def test_an_ngo_that_is_not_a_party_sees_no_protocol(protocols):
    assert visible(Protocol.objects, member_of(NGOFactory())) == set()


def test_a_regional_coordinator_sees_the_protocols_of_their_sub_region(protocols):
    user = coordinator_of(25)
    assert visible(Protocol.objects, user) == {
        protocols["draft"],
        protocols["active"],
        protocols["kars"],
    }


def test_national_coordinators_and_site_administrators_see_every_protocol(protocols):
    everything = set(Protocol.objects.all())
    assert visible(Protocol.objects, national_coordinator()) == everything
    assert visible(Protocol.objects, UserFactory(is_staff=True)) == everything


def test_roles_add_up_without_repeating_a_protocol(protocols):
    user = staff_of(top_municipality(25))
    MembershipFactory(user=user, ngo=protocols["party_ngo"])
    CoordinatorAssignmentFactory(user=user, subregion=Province.objects.get(plate=36).subregion)
    assert visible(Protocol.objects, user) == {
        protocols["draft"],
        protocols["active"],
        protocols["kars"],
    }


def test_protocol_querysets_chain_after_visible_to(protocols):
    user = coordinator_of(25)
    assert set(Protocol.objects.visible_to(user).active()) == {
        protocols["active"],
        protocols["kars"],
    }
    assert set(Protocol.objects.of_ngo(protocols["party_ngo"])) == {
        protocols["draft"],
        protocols["active"],
    }


# --- activations ---------------------------------------------------------------------------------


@pytest.fixture
def activations():
    """Erzurum's exercise; a flood activation opened by Kars's municipality affecting Kars and
    Ardahan; one a coordinator opened for İzmir (no municipality); one of İstanbul."""
    kars_flood = ActivationFactory(
        municipality=top_municipality(36),
        hazard="flood",
        provinces=list(Province.objects.filter(plate__in=[36, 75])),
    )
    return {
        "erzurum": ActivationFactory(municipality=top_municipality(25), is_exercise=True),
        "kars": kars_flood,
        "izmir": ActivationFactory(municipality=None, provinces=[Province.objects.get(plate=35)]),
        "istanbul": ActivationFactory(municipality=top_municipality(34)),
    }


def test_activations_are_hidden_from_anonymous_visitors_and_users_without_a_role(activations):
    assert visible(Activation.objects, AnonymousUser()) == set()
    assert visible(Activation.objects, UserFactory()) == set()


def test_an_activation_is_visible_to_the_staff_of_the_activating_municipality_only(activations):
    assert visible(Activation.objects, staff_of(top_municipality(25))) == {activations["erzurum"]}
    assert visible(Activation.objects, staff_of(top_municipality(36))) == {activations["kars"]}
    # A district municipality in the affected province did not activate it.
    kars_district = Municipality.objects.filter(province=36, kind="district").first()
    assert visible(Activation.objects, staff_of(kars_district)) == set()


def test_a_regional_coordinator_sees_the_activations_touching_their_sub_region(activations):
    # Erzurum-Kars: Erzurum's exercise and Kars's flood (Ardahan is in the same sub-region).
    assert visible(Activation.objects, coordinator_of(25)) == {
        activations["erzurum"],
        activations["kars"],
    }
    # İzmir's coordinator sees the activation a coordinator opened there without a municipality.
    assert visible(Activation.objects, coordinator_of(35)) == {activations["izmir"]}


def test_a_regional_coordinator_sees_an_activation_by_an_affected_province_alone():
    activation = ActivationFactory(
        municipality=top_municipality(34), provinces=[Province.objects.get(plate=25)]
    )
    assert visible(Activation.objects, coordinator_of(25)) == {activation}
    # …and one by the activating municipality's province alone.
    elsewhere = ActivationFactory(
        municipality=top_municipality(36), provinces=[Province.objects.get(plate=34)]
    )
    assert visible(Activation.objects, coordinator_of(36)) == {activation, elsewhere}


def test_an_ngo_sees_only_the_activations_it_was_called_to(activations):
    called = NGOFactory()
    CallFactory(activation=activations["kars"], ngo=called)
    for role in ("member", "admin"):
        assert visible(Activation.objects, member_of(called, role)) == {activations["kars"]}


def test_an_ngo_that_only_offered_help_does_not_see_the_activation(activations):
    offering = NGOFactory()
    OfferFactory(activation=activations["kars"], ngo=offering)
    CallFactory(activation=activations["istanbul"])  # another NGO's call
    assert visible(Activation.objects, member_of(offering)) == set()


def test_national_coordinators_and_site_administrators_see_every_activation(activations):
    everything = set(Activation.objects.all())
    assert visible(Activation.objects, national_coordinator()) == everything
    assert visible(Activation.objects, UserFactory(is_staff=True)) == everything


def test_roles_add_up_without_repeating_an_activation(activations):
    ngo = NGOFactory()
    CallFactory(activation=activations["kars"], ngo=ngo)
    user = staff_of(top_municipality(36))
    MembershipFactory(user=user, ngo=ngo)
    CoordinatorAssignmentFactory(user=user, subregion=Province.objects.get(plate=36).subregion)
    assert visible(Activation.objects, user) == {activations["erzurum"], activations["kars"]}


def test_public_activations_are_the_open_real_ones(activations):
    closed = ActivationFactory()
    Activation.objects.filter(pk=closed.pk).update(status="closed", closed_at=closed.started_at)
    assert set(Activation.objects.public()) == {
        activations["kars"],
        activations["izmir"],
        activations["istanbul"],
    }
