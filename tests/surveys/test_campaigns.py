"""Survey campaigns: state from the clock, create/edit/close by national coordinators, the
coordinators' progress figures, the public list and page, and the printable blank form."""

import datetime

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from municipalities.models import Municipality, Province, SubRegion
from ngos.models import NGO
from surveys.models import (
    Campaign,
    CampaignState,
    Category,
    Expectation,
    Submission,
    SubmissionRevision,
)
from tests.factories import (
    CoordinatorAssignmentFactory,
    MembershipFactory,
    MunicipalStaffFactory,
    NGOFactory,
    UserFactory,
)
from tests.helpers import en

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
OPENS = datetime.datetime(2025, 5, 12, 7, 0, tzinfo=UTC)  # 10:00 in Türkiye
CLOSES = datetime.datetime(2025, 6, 12, 18, 0, tzinfo=UTC)  # 21:00 in Türkiye
DURING = datetime.datetime(2025, 5, 20, 9, 0, tzinfo=UTC)


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def make_campaign(code="anket-2025", *, subregions=None, categories=None, **fields):
    """A national campaign open from 12 May to 12 June 2025 (or limited to ``subregions``)."""
    values = {
        "title": "2025 Beş Beklenti Anketi",
        "instructions": "Beş beklentinizi sıralayın.\n\nHer biri bir belediyeye.",
        "opens_at": OPENS,
        "closes_at": CLOSES,
        "is_national": not subregions,
    }
    values.update(fields)
    campaign = Campaign.objects.create(code=code, **values)
    campaign.categories.set(
        categories if categories is not None else Category.objects.filter(is_active=True)
    )
    if subregions:
        campaign.subregions.set(subregions)
    return campaign


def subregion(code):
    return SubRegion.objects.get(code=code)


def national_coordinator():
    return CoordinatorAssignmentFactory(subregion=None).user


def regional_coordinator(code="14"):
    return CoordinatorAssignmentFactory(subregion=subregion(code)).user


def member_of(*ngos):
    user = UserFactory()
    for ngo in ngos:
        MembershipFactory(user=user, ngo=ngo)
    return user


def ngo_in(plate, **fields):
    return NGOFactory(province=Province.objects.get(plate=plate), **fields)


def submission_of(ngo, campaign, *, submitted=False, at=DURING, entered_by=None):
    """A draft, or a submitted answer with its receipt (written directly: the editor is tested
    elsewhere)."""
    submission = Submission.objects.create(campaign=campaign, ngo=ngo, entered_by=entered_by)
    if submitted:
        submission.status = Submission.Status.SUBMITTED
        submission.submitted_at = at
        submission.receipt_number = f"{campaign.code.upper()}-{submission.pk:06d}"
        submission.save()
    return submission


def form_data(**overrides):
    """A valid campaign form as the browser posts it (times typed in Türkiye time)."""
    data = {
        "title": "2026 Beş Beklenti Anketi",
        "code": "2026",
        "instructions": "Derneğinizin beş beklentisini sıralayın.",
        "is_national": "on",
        "opens_at": "2025-05-12T10:00",
        "closes_at": "2025-06-12T21:00",
        "categories": [
            str(pk)
            for pk in Category.objects.filter(code__startswith="AFET").values_list("pk", flat=True)
        ],
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


# --- State from the clock -----------------------------------------------------------------------


def test_campaign_state_follows_the_clock(client):
    campaign = make_campaign()
    url = en("surveys:campaign_detail", campaign.code)
    assert campaign.state_at(OPENS - datetime.timedelta(minutes=1)) == CampaignState.SCHEDULED
    assert campaign.state_at(OPENS) == CampaignState.OPEN
    assert campaign.state_at(CLOSES - datetime.timedelta(seconds=1)) == CampaignState.OPEN
    assert campaign.state_at(CLOSES) == CampaignState.CLOSED
    client.force_login(national_coordinator())
    with time_machine.travel(DURING, tick=False):
        assert ">Open</span>" in client.get(url).content.decode()
    with time_machine.travel(CLOSES + datetime.timedelta(days=1), tick=False):
        assert ">Closed</span>" in client.get(url).content.decode()
    with time_machine.travel(OPENS - datetime.timedelta(days=1), tick=False):
        assert ">Scheduled</span>" in client.get(url).content.decode()


def test_campaign_closed_early_is_closed_before_its_closing_time():
    campaign = make_campaign(closed_early_at=DURING)
    assert campaign.state_at(DURING + datetime.timedelta(hours=1)) == CampaignState.CLOSED
    with time_machine.travel(DURING + datetime.timedelta(hours=1), tick=False):
        assert not campaign.is_open
        assert list(Campaign.objects.open_at()) == []


# --- Create and edit ----------------------------------------------------------------------------


def test_create_by_national_coordinator_reads_times_in_turkiye_time(client):
    coordinator = national_coordinator()
    client.force_login(coordinator)
    form_page = client.get(en("surveys:campaign_create")).content.decode()
    assert 'type="datetime-local"' in form_page
    response = client.post(en("surveys:campaign_create"), form_data())
    campaign = Campaign.objects.get(code="2026")
    assert response["Location"] == en("surveys:campaign_detail", "2026")
    assert campaign.opens_at == datetime.datetime(2025, 5, 12, 7, 0, tzinfo=UTC)
    assert campaign.closes_at == datetime.datetime(2025, 6, 12, 18, 0, tzinfo=UTC)
    assert campaign.title == "2026 Beş Beklenti Anketi"
    assert campaign.is_national
    assert campaign.created_by == coordinator
    assert set(campaign.categories.values_list("code", flat=True)) == set(
        Category.objects.filter(code__startswith="AFET").values_list("code", flat=True)
    )
    assert texts(response) == ["The campaign “2026 Beş Beklenti Anketi” has been created."]
    detail = client.get(response["Location"]).content.decode()
    assert "12 May 2025, 10:00" in detail
    assert "12 June 2025, 21:00" in detail


def test_create_limited_campaign_keeps_its_subregions(client):
    client.force_login(national_coordinator())
    erzurum_kars, istanbul = subregion("14"), subregion("01")
    client.post(
        en("surveys:campaign_create"),
        form_data(is_national=None, subregions=[str(erzurum_kars.pk), str(istanbul.pk)]),
    )
    campaign = Campaign.objects.get(code="2026")
    assert not campaign.is_national
    assert set(campaign.subregions.all()) == {erzurum_kars, istanbul}


def test_edit_shows_turkiye_time_and_saves_changes(client):
    campaign = make_campaign(subregions=[subregion("14")])
    client.force_login(national_coordinator())
    url = en("surveys:campaign_edit", campaign.code)
    page = client.get(url).content.decode()
    assert 'value="2025-05-12T10:00"' in page
    assert 'value="2025-06-12T21:00"' in page
    response = client.post(
        url,
        form_data(
            title="2025 Beklenti Anketi (uzatıldı)",
            code=campaign.code,
            closes_at="2025-06-30T23:59",
        ),
    )
    campaign.refresh_from_db()
    assert response["Location"] == en("surveys:campaign_detail", campaign.code)
    assert campaign.title == "2025 Beklenti Anketi (uzatıldı)"
    assert campaign.closes_at == datetime.datetime(2025, 6, 30, 20, 59, tzinfo=UTC)
    # Made national: the sub-regions are cleared.
    assert campaign.is_national and not campaign.subregions.exists()
    assert texts(response) == ["The campaign “2025 Beklenti Anketi (uzatıldı)” has been saved."]


def test_create_with_closing_before_opening_keeps_what_was_typed(client):
    client.force_login(national_coordinator())
    response = client.post(
        en("surveys:campaign_create"),
        form_data(title="Yazılan başlık", closes_at="2025-05-01T09:00"),
    )
    html = response.content.decode()
    assert not Campaign.objects.filter(code="2026").exists()
    assert "The campaign must close after it opens." in html
    assert 'value="Yazılan başlık"' in html
    assert 'value="2025-05-01T09:00"' in html
    assert 'value="2025-05-12T10:00"' in html


def test_limited_campaign_without_subregions_is_refused(client):
    client.force_login(national_coordinator())
    response = client.post(en("surveys:campaign_create"), form_data(is_national=None))
    assert not Campaign.objects.filter(code="2026").exists()
    assert "Choose the sub-regions, or make the campaign national." in response.content.decode()
    assert 'value="2026 Beş Beklenti Anketi"' in response.content.decode()


def test_invalid_edit_keeps_the_saved_title_around_the_form(client):
    campaign = make_campaign()
    client.force_login(national_coordinator())
    response = client.post(
        en("surveys:campaign_edit", campaign.code), form_data(title="", code="not a slug!")
    )
    html = response.content.decode()
    campaign.refresh_from_db()
    assert campaign.title == "2025 Beş Beklenti Anketi" and campaign.code == "anket-2025"
    assert f'href="{en("surveys:campaign_detail", "anket-2025")}"' in html
    assert 'value="not a slug!"' in html


# --- Who may manage campaigns -------------------------------------------------------------------


def _municipal_staff():
    return MunicipalStaffFactory().user


@pytest.mark.parametrize(
    "make_user",
    [
        pytest.param(regional_coordinator, id="regional-coordinator"),
        pytest.param(lambda: member_of(NGOFactory()), id="ngo-member"),
        pytest.param(_municipal_staff, id="municipal-staff"),
    ],
)
def test_managing_campaigns_is_forbidden_to_other_roles(client, make_user):
    campaign = make_campaign()
    client.force_login(make_user())
    with time_machine.travel(DURING, tick=False):
        assert client.get(en("surveys:campaign_create")).status_code == 403
        assert client.post(en("surveys:campaign_create"), form_data()).status_code == 403
        assert client.get(en("surveys:campaign_edit", campaign.code)).status_code == 403
        response = client.post(
            en("surveys:campaign_edit", campaign.code), form_data(code=campaign.code)
        )
        assert response.status_code == 403
        assert client.post(en("surveys:campaign_close", campaign.code)).status_code == 403
        detail = client.get(en("surveys:campaign_detail", campaign.code)).content.decode()
    campaign.refresh_from_db()
    assert campaign.title == "2025 Beş Beklenti Anketi"
    assert campaign.closed_early_at is None
    assert not Campaign.objects.filter(code="2026").exists()
    assert "Close now" not in detail
    assert "Edit the campaign" not in detail


def test_managing_campaigns_sends_anonymous_users_to_log_in(client):
    campaign = make_campaign()
    login = en("account_login")
    for url in (en("surveys:campaign_create"), en("surveys:campaign_edit", campaign.code)):
        assert client.get(url)["Location"] == f"{login}?next={url}"
    close_url = en("surveys:campaign_close", campaign.code)
    assert client.post(close_url)["Location"] == f"{login}?next={close_url}"
    campaign.refresh_from_db()
    assert campaign.closed_early_at is None


def test_site_administrator_may_create_campaigns(client):
    client.force_login(UserFactory(is_staff=True))
    client.post(en("surveys:campaign_create"), form_data())
    assert Campaign.objects.filter(code="2026").exists()


# --- Closing early ------------------------------------------------------------------------------


def test_close_early_sets_the_closing_moment(client):
    campaign = make_campaign()
    client.force_login(national_coordinator())
    with time_machine.travel(DURING, tick=False):
        page = client.get(en("surveys:campaign_detail", campaign.code)).content.decode()
        assert "Close now" in page
        response = client.post(en("surveys:campaign_close", campaign.code))
    campaign.refresh_from_db()
    assert campaign.closed_early_at == DURING
    assert response["Location"] == en("surveys:campaign_detail", campaign.code)
    assert texts(response) == [
        "The campaign “2025 Beş Beklenti Anketi” has been closed; submissions can no longer "
        "be saved."
    ]
    with time_machine.travel(DURING + datetime.timedelta(hours=1), tick=False):
        assert campaign.state == CampaignState.CLOSED
        page = client.get(en("surveys:campaign_detail", campaign.code)).content.decode()
    assert "Close now" not in page
    assert "20 May 2025, 12:00" in page  # closed early, in Türkiye time


def test_closing_a_closed_campaign_says_it_is_already_closed(client):
    campaign = make_campaign(closed_early_at=DURING)
    client.force_login(national_coordinator())
    with time_machine.travel(DURING + datetime.timedelta(days=1), tick=False):
        response = client.post(en("surveys:campaign_close", campaign.code))
    campaign.refresh_from_db()
    assert campaign.closed_early_at == DURING
    assert texts(response) == ["This campaign is already closed."]


def test_closing_a_scheduled_campaign_is_refused(client):
    campaign = make_campaign()
    client.force_login(national_coordinator())
    with time_machine.travel(OPENS - datetime.timedelta(days=1), tick=False):
        response = client.post(en("surveys:campaign_close", campaign.code))
    campaign.refresh_from_db()
    assert campaign.closed_early_at is None
    assert texts(response) == [
        "This campaign has not opened yet: change its dates instead of closing it."
    ]


def test_close_by_get_is_not_allowed(client):
    campaign = make_campaign()
    client.force_login(national_coordinator())
    with time_machine.travel(DURING, tick=False):
        response = client.get(en("surveys:campaign_close", campaign.code))
    campaign.refresh_from_db()
    assert response.status_code == 405
    assert campaign.closed_early_at is None


def test_closing_an_unknown_campaign_is_404(client):
    client.force_login(national_coordinator())
    assert client.post(en("surveys:campaign_close", "yok")).status_code == 404


# --- Progress -----------------------------------------------------------------------------------


def known_progress_data():
    """3 verified NGOs in Erzurum, 1 in Kars, 1 unverified in Erzurum, 2 in İstanbul; one draft
    and two submissions in Erzurum-Kars, one submission in İstanbul; and a submission to
    another campaign that must not be counted."""
    campaign = make_campaign()
    other = make_campaign("eski-anket", opens_at=OPENS - datetime.timedelta(days=400))
    erzurum = [ngo_in(25) for _ in range(3)]
    kars = ngo_in(36)
    unverified = ngo_in(25, status=NGO.Status.PENDING)
    istanbul = [ngo_in(34) for _ in range(2)]
    coordinator = national_coordinator()
    submission_of(erzurum[0], campaign)
    submission_of(erzurum[1], campaign, submitted=True, at=DURING)
    submission_of(kars, campaign, submitted=True, at=DURING + datetime.timedelta(hours=1))
    submission_of(
        istanbul[0],
        campaign,
        submitted=True,
        at=DURING + datetime.timedelta(hours=2),
        entered_by=coordinator,
    )
    submission_of(unverified, campaign)
    submission_of(erzurum[2], other, submitted=True)
    return campaign, coordinator


def rows_of(progress, key):
    return {
        row.name: (row.ngo_count, row.draft_count, row.submitted_count, row.rate)
        for row in progress[key]
    }


def test_progress_figures_are_exact_for_a_national_coordinator(client):
    campaign, coordinator = known_progress_data()
    client.force_login(coordinator)
    response = client.get(en("surveys:campaign_detail", campaign.code))
    progress = response.context["progress"]
    assert progress["totals"] == {"ngos": 6, "drafts": 1, "submitted": 3, "rate": 50}
    rows = rows_of(progress, "rows")
    assert len(rows) == 17
    assert rows["Erzurum-Kars"] == (4, 1, 2, 50)
    assert rows["İstanbul"] == (2, 0, 1, 50)
    assert progress["selected"] is None and progress["provinces"] == []
    assert [s.ngo.province_id for s in progress["recent"]] == [34, 36, 25]
    html = response.content.decode()
    assert "Progress by sub-region" in html
    assert "Entered by" in html


def test_progress_drilldown_shows_the_provinces_of_a_subregion(client):
    campaign, coordinator = known_progress_data()
    client.force_login(coordinator)
    response = client.get(en("surveys:campaign_detail", campaign.code), {"subregion": "14"})
    progress = response.context["progress"]
    assert progress["selected"].code == "14"
    provinces = rows_of(progress, "provinces")
    assert set(provinces) == {"Ağrı", "Ardahan", "Erzincan", "Erzurum", "Iğdır", "Kars"}
    assert provinces["Erzurum"] == (3, 1, 1, 33)
    assert provinces["Kars"] == (1, 0, 1, 100)
    assert provinces["Ağrı"] == (0, 0, 0, None)
    assert [s.ngo.province_id for s in progress["recent"]] == [36, 25]
    assert "Progress by province in Erzurum-Kars" in response.content.decode()


def test_progress_of_a_regional_coordinator_covers_only_their_subregion(client):
    campaign, _ = known_progress_data()
    client.force_login(regional_coordinator("14"))
    url = en("surveys:campaign_detail", campaign.code)
    response = client.get(url)
    progress = response.context["progress"]
    assert progress["totals"] == {"ngos": 4, "drafts": 1, "submitted": 2, "rate": 50}
    assert list(rows_of(progress, "rows")) == ["Erzurum-Kars"]
    assert progress["selected"].code == "14"  # their only sub-region opens by itself
    assert {s.ngo.province_id for s in progress["recent"]} == {25, 36}
    html = response.content.decode()
    assert ">50%<" in html
    assert "İstanbul" not in html
    assert client.get(url, {"subregion": "01"}).status_code == 404
    assert client.get(url, {"subregion": "99"}).status_code == 404


def test_progress_of_a_limited_campaign_counts_only_its_subregions(client):
    campaign, coordinator = known_progress_data()
    campaign.is_national = False
    campaign.save()
    campaign.subregions.set([subregion("01")])
    client.force_login(coordinator)
    url = en("surveys:campaign_detail", campaign.code)
    progress = client.get(url).context["progress"]
    assert progress["totals"] == {"ngos": 2, "drafts": 0, "submitted": 1, "rate": 50}
    assert client.get(url, {"subregion": "14"}).status_code == 404
    # A regional coordinator of Erzurum-Kars sees the campaign but none of its figures.
    client.force_login(regional_coordinator("14"))
    response = client.get(url)
    assert response.context["progress"]["rows"] == []
    assert "None of the sub-regions you coordinate is in this campaign" in (
        response.content.decode()
    )


def test_progress_is_not_shown_to_ngo_members_or_the_public(client):
    campaign, _ = known_progress_data()
    url = en("surveys:campaign_detail", campaign.code)
    with time_machine.travel(DURING, tick=False):
        response = client.get(url, {"subregion": "14"})
        assert response.context["progress"] is None
        assert "Progress by sub-region" not in response.content.decode()
        client.force_login(member_of(NGO.objects.filter(province=25).first()))
        response = client.get(url)
    assert response.context["progress"] is None
    assert "NGOs in scope" not in response.content.decode()


def test_progress_drilldown_by_htmx_returns_only_the_progress_section(client):
    campaign, coordinator = known_progress_data()
    client.force_login(coordinator)
    response = client.get(
        en("surveys:campaign_detail", campaign.code),
        {"subregion": "14"},
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="progress"')
    assert "<html" not in html
    assert "Progress by province in Erzurum-Kars" in html


def detail_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response.context["progress"]["totals"]["submitted"]


def test_progress_page_query_count_does_not_grow_with_submissions(client):
    campaign = make_campaign()
    coordinator = national_coordinator()
    client.force_login(coordinator)
    overview = en("surveys:campaign_detail", campaign.code)
    drilldown = overview + "?subregion=14"
    submission_of(ngo_in(25), campaign, submitted=True, entered_by=coordinator)
    small = detail_queries(client, overview), detail_queries(client, drilldown)
    for plate in (25, 36, 34):
        submission_of(ngo_in(plate), campaign, submitted=True, entered_by=coordinator)
    large = detail_queries(client, overview), detail_queries(client, drilldown)
    assert [submitted for _, submitted in small + large] == [1, 1, 4, 4]
    # session, user, the three role lookups, campaign, its sub-regions, sub-region figures,
    # latest submissions, categories (+ the province figures when drilling down).
    assert (
        [count for count, _ in small] == [count for count, _ in large] == [12, 13]
    )  # + the nav's unread count, the linked programmes


# --- Campaign list ------------------------------------------------------------------------------


def test_campaign_list_shows_state_period_and_scope(client):
    make_campaign()
    make_campaign(
        "dogu-2025",
        title="Doğu Anadolu Anketi",
        subregions=[subregion("14"), subregion("13")],
        opens_at=OPENS - datetime.timedelta(days=60),
        closes_at=OPENS - datetime.timedelta(days=30),
    )
    with time_machine.travel(DURING, tick=False):
        html = client.get(en("surveys:campaign_list")).content.decode()
    assert "2025 Beş Beklenti Anketi" in html
    assert "Doğu Anadolu Anketi" in html
    assert ">Open</span>" in html and ">Closed</span>" in html
    assert "12 May 2025, 10:00 – 12 June 2025, 21:00" in html
    assert "National" in html
    assert f"{subregion('13').name}, Erzurum-Kars" in html
    assert "New campaign" not in html


def test_scheduled_campaigns_are_announced_to_everyone(client):
    make_campaign("gelecek", title="Gelecek Anket")
    url = en("surveys:campaign_list")
    with time_machine.travel(OPENS - datetime.timedelta(days=3), tick=False):
        html = client.get(url).content.decode()
        assert "Gelecek Anket" in html and ">Scheduled</span>" in html
        assert "New campaign" not in html
        detail = client.get(en("surveys:campaign_detail", "gelecek")).content.decode()
        assert "Gelecek Anket" in detail
        client.force_login(national_coordinator())
        html = client.get(url).content.decode()
        assert "Gelecek Anket" in html and ">Scheduled</span>" in html
        assert "New campaign" in html


def test_campaign_list_shows_the_members_submission_status(client):
    campaign = make_campaign()
    make_campaign(
        "istanbul-2025", title="İstanbul Anketi", subregions=[subregion("01")]
    )  # open, but not for Erzurum NGOs
    drafting, submitted, idle = ngo_in(25), ngo_in(25), ngo_in(36)
    pending = ngo_in(25, status=NGO.Status.PENDING)
    submission_of(drafting, campaign)
    receipt = submission_of(submitted, campaign, submitted=True).receipt_number
    client.force_login(member_of(drafting, submitted, idle, pending))
    with time_machine.travel(DURING, tick=False):
        response = client.get(en("surveys:campaign_list"))
    rows = {
        row["ngo"]: [(c.code, s.status if s else None) for c, s in row["entries"]]
        for row in response.context["member_rows"]
    }
    assert rows == {
        drafting: [("anket-2025", "draft")],
        submitted: [("anket-2025", "submitted")],
        idle: [("anket-2025", None)],
    }
    html = response.content.decode()
    assert "Your organisations' submissions" in html
    assert f"Receipt {receipt}" in html
    assert ">Draft</span>" in html and "Not started" in html
    assert pending.name not in html


def test_campaign_list_for_a_member_has_no_open_campaign_after_closing(client):
    campaign = make_campaign(closed_early_at=DURING)
    ngo = ngo_in(25)
    client.force_login(member_of(ngo))
    with time_machine.travel(DURING + datetime.timedelta(hours=1), tick=False):
        response = client.get(en("surveys:campaign_list"))
    assert response.context["member_rows"][0]["entries"] == []
    assert "No open campaign covers this organisation" in response.content.decode()
    assert campaign.title in response.content.decode()


def list_queries(client):
    url = en("surveys:campaign_list")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    return len(queries), len(response.context["member_rows"])


def test_campaign_list_query_count_does_not_grow_with_ngos(client):
    campaign = make_campaign(subregions=[subregion("14")])
    make_campaign("ulusal", title="Ulusal")
    first = ngo_in(25)
    user = member_of(first)
    submission_of(first, campaign, submitted=True)
    client.force_login(user)
    with time_machine.travel(DURING, tick=False):
        small = list_queries(client)
        for plate in (25, 36, 34):
            ngo = ngo_in(plate)
            MembershipFactory(user=user, ngo=ngo)
            if plate != 34:
                submission_of(ngo, campaign)
        client.force_login(user)  # the roles are read again on the next request
        large = list_queries(client)
    assert (small[1], large[1]) == (1, 4)
    # session, user, three role lookups, campaign count and page with their sub-regions, the
    # open campaigns with theirs, the user's NGOs, their submissions, and the two permission
    # lookups of Django's model backend (the "manage campaigns" rule says no).
    assert small[0] == large[0] == 15  # + the nav's unread notification count


def test_campaign_list_query_count_for_the_public(client):
    make_campaign()
    with time_machine.travel(DURING, tick=False), CaptureQueriesContext(connection) as queries:
        client.get(en("surveys:campaign_list"))
    make_campaign("ikinci", subregions=[subregion("14"), subregion("01")])
    with time_machine.travel(DURING, tick=False), CaptureQueriesContext(connection) as more:
        client.get(en("surveys:campaign_list"))
    assert len(queries) == len(more) == 3  # count, page, sub-regions


# --- Campaign page and blank form ---------------------------------------------------------------


def test_campaign_page_shows_instructions_scope_and_categories_by_theme(client):
    chosen = list(Category.objects.filter(code__in=["AFET-DEP-HAZ", "AFET-SEL-HAZ"]))
    other_theme = Category.objects.exclude(theme=chosen[0].theme).order_by("order").first()
    campaign = make_campaign(subregions=[subregion("14")], categories=[*chosen, other_theme])
    with time_machine.travel(DURING, tick=False):
        html = client.get(en("surveys:campaign_detail", campaign.code)).content.decode()
    assert "<p>Beş beklentinizi sıralayın.</p>" in html
    assert "Erzurum-Kars" in html
    assert "AFET-DEP-HAZ" in html and "AFET-SEL-HAZ" in html and other_theme.code in html
    assert html.index("Disaster preparedness and response") < html.index("AFET-DEP-HAZ")
    assert html.index("AFET-SEL-HAZ") < html.index(other_theme.theme.name_en)
    assert "AFET-YAN-HAZ" not in html
    assert "Progress" not in html


def test_campaign_page_links_a_member_to_the_submission_while_open(client):
    campaign = make_campaign()
    ngo = ngo_in(25)
    submission_of(ngo, campaign)
    client.force_login(member_of(ngo))
    with time_machine.travel(DURING, tick=False):
        response = client.get(en("surveys:campaign_detail", campaign.code))
    assert response.context["member_rows"][0]["ngo"] == ngo
    assert f"{ngo.name}</strong>:" in response.content.decode()
    with time_machine.travel(CLOSES, tick=False):
        response = client.get(en("surveys:campaign_detail", campaign.code))
    assert response.context["member_rows"] == []


def test_unknown_campaign_is_404(client):
    assert client.get(en("surveys:campaign_detail", "yok")).status_code == 404
    assert client.get(en("surveys:campaign_blank_form", "yok")).status_code == 404


def test_blank_form_lists_five_items_and_the_category_codes(client):
    chosen = list(Category.objects.filter(is_active=True).order_by("order")[:6])
    campaign = make_campaign(categories=chosen)
    with time_machine.travel(DURING, tick=False):
        html = client.get(en("surveys:campaign_blank_form", campaign.code)).content.decode()
    for rank in range(1, 6):
        assert f"Expectation {rank} of 5" in html
    assert "Expectation 6 of 5" not in html
    for category in chosen:
        assert f"<code>{category.code}</code>" in html
        assert category.name_en in html
    assert html.count("Addressed to") == 5
    assert "Up to 120 characters" in html
    assert "Earthquake" in html and "Drought" in html
    assert "Category codes" in html
    unoffered = Category.objects.exclude(pk__in=[c.pk for c in chosen]).first()
    assert unoffered.code not in html


# --- Admin --------------------------------------------------------------------------------------


def test_admin_lists_campaign_data(client):
    campaign, coordinator = known_progress_data()
    submission = Submission.objects.filter(status="submitted").order_by("pk").first()
    category = Category.objects.get(code="AFET-DEP-HAZ")
    Expectation.objects.create(
        submission=submission,
        rank=1,
        category=category,
        title="Toplanma alanlarının işaretlenmesi",
        municipality=Municipality.objects.get(province=25, kind="metropolitan"),
    )
    SubmissionRevision.objects.create(
        submission=submission, kind=SubmissionRevision.Kind.SUBMITTED, user=coordinator
    )
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    pages = {
        "admin:surveys_theme_changelist": "Disaster preparedness and response",
        "admin:surveys_category_changelist": "AFET-DEP-HAZ",
        "admin:surveys_campaign_changelist": campaign.title,
        "admin:surveys_submission_changelist": submission.receipt_number,
        "admin:surveys_expectation_changelist": "Toplanma alanlarının işaretlenmesi",
        "admin:surveys_submissionrevision_changelist": submission.ngo.name,
    }
    for name, text in pages.items():
        assert text in client.get(reverse(name)).content.decode(), name
    page = client.get(reverse("admin:surveys_submission_change", args=[submission.pk]))
    html = page.content.decode()
    assert submission.receipt_number in html
    assert 'name="receipt_number"' not in html
    campaign_page = client.get(reverse("admin:surveys_campaign_change", args=[campaign.pk]))
    assert 'class="selectfilter"' in campaign_page.content.decode()
    revision = SubmissionRevision.objects.get()
    page = client.get(reverse("admin:surveys_submissionrevision_change", args=[revision.pk]))
    assert 'name="kind"' not in page.content.decode()


def test_turkish_pages_show_dates_in_turkish(client):
    campaign = make_campaign()
    with time_machine.travel(DURING, tick=False):
        listing = client.get(reverse("surveys:campaign_list")).content.decode()
        detail = client.get(campaign.get_absolute_url()).content.decode()
        blank = client.get(reverse("surveys:campaign_blank_form", args=[campaign.code]))
    assert "12 Mayıs 2025, 10:00 – 12 Haziran 2025, 21:00" in listing
    assert "12 Mayıs 2025, 10:00" in detail
    assert "12 Haziran 2025, 21:00" in blank.content.decode()


def test_campaign_page_lists_its_linked_programmes(client, demo):
    from demo.services.programmes import seed_events

    seed_events()
    html = client.get("/en/surveys/2025/").content.decode()
    assert "Regional programmes linked to this campaign" in html
    assert "Erzurum Programı" in html
