"""CSV and XLSX exports of the report tables: header block, columns, Turkish letters, filters,
the user's scope, and the export record."""

import csv
import io
import re

import pytest
from django.core.cache import caches
from django.http import StreamingHttpResponse
from openpyxl import load_workbook

from municipalities.models import Province
from ngos.models import LegalForm
from portal.models import ExportLog
from tests.factories import NGOFactory, UserFactory
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
    make_regional,
    submit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache(db):
    caches["reports"].clear()
    yield
    caches["reports"].clear()


@pytest.fixture
def campaign(db):
    return campaign_opened()


@pytest.fixture
def national(db):
    return make_national()


@pytest.fixture
def regional(db):
    return make_regional()


@pytest.fixture
def borda_example(campaign):
    return make_borda_example(campaign)


@pytest.fixture
def participation_data(campaign, borda_example):
    make_participation_data(campaign)


def csv_lines(response, delimiter=","):
    """The lines of an English CSV export (Turkish ones: ``delimiter=";"``)."""
    assert isinstance(response, StreamingHttpResponse)
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return list(csv.reader(io.StringIO(content[1:]), delimiter=delimiter))


def xlsx_rows(response):
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]


def test_csv_export_has_a_header_block_columns_and_rows(client, national, borda_example):
    client.force_login(national)
    response = client.get("/en/reports/export/top-five.csv", {"scope": "nation"})
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == ('attachment; filename="top-five-k2025-national.csv"')
    lines = csv_lines(response)
    # The header of every export (portal/exports.py): title, details, an empty line.
    assert lines[0] == ["The five top expectations"]
    assert lines[1] == ["Campaign", "2025 Beş Beklenti Anketi"]
    assert lines[2] == ["Scope", "Türkiye (national)"]
    assert lines[3] == ["Filters", "none"]
    assert lines[4][0] == "Date"
    # The named DATETIME_FORMAT ("3 December 2027, 14:05"), not a hand-written "2027-12-03 14:05".
    assert re.fullmatch(r"\d{1,2} [A-Z][a-z]+ \d{4}, \d{2}:\d{2}", lines[4][1]), lines[4][1]
    assert lines[5] == []
    assert lines[6] == [
        "Rank",
        "Category",
        "Borda score",
        "Mentions",
        "First-rank mentions",
        "Example requests",
    ]
    assert [line[:5] for line in lines[7:]] == [
        ["1", "Project grants and financial support", "13", "3", "2"],
        ["2", "Regular consultation meetings", "13", "3", "1"],
        ["3", "Integration of migrants and refugees", "5", "2", "0"],
        ["4", "Volunteer management", "5", "2", "0"],
        ["5", "Waste management and recycling", "4", "1", "0"],
    ]
    assert "Proje hibeleri ve mali destek — Aziziye Gençlik Derneği" in lines[7][5]


def test_csv_export_keeps_turkish_letters_in_turkish(client, national, borda_example):
    client.force_login(national)
    response = client.get("/reports/export/top-five.csv", {"scope": "subregion:14"})
    lines = csv_lines(response, ";")
    assert lines[2] == ["Kapsam", "Alt bölge 14 Erzurum-Kars"]
    categories = [line[1] for line in lines[7:]]
    assert categories[:4] == [
        "Proje hibeleri ve mali destek",
        "Düzenli istişare toplantıları",
        "Göçmen ve mülteci uyumu",
        "Gönüllü yönetimi",
    ]


def test_csv_export_applies_the_filters_and_names_them(client, national, borda_example):
    client.force_login(national)
    response = client.get(
        "/en/reports/export/top-five.csv",
        {"scope": "province:25", "legal_form": LegalForm.FOUNDATION},
    )
    lines = csv_lines(response)
    assert lines[2] == ["Scope", "Province of Erzurum (Erzurum-Kars)"]
    assert lines[3] == ["Filters", "Legal form of the NGO: Foundation (vakıf)"]
    # Only the foundation's ranking: P5 Q4 S3 R2 T1.
    assert [(line[1], line[2]) for line in lines[7:]] == [
        ("Project grants and financial support", "5"),
        ("Regular consultation meetings", "4"),
        ("Volunteer management", "3"),
        ("Integration of migrants and refugees", "2"),
        ("Earthquake: strengthening risky buildings and urban renewal", "1"),
    ]


def test_xlsx_export_has_the_title_block_and_turkish_letters(client, national, participation_data):
    client.force_login(national)
    response = client.get(
        "/en/reports/export/participation.xlsx", {"scope": "subregion:14", "compare": ""}
    )
    assert response["Content-Disposition"] == (
        'attachment; filename="participation-k2025-subregion-14.xlsx"'
    )
    rows = xlsx_rows(response)
    assert rows[0][0] == "Participation"
    assert rows[1] == ["Campaign", "2025 Beş Beklenti Anketi"]
    assert rows[2] == ["Scope", "Sub-region 14 Erzurum-Kars"]
    assert rows[3] == ["Filters", "none"]
    assert rows[4][0] == "Date"
    # The sheet's percent format shows the rate: the cell holds the fraction.
    header = rows.index(["Province", "Verified NGOs", "Submitted", "Drafts", "Participation rate"])
    # Read-only openpyxl leaves out empty cells at the end of a row.
    data = {row[0]: (row[1:] + [None] * 4)[:4] for row in rows[header + 1 :]}
    assert data["Erzurum"] == [4, 3, 1, 0.75]
    assert data["Kars"] == [1, 0, 0, 0.0]
    assert data["Ağrı"] == [0, 0, 0, None]
    assert data["Iğdır"] == [0, 0, 0, None]
    assert data["Total"] == [5, 3, 1, 0.6]


def test_regional_coordinators_exports_contain_only_their_rows(
    client, regional, participation_data
):
    client.force_login(regional)
    response = client.get("/en/reports/export/map.csv", {"scope": "subregion:14"})
    lines = csv_lines(response)
    names = [line[0] for line in lines[lines.index(["Province", "Participation rate (%)"]) + 1 :]]
    assert names == ["Ağrı", "Ardahan", "Erzincan", "Erzurum", "Iğdır", "Kars"]
    rows = xlsx_rows(client.get("/en/reports/export/participation.xlsx", {"scope": "province:25"}))
    assert [
        row[0]
        for row in rows[
            rows.index(["Province", "Verified NGOs", "Submitted", "Drafts", "Participation rate"])
            + 1 :
        ]
    ] == ["Erzurum", "Total"]
    assert ExportLog.objects.filter(user=regional).count() == 2


def test_exports_outside_the_users_scope_are_404(client, regional, participation_data):
    client.force_login(regional)
    for scope in ["nation", "subregion:01", "province:34", "", "province:x"]:
        response = client.get("/en/reports/export/participation.csv", {"scope": scope})
        assert response.status_code == 404, scope
    assert not ExportLog.objects.exists()


def test_unknown_table_or_format_is_404(client, national, campaign):
    client.force_login(national)
    assert client.get("/en/reports/export/top-five.pdf?scope=nation").status_code == 404
    assert client.get("/en/reports/export/nothing.csv?scope=nation").status_code == 404
    # The sub-region grid exists only at national level.
    url = "/en/reports/export/top-five-by-subregion.csv?scope=subregion:14"
    assert client.get(url).status_code == 404


def test_invalid_export_parameters_are_a_bad_request(client, national, campaign):
    client.force_login(national)
    response = client.get("/en/reports/export/top-five.csv", {"scope": "nation", "hazard": "lava"})
    assert response.status_code == 400
    assert not ExportLog.objects.exists()


def test_each_export_is_recorded(client, national, borda_example):
    client.force_login(national)
    client.get(
        "/en/reports/export/top-five-by-subregion.xlsx",
        {"scope": "nation", "hazard": "earthquake"},
    )
    log = ExportLog.objects.get()
    assert log.user == national
    assert log.kind == "report:top-five-by-subregion"
    assert log.filters == {
        "campaign": "k2025",
        "compare": "",
        "scope": "nation",
        "format": "xlsx",
        "hazard": "earthquake",
    }
    # A and B ranked the earthquake category T; only sub-region 14 has rows.
    assert log.row_count == 1


def test_export_of_the_subregion_grid_lists_each_subregions_top_five(
    client, national, participation_data
):
    client.force_login(national)
    lines = csv_lines(
        client.get("/en/reports/export/top-five-by-subregion.csv", {"scope": "nation"})
    )
    header = lines.index(
        ["Sub-region", "Rank", "Category", "Borda score", "Mentions", "First-rank mentions"]
    )
    rows = lines[header + 1 :]
    assert [row[0] for row in rows] == ["İstanbul"] * 5 + ["Erzurum-Kars"] * 5
    assert rows[0][1:4] == ["1", "Waste management and recycling", "5"]
    assert ExportLog.objects.get().row_count == 10


def test_responsiveness_export_with_a_comparison_campaign_header(client, national, borda_example):
    campaign_opened(code="k2024", title="2024 Anketi", days_ago=400)
    client.force_login(national)
    lines = csv_lines(
        client.get(
            "/en/reports/export/responsiveness.csv",
            {"scope": "subregion:14", "compare": "k2024"},
        )
    )
    assert lines[0] == ["Responsiveness by province"]
    assert lines[2] == ["Compared with", "2024 Anketi"]
    header = lines.index(
        [
            "Province",
            "Cases received",
            "Answered (%)",
            "Median days to first answer",
            "Overdue",
            "Completed",
            "Confirmed by the NGO",
            "Disputed by the NGO",
        ]
    )
    # Cases count whatever the NGO's verification state: the pending NGO's 5 cases too.
    assert lines[header + 1][:3] == ["Erzurum", "20", "0.0"]
    assert lines[header + 2][:2] == ["Total", "20"]


def test_cells_that_look_like_formulas_are_written_as_text(client, national, campaign):
    ngo = NGOFactory(province=Province.objects.get(plate=25), name="=Formül Derneği")
    submission = submit(ngo, campaign, [P, Q, R, S, T])
    submission.items.filter(rank=1).update(title='=HYPERLINK("http://example.test")')
    client.force_login(national)
    lines = csv_lines(client.get("/en/reports/export/top-five.csv", {"scope": "nation"}))
    assert lines[7][5].startswith("'=HYPERLINK")


def test_staff_without_a_coordinator_role_cannot_export(client, campaign):
    client.force_login(UserFactory())
    response = client.get("/en/reports/export/top-five.csv", {"scope": "nation"})
    assert response.status_code == 403
    assert not ExportLog.objects.exists()
