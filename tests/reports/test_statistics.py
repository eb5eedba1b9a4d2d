"""The public statistics page: exact participation figures, the top five, groups under five
hidden, no names or free text, the campaign selector, caching and a fixed number of queries."""

import datetime
import itertools
import re

import pytest
import time_machine
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from municipalities.models import Province
from ngos.models import NGO
from reports.services import facts
from reports.services.statistics import MIN_GROUP, suppressed
from surveys.models import Category, Submission
from tests.factories import NGOFactory
from tests.surveys.factories import CampaignFactory, ExpectationFactory, SubmissionFactory

pytestmark = pytest.mark.django_db
URL = reverse("reports:statistics")
with translation.override("en"):
    EN_URL = reverse("reports:statistics")

# Every test NGO ranks these five categories in this order.
CODES = ["AFET-DEP-HAZ", "DESTEK-HIBE", "MEKAN-SALON", "SOSYAL-GOC", "EGITIM-KURS"]
_receipts = itertools.count(1)


@pytest.fixture(autouse=True)
def _empty_cache(db):
    caches["reports"].clear()
    yield
    caches["reports"].clear()


def make_ngos(plate, count, **fields):
    province = Province.objects.get(plate=plate)
    return [NGOFactory(province=province, **fields) for _ in range(count)]


def submit(ngo, campaign, *, codes=CODES, title=None):
    """A submitted submission of the NGO ranking the categories ``codes`` in order."""
    submission = SubmissionFactory(
        ngo=ngo,
        campaign=campaign,
        status=Submission.Status.SUBMITTED,
        receipt_number=f"STAT-{next(_receipts):06d}",
        submitted_at=timezone.now(),
    )
    for rank, code in enumerate(codes, start=1):
        ExpectationFactory(
            submission=submission,
            rank=rank,
            category=Category.objects.get(code=code),
            **({"title": title} if title and rank == 1 else {}),
        )
    return submission


def verified_and_submitted(campaign, counts):
    """{plate: (verified NGOs, of which submitted)}."""
    for plate, (verified, submitted) in counts.items():
        for ngo in make_ngos(plate, verified)[:submitted]:
            submit(ngo, campaign)


@pytest.fixture
def campaign(db):
    return CampaignFactory(code="k2025", title="2025 Beş Beklenti Anketi")


@pytest.fixture
def known_data(campaign):
    """Erzurum-Kars: 6 verified NGOs (3 in Erzurum, 3 in Kars), 3 submitted, 1 draft, plus a
    pending NGO that submitted (not counted); İstanbul: 5 verified, all submitted;
    Ankara-Eskişehir: 4 verified, 2 submitted; Dicle: 1 verified, none submitted. Nationally 16
    verified NGOs, 10 submitted. Ankara-Eskişehir and Dicle are hidden (under five each) and
    pooled are five NGOs, so no other sub-region has to be hidden to cover them."""
    erzurum_kars = make_ngos(25, 3) + make_ngos(36, 3)
    for ngo in erzurum_kars[:3]:
        submit(ngo, campaign)
    SubmissionFactory(ngo=erzurum_kars[3], campaign=campaign)  # a draft
    submit(make_ngos(25, 1, status=NGO.Status.PENDING)[0], campaign)
    for ngo in make_ngos(34, 5):
        submit(ngo, campaign)
    for ngo in make_ngos(6, 4)[:2]:
        submit(ngo, campaign)
    make_ngos(21, 1)
    return campaign


def figures_of(response):
    figures = response.context["figures"]
    return figures["national"], {row["code"]: row for row in figures["subregions"]}


def row_html(html, name):
    """The cells after a sub-region's name in the participation table."""
    match = re.search(
        rf'<th scope="row" class="fw-normal">{re.escape(name)}</th>(.*?)</tr>', html, re.S
    )
    assert match, name
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(1))).strip()


def test_statistics_participation_exact_numbers(client, known_data):
    response = client.get(EN_URL)
    national, subregions = figures_of(response)
    assert (national["ngos"], national["submitted"]) == (16, 10)
    assert national["percent"] == pytest.approx(62.5)
    assert (subregions["14"]["ngos"], subregions["14"]["submitted"]) == (6, 3)
    assert subregions["14"]["percent"] == 50
    assert (subregions["01"]["ngos"], subregions["01"]["submitted"]) == (5, 5)
    assert len(subregions) == 17
    html = response.content.decode()
    assert row_html(html, "Erzurum-Kars") == "6 3 50.0%"
    assert row_html(html, "İstanbul") == "5 5 100.0%"
    assert "62.5%" in html


def test_statistics_numbers_are_formatted_for_turkish_at_the_root(client, known_data):
    html = client.get(URL).content.decode()
    assert row_html(html, "Erzurum-Kars") == "6 3 %50,0"
    assert "%62,5" in html
    assert "62.5" not in html


def test_statistics_top_five_scores_and_mentions(client, known_data):
    response = client.get(EN_URL)
    national, subregions = figures_of(response)
    # Ten verified NGOs ranked the same five categories: 5, 4, 3, 2, 1 points each.
    assert [(c["code"], c["score"], c["mentions"]) for c in national["top"]] == [
        (CODES[0], 50, 10),
        (CODES[1], 40, 10),
        (CODES[2], 30, 10),
        (CODES[3], 20, 10),
        (CODES[4], 10, 10),
    ]
    assert [c["score"] for c in subregions["01"]["top"]] == [25, 20, 15, 10, 5]
    html = response.content.decode()
    assert Category.objects.get(code=CODES[0]).name_en in html
    assert Category.objects.get(code=CODES[0]).name not in html


def test_statistics_top_five_in_turkish_at_the_root(client, known_data):
    html = client.get(URL).content.decode()
    assert Category.objects.get(code=CODES[0]).name in html


def test_statistics_hides_groups_under_five(client, known_data):
    response = client.get(EN_URL)
    _national, subregions = figures_of(response)
    html = response.content.decode()
    # Ankara-Eskişehir has 4 verified NGOs: no figure leaves the server.
    ankara = subregions["08"]
    assert not ankara["shown"] and not ankara["top_shown"]
    assert (ankara["ngos"], ankara["submitted"], ankara["percent"], ankara["top"]) == (
        None,
        None,
        None,
        [],
    )
    assert row_html(html, "Ankara-Eskişehir") == "not shown"
    # İstanbul has exactly 5, all submitted: shown, with its top five.
    assert row_html(html, "İstanbul") == "5 5 100.0%"
    assert subregions["01"]["top_shown"]
    # Erzurum-Kars: 6 NGOs (participation shown) but only 3 submitted (top five hidden).
    assert subregions["14"]["shown"] and not subregions["14"]["top_shown"]
    assert subregions["14"]["top"] == []
    section = html.split('id="top-14"')[1].split("</section>")[0]
    assert "not shown" in section
    assert "Borda" not in section
    # Sub-regions without NGOs are hidden the same way (0 and 1–4 look alike, and like a
    # sub-region hidden to cover another).
    assert row_html(html, "Dicle") == "not shown"


def test_statistics_hides_a_second_subregion_so_the_hidden_one_cannot_be_subtracted(
    client, campaign
):
    # Ankara-Eskişehir alone is under five: the national figure minus the shown sub-regions
    # would give its figures exactly. The smallest shown sub-region (İstanbul, 5) is hidden too.
    verified_and_submitted(campaign, {25: (6, 4), 34: (5, 5), 6: (3, 2)})
    response = client.get(EN_URL)
    national, subregions = figures_of(response)
    assert (national["ngos"], national["submitted"]) == (14, 11)
    shown = {code: row for code, row in subregions.items() if row["shown"]}
    assert list(shown) == ["14"]
    assert (shown["14"]["ngos"], shown["14"]["submitted"]) == (6, 4)
    assert not subregions["01"]["shown"] and subregions["01"]["ngos"] is None
    assert not subregions["01"]["top_shown"] and subregions["01"]["top"] == []
    # What subtraction gives (8 NGOs, 7 submitted) is Ankara-Eskişehir and İstanbul together.
    html = response.content.decode()
    assert row_html(html, "İstanbul") == "not shown"
    assert row_html(html, "Erzurum-Kars") == "6 4 66.7%"
    assert "Borda" not in html.split('id="top-01"')[1].split("</section>")[0]


def test_statistics_hides_a_second_top_five_when_one_alone_is_hidden(client, campaign):
    # Participation is shown everywhere (6, 5 and 7 NGOs), but only 3 Erzurum-Kars NGOs
    # submitted: its top five is hidden, and with it the smallest other one (İstanbul, 5).
    verified_and_submitted(campaign, {25: (6, 3), 34: (5, 5), 6: (7, 6)})
    national, subregions = figures_of(client.get(EN_URL))
    assert all(subregions[code]["shown"] for code in ("14", "01", "08"))
    assert [code for code, row in subregions.items() if row["top_shown"]] == ["08"]
    assert national["top_shown"] and national["top"][0]["score"] == 14 * 5


def test_statistics_hides_the_nation_under_five(client, campaign):
    for ngo in make_ngos(25, 4):
        submit(ngo, campaign)
    response = client.get(EN_URL)
    national, subregions = figures_of(response)
    assert not national["shown"] and national["ngos"] is None and national["top"] == []
    html = response.content.decode()
    assert "Whole country: fewer than 5 NGOs — not shown." in html
    assert "Borda score</th>" not in html


def test_statistics_show_no_names_or_titles(client, campaign):
    ngos = make_ngos(34, 6)
    ngos[0].name = "Kadıköy Gönüllüleri Derneği"
    ngos[0].save()
    for ngo in ngos:
        submit(ngo, campaign, title="Gizli başlık: mahalle afet deposu")
    for url in (URL, EN_URL):
        html = client.get(url).content.decode()
        assert "Kadıköy Gönüllüleri" not in html
        assert "Gizli başlık" not in html
        assert "Mahallemizde afet toplanma" not in html  # the description
        assert "STAT-" not in html  # receipt numbers


def test_statistics_page_is_public(client, known_data):
    response = client.get(EN_URL)
    assert response.status_code == 200
    assert response.context["campaign"] == known_data
    assert '<h1 class="h3">Public statistics</h1>' in response.content.decode()


def test_statistics_chart_has_a_bar_per_shown_subregion_and_the_table(client, known_data):
    html = client.get(EN_URL).content.decode()
    svg = html.split("<svg")[1].split("</svg>")[0]
    assert "<title" in svg and "<desc" in svg
    assert svg.count("<rect") == 2  # Erzurum-Kars and İstanbul
    assert 'width="31.0%"' in svg  # 50% of the longest bar, 62% of the width
    assert svg.count(">not shown</text>") == 15
    assert "<caption>Participation by sub-region" in html


def test_statistics_campaign_selector_defaults_to_latest_opened(client, known_data):
    now = timezone.now()
    older = CampaignFactory(
        code="k2024",
        title="2024 Beş Beklenti Anketi",
        opens_at=now - datetime.timedelta(days=400),
        closes_at=now - datetime.timedelta(days=300),
    )
    scheduled = CampaignFactory(
        code="k2026",
        title="2026 Beş Beklenti Anketi",
        opens_at=now + datetime.timedelta(days=10),
        closes_at=now + datetime.timedelta(days=40),
    )
    response = client.get(EN_URL)
    assert response.context["campaign"] == known_data
    choices = [code for code, _title in response.context["form"].fields["campaign"].choices]
    assert choices == ["k2025", "k2024"]
    assert scheduled.title not in response.content.decode()

    response = client.get(EN_URL, {"campaign": "k2024"})
    assert response.context["campaign"] == older
    national, _subregions = figures_of(response)
    assert national["shown"] and (national["ngos"], national["submitted"]) == (16, 0)
    assert client.get(EN_URL, {"campaign": "k2026"}).status_code == 404
    assert client.get(EN_URL, {"campaign": "no-such"}).status_code == 404


def test_statistics_regional_campaign_lists_only_its_subregions(client):
    from municipalities.models import SubRegion

    campaign = CampaignFactory(subregions=[SubRegion.objects.get(code="14")])
    for ngo in make_ngos(25, 5):
        submit(ngo, campaign)
    make_ngos(34, 5)  # outside the campaign: not counted
    national, subregions = figures_of(client.get(EN_URL))
    assert list(subregions) == ["14"]
    assert (national["ngos"], national["submitted"]) == (5, 5)


def test_statistics_without_an_opened_campaign(client):
    CampaignFactory(
        opens_at=timezone.now() + datetime.timedelta(days=1),
        closes_at=timezone.now() + datetime.timedelta(days=30),
    )
    response = client.get(EN_URL)
    assert response.context["campaign"] is None
    assert "No survey campaign has opened yet" in response.content.decode()


def test_statistics_htmx_request_gets_only_the_figures(client, known_data):
    response = client.get(EN_URL, {"campaign": "k2025"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="figures"')
    assert "<html" not in html
    assert "6 3 50.0%" in row_html(html, "Erzurum-Kars")


def test_statistics_figures_are_cached_for_five_minutes(
    client, campaign, django_capture_on_commit_callbacks
):
    # Tomorrow 09:30 UTC, 12:30 in Türkiye (the campaign is open then).
    moment = (timezone.now() + datetime.timedelta(days=1)).replace(
        hour=9, minute=30, second=0, microsecond=0
    )
    day = f"{moment.day} {moment:%B %Y}"
    with time_machine.travel(moment, tick=False) as traveller:
        for ngo in make_ngos(34, 5):
            submit(ngo, campaign)
        national, _subregions = figures_of(client.get(EN_URL))
        assert national["submitted"] == 5
        submit(make_ngos(34, 1)[0], campaign)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(EN_URL)
        national, _subregions = figures_of(response)
        assert national["submitted"] == 5  # still the cached figures
        assert len(queries) == 2  # the campaign list and the cached figures
        assert f"Figures as of {day}, 12:30 (Türkiye time)." in response.content.decode()
        # Older than five minutes: served once more while they are computed again.
        traveller.shift(datetime.timedelta(minutes=5, seconds=1))
        with django_capture_on_commit_callbacks(execute=True):
            national, _subregions = figures_of(client.get(EN_URL))
        assert national["submitted"] == 5
        response = client.get(EN_URL)
        national, _subregions = figures_of(response)
        assert (national["ngos"], national["submitted"]) == (6, 6)
        assert f"Figures as of {day}, 12:35 (Türkiye time)." in response.content.decode()


def count_queries(client):
    # As with a worker: the copy of the cases is current, the figures are not cached.
    facts.rebuild_all()
    caches["reports"].clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(EN_URL)
    return len(queries), figures_of(response)[0]


def test_statistics_query_count_does_not_grow_with_data(client, campaign, settings):
    settings.REPORT_FACTS_MAX_AGE = 3600
    submit(make_ngos(25, 1)[0], campaign)
    small, small_national = count_queries(client)
    for plate in (25, 36, 34, 6, 35, 21):
        for ngo in make_ngos(plate, 6):
            submit(ngo, campaign)
    large, large_national = count_queries(client)
    assert small_national["ngos"] is None and large_national["ngos"] == 37
    # Campaigns; the figures cache read; the copy of the cases checked, sub-regions,
    # participation (3: NGOs, submissions, provinces), the Borda points by sub-region and the
    # categories' names for the national and for the sub-regional top fives; the cache write
    # (savepoint, cull count, key check, insert, release).
    assert small == large == 1 + 1 + 8 + 5


def test_home_page_links_to_the_statistics(client):
    with translation.override("tr"):
        home = reverse("home")
    html = client.get(home).content.decode()
    assert f'href="{URL}"' in html


# --- The suppression rule itself -------------------------------------------------------------


def test_suppression_covers_a_lone_small_group_with_the_smallest_other():
    assert suppressed({"a": 3, "b": 9, "c": 5, "d": 40}) == {"a", "c"}


def test_suppression_needs_nothing_more_when_the_small_groups_pool_to_five():
    assert suppressed({"a": 3, "b": 2, "c": 0, "d": 9}) == {"a", "b", "c"}


def test_suppression_adds_groups_until_the_pool_reaches_five():
    # 1 + 1 pooled is still two NGOs: the smallest shown group joins them.
    assert suppressed({"a": 1, "b": 1, "c": 7, "d": 6}) == {"a", "b", "d"}


def test_suppression_leaves_empty_groups_alone():
    assert suppressed({"a": 0, "b": 0, "c": 5, "d": 6}) == {"a", "b"}


def test_suppression_keeps_what_the_caller_already_hides():
    assert suppressed({"a": 8, "b": 9, "c": 7}, hidden={"c"}) == {"c", "a"}


@given(
    st.dictionaries(
        st.sampled_from([f"{n:02d}" for n in range(1, 18)]),
        st.integers(min_value=0, max_value=40),
        min_size=1,
    )
)
def test_suppression_never_lets_subtraction_reveal_a_small_group(sizes):
    hidden = suppressed(sizes)
    assert {key for key, size in sizes.items() if size < MIN_GROUP} <= hidden
    occupied = [key for key in hidden if sizes[key] > 0]
    if occupied and len(hidden) < len(sizes):
        # Shown groups remain: the pool that subtraction reveals is at least five NGOs of at
        # least two groups.
        assert len(occupied) >= 2 and sum(sizes[key] for key in occupied) >= MIN_GROUP
    # And no group is hidden without need: dropping the largest hidden group of at least five
    # would reveal something.
    extra = [key for key in hidden if sizes[key] >= MIN_GROUP]
    if extra:
        largest = max(extra, key=lambda key: (sizes[key], key))
        rest = [key for key in occupied if key != largest]
        assert rest and (len(rest) < 2 or sum(sizes[key] for key in rest) < MIN_GROUP)
