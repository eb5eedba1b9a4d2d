"""The review inbox finds titles and descriptions by Turkish rules, like the directories do."""

import pytest

from surveys.models import Expectation
from tests.factories import MunicipalStaffFactory, UserFactory
from tests.surveys.test_inbox import INBOX, make_case, titles_on

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client):
    """Signed in as staff of Erzurum Büyükşehir Belediyesi, where make_case addresses cases."""
    user = UserFactory()
    MunicipalStaffFactory(user=user)
    client.force_login(user)
    return client


@pytest.mark.parametrize("typed", ["Yağmur", "yagmur", "YAGMUR", "YAĞMUR", "yağmur", "  yağmur "])
def test_search_finds_titles_and_descriptions_however_they_are_typed(staff_client, campaign, typed):
    make_case(campaign, title="Yağmur suyu kanalları")
    flooded = make_case(campaign, title="Sel önlemi")
    flooded.description = "Yağmur yağınca alt geçit doluyor."
    flooded.save()
    make_case(campaign, title="Spor salonu")
    assert sorted(titles_on(staff_client.get(INBOX, {"q": typed}))) == [
        "Sel önlemi",
        "Yağmur suyu kanalları",
    ]


@pytest.mark.parametrize("typed", ["İSTANBUL", "istanbul", "Istanbul", "ıstanbul"])
def test_search_folds_dotted_and_dotless_i(staff_client, campaign, typed):
    make_case(campaign, title="İstanbul’daki hemşehrilerle buluşma")
    assert titles_on(staff_client.get(INBOX, {"q": typed})) == [
        "İstanbul’daki hemşehrilerle buluşma"
    ]


def test_the_search_text_follows_the_title_and_description(campaign):
    case = make_case(campaign, title="Çadır kent")
    assert case.text_search.startswith("cadir kent ")
    case.description = "Şişme yataklar"
    case.save(update_fields=["description"])
    case.refresh_from_db()
    assert case.text_search == "cadir kent sisme yataklar"
    assert Expectation.objects.filter(text_search__contains="sisme").count() == 1
