"""The municipal review inbox (scope, filters, tabs, sort, overdue, pagination, htmx), the bulk
actions, the coordinators' read-only list of cases, and the dashboard's link to the inbox."""

import datetime
import re

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from municipalities.models import District, Municipality, Province, SubRegion
from ngos.models import Membership
from surveys.models import AnswerTemplate, Category, Expectation, ReviewEntry, Submission
from tests.factories import (
    CoordinatorAssignmentFactory,
    MembershipFactory,
    MunicipalStaffFactory,
    NGOFactory,
    UserFactory,
)
from tests.helpers import people_in_mixed_order
from tests.surveys.factories import erzurum_metropolitan

pytestmark = pytest.mark.django_db


# Helpers


def en(name, **kwargs):
    """The English URL of a view (the Turkish one has no prefix)."""
    with translation.override("en"):
        return reverse(name, kwargs=kwargs)


INBOX = "/en/surveys/inbox/"
BULK = "/en/surveys/inbox/bulk/"
CASES = "/en/surveys/cases/"


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def yakutiye():
    return Municipality.objects.get(province=25, name="Yakutiye Belediyesi")


def istanbul_metropolitan():
    return Municipality.objects.get(province=34, kind=Municipality.Kind.METROPOLITAN)


def make_case(
    campaign,
    *,
    ngo=None,
    rank=1,
    title=None,
    municipality=None,
    submitted=True,
    days_ago=1,
    **fields,
):
    """One expectation of its own submission (submitted ``days_ago`` days ago, or a draft)."""
    ngo = ngo or NGOFactory()
    submission = Submission.objects.filter(campaign=campaign, ngo=ngo).first()
    if submission is None:
        submission = Submission.objects.create(campaign=campaign, ngo=ngo)
        if submitted:
            submission.status = Submission.Status.SUBMITTED
            submission.submitted_at = timezone.now() - datetime.timedelta(days=days_ago)
            submission.receipt_number = f"{campaign.code.upper()}-{submission.pk:06d}"
            submission.save()
    return Expectation.objects.create(
        submission=submission,
        rank=rank,
        category=fields.pop("category", None)
        or Category.objects.filter(is_active=True).order_by("order").first(),
        title=title or f"Beklenti {Expectation.objects.count() + 1}",
        description="Mahallemizde afet toplanma alanlarının işaretlenmesini bekliyoruz.",
        municipality=municipality or erzurum_metropolitan(),
        **fields,
    )


def titles_on(response):
    return [case.title for case in response.context["page"].object_list]


def tab_counts(response):
    return {tab["value"] or "all": tab["count"] for tab in response.context["tabs"]}


@pytest.fixture
def staff(db):
    """A staff member of Erzurum Büyükşehir Belediyesi."""
    user = UserFactory(email="personel@erzurum.bel.tr", full_name="Zeynep Kaya")
    MunicipalStaffFactory(user=user)
    return user


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def colleague(staff):
    user = UserFactory(email="meslektas@erzurum.bel.tr", full_name="Ali Demir")
    MunicipalStaffFactory(user=user)
    return user


# Scope and access


def test_inbox_lists_only_submitted_cases_of_own_municipality(staff_client, campaign):
    make_case(campaign, title="Toplanma alanları")
    make_case(campaign, title="Taslak beklenti", submitted=False)
    make_case(campaign, title="Yakutiye'nin işi", municipality=yakutiye())
    response = staff_client.get(INBOX)
    assert titles_on(response) == ["Toplanma alanları"]
    html = response.content.decode()
    assert "Taslak beklenti" not in html
    assert "Yakutiye&#x27;nin işi" not in html


def test_case_referred_away_leaves_the_inbox(staff_client, staff, campaign):
    from surveys.services.review import expectation_refer

    case = make_case(campaign, title="Yanlış belediyeye gitti")
    assert titles_on(staff_client.get(INBOX)) == ["Yanlış belediyeye gitti"]
    expectation_refer(
        expectation_id=case.pk,
        expected_version=case.review_version,
        user=staff,
        to_municipality=yakutiye(),
        text="İlçe belediyesinin görev alanında.",
    )
    assert titles_on(staff_client.get(INBOX)) == []
    assert ReviewEntry.objects.filter(expectation=case, kind="referral").count() == 1


def test_inbox_sends_anonymous_users_to_log_in(client):
    response = client.get(INBOX)
    assert response.status_code == 302
    assert response.url.startswith(en("account_login"))


def test_inbox_refuses_ngo_members(client, ngo, campaign):
    user = UserFactory()
    MembershipFactory(user=user, ngo=ngo)
    make_case(campaign, ngo=ngo, title="Görünmemeli")
    client.force_login(user)
    response = client.get(INBOX)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Görünmemeli" not in html
    assert "The review inbox is for the staff of municipalities" in html
    assert CASES not in html


def test_inbox_points_coordinators_to_their_list(client):
    user = UserFactory()
    CoordinatorAssignmentFactory(user=user, subregion=SubRegion.objects.get(code="14"))
    client.force_login(user)
    response = client.get(INBOX)
    assert response.status_code == 403
    assert f'href="{CASES}"' in response.content.decode()


# Filters, search, tabs, sort


def test_filters_by_campaign_category_hazard_rank_and_assignee(
    staff_client, staff, colleague, campaign
):
    from tests.surveys.factories import CampaignFactory

    other_campaign = CampaignFactory(code="k2026")
    categories = list(Category.objects.filter(is_active=True).order_by("order")[:2])
    ngo = NGOFactory()
    make_case(campaign, ngo=ngo, rank=1, title="Bir", hazard="earthquake", assigned_to=staff)
    make_case(campaign, ngo=ngo, rank=2, title="İki", category=categories[1], hazard="flood")
    make_case(other_campaign, ngo=ngo, rank=3, title="Üç", assigned_to=colleague)

    def shown(**params):
        return sorted(titles_on(staff_client.get(INBOX, params)))

    assert shown(campaign=other_campaign.pk) == ["Üç"]
    assert shown(category=categories[1].pk) == ["İki"]
    assert shown(hazard="flood") == ["İki"]
    assert shown(rank=3) == ["Üç"]
    assert shown(assigned="me") == ["Bir"]
    assert shown(assigned="unassigned") == ["İki"]
    assert shown(assigned="anyone") == ["Bir", "Üç"]
    assert shown(campaign=campaign.pk, hazard="earthquake") == ["Bir"]


def test_filters_by_ngo_name_and_district_typed_in_ascii(staff_client, campaign):
    oltu = District.objects.get(province=25, name="Oltu")
    make_case(
        campaign,
        ngo=NGOFactory(name="Şanlıurfa Hemşehrileri Derneği", district=oltu),
        title="Hemşehri buluşması",
    )
    make_case(campaign, ngo=NGOFactory(name="Palandöken Gençlik Derneği"), title="Gençlik merkezi")
    assert titles_on(staff_client.get(INBOX, {"ngo": "SANLIURFA"})) == ["Hemşehri buluşması"]
    assert titles_on(staff_client.get(INBOX, {"district": oltu.pk})) == ["Hemşehri buluşması"]
    # The district select offers the districts of the municipality's province.
    html = staff_client.get(INBOX).content.decode()
    assert f'<option value="{oltu.pk}">Oltu</option>' in html
    assert "Kadıköy" not in html


def test_search_matches_title_or_ngo_name_without_turkish_letters(staff_client, campaign):
    make_case(campaign, ngo=NGOFactory(name="Şanlıurfa Yardımlaşma Derneği"), title="Aşevi desteği")
    make_case(campaign, title="Toplanma alanlarının işaretlenmesi")
    make_case(campaign, title="Spor salonu")
    assert titles_on(staff_client.get(INBOX, {"q": "sanliurfa"})) == ["Aşevi desteği"]
    # (Every case here has the factory's description, which speaks of "toplanma alanları".)
    assert titles_on(staff_client.get(INBOX, {"q": "SPOR SALONU"})) == ["Spor salonu"]
    assert titles_on(staff_client.get(INBOX, {"q": "yok böyle bir şey"})) == []


def test_municipality_filter_for_staff_of_several_municipalities(client, campaign):
    user = UserFactory()
    MunicipalStaffFactory(user=user)
    MunicipalStaffFactory(user=user, municipality=yakutiye())
    make_case(campaign, title="Büyükşehir işi")
    make_case(campaign, title="Yakutiye işi", municipality=yakutiye())
    make_case(campaign, title="İstanbul işi", municipality=istanbul_metropolitan())
    client.force_login(user)
    response = client.get(INBOX)
    assert sorted(titles_on(response)) == ["Büyükşehir işi", "Yakutiye işi"]
    html = response.content.decode()
    assert 'name="municipality"' in html
    assert '<th scope="col">Municipality</th>' in html
    assert titles_on(client.get(INBOX, {"municipality": yakutiye().pk})) == ["Yakutiye işi"]
    # Another municipality is not a choice: an error, not its cases.
    response = client.get(INBOX, {"municipality": istanbul_metropolitan().pk})
    assert "municipality" in response.context["filter"].errors
    assert titles_on(response) == []


def test_single_municipality_staff_see_no_municipality_filter(staff_client, campaign):
    make_case(campaign)
    html = staff_client.get(INBOX).content.decode()
    assert 'name="municipality"' not in html


def test_tab_counts_are_exact_and_follow_the_other_filters(staff_client, campaign):
    ngo = NGOFactory()
    make_case(campaign, ngo=ngo, rank=1, status="new", hazard="earthquake")
    make_case(campaign, ngo=ngo, rank=2, status="new")
    make_case(campaign, ngo=ngo, rank=3, status="under_review", hazard="earthquake")
    make_case(campaign, ngo=ngo, rank=4, status="declined")
    make_case(campaign, ngo=ngo, rank=5, status="completed", hazard="earthquake")
    counts = tab_counts(staff_client.get(INBOX))
    assert counts == {
        "all": 5,
        "new": 2,
        "under_review": 1,
        "accepted": 0,
        "planned": 0,
        "in_progress": 0,
        "completed": 1,
        "declined": 1,
        "referred": 0,
    }
    response = staff_client.get(INBOX, {"hazard": "earthquake", "status": "new"})
    assert len(titles_on(response)) == 1
    counts = tab_counts(response)
    # The status filter narrows the list, not the counts; the hazard filter narrows both.
    assert (counts["all"], counts["new"], counts["under_review"], counts["completed"]) == (
        3,
        1,
        1,
        1,
    )
    assert counts["declined"] == 0
    tab = next(t for t in response.context["tabs"] if t["value"] == "under_review")
    assert tab["url"] == f"{INBOX}?hazard=earthquake&status=under_review"
    assert next(t for t in response.context["tabs"] if t["active"])["value"] == "new"


def test_tab_links_keep_the_filters(staff_client, campaign):
    make_case(campaign, hazard="flood")
    html = staff_client.get(INBOX, {"hazard": "flood", "page": "1"}).content.decode()
    assert f'href="{INBOX}?hazard=flood&amp;status=new"' in html
    assert f'href="{INBOX}?hazard=flood"' in html


def test_sorting_by_rank_age_and_ngo(staff_client, campaign):
    make_case(campaign, ngo=NGOFactory(name="Çınar Derneği"), rank=2, title="B", days_ago=3)
    make_case(campaign, ngo=NGOFactory(name="Zafer Derneği"), rank=1, title="A", days_ago=1)
    make_case(campaign, ngo=NGOFactory(name="Cami Derneği"), rank=3, title="C", days_ago=5)

    def order(o):
        return titles_on(staff_client.get(INBOX, {"o": o}))

    assert order("rank") == ["A", "B", "C"]
    assert order("-rank") == ["C", "B", "A"]
    assert order("age") == ["C", "B", "A"]
    assert order("-age") == ["A", "B", "C"]
    # Turkish order: C < Ç < Z.
    assert order("ngo") == ["C", "B", "A"]
    assert order("-ngo") == ["A", "B", "C"]
    # Default: newest first.
    assert titles_on(staff_client.get(INBOX)) == ["A", "B", "C"]


def test_invalid_filter_values_show_errors_not_a_crash(staff_client, campaign):
    make_case(campaign)
    response = staff_client.get(
        INBOX,
        {
            "status": "lost",
            "rank": "9",
            "campaign": "abc",
            "category": "999999",
            "district": "9" * 30,
            "assigned": "someone",
            "o": "price",
            "page": "abc",
        },
    )
    assert response.status_code == 200
    errors = response.context["filter"].errors
    assert set(errors) == {"status", "rank", "campaign", "category", "district", "assigned", "o"}
    assert titles_on(response) == []
    assert "Some filter values were not valid" in response.content.decode()
    assert tab_counts(response)["all"] == 0


# The rows


def test_each_row_shows_the_case_in_the_request_language(client, staff, campaign):
    from municipalities.models import District, Province

    oltu = District.objects.get(province=25, name="Oltu")
    ngo = NGOFactory(name="<i>Oltu</i> Derneği", province=Province.objects.get(plate=25))
    ngo.district = oltu
    ngo.save()
    case = make_case(campaign, ngo=ngo, title="Toplanma alanı <b>levhası</b>", hazard="flood")
    client.force_login(staff)

    html = client.get("/surveys/inbox/").content.decode()
    row = re.search(r"<tr><td class=\"card-lead\">.*?</tr>", html, re.S).group(0)

    link = f'<a href="/surveys/cases/{case.pk}/">Toplanma alanı &lt;b&gt;levhası&lt;/b&gt;</a>'
    assert link in row
    assert f'<label class="visually-hidden" for="case-{case.pk}">' in row
    assert '<td data-label="Sıra">1</td>' in row
    assert '<td data-label="Tehlike">Sel</td>' in row
    assert "&lt;i&gt;Oltu&lt;/i&gt; Derneği" in row and "Oltu, Erzurum" in row
    assert '<span class="badge text-bg-primary">Yeni</span>' in row
    assert f'<abbr title="{case.category.name}">{case.category.code}</abbr>' in row
    english = client.get("/en/surveys/inbox/").content.decode()
    assert f'<a href="/en/surveys/cases/{case.pk}/">' in english
    assert '<td data-label="Hazard">Flood</td>' in english
    assert f'<abbr title="{case.category.name_en}">' in english


# Overdue


def test_overdue_flag_and_filter(staff_client, staff, campaign):
    with time_machine.travel(datetime.datetime(2025, 5, 1, 9, tzinfo=datetime.UTC), tick=False):
        make_case(campaign, title="Cevapsız kaldı", days_ago=0)
        answered = make_case(campaign, title="Cevaplandı", days_ago=0)
        make_case(campaign, title="Reddedildi", days_ago=0, status="declined")
    with time_machine.travel(datetime.datetime(2025, 5, 3, 9, tzinfo=datetime.UTC), tick=False):
        make_case(campaign, title="Yeni sayılır", days_ago=0)
    answered.first_answered_at = timezone.now()
    answered.save(update_fields=["first_answered_at"])
    # 31 days after the first three, 29 after the last one.
    with time_machine.travel(datetime.datetime(2025, 6, 1, 9, tzinfo=datetime.UTC), tick=False):
        response = staff_client.get(INBOX)
        flagged = [case.title for case in response.context["page"].object_list if case.is_overdue()]
        assert flagged == ["Cevapsız kaldı"]
        assert response.content.decode().count(">Overdue</span>") == 1
        assert titles_on(staff_client.get(INBOX, {"overdue": "on"})) == ["Cevapsız kaldı"]
        assert tab_counts(staff_client.get(INBOX, {"overdue": "on"}))["all"] == 1


# Pagination and htmx


def test_pagination_keeps_filters(staff_client, campaign):
    for _ in range(26):
        make_case(campaign, hazard="earthquake")
    make_case(campaign, hazard="flood")
    response = staff_client.get(INBOX, {"hazard": "earthquake", "page": 2})
    assert response.context["page"].number == 2
    assert len(titles_on(response)) == 1
    html = response.content.decode()
    assert f'href="{INBOX}?hazard=earthquake&amp;page=1"' in html


def test_htmx_request_gets_the_results_fragment(staff_client, campaign):
    make_case(campaign, title="Parça", hazard="fire")
    response = staff_client.get(
        INBOX, {"hazard": "fire", "status": "new"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html
    assert "Parça" in html
    # The hidden status and the district select follow the list, out of band.
    assert 'id="status-field" data-hx-swap-oob="true"' in html
    assert 'name="status" value="new"' in html
    assert 'id="district-field" data-hx-swap-oob="true"' in html


def test_full_page_form_works_without_javascript(staff_client, campaign):
    make_case(campaign)
    html = staff_client.get(INBOX, {"status": "new"}).content.decode()
    assert f'<form method="get" action="{INBOX}"' in html
    assert 'type="hidden" name="status" value="new"' in html
    assert f'<form method="post" action="{BULK}"' in html


# Bulk actions


def bulk(client, cases, **data):
    return client.post(BULK, {"ids": [c.pk for c in cases], **data})


def test_bulk_status_changes_allowed_cases_and_reports_the_refused(staff_client, campaign):
    ngo = NGOFactory()
    fresh = make_case(campaign, ngo=ngo, rank=1, title="Yeni")
    reviewed = make_case(campaign, ngo=ngo, rank=2, title="İncelemede", status="under_review")
    done = make_case(campaign, ngo=ngo, rank=3, title="Bitti", status="completed")
    response = bulk(
        staff_client,
        [fresh, reviewed, done],
        action="status",
        to_status="accepted",
        text="Programa alındı.",
        next=f"{INBOX}?hazard=&status=new",
    )
    assert response.status_code == 302
    assert response.url == f"{INBOX}?hazard=&status=new"
    assert texts(response) == [
        "2 cases updated; 1 refused: Bitti: A case cannot go from “Completed” to “Accepted”."
    ]
    for case in (fresh, reviewed, done):
        case.refresh_from_db()
    assert (fresh.status, reviewed.status, done.status) == ("accepted", "accepted", "completed")
    entries = ReviewEntry.objects.filter(kind="status").order_by("expectation_id")
    assert [(e.expectation_id, e.from_status, e.to_status, e.text) for e in entries] == [
        (fresh.pk, "new", "accepted", "Programa alındı."),
        (reviewed.pk, "under_review", "accepted", "Programa alındı."),
    ]
    assert not ReviewEntry.objects.filter(expectation=done).exists()


def test_bulk_planning_needs_a_target_date_per_case(staff_client, campaign):
    case = make_case(campaign, title="Plan")
    response = bulk(staff_client, [case], action="status", to_status="planned")
    assert texts(response) == [
        "0 cases updated; 1 refused: Plan: Give the target date of the plan."
    ]
    bulk(staff_client, [case], action="status", to_status="planned", target_date="2030-09-01")
    case.refresh_from_db()
    assert (case.status, case.target_date) == ("planned", datetime.date(2030, 9, 1))


def test_bulk_planning_refuses_a_target_date_in_the_past(staff_client, campaign):
    """The form refuses it before any case changes, with the reason at the date field."""
    cases = [make_case(campaign, title="Plan", rank=rank) for rank in (1, 2)]
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    response = bulk(
        staff_client, cases, action="status", to_status="planned", target_date=str(yesterday)
    )

    assert response.status_code == 200
    assert "The target date cannot be in the past" in response.content.decode()
    assert set(
        Expectation.objects.filter(pk__in=[c.pk for c in cases]).values_list("status", flat=True)
    ) == {"new"}
    assert not ReviewEntry.objects.exists()


def test_bulk_assign(staff_client, staff, colleague, campaign):
    ngo = NGOFactory()
    cases = [make_case(campaign, ngo=ngo, rank=rank) for rank in (1, 2)]
    response = bulk(staff_client, cases, action="assign", assignee=colleague.pk)
    assert texts(response) == ["2 cases updated."]
    assert response.url == en("surveys:inbox")
    for case in cases:
        case.refresh_from_db()
        assert case.assigned_to == colleague
        entry = ReviewEntry.objects.get(expectation=case)
        assert (entry.kind, entry.assigned_to, entry.actor) == ("assignment", colleague, staff)


def test_bulk_assignee_choices_are_in_turkish_alphabetical_order(staff_client, staff, campaign):
    def colleague_of(**kwargs):
        user = UserFactory(**kwargs)
        MunicipalStaffFactory(user=user)
        return user

    people = people_in_mixed_order(colleague_of)
    form = staff_client.get(INBOX).context["bulk_form"]
    offered = [int(value.value) for value, _ in form.fields["assignee"].choices if value]
    assert offered == [p.pk for p in people] + [staff.pk]  # Zeynep Kaya comes after Zafer


def test_bulk_answer_from_a_template(staff_client, staff, campaign):
    template = AnswerTemplate.objects.create(
        municipality=erzurum_metropolitan(),
        title="Teşekkür",
        body="Beklentiniz için teşekkür ederiz; ilgili birimimiz inceliyor.",
    )
    ngo = NGOFactory()
    cases = [make_case(campaign, ngo=ngo, rank=rank) for rank in (1, 2, 3)]
    response = bulk(staff_client, cases, action="answer", template=template.pk)
    assert texts(response) == ["3 cases updated."]
    for case in cases:
        case.refresh_from_db()
        assert case.first_answered_at is not None
        entry = ReviewEntry.objects.get(expectation=case)
        assert (entry.kind, entry.text, entry.actor) == ("answer", template.body, staff)


def test_bulk_answer_fills_in_the_placeholders_for_each_case(staff_client, campaign):
    template = AnswerTemplate.objects.create(
        municipality=erzurum_metropolitan(),
        title="Kişisel teşekkür",
        body="Sayın {ngo}, “{title}” beklentiniz {municipality} tarafından inceleniyor.",
    )
    first = make_case(campaign, ngo=NGOFactory(name="Oltu Derneği"), title="Park")
    second = make_case(campaign, ngo=NGOFactory(name="Aziziye Vakfı"), title="Kütüphane")

    bulk(staff_client, [first, second], action="answer", template=template.pk)

    texts_by_case = dict(ReviewEntry.objects.values_list("expectation_id", "text"))
    assert texts_by_case == {
        first.pk: "Sayın Oltu Derneği, “Park” beklentiniz Erzurum Büyükşehir Belediyesi "
        "tarafından inceleniyor.",
        second.pk: "Sayın Aziziye Vakfı, “Kütüphane” beklentiniz Erzurum Büyükşehir Belediyesi "
        "tarafından inceleniyor.",
    }


def test_bulk_refuses_a_retired_or_foreign_template(staff_client, campaign):
    retired = AnswerTemplate.objects.create(
        municipality=erzurum_metropolitan(), title="Eski", body="Eski metin.", is_active=False
    )
    foreign = AnswerTemplate.objects.create(municipality=yakutiye(), title="Yabancı", body="Metin.")
    case = make_case(campaign)
    for template in (retired, foreign):
        response = bulk(staff_client, [case], action="answer", template=template.pk, next=INBOX)
        assert response.status_code == 200
        assert "template" in response.context["bulk_form"].errors
    assert not ReviewEntry.objects.exists()


def test_bulk_answer_uses_a_template_only_for_its_own_municipality(client, campaign):
    user = UserFactory()
    MunicipalStaffFactory(user=user)
    MunicipalStaffFactory(user=user, municipality=yakutiye())
    template = AnswerTemplate.objects.create(
        municipality=yakutiye(), title="Yakutiye yanıtı", body="Yakutiye Belediyesi olarak…"
    )
    ours = make_case(campaign, title="Yakutiye'ye", municipality=yakutiye())
    other = make_case(campaign, title="Büyükşehre")
    client.force_login(user)
    response = bulk(client, [ours, other], action="answer", template=template.pk)
    assert texts(response) == [
        "1 case updated; 1 refused: Büyükşehre: The template “Yakutiye yanıtı” belongs to "
        "Yakutiye Belediyesi."
    ]
    assert list(ReviewEntry.objects.values_list("expectation_id", "kind")) == [(ours.pk, "answer")]


def test_bulk_ignores_cases_of_another_municipality(staff_client, campaign):
    mine = make_case(campaign, title="Benim")
    theirs = make_case(campaign, title="Onların", municipality=yakutiye())
    draft = make_case(campaign, title="Taslak", submitted=False)
    response = bulk(staff_client, [mine, theirs, draft], action="status", to_status="under_review")
    assert texts(response) == ["1 case updated."]
    theirs.refresh_from_db()
    draft.refresh_from_db()
    assert (theirs.status, draft.status) == ("new", "new")
    assert list(ReviewEntry.objects.values_list("expectation_id", flat=True)) == [mine.pk]
    response = bulk(staff_client, [theirs], action="status", to_status="under_review")
    assert texts(response)[-1] == "None of the selected cases is in your inbox."
    assert ReviewEntry.objects.count() == 1


def test_bulk_with_missing_choices_rerenders_the_inbox_with_errors(staff_client, campaign):
    case = make_case(campaign, title="Seçili", hazard="fire")
    make_case(campaign, title="Başka", hazard="flood")
    response = bulk(staff_client, [case], action="status", next=f"{INBOX}?hazard=fire")
    assert response.status_code == 200
    assert response.context["bulk_form"].errors == {"to_status": ["Choose the new status."]}
    # The list is the one the user came from, with the selection still ticked.
    assert titles_on(response) == ["Seçili"]
    html = response.content.decode()
    assert f'value="{case.pk}" id="case-{case.pk}" checked' in html
    assert f'name="next" value="{INBOX}?hazard=fire"' in html
    response = staff_client.post(BULK, {"action": "assign", "next": INBOX})
    assert "ids" in response.context["bulk_form"].errors
    for ids in (["x"], ["9" * 30, case.pk], ["-1"]):
        response = staff_client.post(
            BULK, {"ids": ids, "action": "status", "to_status": "under_review"}
        )
        assert response.context["bulk_form"].errors == {"ids": ["The selection is not valid."]}
    case.refresh_from_db()
    assert case.status == "new"
    assert not ReviewEntry.objects.exists()


def test_bulk_does_not_redirect_to_another_site(staff_client, campaign):
    case = make_case(campaign)
    for unsafe in ("https://evil.example/", "//evil.example/inbox/", "javascript:alert(1)"):
        response = bulk(staff_client, [case], action="assign", assignee="", next=unsafe)
        assert response.status_code == 200  # invalid: re-rendered, no redirect
        response = bulk(
            staff_client, [case], action="status", to_status="under_review", next=unsafe
        )
        assert response.url == en("surveys:inbox")


def test_bulk_is_post_only_and_for_staff_only(client, staff_client, campaign, ngo):
    case = make_case(campaign)
    assert staff_client.get(BULK).status_code == 405
    user = UserFactory()
    MembershipFactory(user=user, ngo=ngo, role=Membership.Role.ADMIN)
    client.force_login(user)
    response = bulk(client, [case], action="status", to_status="under_review")
    assert response.status_code == 403
    case.refresh_from_db()
    assert case.status == "new"


def test_inbox_query_count_does_not_grow_with_cases(staff_client, staff, colleague, campaign):
    AnswerTemplate.objects.create(municipality=erzurum_metropolitan(), title="T", body="Metin.")

    def add_case():
        case = make_case(
            campaign,
            ngo=NGOFactory(district=District.objects.get(province=25, name="Oltu")),
            hazard="earthquake",
            assigned_to=colleague,
        )
        return case

    add_case()
    with CaptureQueriesContext(connection) as one:
        response = staff_client.get(INBOX, {"o": "rank"})
    assert len(titles_on(response)) == 1
    for _ in range(19):
        add_case()
    with CaptureQueriesContext(connection) as twenty:
        response = staff_client.get(INBOX, {"o": "rank"})
    assert len(titles_on(response)) == 20
    assert len(one) == len(twenty)


# The coordinators' read-only list


@pytest.fixture
def spread_cases(campaign):
    """A case in Erzurum (sub-region 14) and one in İstanbul."""
    return (
        make_case(campaign, title="Erzurum'un işi"),
        make_case(
            campaign,
            ngo=NGOFactory(province=Province.objects.get(plate=34)),
            title="İstanbul'un işi",
            municipality=istanbul_metropolitan(),
        ),
    )


def test_regional_coordinator_sees_only_own_subregion(client, spread_cases):
    user = UserFactory()
    CoordinatorAssignmentFactory(user=user, subregion=SubRegion.objects.get(code="14"))
    client.force_login(user)
    response = client.get(CASES)
    assert titles_on(response) == ["Erzurum'un işi"]
    html = response.content.decode()
    # Read-only: no selection, no bulk form.
    assert 'name="ids"' not in html
    assert BULK not in html
    assert "Erzurum Büyükşehir Belediyesi" in html


def test_national_coordinator_sees_every_case_and_filters_by_place(client, spread_cases):
    user = UserFactory()
    CoordinatorAssignmentFactory(user=user, subregion=None)
    client.force_login(user)
    assert sorted(titles_on(client.get(CASES))) == ["Erzurum'un işi", "İstanbul'un işi"]
    assert titles_on(client.get(CASES, {"municipality": "istanbul"})) == ["İstanbul'un işi"]
    assert titles_on(client.get(CASES, {"province": 25})) == ["Erzurum'un işi"]
    # Typed without the dotted capital, the title is still found (issue 17); the status too.
    assert titles_on(client.get(CASES, {"q": "istanbul", "status": "new"})) == ["İstanbul'un işi"]
    assert titles_on(client.get(CASES, {"q": "istanbul", "status": "accepted"})) == []


def test_coordinator_province_choices_are_limited_to_the_scope(client, spread_cases):
    user = UserFactory()
    CoordinatorAssignmentFactory(user=user, subregion=SubRegion.objects.get(code="14"))
    client.force_login(user)
    response = client.get(CASES, {"province": 34})
    assert "province" in response.context["filter"].errors
    assert titles_on(response) == []
    # Districts are offered for the chosen province only.
    html = client.get(CASES, {"province": 25}).content.decode()
    oltu = District.objects.get(province=25, name="Oltu")
    assert f'<option value="{oltu.pk}">Oltu</option>' in html
    assert "Choose a province first." in client.get(CASES).content.decode()


def test_case_list_refuses_people_who_do_not_coordinate(client, staff, spread_cases, ngo):
    client.force_login(staff)
    assert client.get(CASES).status_code == 403
    member = UserFactory()
    MembershipFactory(user=member, ngo=ngo)
    client.force_login(member)
    response = client.get(CASES)
    assert response.status_code == 403
    assert "Erzurum&#x27;un işi" not in response.content.decode()
    client.logout()
    assert client.get(CASES).url.startswith(en("account_login"))


def test_coordinator_case_list_query_count_does_not_grow(client, campaign):
    user = UserFactory()
    CoordinatorAssignmentFactory(user=user, subregion=SubRegion.objects.get(code="14"))
    client.force_login(user)
    make_case(campaign)
    with CaptureQueriesContext(connection) as one:
        response = client.get(CASES, {"province": 25, "o": "ngo"})
    assert len(titles_on(response)) == 1
    for _ in range(19):
        make_case(campaign, municipality=yakutiye())
    with CaptureQueriesContext(connection) as twenty:
        response = client.get(CASES, {"province": 25, "o": "ngo"})
    assert len(titles_on(response)) == 20
    assert len(one) == len(twenty)


# Dashboard


def test_dashboard_links_to_the_inbox_with_the_open_cases(staff_client, campaign):
    ngo = NGOFactory()
    make_case(campaign, ngo=ngo, rank=1)
    make_case(campaign, ngo=ngo, rank=2, status="under_review")
    make_case(campaign, ngo=ngo, rank=3, status="completed")
    make_case(campaign, ngo=ngo, rank=4, municipality=yakutiye())
    html = staff_client.get("/en/dashboard/").content.decode()
    assert f'href="{INBOX}">Review inbox: 2 open cases</a>' in html
