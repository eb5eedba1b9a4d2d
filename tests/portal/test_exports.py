"""The one rule of every spreadsheet export (portal/exports.py), and the four exports using it."""

import codecs
import csv
import datetime
import decimal
import io

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from municipalities.models import Province, SubRegion
from portal import exports
from surveys.models import Expectation
from tests.events.factories import EventFactory
from tests.factories import (
    CapabilityFactory,
    CoordinatorAssignmentFactory,
    MunicipalStaffFactory,
    NGOFactory,
)
from tests.reports.test_export_all import submit as submit_expectations
from tests.reports.test_reports import P, Q, R, S, T, campaign_opened, make_national, submit

MALICIOUS = '=HYPERLINK("x")'


def csv_body(response):
    return b"".join(response.streaming_content)


def read_csv(body, delimiter=","):
    assert body.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=delimiter))


def csv_bytes(rows):
    return "".join(exports.csv_lines(rows)).encode("utf-8")


def formula_cells(body):
    """The cells that would run as formulas, read with "," and with ";" (Turkish Excel)."""
    return [
        cell
        for delimiter in (",", ";")
        for row in read_csv(body, delimiter)
        for cell in row
        if cell.lstrip().startswith("=")
    ]


# --- The rule ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "=1+1",
        "+SUM(A1)",
        "-2+3",
        "-1-1",
        "-(1)",
        "@SUM(A1)",
        "\tx",
        "\r=1",
        "  =1+1",
        " \t@x",
        MALICIOUS,
    ],
)
def test_spreadsheet_cell_text_starting_like_a_formula_gets_an_apostrophe(text):
    assert exports.spreadsheet_cell(text) == "'" + text


@pytest.mark.parametrize(
    "phone", ["+90 442 123 45 67", "0 (442) 123-45-67", "+90.442.123.45.67", "0442/1234567"]
)
def test_spreadsheet_cell_phone_numbers_are_kept(phone):
    assert exports.spreadsheet_cell(phone) == phone


@pytest.mark.parametrize("text", ["Düz başlık", "a=b", "Alice;=1+1;x", "", "#1 öncelik"])
def test_spreadsheet_cell_other_text_is_kept(text):
    assert exports.spreadsheet_cell(text) == text


def test_spreadsheet_cell_numbers_stay_numbers_and_the_rest_becomes_text():
    assert exports.spreadsheet_cell(None) == ""
    assert exports.spreadsheet_cell(True) == "True"
    assert exports.spreadsheet_cell(-3) == -3
    assert exports.spreadsheet_cell(0.25) == 0.25
    assert exports.spreadsheet_cell(decimal.Decimal("1.50")) == decimal.Decimal("1.50")
    assert exports.spreadsheet_cell(datetime.date(2025, 5, 12)) == "2025-05-12"


def test_spreadsheet_cell_datetimes_are_written_in_turkiye_time():
    moment = datetime.datetime(2025, 5, 12, 7, 30, tzinfo=datetime.UTC)
    assert exports.spreadsheet_cell(moment) == "2025-05-12 10:30"
    # A naive datetime is taken as local time already.
    assert (
        exports.spreadsheet_cell(datetime.datetime.fromisoformat("2025-05-12T07:30"))
        == "2025-05-12 07:30"
    )


def test_csv_quotes_every_text_cell_and_writes_numbers_plainly():
    line = "".join(exports.csv_lines([["Alice;=1+1;x", 3, 0.5, None]]))
    assert line == '\ufeff"Alice;=1+1;x",3,0.5,""\r\n'


@pytest.mark.parametrize("delimiter", [";", ","])
def test_csv_text_with_separators_stays_one_field(delimiter):
    body = csv_bytes([["Alice;=1+1;x"]])
    assert read_csv(body, delimiter) == [["Alice;=1+1;x"]]
    assert formula_cells(body) == []


def test_csv_formula_cells_are_neutralised_in_either_reading():
    body = csv_bytes([["=1+1", "ok"], ["  =2", 3]])
    assert read_csv(body) == [["'=1+1", "ok"], ["'  =2", "3"]]
    assert formula_cells(body) == []


def test_csv_without_rows_is_only_the_byte_order_mark():
    assert "".join(exports.csv_lines([])) == "\ufeff"


def test_csv_rows_are_read_while_the_file_streams():
    read = []

    def rows():
        for number in range(3):
            read.append(number)
            yield [number]

    lines = exports.csv_lines(rows())
    assert read == []
    next(lines)
    assert read == [0]


def test_xlsx_applies_the_rule_and_keeps_numbers_and_dates():
    moment = datetime.datetime(2025, 5, 12, 7, 30, tzinfo=datetime.UTC)
    content = exports.xlsx_content(
        [[MALICIOUS, "+90 442 123 45 67", 7, 0.5, None, moment]], sheet_title="Sayfa [1]"
    )
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "Sayfa 1"
    assert [cell.value for cell in next(sheet.iter_rows())] == [
        "'" + MALICIOUS,
        "+90 442 123 45 67",
        7,
        0.5,
        None,
        datetime.datetime.fromisoformat("2025-05-12T10:30"),
    ]


# --- The four exports use it ------------------------------------------------------------------


@pytest.mark.django_db
def test_event_attendee_exports_apply_the_rule(client):
    event = EventFactory(title=MALICIOUS)
    client.force_login(
        CoordinatorAssignmentFactory(subregion=SubRegion.objects.get(code="14")).user
    )
    with translation.override("en"):
        csv_url = reverse("events:export_csv", kwargs={"slug": event.slug})
        xlsx_url = reverse("events:export_xlsx", kwargs={"slug": event.slug})
    body = csv_body(client.get(csv_url))
    assert read_csv(body)[0][0] == "'" + MALICIOUS
    assert formula_cells(body) == []
    sheet = load_workbook(io.BytesIO(client.get(xlsx_url).content)).active
    assert sheet.cell(row=1, column=1).value == "'" + MALICIOUS


@pytest.mark.django_db
def test_capability_export_applies_the_rule(client):
    ngo = NGOFactory(name=MALICIOUS, phone="+90 442 111 22 33")
    CapabilityFactory(ngo=ngo)
    client.force_login(MunicipalStaffFactory().user)
    with translation.override("en"):
        url = reverse("ngos:capability_export")
    body = csv_body(client.get(url, {"province": 25}))
    row = read_csv(body)[1]
    assert row[1] == "'" + MALICIOUS
    assert "+90 442 111 22 33" in row
    assert formula_cells(body) == []


@pytest.mark.django_db
def test_report_table_exports_apply_the_rule(client):
    caches["reports"].clear()
    campaign = campaign_opened()
    ngo = NGOFactory(province=Province.objects.get(plate=25), name=MALICIOUS)
    submit(ngo, campaign, [P, Q, R, S, T])
    Expectation.objects.filter(rank=1).update(title=MALICIOUS)
    client.force_login(make_national())
    response = client.get("/en/reports/export/top-five.csv", {"scope": "nation"})
    body = csv_body(response)
    assert read_csv(body)[6][5].startswith("'" + MALICIOUS)
    assert formula_cells(body) == []
    response = client.get("/en/reports/export/top-five.xlsx", {"scope": "nation"})
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [cell.value for row in sheet.iter_rows() for cell in row]
    assert any(isinstance(v, str) and v.startswith("'" + MALICIOUS) for v in values)
    assert not [v for v in values if isinstance(v, str) and v.startswith("=")]
    caches["reports"].clear()


@pytest.mark.django_db
def test_expectation_export_applies_the_rule(client):
    campaign = campaign_opened()
    ngo = NGOFactory(province=Province.objects.get(plate=25), name=MALICIOUS)
    submit_expectations(ngo, campaign, titles=[MALICIOUS, "b", "c", "d", "e"])
    client.force_login(make_national())
    with translation.override("en"):
        url = reverse("reports:export_expectations")
    response = client.get(url, {"campaign": campaign.code})
    body = csv_body(response)
    first = read_csv(body)[-5]
    assert first.count("'" + MALICIOUS) == 2  # the NGO and the title
    assert formula_cells(body) == []
