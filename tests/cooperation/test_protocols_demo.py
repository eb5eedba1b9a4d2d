"""The demo protocols (issue 16): who sees which, and how each reaches them from the dashboard."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from cooperation.models import Protocol
from demo.services.cooperation_protocols import NATIONAL_STATUSES, seed_protocols
from portal.models import User

pytestmark = pytest.mark.django_db
STATUSES = [status for status, _weight in NATIONAL_STATUSES]


def visible_titles(email):
    user = User.objects.get(email=email)
    return {p.title: p for p in Protocol.objects.visible_to(user)}


def test_erzurum_has_three_protocols_in_force_with_three_ngos_and_a_draft(demo):
    protocols = Protocol.objects.filter(municipality__name="Erzurum Büyükşehir Belediyesi")
    active = protocols.filter(status="active")
    assert active.count() == 3
    assert len({party.ngo_id for p in active for party in p.parties.all()}) == 3
    assert protocols.filter(status="draft").count() == 1
    assert all(party.accepted_at for p in active for party in p.parties.all())


def test_each_demo_account_sees_its_protocols(demo):
    municipality = visible_titles("municipality@demo.test")
    assert len(municipality) == 4
    ngo = visible_titles("ngo@demo.test")
    [(title, protocol)] = ngo.items()
    assert protocol.status == "active"
    assert protocol.ends_on <= timezone.localdate() + datetime.timedelta(days=30)
    assert set(visible_titles("regional@demo.test")) >= set(municipality)


@pytest.mark.parametrize(
    ("email", "link"),
    [
        ("municipality@demo.test", "/cooperation/protocols/municipality/"),
        ("ngo@demo.test", "/cooperation/protocols/ngo/"),
        ("regional@demo.test", 'href="/cooperation/protocols/"'),
    ],
)
def test_each_reaches_them_from_the_dashboard(demo, client, email, link):
    client.force_login(User.objects.get(email=email))
    page = client.get(reverse("dashboard")).content.decode()
    assert link in page
    assert reverse("cooperation:contact_sheet") in page


def test_seeding_again_changes_nothing(demo):
    before = Protocol.objects.count()
    seed_protocols(log=lambda *args: None)
    assert Protocol.objects.count() == before


def test_national_data_has_protocols_in_proportion_and_is_idempotent(demo):
    from demo.services.national import seed_national
    from ngos.models import NGO

    seed_national(seed=7, factor=0.002, log=lambda *args: None)
    national = Protocol.objects.exclude(title__in=[row[0] for row in _demo_titles()])
    ngos = NGO.objects.verified().filter(municipality__isnull=False).count()
    assert national.count() == ngos // 20 > 0
    for protocol in national.prefetch_related("parties__commitments"):
        [party] = protocol.parties.all()
        assert party.commitments.count() == 1
        assert (party.accepted_at is not None) == (protocol.status in ("active", "expired"))
    before = Protocol.objects.count()
    seed_national(seed=7, factor=0.002, log=lambda *args: None)
    assert Protocol.objects.count() == before


def _demo_titles():
    from demo.services.cooperation_protocols import PROTOCOLS

    return PROTOCOLS


@given(seed=st.integers(min_value=0, max_value=2**32), status=st.sampled_from(STATUSES))
def test_national_protocol_dates_keep_the_database_rules(seed, status):
    """At full national size (thousands of protocols) an expired one that started 30 days ago
    must not end 60 days ago: the generator keeps protocol_ends_after_start for any draw."""
    import random

    from demo.services.cooperation_protocols import national_protocol_dates

    today = datetime.date(2026, 12, 3)
    starts_on, ends_on = national_protocol_dates(random.Random(seed), status, today)
    assert starts_on <= ends_on
    assert (ends_on < today) == (status == "expired")
