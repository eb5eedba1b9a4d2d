"""One Borda ranking (reports.services.figures.borda): a programme page's top-five panel and the
sub-region's report list the same categories in the same order, ties included (issue 17)."""

import re

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from events.services.programmes import top_expectations
from reports.services.figures import BORDA_METHOD_NOTE
from tests.events.factories import EventFactory
from tests.reports.test_reports import (
    P,
    Q,
    R,
    S,
    U,
    campaign_opened,
    make_borda_example,
    make_regional,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache(db):
    caches["reports"].clear()
    yield
    caches["reports"].clear()


def row_headers(html, table_id):
    """The text of each body row's header cell (the category) of the table ``table_id``."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1)
    cells = re.findall(r'<th scope="row"[^>]*>(.*?)</th>', body, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in cells]


def test_programme_panel_and_subregion_report_show_the_same_list_with_ties(client):
    # P and Q tie on score (13), R and S on score, first-rank and mentions (5, 0, 2): the panel
    # once broke ties by mentions then code (S before R), the report by Turkish name (R first).
    campaign = campaign_opened()
    make_borda_example(campaign)
    event = EventFactory(campaign=campaign)
    client.force_login(make_regional())

    report = client.get(
        reverse("reports:subregion", kwargs={"code": "14"}), {"campaign": campaign.code}
    ).content.decode()
    programme = client.get(reverse("events:detail", args=[event.slug])).content.decode()

    with translation.override("tr"):
        assert [row["code"] for row in top_expectations(event)] == [P, Q, R, S, U]
        note = escape(str(BORDA_METHOD_NOTE))
    report_list = row_headers(report, "table-top-five")
    assert len(report_list) == 5
    assert row_headers(programme, "table-programme-top-five") == report_list
    # The tie-breaks are written beside both lists.
    assert note in report
    assert note in programme
