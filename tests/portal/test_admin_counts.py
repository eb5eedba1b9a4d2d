"""Turkish does not pluralise after a number: "17 alt bölge", not "17 alt bölgeler"."""

import re

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from municipalities.models import SubRegion
from portal.counts import model_ngettext, noun_after_number
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _changelist(client, language):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    url = reverse("admin:municipalities_subregion_changelist")
    html = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    return re.sub(r"\s+", " ", re.search(r'<p class="paginator">(.*?)</p>', html, re.S)[1])


def test_the_admin_counts_sub_regions_in_the_singular_in_turkish(client):
    assert SubRegion.objects.count() == 17
    paginator = _changelist(client, "tr")
    assert "17 alt bölge " in paginator + " "
    assert "alt bölgeler" not in paginator


def test_the_admin_counts_sub_regions_in_the_plural_in_english():
    """The admin is served in Turkish (outside /en/): its template, rendered in English."""
    from types import SimpleNamespace

    from django.template.loader import render_to_string

    cl = SimpleNamespace(result_count=17, opts=SubRegion._meta, formset=None)
    with translation.override("en"):
        html = render_to_string("admin/pagination.html", {"cl": cl})
    assert "17 sub-regions" in html


def test_the_admin_groups_large_counts(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "tr"
    html = client.get(reverse("admin:municipalities_municipality_changelist")).content.decode()
    assert "1.393 belediye" in html


def test_the_admins_messages_use_the_noun_after_a_number():
    with translation.override("tr"):
        assert str(model_ngettext(SubRegion, 17)) == "alt bölge"
        assert noun_after_number("belediye", "belediyeler", 3) == "belediye"
    with translation.override("en"):
        assert str(model_ngettext(SubRegion, 17)) == "sub-regions"
        assert str(model_ngettext(SubRegion, 1)) == "sub-region"


def test_the_admins_bulk_delete_message_reads_well_in_turkish(client):
    from django.contrib.admin import actions

    assert actions.model_ngettext is model_ngettext
