"""The one rule of every spreadsheet export (portal/exports.py), and the four exports using it."""

import codecs
import csv
import datetime
import decimal
import io
import re

import pytest
from django.core.cache import caches
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from municipalities.models import Province, SubRegion
from ngos.models import NGO
from portal import exports
from surveys.models import Expectation
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import (
    CapabilityFactory,
    CoordinatorAssignmentFactory,
    MunicipalStaffFactory,
    NGOFactory,
    UserFactory,
)
from tests.reports.test_export_all import submit as submit_expectations
from tests.reports.test_reports import P, Q, R, S, T, campaign_opened, make_national, submit

MALICIOUS = '=HYPERLINK("x")'
# Formulas behind a separator inside a cell (issue 15, finding 4): harmless for a program that
# splits the file on ",", a formula for one that splits it on ";" (a Turkish Excel) or on tabs.
TITLE = "Alice;=1+1;x"
CAPABILITY = "tents;=cmd|'/C calc'!A0;ok"
HOSTILE = [
    TITLE,
    CAPABILITY,
    "Gıda, +SUM(A1), su",
    "Çadır\t@SUM(A1)",
    "Birinci satır\n-2+3+cmd|' /C calc'!A0",
    'Tırnak; "=1+1"; x',
]
DELIMITERS = (",", ";", "\t")


def csv_body(response):
    return b"".join(response.streaming_content)


def read_csv(body, delimiter=","):
    assert body.startswith(codecs.BOM_UTF8)
    text = body.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def csv_bytes(rows, language="en"):
    return "".join(exports.csv_lines(rows, language=language)).encode("utf-8")


# A number (with a decimal point, or a comma in a Turkish file) and the next separator.
NUMBER_THEN_CELLS = re.compile(r"[-+]?\d+([.,]\d+)?([,;]|$)")


def runs_as_formula(text, *, first=False):
    """Whether a spreadsheet would run the cell: after blanks it starts with = + - or @, and it
    is not a number or a phone number (kept on purpose: digits and spaces call nothing).

    The ``first`` field of a line that starts with a negative number, read with another
    delimiter than the file's, is such as ``-7,2.5,"Kars`` (or ``-7;2,5;"Kars`` from a Turkish
    file): the number, our next numbers, and text inside quotes (doubled quotes keep any text a
    string literal), so nothing that could call a function."""
    text = text.strip()
    if not text.startswith(("=", "+", "-", "@")):
        return False
    if first and NUMBER_THEN_CELLS.match(text):
        return False
    try:
        float(text.replace(",", "."))  # a decimal comma: a number in a Turkish file
    except ValueError:
        return not exports.PHONE.fullmatch(text)
    return False


def formula_cells(body):
    """The cells that would run as formulas, read with ",", with ";" (Turkish Excel) and with
    tabs."""
    return [
        cell
        for delimiter in DELIMITERS
        for row in read_csv(body, delimiter)
        for index, cell in enumerate(row)
        if runs_as_formula(cell, first=index == 0)
    ]


def xlsx_values(content):
    sheet = load_workbook(io.BytesIO(content)).active
    return [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]


def xlsx_formula_cells(content):
    return [
        cell.value
        for cell in xlsx_values(content)
        if cell.data_type == "f" or (isinstance(cell.value, str) and runs_as_formula(cell.value))
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
    line = "".join(exports.csv_lines([["Kars; Erzurum", 3, 0.5, None]], language="en"))
    assert line == '\ufeff"Kars; Erzurum",3,0.5,""\r\n'


@pytest.mark.parametrize(
    ("text", "cell"),
    [
        (TITLE, "Alice;'=1+1;x"),
        (CAPABILITY, "tents;'=cmd|'/C calc'!A0;ok"),
        ("Gıda, +SUM(A1), su", "Gıda, '+SUM(A1), su"),
        ("Çadır\t@SUM(A1)", "Çadır\t'@SUM(A1)"),
        ("Birinci satır\n- ikinci\r\n=3", "Birinci satır\n'- ikinci\r\n'=3"),
        ('Tırnak; "=1+1"', 'Tırnak; "\'=1+1"'),
        ("=1;=2", "'=1;'=2"),
    ],
)
def test_csv_cell_neutralises_formulas_behind_separators(text, cell):
    assert exports.csv_cell(text) == cell


@pytest.mark.parametrize(
    "text",
    [
        "Kars; Erzurum",
        "a-b;c,d",
        "e-posta: bilgi@dernek.org.tr",
        "0442 111 22 33; +90 555 111 22 33",
        "Tel: 0442 111 22 33, (0442) 222 33 44",
        "5+5=10",
    ],
)
def test_csv_cell_keeps_other_text_and_phone_numbers_behind_separators(text):
    assert exports.csv_cell(text) == text


def test_csv_cell_leaves_numbers_and_the_xlsx_rule_alone():
    assert exports.csv_cell(-3) == -3
    assert exports.csv_cell(None) == ""
    assert exports.xlsx_cell(TITLE) == TITLE


@pytest.mark.parametrize("delimiter", DELIMITERS)
def test_csv_text_with_separators_stays_one_field_for_its_own_delimiter(delimiter):
    body = csv_bytes([[TITLE]])
    assert read_csv(body, ",") == [["Alice;'=1+1;x"]]
    assert formula_cells(body) == []


def test_csv_no_field_runs_as_a_formula_whatever_the_delimiter_and_the_column():
    """Every hostile text in every position of a line, beside numbers and other text: read
    with ",", ";" or tabs, no field starts a formula."""
    values = [*HOSTILE, MALICIOUS, "düz metin", -7, 2.5, None, "Kars;", 'x;"', ";"]
    rows = [values[i:] + values[:i] for i in range(len(values))]
    body = csv_bytes(rows)
    assert len(read_csv(body)) == len(rows)
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
        sheet_title="Sayfa [1]",
        title="Başlık",
        columns=list("abcdef"),
        rows=[[MALICIOUS, "+90 442 123 45 67", 7, 0.5, None, moment]],
    )
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet.title == "Sayfa 1"
    assert [cell.value for cell in list(sheet.iter_rows())[3]] == [
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
    lines = read_csv(body)
    row = lines[lines.index([]) + 2]
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
    assert read_csv(body)[7][5].startswith("'" + MALICIOUS)
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


# --- Each export, with formulas behind separators (issue 15, finding 4) ------------------------


def assert_csv_safe(body, *hostile):
    """Each hostile text is in the file (give or take apostrophes), and no reading of it runs a
    formula."""
    cells = [cell.replace("'", "") for row in read_csv(body) for cell in row]
    for text in hostile:
        assert any(text.replace("'", "") in cell for cell in cells), text
    assert formula_cells(body) == []


def assert_xlsx_safe(content, *hostile):
    """Each hostile text is a cell as it was (an XLSX cell is never split), and none is a
    formula."""
    values = [cell.value for cell in xlsx_values(content)]
    for text in hostile:
        assert any(isinstance(v, str) and text in v for v in values), text
    assert xlsx_formula_cells(content) == []


@pytest.mark.django_db
def test_event_attendee_exports_neutralise_formulas_behind_separators(client):
    event = EventFactory(title=TITLE)
    for name in HOSTILE[1:4]:
        RegistrationFactory(
            event=event, user=UserFactory(full_name=name), ngo=NGOFactory(name=name + " Derneği")
        )
    client.force_login(
        CoordinatorAssignmentFactory(subregion=SubRegion.objects.get(code="14")).user
    )
    with translation.override("en"):
        csv_url = reverse("events:export_csv", kwargs={"slug": event.slug})
        xlsx_url = reverse("events:export_xlsx", kwargs={"slug": event.slug})
    assert_csv_safe(csv_body(client.get(csv_url)), TITLE, *HOSTILE[1:4])
    assert_xlsx_safe(client.get(xlsx_url).content, TITLE, *HOSTILE[1:4])


@pytest.mark.django_db
def test_capability_export_neutralises_formulas_behind_separators_and_in_imported_names(client):
    """The capability's notes, and the name of an NGO imported from a Turkish Excel file."""
    client.force_login(CoordinatorAssignmentFactory(subregion=None).user)
    name = "Erzurum Yardım;=1+1;x Derneği"
    with translation.override("en"):
        upload, confirm = reverse("ngos:import_upload"), reverse("ngos:import_confirm")
        url = reverse("ngos:capability_export")
    content = f'ad;hukuki_statu;sicil_no;il\r\n"{name}";dernek;25-300-001;25\r\n'
    checked = client.post(
        upload, {"file": SimpleUploadedFile("stk.csv", content.encode("cp1254"), "text/csv")}
    )
    client.post(confirm, {"key": checked.context["key"]})
    ngo = NGO.objects.get(registry_number="25-300-001")
    assert ngo.name == name
    CapabilityFactory(ngo=ngo, notes=CAPABILITY)
    CapabilityFactory(ngo=NGOFactory(name=HOSTILE[2]), notes=HOSTILE[4])
    client.force_login(MunicipalStaffFactory().user)
    body = csv_body(client.get(url, {"province": 25}))
    assert_csv_safe(body, name, CAPABILITY, HOSTILE[2], HOSTILE[4])


@pytest.mark.django_db
def test_report_table_exports_neutralise_formulas_behind_separators(client):
    caches["reports"].clear()
    campaign = campaign_opened()
    submit(NGOFactory(province=Province.objects.get(plate=25)), campaign, [P, Q, R, S, T])
    Expectation.objects.filter(rank=1).update(title=TITLE)
    client.force_login(make_national())
    csv_response = client.get("/en/reports/export/top-five.csv", {"scope": "nation"})
    assert_csv_safe(csv_body(csv_response), TITLE)
    xlsx_response = client.get("/en/reports/export/top-five.xlsx", {"scope": "nation"})
    assert_xlsx_safe(xlsx_response.content, TITLE)
    caches["reports"].clear()


@pytest.mark.django_db
def test_expectation_export_neutralises_formulas_behind_separators(client):
    campaign = campaign_opened()
    ngo = NGOFactory(province=Province.objects.get(plate=25), name=HOSTILE[2])
    submission = submit_expectations(ngo, campaign, titles=[TITLE, CAPABILITY, "c", "d", "e"])
    Expectation.objects.filter(submission=submission, rank=1).update(description=HOSTILE[4])
    client.force_login(make_national())
    with translation.override("en"):
        url = reverse("reports:export_expectations")
    body = csv_body(client.get(url, {"campaign": campaign.code}))
    assert_csv_safe(body, TITLE, CAPABILITY, HOSTILE[2], HOSTILE[4])
