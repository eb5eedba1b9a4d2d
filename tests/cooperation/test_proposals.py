"""Whom to call: protocol partners first, then verified NGOs whose capabilities match the needs,
nearest first (district → province → sub-region → neighbouring province → further away), in a
fixed number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from cooperation.services.proposals import (
    FURTHER_AWAY,
    NEIGHBOUR,
    SAME_DISTRICT,
    SAME_PROVINCE,
    SAME_SUBREGION,
    neighbours_of,
    proposal_for,
    province_neighbours,
)
from municipalities.models import District, Municipality, Province
from tests.factories import (
    ActivationFactory,
    CallFactory,
    CapabilityFactory,
    NeedFactory,
    NGOCommitmentFactory,
    NGOFactory,
    ProtocolFactory,
    ProtocolPartyFactory,
)

pytestmark = pytest.mark.django_db


def province(plate):
    return Province.objects.get(plate=plate)


def test_neighbours_are_derived_from_the_map():
    table = province_neighbours()
    # Erzurum's nine neighbours; Kars's four; Yalova's two; every province has one at least.
    assert table[25] == {4, 8, 12, 24, 36, 49, 53, 69, 75}
    assert table[36] == {4, 25, 75, 76}
    assert table[77] == {16, 41}
    assert set(table) == set(range(1, 82))
    assert all(plate in table[other] for plate, others in table.items() for other in others)
    assert neighbours_of([25, 36]) == {4, 8, 12, 24, 49, 53, 69, 75, 76}


def able(name, plate, *, kind="shelter", hazard="any", district=None, serves=None, **ngo):
    ngo = NGOFactory(name=name, province=province(plate), district=district, **ngo)
    CapabilityFactory(
        ngo=ngo, kind=kind, hazard=hazard, quantity=20, unit="tents", provinces=serves
    )
    return ngo


@pytest.fixture
def flood_in_oltu():
    """A flood in Erzurum, district Oltu, needing shelter and food."""
    oltu = District.objects.get(province=25, name="Oltu")
    activation = ActivationFactory(hazard="flood")
    activation.districts.set([oltu])
    NeedFactory(activation=activation, kind="shelter")
    NeedFactory(activation=activation, kind="food_water", unit="meals_per_day")
    return activation


def test_ranking_protocol_partners_first_then_nearest(flood_in_oltu):
    oltu = District.objects.get(province=25, name="Oltu")
    far = able("Uzak Derneği", 34, serves=[province(25)])  # İstanbul, serves Erzurum
    neighbour = able("Kars Derneği", 36)  # borders Erzurum, in the same sub-region
    subregion = able("Ardahan Derneği", 75)  # sub-region 14, Erzurum-Kars
    same_province = able("Aziziye Derneği", 25, kind="food_water")
    same_district = able("Oltu Derneği", 25, district=oltu)
    partner = NGOFactory(name="Protokollü Dernek", province=province(6))  # Ankara, no capability
    protocol = ProtocolFactory(active=True, hazard_flood=True)  # Erzurum BB, all its area
    party = ProtocolPartyFactory(protocol=protocol, ngo=partner)
    NGOCommitmentFactory(party=party, kind="shelter", quantity=5, unit="tents", people=12)

    proposal = proposal_for(flood_in_oltu)

    names = [c.ngo.name for c in proposal.candidates]
    assert names[0] == partner.name
    assert proposal.candidates[0].protocol == protocol
    assert [c.people for c in proposal.candidates[0].commitments] == [12]
    expected_ranks = {
        same_district.name: SAME_DISTRICT,
        same_province.name: SAME_PROVINCE,
        subregion.name: SAME_SUBREGION,
        neighbour.name: SAME_SUBREGION,  # Kars is in sub-region 14 with Erzurum
        far.name: FURTHER_AWAY,
    }
    ranks = {c.ngo.name: c.rank for c in proposal.candidates}
    assert {name: ranks[name] for name in expected_ranks} == expected_ranks
    others = names[1:]
    assert others.index(same_district.name) < others.index(same_province.name)
    assert others.index(same_province.name) < others.index(far.name)
    # What each declared is shown beside it.
    by_name = {c.ngo.name: c for c in proposal.candidates}
    assert [(c.kind, c.quantity) for c in by_name[same_province.name].capabilities] == [
        ("food_water", 20)
    ]


def test_a_neighbouring_province_outside_the_subregion_ranks_after_the_subregion(
    flood_in_oltu,
):
    inside = able("Kars Derneği", 36)  # sub-region 14
    neighbour = able("Muş Derneği", 49)  # borders Erzurum, another sub-region
    beyond = able("Van Derneği", 65)  # not a neighbour, does not serve Erzurum

    ranks = {c.ngo.name: c.rank for c in proposal_for(flood_in_oltu).candidates}

    assert ranks == {inside.name: SAME_SUBREGION, neighbour.name: NEIGHBOUR}
    assert beyond.name not in ranks


def test_non_matching_unverified_and_already_called_ngos_are_left_out(flood_in_oltu):
    able("Arama Kurtarma Derneği", 25, kind="search_rescue")  # no such need
    able("Yangın Derneği", 25, hazard="fire")  # another hazard
    able("Onaysız Dernek", 25, status="pending")
    called = able("Çağrılmış Dernek", 25)
    CallFactory(activation=flood_in_oltu, ngo=called)
    fitting = able("Sel Derneği", 25, hazard="flood")

    proposal = proposal_for(flood_in_oltu)

    assert [c.ngo.name for c in proposal.candidates] == [fitting.name]
    assert proposal.called_count == 1


def test_an_expired_or_faraway_protocol_does_not_make_a_partner(flood_in_oltu):
    istanbul_bb = Municipality.objects.get(province=34, kind="metropolitan")
    faraway = ProtocolFactory(active=True, municipality=istanbul_bb)
    ProtocolPartyFactory(protocol=faraway, ngo=NGOFactory(name="İstanbul Ortağı"))
    expired = ProtocolFactory(active=True, status="expired", ended_at=flood_in_oltu.started_at)
    ProtocolPartyFactory(protocol=expired, ngo=NGOFactory(name="Eski Ortak"))

    assert proposal_for(flood_in_oltu).candidates == []


def test_a_protocol_naming_districts_covers_only_those(flood_in_oltu):
    kars_bb = Municipality.objects.get(province=36, kind="provincial")
    covering = ProtocolFactory(active=True, municipality=kars_bb)
    covering.districts.set([District.objects.get(province=25, name="Oltu")])
    ProtocolPartyFactory(protocol=covering, ngo=NGOFactory(name="Kars Ortağı"))

    (candidate,) = proposal_for(flood_in_oltu).candidates

    assert candidate.ngo.name == "Kars Ortağı" and candidate.protocol == covering


def test_the_limit_keeps_the_nearest(flood_in_oltu):
    for n in range(4):
        able(f"Yakın Dernek {n}", 25)
    for n in range(4):
        able(f"Uzak Dernek {n}", 34, serves=[province(25)])

    proposal = proposal_for(flood_in_oltu, limit=3)

    assert [c.rank for c in proposal.candidates] == [SAME_PROVINCE] * 3


@pytest.mark.parametrize("partners", [True, False])
@pytest.mark.parametrize("size", [1, 15])
def test_proposal_query_count_does_not_grow(flood_in_oltu, size, partners):
    """The same count with or without protocol partners (the national benchmark found 16
    queries at demo size and 18 at national size when only the latter had partners)."""
    protocol = ProtocolFactory(active=True, hazard_flood=True)
    for n in range(size):
        able(f"Dernek {n}", 25)
        ngo = able(f"Ortak {n}", 36)
        if partners:
            ProtocolPartyFactory(protocol=protocol, ngo=ngo)

    with CaptureQueriesContext(connection) as queries:
        proposal = proposal_for(flood_in_oltu)

    assert len(proposal.candidates) == 2 * size  # Kars is in the same sub-region
    assert len(proposal.partners) == (size if partners else 0)
    assert len(queries) == 9


def test_each_candidate_reads_what_it_declared_and_committed_in_the_request_language(
    flood_in_oltu,
):
    protocol = ProtocolFactory(active=True, hazard_flood=True)
    partner = able("Oltu Yardım Derneği", 25)
    party = ProtocolPartyFactory(protocol=protocol, ngo=partner)
    NGOCommitmentFactory(party=party, kind="shelter", quantity=2, unit="tents", people=1)

    with translation.override("tr"):
        turkish = next(c for c in proposal_for(flood_in_oltu).candidates if c.ngo == partner)
    with translation.override("en"):
        english = next(c for c in proposal_for(flood_in_oltu).candidates if c.ngo == partner)

    capability = partner.capabilities.get()
    with translation.override("en"):
        assert english.text_lines[0] == (
            f"{capability.get_kind_display()}: {capability.quantity} "
            f"{capability.get_unit_display()} ({capability.get_hazard_display()})"
        )
    assert english.text_lines[1] == "Committed: Shelter 2 tents, 1 person"
    assert turkish.text_lines[1].startswith("Taahhüt: Barınma 2 ")
    assert turkish.text_lines[1].endswith(", 1 kişi")
