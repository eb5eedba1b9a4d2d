"""Fixtures of the surveys tests: an open national campaign and an Erzurum NGO with members."""

import pytest

from municipalities.models import Municipality
from ngos.models import Membership
from tests.factories import MembershipFactory, NGOFactory, UserFactory
from tests.surveys.factories import CampaignFactory


@pytest.fixture
def campaign(db):
    """An open national campaign offering every active category."""
    return CampaignFactory(code="k2025", title="2025 Beş Beklenti Anketi")


@pytest.fixture
def ngo(db):
    """A verified association of Yakutiye, Erzurum, that mainly works with its district
    municipality."""
    return NGOFactory(
        name="Palandöken Dayanışma Derneği",
        municipality=Municipality.objects.get(province=25, name="Yakutiye Belediyesi"),
    )


@pytest.fixture
def ngo_admin(ngo):
    """The NGO's administrator (receives the confirmation email)."""
    user = UserFactory(
        email="yonetici@palandoken.example", full_name="Ayşe Yılmaz", preferred_language="en"
    )
    MembershipFactory(user=user, ngo=ngo, role=Membership.Role.ADMIN)
    return user


@pytest.fixture
def member(ngo, ngo_admin):
    """A plain member of the NGO."""
    user = UserFactory(email="uye@palandoken.example", full_name="Mehmet Işık")
    MembershipFactory(user=user, ngo=ngo, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def member_client(client, member):
    """A client logged in as the NGO's member."""
    client.force_login(member)
    return client
