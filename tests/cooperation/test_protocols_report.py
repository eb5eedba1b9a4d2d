"""“Active protocols” as a report measure (issue 16): the count of protocols in force per
sub-region and per province, in the report's tables, on the map and in the exports."""

import csv
import io

import pytest
from django.core.cache import caches

from cooperation.models import Protocol
from municipalities.models import Municipality
from reports.services import figures
from reports.services.figures import Scope
from tests.factories import ProtocolFactory
from tests.reports.test_reports import campaign_opened, make_national, make_regional

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


def top(plate):
    return Municipality.objects.get(
        province=plate, kind__in=[Municipality.Kind.METROPOLITAN, Municipality.Kind.PROVINCIAL]
    )


@pytest.fixture(autouse=True)
def _empty_cache():
    caches["reports"].clear()
    yield
    caches["reports"].clear()


@pytest.fixture
def protocols():
    """In force: 2 of Erzurum (one of a district municipality), 1 of Kars (both sub-region 14),
    1 of İstanbul. Not counted: a draft, a proposal, an expired and a terminated protocol."""
    yakutiye = Municipality.objects.get(province=25, district__name="Yakutiye")
    for municipality in (top(25), yakutiye, top(36), top(34)):
        ProtocolFactory(municipality=municipality, active=True)
    ProtocolFactory(municipality=top(25))
    ProtocolFactory(municipality=top(25), proposed=True)
    for status in ("expired", "terminated"):
        ended = ProtocolFactory(municipality=top(25), active=True)
        Protocol.objects.filter(pk=ended.pk).update(
            status=status,
            ended_at=ended.activated_at,
            termination_reason="Sona erdi." if status == "terminated" else "",
        )


def test_counts_per_sub_region_and_province_only_protocols_in_force(protocols):
    by_subregion = figures.active_protocols(Scope(), by="subregion")
    istanbul_code = Municipality.objects.get(pk=top(34).pk).province.subregion.code
    assert by_subregion == {"14": 3, istanbul_code: 1}
    assert figures.active_protocols(Scope(), by="province") == {25: 2, 34: 1, 36: 1}
    kars = top(36).province
    assert figures.active_protocols(Scope(subregion=kars.subregion, province=kars)) == {36: 1}


def test_the_subregion_report_has_the_table_and_the_map_measure(protocols, client):
    client.force_login(make_regional())
    campaign_opened()
    response = client.get("/en/reports/subregions/14/", {"measure": "active_protocols"})
    table = response.context["tables"]["protocols"]
    rows = {row["name"]: row["protocols"] for row in table.rows}
    assert rows["Erzurum"] == 2 and rows["Kars"] == 1 and rows["Ardahan"] == 0
    assert table.totals["protocols"] == 3
    page = response.content.decode()
    assert "Cooperation protocols in force" in page
    assert "Map: Active cooperation protocols" in page
    map_rows = {row["name"]: row["value"] for row in response.context["tables"]["map"].rows}
    assert map_rows["Erzurum"] == 2 and map_rows["Iğdır"] == 0


def test_the_national_report_counts_per_sub_region(protocols, client):
    client.force_login(make_national())
    campaign_opened()
    response = client.get("/en/reports/")
    table = response.context["tables"]["protocols"]
    assert len(table.rows) == 17
    assert next(r for r in table.rows if r["_key"] == "14")["protocols"] == 3
    assert table.totals["protocols"] == 4


def test_the_protocols_table_and_the_map_export(protocols, client):
    client.force_login(make_regional())
    campaign_opened()
    response = client.get("/en/reports/export/protocols.csv", {"scope": "subregion:14"})
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert ["Province", "Active protocols"] in rows
    assert ["Erzurum", "2"] in rows or ["Erzurum", 2] in rows
    assert rows[-1][0] == "Total" and rows[-1][1] in ("3", 3)
    response = client.get(
        "/en/reports/export/map.xlsx", {"scope": "subregion:14", "measure": "active_protocols"}
    )
    from openpyxl import load_workbook

    values = list(load_workbook(io.BytesIO(response.content)).active.values)
    assert ("Kars", 1) in [tuple(v[:2]) for v in values]
    assert ("Measure", "Active cooperation protocols") in [tuple(v[:2]) for v in values]
