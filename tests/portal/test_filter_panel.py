"""The filter panel of the lists ({% filterpanel %}): one "Filter" button on phones, open when a
filter is active (the CSS keeps it open from md up; tests/e2e/test_phone.py checks the look)."""

import re

import pytest

pytestmark = pytest.mark.django_db


def _panel(html):
    return re.search(
        r'<details class="filter-panel"( open)?>\s*<summary[^>]*>(.*?)</summary>', html, re.S
    )


@pytest.mark.parametrize("path", ["/en/ngos/", "/en/municipalities/", "/en/events/"])
def test_filter_panel_is_closed_without_filters(client, path):
    panel = _panel(client.get(path).content.decode())
    assert panel and panel.group(1) is None
    assert panel.group(2).strip() == "Filter"
    # The form is inside the panel.
    html = client.get(path).content.decode()
    assert html.index('class="filter-panel"') < html.index('role="search"')


def test_filter_panel_opens_and_counts_the_active_filters(client):
    html = client.get("/en/ngos/?province=25&legal_form=dernek&q=").content.decode()
    panel = _panel(html)
    assert panel.group(1) == " open"
    assert "2 active" in panel.group(2)


def test_filter_panel_ignores_hidden_fields_and_the_page(client):
    # The programme list keeps its tab ("when") in a hidden field.
    panel = _panel(client.get("/en/events/?when=past&page=1").content.decode())
    assert panel.group(1) is None


def test_filter_panel_in_turkish(client):
    panel = _panel(client.get("/ngos/?province=25").content.decode())
    assert "Filtrele" in panel.group(2) and "1 etkin" in panel.group(2)


def test_filter_panel_of_the_protocol_list(client):
    from municipalities.models import SubRegion
    from tests.factories import CoordinatorAssignmentFactory

    client.force_login(
        CoordinatorAssignmentFactory(subregion=SubRegion.objects.get(code="14")).user
    )
    html = client.get("/en/cooperation/protocols/").content.decode()
    panel = _panel(html)
    assert panel and panel.group(1) is None
    assert html.index('class="filter-panel"') < html.index('role="search"')
    panel = _panel(client.get("/en/cooperation/protocols/?province=25").content.decode())
    assert panel.group(1) == " open" and "1 active" in panel.group(2)
