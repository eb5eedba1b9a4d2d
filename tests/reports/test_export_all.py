"""The coordinators' streamed CSV export of every expectation: content, filters, scope, who may
export, the export record and a fixed number of queries."""

import codecs
import csv
import datetime
import io
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from municipalities.models import Municipality, Province, SubRegion
from ngos.models import NGO, LegalForm
from portal.choices import Hazard
from portal.models import ExportLog
from surveys.models import Category, ExpectationStatus, Submission, Theme
from tests.factories import (
    ActivityFieldFactory,
    CoordinatorAssignmentFactory,
    MembershipFactory,
    MunicipalStaffFactory,
    NGOFactory,
    UserFactory,
)
from tests.surveys.factories import CampaignFactory, ExpectationFactory, SubmissionFactory

pytestmark = pytest.mark.django_db
URL = reverse("reports:export_expectations")
with translation.override("en"):
    EN_URL = reverse("reports:export_expectations")

CODES = ["AFET-DEP-HAZ", "DESTEK-HIBE", "MEKAN-SALON", "AFET-SEL-HAZ", "EGITIM-KURS"]
# 12 May 2025, 07:30 UTC is 10:30 in Türkiye.
SUBMITTED_AT = datetime.datetime(2025, 5, 12, 7, 30, tzinfo=datetime.UTC)
_receipts = itertools.count(1)


def submit(ngo, campaign, *, codes=CODES, titles=None):
    """A submitted submission of the NGO ranking ``codes`` in order (given in reverse order,
    so that the export's rank order does not come from insertion order)."""
    submission = SubmissionFactory(
        ngo=ngo,
        campaign=campaign,
        status=Submission.Status.SUBMITTED,
        receipt_number=f"K2025-{next(_receipts):06d}",
        submitted_at=SUBMITTED_AT,
    )
    titles = titles or [f"{ngo.name} beklenti {rank}" for rank in range(1, len(codes) + 1)]
    for rank in reversed(range(1, len(codes) + 1)):
        ExpectationFactory(
            submission=submission,
            rank=rank,
            category=Category.objects.get(code=codes[rank - 1]),
            title=titles[rank - 1],
        )
    return submission


@pytest.fixture
def campaign(db):
    return CampaignFactory(code="k2025", title="2025 Beş Beklenti Anketi")


@pytest.fixture
def data(campaign):
    """A foundation in Erzurum, an association in Kars (sub-region 14), an association in
    İstanbul (01), and a pending NGO in Erzurum (not exported)."""
    erzurum = NGOFactory(
        name="Işıklı Çığ Vakfı",
        legal_form=LegalForm.FOUNDATION,
        province=Province.objects.get(plate=25),
    )
    erzurum.district = erzurum.province.districts.get(name="Yakutiye")
    erzurum.save()
    kars = NGOFactory(name="Kars Gönüllüleri Derneği", province=Province.objects.get(plate=36))
    istanbul = NGOFactory(name="Üsküdar Dayanışma Derneği", province=Province.objects.get(plate=34))
    pending = NGOFactory(
        name="Bekleyen Dernek", status=NGO.Status.PENDING, province=Province.objects.get(plate=25)
    )
    for ngo in (erzurum, kars, istanbul, pending):
        submit(ngo, campaign)
    return {"erzurum": erzurum, "kars": kars, "istanbul": istanbul}


@pytest.fixture
def national(db):
    user = UserFactory(email="ulusal@example.test")
    CoordinatorAssignmentFactory(user=user)
    return user


@pytest.fixture
def regional(db):
    user = UserFactory(email="bolge@example.test")
    CoordinatorAssignmentFactory(user=user, subregion=SubRegion.objects.get(code="14"))
    return user


def export(client, user, url=EN_URL, **params):
    client.force_login(user)
    return client.get(url, {"campaign": "k2025", **params})


def read(response, delimiter=None):
    """The header lines and the data rows (as dicts) of a CSV export (";" between cells in
    Turkish, "," in English)."""
    body = b"".join(response.streaming_content)
    assert body.startswith(codecs.BOM_UTF8)
    if delimiter is None:
        delimiter = "," if response.wsgi_request.path.startswith("/en/") else ";"
    lines = list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=delimiter))
    blank = lines.index([])
    columns = lines[blank + 1]
    return lines[:blank], [dict(zip(columns, row, strict=True)) for row in lines[blank + 2 :]]


def test_export_content_for_a_national_coordinator(client, national, data):
    response = export(client, national)
    assert response.streaming is True
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="expectations-k2025-nation-' in response["Content-Disposition"]
    header, rows = read(response)
    assert header[0] == ["Every expectation of a campaign"]
    assert header[1] == ["Campaign", "2025 Beş Beklenti Anketi (k2025)"]
    assert header[2] == ["Scope", "Whole country"]
    assert header[3] == ["Filters", "none"]
    assert header[4][0] == "Exported at (Türkiye time)"
    assert list(rows[0]) == [
        "Receipt number",
        "NGO",
        "NGO legal form",
        "NGO province",
        "NGO district",
        "Sub-region",
        "Rank",
        "Category code",
        "Category",
        "Hazard",
        "Title",
        "Description",
        "Addressed municipality",
        "Status",
        "Submitted at (Türkiye time)",
        "First answered at (Türkiye time)",
    ]
    # İstanbul (01) first, then Erzurum before Kars (14); each NGO's items in rank order.
    assert [(row["NGO"], row["Rank"]) for row in rows] == [
        (ngo, str(rank))
        for ngo in ("Üsküdar Dayanışma Derneği", "Işıklı Çığ Vakfı", "Kars Gönüllüleri Derneği")
        for rank in range(1, 6)
    ]
    first = rows[5]
    assert first == {
        "Receipt number": data["erzurum"].submissions.get().receipt_number,
        "NGO": "Işıklı Çığ Vakfı",
        "NGO legal form": "Foundation (vakıf)",
        "NGO province": "Erzurum",
        "NGO district": "Yakutiye",
        "Sub-region": "Erzurum-Kars",
        "Rank": "1",
        "Category code": "AFET-DEP-HAZ",
        "Category": Category.objects.get(code="AFET-DEP-HAZ").name_en,
        "Hazard": "Earthquake",
        "Title": "Işıklı Çığ Vakfı beklenti 1",
        "Description": "Mahallemizde afet toplanma alanlarının işaretlenmesini bekliyoruz.",
        "Addressed municipality": "Erzurum Büyükşehir Belediyesi",
        "Status": "New",
        "Submitted at (Türkiye time)": "2025-05-12 10:30",
        "First answered at (Türkiye time)": "",
    }
    assert "Bekleyen Dernek" not in {row["NGO"] for row in rows}


def test_export_in_turkish_at_the_root(client, national, data):
    _header, rows = read(export(client, national, url=URL))
    first = list(rows[0].values())
    with translation.override("tr"):
        expected = (str(Hazard.EARTHQUAKE.label), str(ExpectationStatus.NEW.label))
        assert list(rows[0])[1] == gettext("NGO")
    assert first[1] == "Üsküdar Dayanışma Derneği"
    assert first[8] == Category.objects.get(code="AFET-DEP-HAZ").name
    assert (first[9], first[13]) == expected


def test_export_records_the_export_before_streaming(client, national, data):
    response = export(client, national, legal_form="dernek", hazard="earthquake")
    log = ExportLog.objects.get()
    assert (log.user, log.kind, log.row_count) == (national, "expectations", 2)
    assert log.filters == {
        "campaign": "k2025",
        "scope": "nation",
        "legal_form": "dernek",
        "hazard": "earthquake",
    }
    _header, rows = read(response)
    assert len(rows) == log.row_count


def test_export_applies_the_filters(client, national, data):
    header, rows = read(export(client, national, legal_form="vakif"))
    assert header[3] == ["Filters", "Legal form: Foundation (vakıf)"]
    assert {row["NGO"] for row in rows} == {"Işıklı Çığ Vakfı"}

    # A flood category (rank 4) counts for the flood filter.
    _header, rows = read(export(client, national, hazard="flood"))
    assert {(row["Category code"], row["Rank"]) for row in rows} == {("AFET-SEL-HAZ", "4")}

    theme = Theme.objects.get(code="MEKAN")
    _header, rows = read(export(client, national, theme=theme.code))
    assert {row["Category code"] for row in rows} == {"MEKAN-SALON"}

    field = ActivityFieldFactory(code="afet-test", name="Afet", name_en="Disaster")
    data["kars"].activity_fields.add(field)
    header, rows = read(export(client, national, activity_field="afet-test"))
    assert header[3] == ["Filters", "Field of activity: Disaster"]
    assert {row["NGO"] for row in rows} == {"Kars Gönüllüleri Derneği"}

    _header, rows = read(export(client, national, municipality_kind="district"))
    assert rows == []
    _header, rows = read(export(client, national, scope="province:36"))
    assert {row["NGO"] for row in rows} == {"Kars Gönüllüleri Derneği"}


def test_export_of_a_regional_coordinator_is_limited_to_their_subregions(client, regional, data):
    response = export(client, regional)
    header, rows = read(response)
    assert header[2] == ["Scope", "Your sub-regions: Erzurum-Kars"]
    assert {row["NGO"] for row in rows} == {"Işıklı Çığ Vakfı", "Kars Gönüllüleri Derneği"}
    assert {row["Sub-region"] for row in rows} == {"Erzurum-Kars"}
    assert ExportLog.objects.get().filters["scope"] == "subregions:14"

    header, rows = read(export(client, regional, scope="subregion:14"))
    assert header[2] == ["Scope", "Sub-region: Erzurum-Kars"]
    assert len(rows) == 10
    header, rows = read(export(client, regional, scope="province:25"))
    assert header[2] == ["Scope", "Province: Erzurum"]
    assert {row["NGO"] for row in rows} == {"Işıklı Çığ Vakfı"}


@pytest.mark.parametrize("scope", ["subregion:01", "province:34", "nation", "subregion:99"])
def test_export_outside_a_regional_coordinators_scope_is_404(client, regional, data, scope):
    assert export(client, regional, scope=scope).status_code == 404
    assert not ExportLog.objects.exists()


def test_export_refused_to_ngo_members_and_municipal_staff(client, data):
    member = MembershipFactory(ngo=data["erzurum"]).user
    staff = MunicipalStaffFactory(
        municipality=Municipality.objects.get(province=25, kind="metropolitan")
    ).user
    for user in (member, staff):
        response = export(client, user)
        assert response.status_code == 403
    assert not ExportLog.objects.exists()


def test_export_sends_anonymous_users_to_log_in(client, data):
    response = client.get(URL, {"campaign": "k2025"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert not ExportLog.objects.exists()


def test_site_admin_may_export(client, data):
    admin = UserFactory(email="admin@example.test", is_staff=True)
    _header, rows = read(export(client, admin, scope="subregion:01"))
    assert {row["NGO"] for row in rows} == {"Üsküdar Dayanışma Derneği"}


@pytest.mark.parametrize(
    "params",
    [
        {"campaign": ""},
        {"campaign": "no-such"},
        {"scope": "everywhere"},
        {"scope": "province:abc"},
        {"legal_form": "club"},
        {"hazard": "meteor"},
        {"theme": "NO-SUCH"},
    ],
)
def test_export_with_invalid_parameters_is_a_bad_request(client, national, data, params):
    response = export(client, national, **params)
    assert response.status_code == 400
    assert response.content.decode().startswith("The export could not be made:")
    assert not ExportLog.objects.exists()


def test_export_escapes_spreadsheet_formulas(client, national, campaign):
    ngo = NGOFactory(name="=Kötü Derneği", province=Province.objects.get(plate=25))
    submit(
        ngo,
        campaign,
        titles=['=HYPERLINK("http://x")', "+90 212", "-eksi", "@at", "Düz başlık"],
    )
    _header, rows = read(export(client, national))
    assert [row["Title"] for row in rows] == [
        '\'=HYPERLINK("http://x")',
        # A phone number is kept as it is (portal/exports.py).
        "+90 212",
        "'-eksi",
        "'@at",
        "Düz başlık",
    ]
    assert rows[0]["NGO"] == "'=Kötü Derneği"


def consume_queries(client, user):
    response = export(client, user)
    with CaptureQueriesContext(connection) as queries:
        body = b"".join(response.streaming_content)
    return len(queries), body.count(b"\n")


def test_export_runs_no_query_per_row(client, national, campaign):
    ngo = NGOFactory(province=Province.objects.get(plate=25))
    submit(ngo, campaign, codes=CODES[:1])
    small, small_lines = consume_queries(client, national)
    for ngo in [NGOFactory(province=Province.objects.get(plate=36)) for _ in range(4)]:
        submit(ngo, campaign)
    large, large_lines = consume_queries(client, national)
    assert (small_lines, large_lines) == (7 + 1, 7 + 21)  # 5 header lines, blank, columns
    assert small == large == 1
