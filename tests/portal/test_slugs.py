import pytest

from ngos.models import NGO
from portal.slugs import unique_slug
from tests.factories import NGOFactory

pytestmark = pytest.mark.django_db


def slug_for(text, **kwargs):
    return unique_slug(NGO, text, **{"max_length": 200, "fallback": "stk", **kwargs})


def test_unique_slug_keeps_turkish_letters():
    assert slug_for("Işık Çayı Derneği") == "isik-cayi-dernegi"


def test_unique_slug_numbers_a_taken_or_reserved_slug():
    NGOFactory(name="Işık", slug="isik")
    NGOFactory(name="Işık 2", slug="isik-2")
    assert slug_for("Işık") == "isik-3"
    assert slug_for("New", reserved={"new"}) == "new-2"


def test_unique_slug_ignores_the_row_being_renamed():
    ngo = NGOFactory(name="Işık", slug="isik")
    assert slug_for("Işık", exclude_pk=ngo.pk) == "isik"
    assert unique_slug(NGO.objects.exclude(pk=ngo.pk), "Işık", max_length=200, fallback="x") == (
        "isik"
    )


def test_unique_slug_cuts_to_max_length_and_falls_back_without_letters():
    assert slug_for("ab cd", max_length=3) == "ab"
    assert slug_for("!!!") == "stk"
