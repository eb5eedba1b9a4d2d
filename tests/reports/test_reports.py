"""The coordinators' reports at /reports/: Borda ranking, participation, responsiveness, scope
and access, the map and the charts, trends, caching and the number of queries per page."""

import datetime
import json
import re
import zoneinfo

import pytest
import time_machine
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from municipalities.models import Municipality, Province, SubRegion
from ngos.models import NGO, LegalForm
from portal import charts
from reports.services import facts
from reports.services import figures as reports
from reports.services.figures import Filters, Scope
from surveys.models import (
    Category,
    Expectation,
    ExpectationStatus,
    ReviewEntry,
    Submission,
)
from tests.factories import (
    CoordinatorAssignmentFactory,
    MembershipFactory,
    MunicipalStaffFactory,
    NGOFactory,
    UserFactory,
)
from tests.surveys.factories import CampaignFactory

pytestmark = pytest.mark.django_db

TR = zoneinfo.ZoneInfo("Europe/Istanbul")
NOW = datetime.datetime(2025, 6, 30, 12, 0, tzinfo=TR)

# The categories of the hand-computed Borda example (Turkish names in brackets).
P = "DESTEK-HIBE"  # Proje hibeleri ve mali destek
Q = "ILETISIM-ISTISARE"  # Düzenli istişare toplantıları
R = "SOSYAL-GOC"  # Göçmen ve mülteci uyumu
S = "KAPASITE-GONULLU"  # Gönüllü yönetimi
T = "AFET-DEP-RISK"  # Deprem: riskli yapılar… (earthquake)
U = "CEVRE-ATIK"  # Atık yönetimi ve geri dönüşüm
V = "AFET-SEL-HAZ"  # Sel: erken uyarı… (flood)
W = "SAGLIK-RUH"  # Ruh sağlığı hizmetleri


@pytest.fixture(autouse=True)
def _empty_cache(db):
    # Report figures are cached for two minutes; every test starts from fresh figures.
    caches["reports"].clear()
    yield
    caches["reports"].clear()


# --- Data helpers ----------------------------------------------------------------------------


def municipality(name, plate):
    return Municipality.objects.get(province=plate, name=name)


def erzurum_bb():
    return Municipality.objects.get(province=25, kind=Municipality.Kind.METROPOLITAN)


def submit(ngo, campaign, codes, *, at=None, to=None, status=Submission.Status.SUBMITTED):
    """A submission of ``ngo`` with one item per category code, ranked in the given order and
    addressed to ``to`` (Erzurum Büyükşehir by default)."""
    at = at or NOW - datetime.timedelta(days=5)
    submitted = status == Submission.Status.SUBMITTED
    submission = Submission.objects.create(
        campaign=campaign,
        ngo=ngo,
        status=status,
        submitted_at=at if submitted else None,
        receipt_number=f"{campaign.code}-{ngo.pk}" if submitted else None,
    )
    target = to or erzurum_bb()
    categories = {c.code: c for c in Category.objects.filter(code__in=codes)}
    for rank, code in enumerate(codes, 1):
        Expectation.objects.create(
            submission=submission,
            rank=rank,
            category=categories[code],
            title=f"{categories[code].name} — {ngo.name}",
            description="Açıklama",
            municipality=target,
        )
    return submission


def campaign_opened(code="k2025", title="2025 Beş Beklenti Anketi", days_ago=60, **kwargs):
    return CampaignFactory(
        code=code,
        title=title,
        opens_at=NOW - datetime.timedelta(days=days_ago),
        closes_at=NOW + datetime.timedelta(days=60),
        **kwargs,
    )


@pytest.fixture
def campaign(db):
    return campaign_opened()


def make_national():
    return CoordinatorAssignmentFactory(
        user=UserFactory(email="ulusal@example.test"), subregion=None
    ).user


def make_regional():
    """The coordinator of sub-region 14 Erzurum-Kars."""
    return CoordinatorAssignmentFactory(
        user=UserFactory(email="bolge@example.test"), subregion=SubRegion.objects.get(code="14")
    ).user


@pytest.fixture
def national(db):
    return make_national()


@pytest.fixture
def regional(db):
    return make_regional()


@pytest.fixture
def borda_example(campaign):
    return make_borda_example(campaign)


def make_borda_example(campaign):
    """Three verified Erzurum NGOs rank categories; an unverified NGO and a draft don't count.

    Borda points (rank 1 = 5 … rank 5 = 1):
      A: P5 Q4 R3 S2 T1        B: P5 Q4 S3 R2 T1        C: Q5 U4 P3 V2 W1
      P = 5+5+3 = 13 (first-rank 2, mentions 3)   Q = 4+4+5 = 13 (first-rank 1, mentions 3)
      R = 3+2   = 5  (first-rank 0, mentions 2)   S = 2+3   = 5  (first-rank 0, mentions 2)
      U = 4 (1 mention), T = 1+1 = 2, V = 2, W = 1.
    P and Q tie on score: P has more first-rank mentions. R and S tie on both: by Turkish name,
    "Göçmen…" (R) comes before "Gönüllü…" (S), though code and code-point order say otherwise.
    """
    erzurum = Province.objects.get(plate=25)
    a = NGOFactory(name="Aziziye Gençlik Derneği", province=erzurum)
    b = NGOFactory(name="Oltu Kültür Vakfı", province=erzurum, legal_form=LegalForm.FOUNDATION)
    c = NGOFactory(name="Palandöken Dayanışma Derneği", province=erzurum)
    submit(a, campaign, [P, Q, R, S, T])
    submit(b, campaign, [P, Q, S, R, T])
    submit(c, campaign, [Q, U, P, V, W])
    pending = NGOFactory(name="Onaysız Dernek", province=erzurum, status=NGO.Status.PENDING)
    submit(pending, campaign, [W, V, U, T, S])
    drafting = NGOFactory(name="Taslak Derneği", province=erzurum)
    submit(drafting, campaign, [W, V, U, T, S], status=Submission.Status.DRAFT)
    return {"a": a, "b": b, "c": c}


# --- Borda -----------------------------------------------------------------------------------


def test_borda_scores_and_tie_breaking_match_the_hand_computed_example(campaign, borda_example):
    rows = reports.borda(campaign, Scope(), Filters())
    assert [(r["category__code"], r["score"], r["mentions"], r["first_rank"]) for r in rows] == [
        (P, 13, 3, 2),
        (Q, 13, 3, 1),
        (R, 5, 2, 0),
        (S, 5, 2, 0),
        (U, 4, 1, 0),
    ]


def test_borda_filters_by_legal_form_and_by_scope(campaign, borda_example):
    foundations = reports.borda(campaign, Scope(), Filters(legal_form=LegalForm.FOUNDATION))
    assert [(r["category__code"], r["score"]) for r in foundations] == [
        (P, 5),
        (Q, 4),
        (S, 3),
        (R, 2),
        (T, 1),
    ]
    istanbul = Scope(subregion=SubRegion.objects.get(code="01"))
    assert reports.borda(campaign, istanbul, Filters()) == []


def test_borda_examples_give_titles_of_verified_ngos_first_ranked_first(campaign, borda_example):
    category = Category.objects.get(code=P)
    examples = reports.borda_examples(campaign, Scope(), Filters(), [category.pk])
    assert examples[category.pk] == [
        f"{category.name} — Aziziye Gençlik Derneği",
        f"{category.name} — Oltu Kültür Vakfı",
        f"{category.name} — Palandöken Dayanışma Derneği",
    ]


def test_report_page_shows_the_top_five_with_examples_and_the_subregion_grid(
    client, national, campaign, borda_example
):
    client.force_login(national)
    response = client.get("/en/reports/")
    table = response.context["tables"]["top_five"]
    assert [(r["rank"], r["score"], r["mentions"], r["first_rank"]) for r in table.rows] == [
        (1, 13, 3, 2),
        (2, 13, 3, 1),
        (3, 5, 2, 0),
        (4, 5, 2, 0),
        (5, 4, 1, 0),
    ]
    assert table.rows[0]["category"] == "Project grants and financial support"
    html = response.content.decode()
    assert "Proje hibeleri ve mali destek — Oltu Kültür Vakfı" in html
    grid = response.context["tables"]["top_five_by_subregion"].extra["grid"]
    assert len(grid) == 17
    erzurum_kars = next(g for g in grid if g["code"] == "14")
    assert [r["score"] for r in erzurum_kars["rows"]] == [13, 13, 5, 5, 4]
    assert erzurum_kars["href"].startswith(reverse("reports:subregion", kwargs={"code": "14"}))
    assert next(g for g in grid if g["code"] == "01")["rows"] == []


# --- Participation ---------------------------------------------------------------------------


@pytest.fixture
def participation_data(campaign, borda_example):
    make_participation_data(campaign)


def make_participation_data(campaign):
    """With the Borda example: Erzurum: 3 submitted, 1 draft, (1 pending, not counted); Kars: 1
    verified NGO without a submission; İstanbul: 1 submitted; a rejected İstanbul NGO is not
    counted."""
    NGOFactory(name="Kars Kadın Kooperatifi", province=Province.objects.get(plate=36))
    istanbul = NGOFactory(name="Üsküdar Hemşehri Derneği", province=Province.objects.get(plate=34))
    submit(istanbul, campaign, [U, V, W, P, Q])
    NGOFactory(
        name="Reddedilen Dernek",
        province=Province.objects.get(plate=34),
        status=NGO.Status.REJECTED,
        status_reason="Belgeler eksik",
    )


def test_participation_by_province_of_a_subregion(campaign, participation_data):
    scope = Scope(subregion=SubRegion.objects.get(code="14"))
    rows = {r["name"]: r for r in reports.participation(campaign, scope, Filters(), by="province")}
    assert {name: (r["ngos"], r["submitted"], r["drafts"]) for name, r in rows.items()} == {
        "Erzurum": (4, 3, 1),
        "Kars": (1, 0, 0),
    }
    assert rows["Erzurum"]["rate"] == 0.75
    assert rows["Kars"]["rate"] == 0


def test_participation_table_lists_every_place_with_totals(client, national, participation_data):
    client.force_login(national)
    table = client.get("/en/reports/subregions/14/").context["tables"]["participation"]
    rows = {r["name"]: r for r in table.rows}
    # Every province of Erzurum-Kars is listed, with or without NGOs.
    assert set(rows) == {"Ağrı", "Ardahan", "Erzincan", "Erzurum", "Iğdır", "Kars"}
    assert (rows["Erzurum"]["ngos"], rows["Erzurum"]["submitted"], rows["Erzurum"]["rate"]) == (
        4,
        3,
        0.75,
    )
    assert rows["Ağrı"]["ngos"] == 0 and rows["Ağrı"]["rate"] is None
    assert (table.totals["ngos"], table.totals["submitted"], table.totals["drafts"]) == (5, 3, 1)
    assert table.totals["rate"] == 0.6
    html = client.get("/en/reports/subregions/14/").content.decode()
    assert "75.0 %" in html
    assert "60.0 %" in html


def test_turkish_page_formats_numbers_the_turkish_way(client, national, participation_data):
    client.force_login(national)
    html = client.get("/reports/subregions/14/").content.decode()
    assert "75,0" in html
    assert "Erzurum-Kars" in html


def test_national_participation_is_by_subregion(client, national, participation_data):
    client.force_login(national)
    table = client.get("/en/reports/").context["tables"]["participation"]
    rows = {r["_key"]: r for r in table.rows}
    assert len(rows) == 17
    assert (rows["14"]["ngos"], rows["14"]["submitted"], rows["14"]["drafts"]) == (5, 3, 1)
    assert (rows["01"]["ngos"], rows["01"]["submitted"], rows["01"]["rate"]) == (1, 1, 1.0)
    assert table.totals["rate"] == pytest.approx(4 / 6)


# --- Disaster cooperation --------------------------------------------------------------------


def test_hazard_shares_count_each_item_under_its_own_or_its_categorys_hazard(
    campaign, borda_example
):
    item = Expectation.objects.get(
        submission__ngo=borda_example["c"], category__code=W
    )  # a health category, but the item is about floods
    item.hazard = "flood"
    item.save()
    total, shares = reports.hazard_shares(campaign, Scope(), Filters())
    assert total == 15
    assert shares["earthquake"] == (2, pytest.approx(2 / 15))
    assert shares["flood"] == (2, pytest.approx(2 / 15))
    assert shares["fire"] == (0, 0)


def test_disaster_tables_on_the_page(client, national, campaign, borda_example):
    from tests.factories import CapabilityFactory

    CapabilityFactory(ngo=borda_example["a"], kind="first_aid", hazard="earthquake")
    CapabilityFactory(ngo=borda_example["b"], kind="shelter", hazard="earthquake")
    CapabilityFactory(ngo=borda_example["b"], kind="food_water", hazard="any")
    client.force_login(national)
    tables = client.get("/en/reports/provinces/25/").context["tables"]
    hazards = {r["hazard"]: (r["count"], r["share"]) for r in tables["hazards"].rows}
    assert hazards["Earthquake"] == (2, pytest.approx(2 / 15))
    assert hazards["Not about a hazard"] == (12, pytest.approx(12 / 15))
    assert tables["hazards"].totals["count"] == 15
    capabilities = {
        r["hazard"]: (r["capabilities"], r["ngos"]) for r in tables["capabilities"].rows
    }
    assert capabilities["Earthquake"] == (2, 2)
    assert capabilities["Any hazard"] == (1, 1)
    assert capabilities["Flood"] == (0, 0)
    # With a hazard filter: that hazard's capabilities and those for any hazard.
    tables = client.get("/en/reports/provinces/25/", {"hazard": "flood"}).context["tables"]
    capabilities = {r["hazard"]: r["capabilities"] for r in tables["capabilities"].rows}
    assert (capabilities["Earthquake"], capabilities["Any hazard"]) == (0, 1)
    assert [r["count"] for r in tables["hazards"].rows if r["hazard"] == "Flood"] == [1]


# --- Responsiveness --------------------------------------------------------------------------


def _case(submission, rank, to, *, answered_after=None, status=ExpectationStatus.NEW, **extra):
    """An item of a submitted submission, answered ``answered_after`` days after submission."""
    category = Category.objects.order_by("order", "pk")[rank]
    case = Expectation.objects.create(
        submission=submission,
        rank=rank,
        category=category,
        title=f"Vaka {rank}",
        description="Açıklama",
        municipality=to,
        status=status,
        first_answered_at=(
            submission.submitted_at + datetime.timedelta(days=answered_after)
            if answered_after is not None
            else None
        ),
        **extra,
    )
    return case


def _submitted(campaign, ngo, at):
    return Submission.objects.create(
        campaign=campaign,
        ngo=ngo,
        status=Submission.Status.SUBMITTED,
        submitted_at=at,
        receipt_number=f"{campaign.code}-{ngo.pk}",
    )


@pytest.fixture
def cases(campaign):
    """Cases of sub-region 14, looked at on 30 June 2025 (30 days make a case overdue).

    Erzurum Büyükşehir (submitted 1 May): answered after 2, 5 and 9 days (median 5.0, odd),
      one new and unanswered (overdue), one declined unanswered (closed: not overdue); the
      9-day one completed and confirmed.
    Yakutiye (submitted 10 May): one answered after 3 days, one new and unanswered (overdue).
    Kars Belediyesi (submitted 20 June): answered after 1, 2, 7 and 10 days (median 4.5, even;
      the mean would be 5.0); the 2-day one completed and confirmed; the 7-day one disputed;
      one new and unanswered but only 10 days old (not overdue yet).
    """
    erzurum, kars = Province.objects.get(plate=25), Province.objects.get(plate=36)
    yakutiye, kars_belediyesi = (
        municipality("Yakutiye Belediyesi", 25),
        municipality("Kars Belediyesi", 36),
    )
    first = _submitted(campaign, NGOFactory(province=erzurum), NOW - datetime.timedelta(days=60))
    _case(first, 1, erzurum_bb(), answered_after=2, status=ExpectationStatus.ACCEPTED)
    _case(first, 2, erzurum_bb(), answered_after=5, status=ExpectationStatus.UNDER_REVIEW)
    _case(
        first,
        3,
        erzurum_bb(),
        answered_after=9,
        status=ExpectationStatus.COMPLETED,
        ngo_confirmed_at=NOW - datetime.timedelta(days=20),
    )
    _case(first, 4, erzurum_bb())
    _case(first, 5, erzurum_bb(), status=ExpectationStatus.DECLINED)
    second = _submitted(campaign, NGOFactory(province=erzurum), NOW - datetime.timedelta(days=51))
    _case(second, 1, yakutiye, answered_after=3, status=ExpectationStatus.ACCEPTED)
    _case(second, 2, yakutiye)
    third = _submitted(campaign, NGOFactory(province=kars), NOW - datetime.timedelta(days=10))
    _case(third, 1, kars_belediyesi, answered_after=1, status=ExpectationStatus.ACCEPTED)
    _case(
        third,
        2,
        kars_belediyesi,
        answered_after=2,
        status=ExpectationStatus.COMPLETED,
        ngo_confirmed_at=NOW - datetime.timedelta(days=1),
    )
    disputed = _case(
        third, 3, kars_belediyesi, answered_after=7, status=ExpectationStatus.IN_PROGRESS
    )
    ReviewEntry.objects.create(
        expectation=disputed,
        kind=ReviewEntry.Kind.DISPUTE,
        municipality=kars_belediyesi,
        text="Yapılmadı",
    )
    _case(third, 4, kars_belediyesi, answered_after=10, status=ExpectationStatus.ACCEPTED)
    _case(third, 5, kars_belediyesi)


def figures(row):
    return (
        row["received"],
        round(row["answered_share"], 4),
        row["median_days"],
        row["overdue"],
        row["completed"],
        row["confirmed"],
        row["disputed"],
    )


def test_responsiveness_by_municipality_exact_figures(campaign, cases):
    scope = Scope(subregion=SubRegion.objects.get(code="14"))
    with time_machine.travel(NOW, tick=False):
        rows = reports.responsiveness(campaign, scope, Filters(), by="municipality")
    by_name = {r["name"]: figures(r) for r in rows}
    assert by_name == {
        "Erzurum Büyükşehir Belediyesi": (5, 0.6, 5.0, 1, 1, 1, 0),
        "Kars Belediyesi": (5, 0.8, 4.5, 0, 1, 1, 1),
        "Yakutiye Belediyesi": (2, 0.5, 3.0, 1, 0, 0, 0),
    }
    # Ordered by cases received, then by name.
    assert [r["name"] for r in rows][0] == "Erzurum Büyükşehir Belediyesi"


def test_responsiveness_by_province_and_in_total(campaign, cases):
    scope = Scope(subregion=SubRegion.objects.get(code="14"))
    with time_machine.travel(NOW, tick=False):
        provinces = reports.responsiveness(campaign, scope, Filters(), by="province")
        total = reports.responsiveness(campaign, scope, Filters(), by="total")
    # Erzurum: delays 2, 3, 5, 9 → median (3 + 5) / 2 = 4.0 (even count).
    assert {r["name"]: figures(r) for r in provinces} == {
        "Erzurum": (7, round(4 / 7, 4), 4.0, 2, 1, 1, 0),
        "Kars": (5, 0.8, 4.5, 0, 1, 1, 1),
    }
    # All of them: delays 1, 2, 2, 3, 5, 7, 9, 10 → median (3 + 5) / 2 = 4.0.
    assert figures(total[0]) == (12, round(8 / 12, 4), 4.0, 2, 2, 2, 1)


def test_a_case_becomes_overdue_thirty_days_after_submission(campaign, cases):
    scope = Scope(province=Province.objects.get(plate=36))
    with time_machine.travel(NOW + datetime.timedelta(days=19), tick=False):
        (kars,) = reports.responsiveness(campaign, scope, Filters(), by="municipality")
        assert kars["overdue"] == 0
    with time_machine.travel(NOW + datetime.timedelta(days=21), tick=False):
        (kars,) = reports.responsiveness(campaign, scope, Filters(), by="municipality")
        assert kars["overdue"] == 1


def test_responsiveness_tables_on_each_level(client, national, campaign, cases):
    client.force_login(national)
    with time_machine.travel(NOW, tick=False):
        nation = client.get("/en/reports/").context["tables"]
        subregion = client.get("/en/reports/subregions/14/").context["tables"]
        province = client.get("/en/reports/provinces/36/").context["tables"]
    (erzurum_kars,) = nation["responsiveness"].rows
    assert erzurum_kars["name"] == "Erzurum-Kars"
    assert figures(erzurum_kars) == (12, round(8 / 12, 4), 4.0, 2, 2, 2, 1)
    assert [r["name"] for r in nation["responsiveness_municipalities"].rows] == [
        "Erzurum Büyükşehir Belediyesi",
        "Kars Belediyesi",
        "Yakutiye Belediyesi",
    ]
    assert [r["name"] for r in subregion["responsiveness"].rows] == ["Erzurum", "Kars"]
    assert subregion["responsiveness"].totals["received"] == 12
    assert [r["name"] for r in province["responsiveness"].rows] == ["Kars Belediyesi"]
    assert "responsiveness_municipalities" not in province
    assert province["responsiveness"].rows[0]["_href"] == reverse(
        "municipalities:detail", kwargs={"slug": municipality("Kars Belediyesi", 36).slug}
    )


def test_municipality_kind_filter_applies_to_responsiveness(client, national, campaign, cases):
    client.force_login(national)
    with time_machine.travel(NOW, tick=False):
        tables = client.get(
            "/en/reports/subregions/14/", {"municipality_kind": "provincial"}
        ).context["tables"]
    assert [r["name"] for r in tables["responsiveness_municipalities"].rows] == ["Kars Belediyesi"]


# --- Access and scope ------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_log_in(client, campaign):
    response = client.get("/en/reports/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_ngo_members_and_municipal_staff_are_refused(client, campaign):
    member = MembershipFactory().user
    staff = MunicipalStaffFactory().user
    for user in [member, staff]:
        client.force_login(user)
        for url in [
            "/en/reports/",
            "/en/reports/subregions/14/",
            "/en/reports/provinces/25/",
            "/en/reports/print/?scope=subregion:14",
            "/en/reports/export/top-five.csv?scope=subregion:14",
        ]:
            assert client.get(url).status_code == 403, (user, url)


def test_regional_coordinator_is_sent_from_the_national_page_to_their_subregion(
    client, regional, campaign
):
    client.force_login(regional)
    response = client.get("/en/reports/", {"campaign": campaign.code})
    assert response.status_code == 302
    assert response["Location"] == "/en/reports/subregions/14/?campaign=k2025"


def test_coordinator_of_several_subregions_chooses_one(client, regional, campaign):
    CoordinatorAssignmentFactory(user=regional, subregion=SubRegion.objects.get(code="15"))
    client.force_login(regional)
    response = client.get("/en/reports/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/en/reports/subregions/14/"' in html
    assert 'href="/en/reports/subregions/15/"' in html
    assert "tables" not in response.context


def test_regional_coordinator_gets_404_outside_their_subregion(client, regional, campaign):
    client.force_login(regional)
    assert client.get("/en/reports/subregions/01/").status_code == 404
    assert client.get("/en/reports/provinces/34/").status_code == 404
    assert client.get("/en/reports/print/?scope=nation").status_code == 404
    assert client.get("/en/reports/print/?scope=subregion:01").status_code == 404
    response = client.get("/en/reports/provinces/36/")
    assert response.context["scope_label"] == "Province of Kars (Erzurum-Kars)"


def test_regional_page_has_no_national_link(client, regional, campaign):
    client.force_login(regional)
    html = client.get("/en/reports/subregions/14/").content.decode()
    # The navigation's "Reports" entry leads there too (and redirects); the page itself offers
    # no national breadcrumb or drill-up.
    main = html[html.index('<main id="main"') :]
    assert 'href="/en/reports/"' not in main
    assert 'href="/en/reports/provinces/25/' in main


def test_site_administrator_sees_the_national_report(client, campaign):
    admin = UserFactory(is_staff=True)
    client.force_login(admin)
    response = client.get("/en/reports/")
    assert response.context["scope_label"] == "Türkiye (national)"


def test_unknown_subregion_or_province_is_404(client, national, campaign):
    client.force_login(national)
    assert client.get("/en/reports/subregions/99/").status_code == 404
    assert client.get("/en/reports/provinces/82/").status_code == 404
    assert client.get("/en/reports/print/?scope=province:abc").status_code == 404
    assert client.get("/en/reports/print/?scope=castle:1").status_code == 404


# --- Form, campaigns, trends, cache ----------------------------------------------------------


def test_default_campaign_is_the_most_recent_that_has_opened(client, national, campaign):
    campaign_opened(code="k2024", title="2024 Anketi", days_ago=400)
    CampaignFactory(
        code="k2026",
        title="2026 Anketi",
        opens_at=NOW + datetime.timedelta(days=100),
        closes_at=NOW + datetime.timedelta(days=200),
    )
    client.force_login(national)
    with time_machine.travel(NOW, tick=False):
        response = client.get("/en/reports/")
    assert response.context["campaign"] == campaign
    choices = [code for code, _ in response.context["form"].fields["campaign"].choices]
    assert choices == ["k2025", "k2024"]


def test_invalid_parameters_show_errors_not_a_crash(client, national, campaign):
    client.force_login(national)
    response = client.get(
        "/en/reports/",
        {"campaign": "nope", "hazard": "lava", "legal_form": "castle", "measure": "x"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"campaign", "hazard", "legal_form", "measure"}
    assert "tables" not in response.context
    html = response.content.decode()
    assert "Some values were not valid" in html
    response = client.get("/en/reports/", {"campaign": "k2025", "compare": "k2025"})
    assert "Choose a different campaign to compare with." in response.content.decode()


def test_page_without_any_campaign_says_so(client, national):
    client.force_login(national)
    html = client.get("/en/reports/").content.decode()
    assert "No survey campaign has opened yet" in html


def test_trends_compare_two_campaigns_side_by_side(client, national, campaign, borda_example):
    earlier = campaign_opened(code="k2024", title="2024 Anketi", days_ago=400)
    # 2024: only A took part, ranking Q P U R S → Q 5, P 4, U 3, R 2, S 1.
    submit(borda_example["a"], earlier, [Q, P, U, R, S])
    client.force_login(national)
    response = client.get("/en/reports/subregions/14/", {"compare": "k2024"})
    top = response.context["tables"]["top_five"]
    assert [
        (r["rank"], r["score"], r["compare_rank"], r["compare_score"], r["score_delta"])
        for r in top.rows
    ] == [
        (1, 13, 2, 4, 9),
        (2, 13, 1, 5, 8),
        (3, 5, 4, 2, 3),
        (4, 5, 5, 1, 4),
        (5, 4, 3, 3, 1),
    ]
    participation = response.context["tables"]["participation"]
    erzurum = next(r for r in participation.rows if r["name"] == "Erzurum")
    # 2025: 3 of 4 verified NGOs (75 %); 2024: 1 of 4 (25 %): +50 points.
    assert (erzurum["compare_submitted"], erzurum["compare_rate"]) == (1, 0.25)
    assert erzurum["rate_delta"] == pytest.approx(0.5)
    html = response.content.decode()
    assert "Rate in 2024 Anketi" in html
    assert "+50.0 points" in html
    assert "+9" in html


def test_figures_are_cached_for_two_minutes(
    client, national, campaign, borda_example, django_capture_on_commit_callbacks
):
    client.force_login(national)
    url = "/en/reports/provinces/25/"
    moment = datetime.datetime(2026, 5, 12, 9, 30, tzinfo=datetime.UTC)  # 12:30 in Türkiye
    with time_machine.travel(moment, tick=False) as traveller:
        assert client.get(url).context["tables"]["participation"].totals["submitted"] == 3
        submit(NGOFactory(province=Province.objects.get(plate=25)), campaign, [P, Q, R, S, T])
        response = client.get(url)
        assert response.context["tables"]["participation"].totals["submitted"] == 3
        assert (
            "Figures as of 12 May 2026, 12:30 (Türkiye time); they are computed again when more "
            "than 2 minutes old." in " ".join(response.content.decode().split())
        )
        # Older than two minutes: served once more while a task computes them again.
        traveller.shift(datetime.timedelta(minutes=2, seconds=1))
        with django_capture_on_commit_callbacks(execute=True):
            assert client.get(url).context["tables"]["participation"].totals["submitted"] == 3
        response = client.get(url)
        assert response.context["tables"]["participation"].totals["submitted"] == 4
        assert "Figures as of 12 May 2026, 12:32" in response.content.decode()


def test_stale_figures_are_computed_again_once_at_a_time(
    client, national, campaign, borda_example, monkeypatch
):
    from reports.services import figures_cache

    scheduled = []
    monkeypatch.setattr(figures_cache, "schedule_refresh", lambda **task: scheduled.append(task))
    client.force_login(national)
    url = "/en/reports/provinces/25/"
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.get(url)
        traveller.shift(datetime.timedelta(minutes=3))
        for _ in range(3):
            assert client.get(url).status_code == 200
        assert len(scheduled) == 1  # one computation for three coordinators
        submit(NGOFactory(province=Province.objects.get(plate=25)), campaign, [P, Q, R, S, T])
        figures_cache.figures_refresh(**scheduled[0])  # the task runs on a worker
        assert client.get(url).context["tables"]["participation"].totals["submitted"] == 4
        assert len(scheduled) == 1


def test_a_failed_background_computation_keeps_the_old_figures_and_is_tried_again(
    client, national, campaign, borda_example, monkeypatch, django_capture_on_commit_callbacks
):
    from reports.services import figures_cache
    from reports.services import tables as report_tables

    client.force_login(national)
    url = "/en/reports/provinces/25/"
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.get(url)
        traveller.shift(datetime.timedelta(minutes=3))
        submit(NGOFactory(province=Province.objects.get(plate=25)), campaign, [P, Q, R, S, T])
        original = report_tables._compute
        monkeypatch.setattr(
            report_tables, "_compute", lambda *a: (_ for _ in ()).throw(RuntimeError("gone"))
        )
        with django_capture_on_commit_callbacks(execute=True):
            assert client.get(url).context["tables"]["participation"].totals["submitted"] == 3
        monkeypatch.setattr(report_tables, "_compute", original)
        # The lock was released: the next view has them computed again.
        with django_capture_on_commit_callbacks(execute=True):
            assert client.get(url).context["tables"]["participation"].totals["submitted"] == 3
        assert client.get(url).context["tables"]["participation"].totals["submitted"] == 4
    assert figures_cache.REFRESH_LOCK_SECONDS >= 60


def test_stale_figures_are_computed_again_by_a_task_enqueued_after_commit(
    client, national, campaign, borda_example, monkeypatch, django_capture_on_commit_callbacks
):
    from reports import tasks

    enqueued = []
    monkeypatch.setattr(tasks.refresh_figures, "delay", lambda **task: enqueued.append(task))
    client.force_login(national)
    url = "/en/reports/provinces/25/"
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        client.get(url)
        traveller.shift(datetime.timedelta(minutes=3))
        with django_capture_on_commit_callbacks() as callbacks:
            client.get(url)
        assert enqueued == []  # nothing before the commit
        for callback in callbacks:
            callback()
        [task] = enqueued
        # What a worker receives is plain JSON: the kind of figures and their parameters.
        assert json.loads(json.dumps(task)) == task
        assert (task["kind"], task["language"], task["params"]["measure"]) == (
            "report",
            "en",
            "participation",
        )
        submit(NGOFactory(province=Province.objects.get(plate=25)), campaign, [P, Q, R, S, T])
        tasks.refresh_figures.apply(kwargs=task)  # as a worker runs it
        assert client.get(url).context["tables"]["participation"].totals["submitted"] == 4


def test_htmx_request_gets_only_the_report_fragment(client, national, campaign, borda_example):
    client.force_login(national)
    response = client.get("/en/reports/subregions/14/", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="report"')
    assert "<html" not in html


# --- Map and charts --------------------------------------------------------------------------


def test_a_zoomed_map_links_only_the_provinces_in_view(
    client, national, campaign, participation_data
):
    """A national coordinator may open every province, but on a sub-region's map the others
    are out of view: no link there takes the keyboard's focus."""
    client.force_login(national)

    def linked(url):
        html = client.get(url).content.decode()
        svg = re.search(r'<svg class="report-map".*?</svg>', html, re.S).group(0)
        return re.findall(r'<a href="[^"]*"><title>([^:<]*):', svg)

    assert set(linked("/en/reports/subregions/14/")) == {
        "Ağrı",
        "Ardahan",
        "Erzincan",
        "Erzurum",
        "Iğdır",
        "Kars",
    }
    assert len(linked("/en/reports/")) == 81


def test_map_has_81_provinces_and_greys_those_outside_the_scope(
    client, regional, campaign, participation_data
):
    client.force_login(regional)
    html = client.get("/en/reports/subregions/14/").content.decode()
    svg = re.search(r'<svg class="report-map".*?</svg>', html, re.S).group(0)
    assert len(re.findall(r"<path ", svg)) == 81
    erzurum = re.search(r'<a href="([^"]*)"><title>Erzurum: 75.0 %</title><path[^>]*>', svg)
    assert erzurum.group(1) == "/en/reports/provinces/25/?campaign=k2025&amp;measure=participation"
    assert f'fill="{charts.PALETTE[3]}"' in erzurum.group(0)  # 60–<80 %: the fourth class
    assert "<title>Kars: 0.0 %</title>" in svg
    assert "<title>Ağrı: no data</title>" in svg
    # İstanbul is outside the regional coordinator's scope: grey, without its value or a link.
    istanbul = re.search(r"<g><title>İstanbul: ([^<]*)</title><path[^>]*>", svg)
    assert istanbul.group(1) == "outside the scope of this report"
    assert 'fill="#d9d9d9"' in istanbul.group(0)
    # The data table beside the map has the same values.
    table = client.get("/en/reports/subregions/14/").context["tables"]["map"]
    assert {r["name"]: r["value"] for r in table.rows} == {
        "Ağrı": None,
        "Ardahan": None,
        "Erzincan": None,
        "Erzurum": 0.75,
        "Iğdır": None,
        "Kars": 0.0,
    }


def test_national_map_links_every_province_for_national_coordinators(
    client, national, campaign, participation_data
):
    client.force_login(national)
    html = client.get("/en/reports/", {"measure": "borda_leader_share"}).content.decode()
    svg = re.search(r'<svg class="report-map".*?</svg>', html, re.S).group(0)
    assert len(re.findall(r'<a href="/en/reports/provinces/\d+/', svg)) == 81
    # Erzurum's leader P has 13 of the province's 45 Borda points.
    assert "<title>Erzurum: 28.9 % (Project grants and financial support)</title>" in svg
    assert "Leading category" in html


def test_map_of_overdue_cases(client, national, campaign, cases):
    client.force_login(national)
    with time_machine.travel(NOW, tick=False):
        response = client.get("/en/reports/subregions/14/", {"measure": "overdue"})
    values = {r["name"]: r["value"] for r in response.context["tables"]["map"].rows}
    assert values["Erzurum"] == 2
    assert values["Kars"] == 0
    assert values["Ağrı"] == 0


def test_charts_are_accessible_svg_with_their_data_tables(client, national, participation_data):
    client.force_login(national)
    html = client.get("/en/reports/subregions/14/").content.decode()
    for chart_id, table_id in [
        ("chart-top-five", "table-top-five"),
        ("chart-participation", "table-participation"),
    ]:
        svg = re.search(rf'<svg class="report-chart"[^>]*{chart_id}.*?</svg>', html, re.S).group(0)
        assert 'role="img"' in svg
        assert f'<title id="{chart_id}-title">' in svg
        assert f'<desc id="{chart_id}-desc">' in svg
        assert f'id="{table_id}"' in html[html.index(svg) :]
    # Values are written beside the bars, not left to colour.
    assert "13 points" in html
    assert "75.0 % (3 of 4)" in html
    assert '<th scope="col"' in html
    assert "<caption" in html


def test_print_page_has_the_header_and_every_section(client, national, participation_data):
    client.force_login(national)
    response = client.get("/en/reports/print/", {"scope": "subregion:14", "hazard": "flood"})
    html = response.content.decode()
    assert "Report: Sub-region 14 Erzurum-Kars" in html
    assert "2025 Beş Beklenti Anketi" in html
    assert "Hazard: Flood" in html
    assert html.count("print-page-break") >= 4
    assert '<form method="get" class="filters' not in html
    assert "Download “" not in html
    assert 'class="report-map"' in html


# --- Queries ---------------------------------------------------------------------------------


def _data_of_size(campaign, size):
    """``size`` verified NGOs in Erzurum, each submitting five items to Erzurum Büyükşehir,
    two of them answered; one NGO in Kars."""
    erzurum = Province.objects.get(plate=25)
    for index in range(size):
        submission = submit(NGOFactory(province=erzurum), campaign, [P, Q, R, S, T])
        Expectation.objects.filter(submission=submission, rank__lte=2).update(
            first_answered_at=NOW - datetime.timedelta(days=1)
        )
        if index == 0:
            NGOFactory(province=Province.objects.get(plate=36))


# The reports cache (a database table here): the read, then the write of the computed figures
# (savepoint, cull count, key check, insert, release).
CACHE = 1 + 5
# The latest reminder of each municipality of the overdue list (not cached: it changes).
REMINDERS = 1


def _count_queries(client, url):
    # As with a worker: the copy of the cases is current (rebuilt every minute by the worker,
    # not while the coordinator waits), the figures are not cached.
    facts.rebuild_all()
    caches["reports"].clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # session, user, roles (3), form choices (3), notifications: 9 on every page; then the
        # figures: the copy of the cases checked; the Borda points by sub-region (the top five,
        # the sub-regions' and the hazard shares) and the categories' names; examples (2) and
        # the names again for the sub-regions' top fives; places; participation by province
        # (3: NGOs, submissions, provinces; the sub-regions' and the map's are sums of it);
        # capabilities; the stored medians, the responsiveness counts by municipality and
        # their places (the sub-regions' and the total are sums); protocols in force; the
        # provinces.
        ("/en/reports/", 9 + 16 + CACHE + REMINDERS),
        # The sub-region (1); no grid of sub-regions, so the names are read once.
        ("/en/reports/subregions/14/", 9 + 1 + 15 + CACHE + REMINDERS),
        # The province (1); likewise.
        ("/en/reports/provinces/25/", 9 + 1 + 15 + CACHE + REMINDERS),
        # The other campaign: its copy checked with this one's, its Borda points and names,
        # its participation (3); the map's answered share is summed from the counts.
        ("/en/reports/?compare=k2024&measure=answered_share", 9 + 16 + 5 + CACHE + REMINDERS),
    ],
)
def test_report_query_count_does_not_grow_with_data(
    client, national, campaign, url, expected, settings
):
    settings.REPORT_FACTS_MAX_AGE = 3600
    campaign_opened(code="k2024", title="2024 Anketi", days_ago=400)
    client.force_login(national)
    _data_of_size(campaign, 1)
    small = _count_queries(client, url)
    _data_of_size(campaign, 6)
    large = _count_queries(client, url)
    assert small == large == expected


def test_export_query_count_does_not_grow_with_data(client, national, campaign, settings):
    settings.REPORT_FACTS_MAX_AGE = 3600
    client.force_login(national)
    url = "/en/reports/export/responsiveness-municipalities.csv?scope=subregion:14"
    _data_of_size(campaign, 1)
    small = _count_queries(client, url)
    _data_of_size(campaign, 6)
    large = _count_queries(client, url)
    assert small == large


# --- Computing ahead: manage.py warm_reports ----------------------------------------------------


def test_warm_reports_computes_the_nation_and_every_subregion_in_both_languages(
    client, national, campaign, borda_example
):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("warm_reports", stdout=out)
    assert "Computed 36 report pages of “2025 Beş Beklenti Anketi” (2 languages)" in out.getvalue()
    client.force_login(national)
    submit(NGOFactory(province=Province.objects.get(plate=25)), campaign, [P, Q, R, S, T])
    for url in ("/en/reports/", "/reports/", "/en/reports/subregions/14/"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        # Nothing computed while the coordinator waits: the figures computed ahead (3 submitted).
        assert response.context["tables"]["participation"].totals["submitted"] == 3, url
        assert len(queries) <= 9 + 1 + 1 + REMINDERS, url
    client.logout()
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("reports:statistics"))
    assert len(queries) == 2  # the campaign list and the figures computed ahead


def test_warm_reports_says_when_there_is_nothing_to_compute(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="No survey campaign has opened yet"):
        call_command("warm_reports")
    campaign_opened()
    with pytest.raises(CommandError, match="No such campaign that has opened: k1999"):
        call_command("warm_reports", "--campaign", "k1999")


def test_municipality_rows_link_exactly_as_reverse_would():
    from reports.services.tables import _municipality_rows

    rows = [{"slug": "erzurum-bb", "name": "Erzurum BB"}, {"slug": "0-slug-00-a", "name": "X"}]

    linked = _municipality_rows(rows)

    assert [row["_href"] for row in linked] == [
        reverse("municipalities:detail", kwargs={"slug": row["slug"]}) for row in rows
    ]
