"""Exports a Turkish Excel opens as they are (issue 17): ";" and a decimal comma in Turkish, ","
and a decimal point in English, UTF-8 with a byte order mark, one header style for every CSV;
XLSX sheets with widths, a frozen and filtered header row, number formats and whole-word sheet
names within 31 characters."""

import codecs
import csv
import io

import pytest
from django.core.cache import caches
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from municipalities.models import Province, SubRegion
from portal import exports
from reports.services.tables import SHEET_NAMES
from surveys.models import Expectation
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import (
    CapabilityFactory,
    CoordinatorAssignmentFactory,
    MunicipalStaffFactory,
    NGOFactory,
)
from tests.portal.test_exports import HOSTILE, TITLE, formula_cells
from tests.reports.test_export_all import submit as submit_expectations
from tests.reports.test_reports import (
    P,
    Q,
    R,
    S,
    T,
    campaign_opened,
    make_borda_example,
    make_national,
    make_participation_data,
    submit,
)


@pytest.fixture(autouse=True)
def _empty_cache(db):
    caches["reports"].clear()
    yield
    caches["reports"].clear()


def body_of(response):
    return b"".join(response.streaming_content)


def lines_of(body, delimiter):
    assert body.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""), delimiter=delimiter))


# --- The format of each language -----------------------------------------------------------------


def test_turkish_csv_uses_semicolons_and_decimal_commas():
    line = "".join(exports.csv_lines([["Kars, Erzurum", 3, 0.5, -12.25, None]], language="tr"))
    assert line == '\ufeff"Kars, Erzurum";3;0,5;-12,25;""\r\n'


def test_english_csv_uses_commas_and_decimal_points():
    line = "".join(exports.csv_lines([["Kars; Erzurum", 3, 0.5]], language="en"))
    assert line == '\ufeff"Kars; Erzurum",3,0.5\r\n'


def test_the_format_follows_the_active_language():
    with translation.override("tr"):
        assert exports.csv_format() == exports.CsvFormat(";", ",")
    with translation.override("en"):
        assert exports.csv_format() == exports.CsvFormat(",", ".")


def test_turkish_csv_still_runs_no_formula_in_any_reading():
    values = [*HOSTILE, "düz metin", -7, 2.5, -0.25, None, "Kars;"]
    rows = [values[i:] + values[:i] for i in range(len(values))]
    body = "".join(exports.csv_lines(rows, language="tr")).encode("utf-8")
    assert len(lines_of(body, ";")) == len(rows)
    assert formula_cells(body) == []


# --- One header style for every CSV -------------------------------------------------------------


def assert_one_header_style(lines, title):
    """Title alone on the first line, then (label, value) lines, an empty line, the headings."""
    assert lines[0] == [title]
    blank = lines.index([])
    assert blank >= 2
    assert all(len(line) == 2 and line[0] and line[1] for line in lines[1:blank])
    assert len(lines[blank + 1]) > 1  # the column headings


@pytest.mark.django_db
def test_every_csv_export_has_the_same_header_in_turkish(client):
    campaign = campaign_opened()
    make_borda_example(campaign)
    event = EventFactory(title="Erzurum Programı")
    RegistrationFactory(event=event)
    CapabilityFactory(ngo=NGOFactory(province=Province.objects.get(plate=25)))
    national = make_national()
    with translation.override("tr"):
        urls = {
            "report": reverse("reports:export", kwargs={"table": "participation", "fmt": "csv"})
            + "?scope=subregion:14",
            "expectations": reverse("reports:export_expectations") + f"?campaign={campaign.code}",
            "attendees": reverse("events:export_csv", kwargs={"slug": event.slug}),
            "capabilities": reverse("ngos:capability_export") + "?province=25",
        }
    titles = {
        "report": "Katılım",
        "expectations": "Bir anket döneminin tüm beklentileri",
        "attendees": "Erzurum Programı",
        "capabilities": "Erzurum için STK yetenekleri",
    }
    for name, url in urls.items():
        client.force_login(MunicipalStaffFactory().user if name == "capabilities" else national)
        response = client.get(url)
        assert response["Content-Type"] == "text/csv; charset=utf-8", name
        lines = lines_of(body_of(response), ";")
        assert_one_header_style(lines, titles[name])


@pytest.mark.django_db
def test_turkish_report_export_writes_decimal_commas_and_english_decimal_points(client):
    campaign = campaign_opened()
    make_borda_example(campaign)
    make_participation_data(campaign)
    client.force_login(make_national())

    turkish = lines_of(
        body_of(client.get("/reports/export/participation.csv", {"scope": "subregion:14"})), ";"
    )
    english = lines_of(
        body_of(client.get("/en/reports/export/participation.csv", {"scope": "subregion:14"})),
        ",",
    )
    assert ["Erzurum", "4", "3", "1", "75,0"] in turkish
    assert ["Erzurum", "4", "3", "1", "75.0"] in english
    assert turkish[turkish.index([]) + 1][-1] == "Katılım oranı (%)"


@pytest.mark.django_db
def test_turkish_report_export_neutralises_formulas(client):
    campaign = campaign_opened()
    submit(NGOFactory(province=Province.objects.get(plate=25)), campaign, [P, Q, R, S, T])
    Expectation.objects.filter(rank=1).update(title=TITLE)
    client.force_login(make_national())
    body = body_of(client.get("/reports/export/top-five.csv", {"scope": "nation"}))
    assert any("'=1+1" in cell for line in lines_of(body, ";") for cell in line)
    assert formula_cells(body) == []


# --- XLSX -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_report_xlsx_has_widths_a_frozen_filtered_header_and_number_formats(client):
    campaign = campaign_opened()
    make_borda_example(campaign)
    make_participation_data(campaign)
    client.force_login(make_national())

    response = client.get("/en/reports/export/participation.xlsx", {"scope": "subregion:14"})

    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet.title == "Participation"
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = rows.index(["Province", "Verified NGOs", "Submitted", "Drafts", "Participation rate"])
    assert sheet.freeze_panes == f"A{header + 2}"
    assert sheet.auto_filter.ref == f"A{header + 1}:E{len(rows)}"
    erzurum = next(row for row in sheet.iter_rows() if row[0].value == "Erzurum")
    assert erzurum[1].number_format == "#,##0"
    assert (erzurum[4].value, erzurum[4].number_format) == (0.75, "0.0%")
    assert sheet["A" + str(header + 1)].font.bold
    assert sheet.column_dimensions["E"].width >= len("Participation rate")
    assert sheet.column_dimensions["A"].width >= 8


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["tr", "en"])
def test_sheet_names_are_whole_words_within_31_characters(client, language):
    with translation.override(language):
        names = {slug: str(name) for slug, name in SHEET_NAMES.items()}
    for slug, name in names.items():
        assert len(name) <= 31, (slug, name)
        assert exports.sheet_name(name) == name, (slug, name)
    campaign = campaign_opened()
    make_borda_example(campaign)
    client.force_login(make_national())
    prefix = "/en" if language == "en" else ""
    for slug in ["top-five", "top-five-by-subregion", "responsiveness-municipalities", "league"]:
        response = client.get(f"{prefix}/reports/export/{slug}.xlsx", {"scope": "nation"})
        assert load_workbook(io.BytesIO(response.content)).active.title == names[slug]


def test_sheet_name_cuts_after_a_whole_word():
    name = exports.sheet_name("Alt bölgelere göre en önemli beş beklenti listesi")
    assert name == "Alt bölgelere göre en önemli"
    assert len(exports.sheet_name("x" * 40)) == 31


@pytest.mark.django_db
def test_expectation_export_in_turkish_is_read_by_semicolons(client):
    campaign = campaign_opened()
    ngo = NGOFactory(province=Province.objects.get(plate=25), name="Kars, Ardahan Derneği")
    submit_expectations(ngo, campaign)
    client.force_login(
        CoordinatorAssignmentFactory(subregion=SubRegion.objects.get(code="14")).user
    )
    body = body_of(client.get("/surveys/export/expectations.csv", {"campaign": campaign.code}))
    lines = lines_of(body, ";")
    assert any(line[1:2] == ["Kars, Ardahan Derneği"] for line in lines)
