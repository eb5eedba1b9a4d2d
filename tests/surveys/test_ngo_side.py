"""The NGO's side of the review: its expectations with the municipalities' answers, and
confirming or disputing a completed case."""

import datetime
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from municipalities.models import Municipality
from ngos.models import Membership
from portal.models import Notification
from surveys.models import ReviewEntry, Submission
from tests.factories import MembershipFactory, MunicipalStaffFactory, NGOFactory, UserFactory
from tests.surveys.factories import (
    CampaignFactory,
    ExpectationFactory,
    SubmissionFactory,
    erzurum_metropolitan,
)

pytestmark = pytest.mark.django_db

_receipts = itertools.count(1)


# --- helpers ----------------------------------------------------------------------------------


def submitted_items(ngo, count=1, *, campaign=None, municipality=None, **fields):
    """``count`` ranked items of a submitted submission of the NGO (they are cases)."""
    submission = SubmissionFactory(
        ngo=ngo,
        campaign=campaign or CampaignFactory(),
        status=Submission.Status.SUBMITTED,
        receipt_number=f"N-{next(_receipts):06d}",
        submitted_at=timezone.now() - datetime.timedelta(days=3),
    )
    return [
        ExpectationFactory(
            submission=submission,
            rank=rank,
            municipality=municipality or erzurum_metropolitan(),
            **fields,
        )
        for rank in range(1, count + 1)
    ]


def entry(case, kind, text="", actor=None, **fields):
    return ReviewEntry.objects.create(
        expectation=case,
        kind=kind,
        actor=actor,
        municipality=case.municipality,
        text=text,
        **fields,
    )


def en_url(name, **kwargs):
    """The English URL (new strings are asserted in English)."""
    with translation.override("tr"):
        return "/en" + reverse(name, kwargs=kwargs)


LIST_URL = "/en/surveys/my-expectations/"


def html_of(response):
    return response.content.decode()


@pytest.fixture
def completed(ngo, ngo_admin):
    """A case of the NGO that Erzurum Büyükşehir has completed."""
    (case,) = submitted_items(ngo, title="Toplanma alanı tabelaları", status="completed")
    entry(case, "status", "Tabelalar asıldı.", from_status="in_progress", to_status="completed")
    return case


@pytest.fixture
def municipal_staff(db):
    user = UserFactory(full_name="Kemal Demir")
    MunicipalStaffFactory(user=user, municipality=erzurum_metropolitan())
    return user


# --- the list -----------------------------------------------------------------------------------


def test_list_shows_the_ngos_cases_by_campaign_with_the_latest_answer(member_client, ngo):
    first, second = submitted_items(ngo, 2, campaign=CampaignFactory(title="2025 Anketi"))
    second.status = "accepted"
    second.save()
    entry(first, "answer", "İlk cevabımız.")
    entry(first, "answer", "Son cevabımız: bütçe ayrıldı.")
    yakutiye = Municipality.objects.get(province=25, name="Yakutiye Belediyesi")
    (older,) = submitted_items(
        ngo,
        campaign=CampaignFactory(
            title="2024 Anketi", opens_at=timezone.now() - datetime.timedelta(days=400)
        ),
        municipality=yakutiye,
    )
    response = member_client.get(LIST_URL)
    html = html_of(response)
    ((listed_ngo, campaigns),) = response.context["groups"]
    assert listed_ngo == ngo
    assert [campaign.title for campaign, _items in campaigns] == ["2025 Anketi", "2024 Anketi"]
    assert [item.rank for item in campaigns[0][1]] == [1, 2]
    assert "Son cevabımız: bütçe ayrıldı." in html
    assert "İlk cevabımız." not in html  # only the latest answer is shown
    assert "Accepted" in html
    assert "Yakutiye Belediyesi" in html
    assert "No answer yet" in html
    assert en_url("surveys:my_expectation", pk=older.pk) in html


def test_list_leaves_out_drafts_and_other_ngos(member_client, ngo):
    ExpectationFactory(submission=SubmissionFactory(ngo=ngo), title="Taslak beklenti")
    submitted_items(NGOFactory(), title="Başka derneğin beklentisi")
    html = html_of(member_client.get(LIST_URL))
    assert "Taslak beklenti" not in html
    assert "Başka derneğin beklentisi" not in html
    assert "This NGO has not submitted expectations to municipalities yet." in html


def test_list_never_shows_internal_notes(member_client, ngo):
    (case,) = submitted_items(ngo)
    entry(case, "note", "İç not: bu dernek ısrarcı.")
    html = html_of(member_client.get(LIST_URL))
    assert "İç not" not in html
    assert "No answer yet" in html


def test_list_for_someone_without_an_ngo_explains_it(client):
    client.force_login(UserFactory())
    html = html_of(client.get(LIST_URL))
    assert "You are not a member of an NGO" in html


def test_list_sends_anonymous_users_to_log_in(client):
    response = client.get(LIST_URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_dashboard_links_each_ngo_to_its_answers(member_client, ngo):
    html = html_of(member_client.get("/en/dashboard/"))
    assert f'href="/en/surveys/my-expectations/#ngo-{ngo.pk}"' in html
    assert "Answers from municipalities" in html


def count_list_queries(client, ngo, items):
    for case in submitted_items(ngo, items):
        entry(case, "answer", "Cevap.")
        entry(case, "note", "Not.")
        entry(case, "status", from_status="new", to_status="under_review")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(LIST_URL)
    assert sum(len(rows) for _c, rows in response.context["groups"][0][1]) == items
    return len(queries)


def test_list_query_count_does_not_grow_with_the_items(client):
    small_member, large_member = UserFactory(), UserFactory()
    small_ngo, large_ngo = NGOFactory(), NGOFactory()
    MembershipFactory(user=small_member, ngo=small_ngo)
    MembershipFactory(user=large_member, ngo=large_ngo)
    client.force_login(small_member)
    small = count_list_queries(client, small_ngo, 1)
    client.force_login(large_member)
    large = count_list_queries(client, large_ngo, 5)
    # session, user, three role queries, the NGOs, the items, their answers, the unread
    # notifications of the navigation
    assert small == large == 9


# --- one expectation --------------------------------------------------------------------------


def test_detail_shows_the_public_history_but_never_internal_notes(member_client, ngo):
    (case,) = submitted_items(ngo, title="Gençlik merkezi", status="under_review")
    entry(case, "answer", "Gençlik merkezini planlıyoruz.")
    entry(case, "note", "Gizli: bütçe yok.")
    entry(case, "status", "İnceliyoruz.", from_status="new", to_status="under_review")
    response = member_client.get(en_url("surveys:my_expectation", pk=case.pk))
    html = html_of(response)
    assert "Gençlik merkezi" in html
    assert "Under review" in html
    assert "Gençlik merkezini planlıyoruz." in html
    assert "İnceliyoruz." in html
    assert "Gizli: bütçe yok." not in html
    assert "Internal note" not in html
    assert [e.kind for e in response.context["history"]] == ["answer", "status"]
    # Not completed: nothing to confirm or dispute.
    assert en_url("surveys:my_expectation_confirm", pk=case.pk) not in html


def test_detail_of_another_ngos_expectation_is_a_404(member_client):
    (case,) = submitted_items(NGOFactory())
    assert member_client.get(en_url("surveys:my_expectation", pk=case.pk)).status_code == 404


def test_detail_of_a_draft_item_is_a_404(member_client, ngo):
    draft = ExpectationFactory(submission=SubmissionFactory(ngo=ngo))
    assert member_client.get(en_url("surveys:my_expectation", pk=draft.pk)).status_code == 404


def test_completed_case_offers_confirm_and_dispute(member_client, completed):
    html = html_of(member_client.get(en_url("surveys:my_expectation", pk=completed.pk)))
    assert "Tabelalar asıldı." in html
    assert en_url("surveys:my_expectation_confirm", pk=completed.pk) in html
    assert en_url("surveys:my_expectation_dispute", pk=completed.pk) in html
    assert "Confirm it is done" in html


def test_confirm_sets_the_confirmation_and_adds_it_to_the_history(member_client, completed):
    response = member_client.post(en_url("surveys:my_expectation_confirm", pk=completed.pk))
    assert response["Location"] == en_url("surveys:my_expectation", pk=completed.pk)
    completed.refresh_from_db()
    assert completed.ngo_confirmed_at is not None
    assert completed.status == "completed"
    assert completed.history.filter(kind="confirmation").count() == 1
    html = html_of(member_client.get(response["Location"]))
    assert "Thank you: you confirmed that it is done." in html
    assert "Confirmed by your NGO" in html
    assert "Confirm it is done" not in html


def test_confirming_twice_is_refused_without_a_second_entry(member_client, completed):
    url = en_url("surveys:my_expectation_confirm", pk=completed.pk)
    member_client.post(url)
    response = member_client.post(url, follow=True)
    assert "Your NGO has already confirmed this case." in html_of(response)
    assert completed.history.filter(kind="confirmation").count() == 1


def test_dispute_reopens_the_case_as_under_review_with_the_comment(
    member_client, completed, municipal_staff
):
    response = member_client.post(
        en_url("surveys:my_expectation_dispute", pk=completed.pk),
        {"text": "Tabelalar yalnızca bir mahallede asıldı."},
    )
    assert response["Location"] == en_url("surveys:my_expectation", pk=completed.pk)
    completed.refresh_from_db()
    assert completed.status == "under_review"
    assert completed.ngo_confirmed_at is None
    dispute = completed.history.get(kind="dispute")
    assert dispute.text == "Tabelalar yalnızca bir mahallede asıldı."
    assert (dispute.from_status, dispute.to_status) == ("completed", "under_review")
    # The municipality's staff are told in the app.
    assert Notification.objects.filter(user=municipal_staff, kind="case_disputed").exists()
    html = html_of(member_client.get(response["Location"]))
    assert "Tabelalar yalnızca bir mahallede asıldı." in html
    assert "the municipality reviews the case again" in html


def test_dispute_without_a_comment_is_refused(member_client, completed):
    response = member_client.post(
        en_url("surveys:my_expectation_dispute", pk=completed.pk), {"text": "  "}
    )
    assert response.status_code == 200
    assert response.context["dispute_form"].errors["text"]
    completed.refresh_from_db()
    assert completed.status == "completed"
    assert not completed.history.filter(kind="dispute").exists()


def test_dispute_of_a_case_that_is_not_completed_is_refused(member_client, ngo):
    (case,) = submitted_items(ngo, status="in_progress")
    response = member_client.post(
        en_url("surveys:my_expectation_dispute", pk=case.pk), {"text": "Hâlâ yapılmadı."}
    )
    html = html_of(response)
    assert "Only a completed case can be confirmed or disputed." in html
    assert "Hâlâ yapılmadı." in html  # what was typed is kept
    case.refresh_from_db()
    assert case.status == "in_progress"
    assert not case.history.exists()


@pytest.mark.parametrize("action", ["my_expectation_confirm", "my_expectation_dispute"])
def test_member_of_another_ngo_gets_a_404(client, completed, action):
    outsider = UserFactory()
    MembershipFactory(user=outsider, ngo=NGOFactory(), role=Membership.Role.ADMIN)
    client.force_login(outsider)
    response = client.post(en_url(f"surveys:{action}", pk=completed.pk), {"text": "Yapılmadı."})
    assert response.status_code == 404
    completed.refresh_from_db()
    assert completed.status == "completed"
    assert completed.ngo_confirmed_at is None
    assert completed.history.count() == 1


@pytest.mark.parametrize("action", ["my_expectation_confirm", "my_expectation_dispute"])
def test_get_on_confirm_and_dispute_is_refused_with_405(member_client, completed, action):
    response = member_client.get(en_url(f"surveys:{action}", pk=completed.pk), {"text": "x"})
    assert response.status_code == 405
    completed.refresh_from_db()
    assert completed.status == "completed"
    assert completed.ngo_confirmed_at is None


def test_municipal_staff_cannot_confirm_for_the_ngo(client, completed, municipal_staff):
    client.force_login(municipal_staff)
    response = client.post(en_url("surveys:my_expectation_confirm", pk=completed.pk))
    assert response.status_code == 404
    completed.refresh_from_db()
    assert completed.ngo_confirmed_at is None


def test_detail_names_the_municipality_never_its_staff(member_client, ngo, municipal_staff):
    """The NGO deals with the municipality: the history says which municipality acted, not who
    on its staff, and assignments to a member of its staff are left out."""
    (case,) = submitted_items(ngo, title="Gençlik merkezi", status="under_review")
    colleague = UserFactory(full_name="Zeynep Kaya")
    entry(case, "status", "İnceliyoruz.", actor=municipal_staff, to_status="under_review")
    entry(case, "assignment", actor=municipal_staff, assigned_to=colleague)
    entry(case, "answer", "Gençlik merkezini planlıyoruz.", actor=municipal_staff)

    response = member_client.get(en_url("surveys:my_expectation", pk=case.pk))

    html = html_of(response)
    assert "Kemal Demir" not in html
    assert "Zeynep Kaya" not in html
    assert "Assigned to" not in html
    assert html.count("Erzurum Büyükşehir Belediyesi") >= 3  # addressed to + two entries
    assert [e.kind for e in response.context["history"]] == ["status", "answer"]


def test_staff_still_see_who_did_what_on_the_case_page(client, ngo, municipal_staff):
    (case,) = submitted_items(ngo, title="Gençlik merkezi", status="under_review")
    entry(case, "answer", "Gençlik merkezini planlıyoruz.", actor=municipal_staff)
    client.force_login(municipal_staff)

    html = html_of(client.get(en_url("surveys:case", pk=case.pk)))

    assert "Kemal Demir · Erzurum Büyükşehir Belediyesi" in " ".join(html.split())
