"""The NGO's submission of its five ranked expectations: editor, submit, amend, conflicts,
time window, scope, assisted entry, printable summary and confirmation email."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core import mail
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from municipalities.models import Municipality, Province
from ngos.models import NGO
from portal.access import forget_roles
from surveys.models import Category, Expectation, Submission, SubmissionRevision
from surveys.services.submission import ItemData, submission_save
from tests.factories import CoordinatorAssignmentFactory, MembershipFactory, UserFactory
from tests.surveys.factories import (
    CampaignFactory,
    ExpectationFactory,
    SubmissionFactory,
    erzurum_metropolitan,
)

pytestmark = pytest.mark.django_db
ISTANBUL_TIME = ZoneInfo("Europe/Istanbul")


# Helpers


def en(name, **kwargs):
    """The English URL of a view (the Turkish one has no prefix)."""
    with translation.override("en"):
        return reverse(name, kwargs=kwargs)


def editor_url(campaign, ngo):
    return en("surveys:submission_edit", code=campaign.code, slug=ngo.slug)


def summary_url(campaign, ngo):
    return en("surveys:submission_summary", code=campaign.code, slug=ngo.slug)


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def categories(campaign, count=5):
    return list(campaign.categories.order_by("order")[:count])


def item(campaign, n, **overrides):
    """The form data of a complete expectation number n (distinct category per n)."""
    data = {
        "id": "",
        "category": str(categories(campaign)[n - 1].pk),
        "title": f"Beklenti {n}: toplanma alanı",
        "description": f"Açıklama {n}: mahallemizdeki ihtiyaç.",
        "municipality": str(erzurum_metropolitan().pk),
        "hazard": "",
        "offer": "",
    }
    data.update({key: str(value) for key, value in overrides.items()})
    return data


def form_data(items, *, version, action="save", total=None):
    """What the browser posts: the management form, the item forms (padded with empty ones to
    five), the version the user loaded and the button pressed."""
    items = list(items) + [{}] * (5 - len(items))
    data = {
        "form-TOTAL_FORMS": str(total if total is not None else len(items)),
        "form-INITIAL_FORMS": "5",
        "form-MIN_NUM_FORMS": "5",
        "form-MAX_NUM_FORMS": "5",
        "version": str(version),
    }
    for index, values in enumerate(items):
        for key in ("id", "category", "title", "description", "municipality", "hazard", "offer"):
            data[f"form-{index}-{key}"] = values.get(key, "")
    if action == "save":
        data["save"] = "1"
    elif action == "submit":
        data["submit"] = "1"
    else:
        data["move"] = action
    return data


def saved(submission):
    """The saved state of a submission, to compare before and after a refused POST."""
    submission.refresh_from_db()
    rows = list(
        Expectation.objects.filter(submission=submission)
        .order_by("rank")
        .values_list("pk", "rank", "category", "title", "description", "municipality", "status")
    )
    return (submission.version, submission.status, rows)


def item_data(campaign, n, **overrides):
    """A complete item for the service (what the form would give)."""
    values = {
        "category": categories(campaign)[n - 1],
        "title": f"Beklenti {n}: toplanma alanı",
        "description": f"Açıklama {n}: mahallemizdeki ihtiyaç.",
        "municipality": erzurum_metropolitan(),
    }
    values.update(overrides)
    return ItemData(**values)


def submit_five(campaign, ngo, user):
    """A submission with five complete items, submitted through the service."""
    submission = SubmissionFactory(campaign=campaign, ngo=ngo)
    submission_save(
        submission_id=submission.pk,
        items=[item_data(campaign, n) for n in range(1, 6)],
        expected_version=submission.version,
        user=user,
        submit=True,
    )
    submission.refresh_from_db()
    return submission


def form_items(submission):
    """The saved items as form data, in rank order (with their ids)."""
    return [
        {
            "id": str(e.pk),
            "category": str(e.category_id or ""),
            "title": e.title,
            "description": e.description,
            "municipality": str(e.municipality_id or ""),
            "hazard": e.hazard,
            "offer": e.offer,
        }
        for e in submission.items.order_by("rank")
    ]


@pytest.fixture
def draft(campaign, ngo, member_client):
    """The draft created when the member first opens the editor."""
    member_client.get(editor_url(campaign, ngo))
    return Submission.objects.get(campaign=campaign, ngo=ngo)


# Opening the editor


def test_editor_creates_one_draft_with_five_empty_forms(member_client, campaign, ngo):
    url = editor_url(campaign, ngo)
    response = member_client.get(url)
    member_client.get(url)
    submission = Submission.objects.get(campaign=campaign, ngo=ngo)
    assert submission.status == Submission.Status.DRAFT
    assert submission.items.count() == 0
    formset = response.context["formset"]
    assert len(formset.forms) == 5
    # New items are addressed by default to the NGO's own municipality.
    assert {form.initial["municipality"] for form in formset.forms} == {ngo.municipality_id}
    html = response.content.decode()
    assert f'name="version" value="{submission.version}"' in html
    assert "Our five most important expectations" in html
    assert "Erzurum Büyükşehir Belediyesi" in html
    assert "Kars Belediyesi" not in html


def test_editor_offers_the_campaigns_categories_only(member_client, ngo):
    offered = list(Category.objects.filter(is_active=True).order_by("order")[:3])
    campaign = CampaignFactory(categories=offered)
    response = member_client.get(editor_url(campaign, ngo))
    field = response.context["formset"].forms[0].fields["category"]
    assert {c.pk for c in field.queryset} == {c.pk for c in offered}
    other = Category.objects.exclude(pk__in=[c.pk for c in offered]).first()
    assert other.code not in response.content.decode()


def test_two_drafts_for_the_same_ngo_and_campaign_are_refused_by_the_database(campaign, ngo, draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.create(campaign=campaign, ngo=ngo)


# Draft save and resume


def test_draft_with_two_items_is_saved_and_resumed(member_client, campaign, ngo, draft, member):
    url = editor_url(campaign, ngo)
    data = form_data([item(campaign, 1), item(campaign, 2)], version=draft.version)
    response = member_client.post(url, data)
    assert response.status_code == 302
    assert response.url == url
    assert texts(response) == ["Draft saved."]
    version, status, rows = saved(draft)
    assert status == Submission.Status.DRAFT
    assert version == 2
    assert [(rank, title) for _pk, rank, _c, title, *_rest in rows] == [
        (1, "Beklenti 1: toplanma alanı"),
        (2, "Beklenti 2: toplanma alanı"),
    ]
    assert draft.updated_by == member
    # Reloading shows the two items, then three empty forms.
    response = member_client.get(url)
    forms = response.context["formset"].forms
    assert [f.initial.get("title") for f in forms[:2]] == [
        "Beklenti 1: toplanma alanı",
        "Beklenti 2: toplanma alanı",
    ]
    assert forms[0].initial["id"] == rows[0][0]
    assert "title" not in forms[2].initial
    assert "Beklenti 2: toplanma alanı" in response.content.decode()


def test_untouched_forms_with_the_default_municipality_are_not_saved(
    member_client, campaign, ngo, draft
):
    default = {"municipality": str(ngo.municipality_id)}
    data = form_data([item(campaign, 1), default, default, default, default], version=1)
    member_client.post(editor_url(campaign, ngo), data)
    assert draft.items.count() == 1


def test_saved_ranks_follow_the_form_order_without_gaps(member_client, campaign, ngo, draft):
    data = form_data([item(campaign, 1), {}, item(campaign, 3), {}, item(campaign, 5)], version=1)
    member_client.post(editor_url(campaign, ngo), data)
    assert list(draft.items.order_by("rank").values_list("rank", "title")) == [
        (1, "Beklenti 1: toplanma alanı"),
        (2, "Beklenti 3: toplanma alanı"),
        (3, "Beklenti 5: toplanma alanı"),
    ]


def test_database_refuses_two_items_with_the_same_rank(draft):
    ExpectationFactory(submission=draft, rank=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ExpectationFactory(submission=draft, rank=1)


# The validation matrix: errors beside the fields, everything typed kept, nothing written


def assert_refused(response, before, submission, typed=()):
    assert response.status_code == 200
    assert saved(submission) == before
    html = response.content.decode()
    assert "Nothing was saved" in html
    for text in typed:
        assert text in html


def test_submit_with_four_items_is_refused(member_client, campaign, ngo, draft):
    before = saved(draft)
    items = [item(campaign, n) for n in range(1, 5)]
    response = member_client.post(
        editor_url(campaign, ngo), form_data(items, version=1, action="submit")
    )
    assert_refused(response, before, draft, typed=[i["title"] for i in items])
    assert "A submission needs exactly 5 expectations; this one has 4." in (
        response.context["formset"].non_form_errors()
    )
    assert draft.receipt_number is None


def test_submit_with_six_forms_is_refused(member_client, campaign, ngo, draft):
    before = saved(draft)
    items = [item(campaign, n) for n in range(1, 6)]
    data = form_data(items, version=1, action="submit", total=6)
    data.update({f"form-5-{k}": v for k, v in item(campaign, 1, title="Altıncı").items()})
    response = member_client.post(editor_url(campaign, ngo), data)
    assert_refused(response, before, draft, typed=[i["title"] for i in items])
    assert response.context["formset"].non_form_errors()
    assert draft.status == Submission.Status.DRAFT


def test_submit_with_a_duplicate_item_shows_the_error_beside_it(
    member_client, campaign, ngo, draft
):
    before = saved(draft)
    items = [item(campaign, n) for n in range(1, 5)] + [item(campaign, 5)]
    items[4]["category"] = items[1]["category"]
    items[4]["title"] = "  beklenti 2: TOPLANMA alanı "
    response = member_client.post(
        editor_url(campaign, ngo), form_data(items, version=1, action="submit")
    )
    assert_refused(response, before, draft)
    forms = response.context["formset"].forms
    assert forms[4].errors["title"] == [
        "Same category, municipality and title as another expectation."
    ]
    assert response.context["formset"].non_form_errors()
    assert 'value="  beklenti 2: TOPLANMA alanı "' in response.content.decode()


def test_submit_with_an_empty_title_shows_the_error_beside_it(member_client, campaign, ngo, draft):
    before = saved(draft)
    items = [item(campaign, n) for n in range(1, 6)]
    items[2]["title"] = "   "
    response = member_client.post(
        editor_url(campaign, ngo), form_data(items, version=1, action="submit")
    )
    assert_refused(response, before, draft, typed=[items[2]["description"]])
    assert response.context["formset"].forms[2].errors["title"] == ["Required to submit."]


@pytest.mark.parametrize(
    ("field", "length"), [("title", 121), ("description", 2001), ("offer", 1001)]
)
def test_over_long_text_is_refused_even_in_a_draft(
    member_client, campaign, ngo, draft, field, length
):
    before = saved(draft)
    long_text = "ş" * length
    items = [item(campaign, 1, **{field: long_text}), item(campaign, 2)]
    response = member_client.post(editor_url(campaign, ngo), form_data(items, version=1))
    assert_refused(response, before, draft, typed=[long_text, items[1]["title"]])
    assert response.context["formset"].forms[0].errors[field]


def test_a_municipality_outside_the_ngos_province_is_refused(member_client, campaign, ngo, draft):
    before = saved(draft)
    kars = Municipality.objects.get(province=36, kind=Municipality.Kind.PROVINCIAL)
    items = [item(campaign, n) for n in range(1, 6)]
    items[3]["municipality"] = str(kars.pk)
    response = member_client.post(
        editor_url(campaign, ngo), form_data(items, version=1, action="submit")
    )
    assert_refused(response, before, draft, typed=[items[3]["title"]])
    assert response.context["formset"].forms[3].errors["municipality"]


def test_an_item_id_of_another_submission_is_refused(member_client, campaign, ngo, draft):
    foreign = ExpectationFactory(submission=SubmissionFactory(campaign=campaign), rank=1)
    before = saved(draft)
    response = member_client.post(
        editor_url(campaign, ngo), form_data([item(campaign, 1, id=foreign.pk)], version=1)
    )
    assert_refused(response, before, draft)
    assert "The form refers to items of another submission." in response.content.decode()
    foreign.refresh_from_db()
    assert foreign.submission_id != draft.pk


def test_an_htmx_save_with_errors_returns_the_editor_with_what_was_typed(
    member_client, campaign, ngo, draft
):
    before = saved(draft)
    items = [item(campaign, 1, title="ç" * 121, description="Yazdığım açıklama")]
    response = member_client.post(
        editor_url(campaign, ngo), form_data(items, version=1), headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="submission-editor"')
    assert "Nothing was saved" in html
    assert "Yazdığım açıklama" in html
    assert saved(draft) == before


def test_the_turkish_page_shows_the_same_editor(member_client, campaign, ngo):
    response = member_client.get(editor_url(campaign, ngo).removeprefix("/en"))
    assert response.context["formset"].total_form_count() == 5
    assert '<html lang="tr">' in response.content.decode()


def test_a_garbled_post_shows_errors_not_a_crash(member_client, campaign, ngo, draft):
    before = saved(draft)
    response = member_client.post(editor_url(campaign, ngo), {"save": "1", "version": "x"})
    assert response.status_code == 200
    assert saved(draft) == before


# Reordering


def test_move_down_swaps_two_items_and_keeps_their_ids(member_client, campaign, ngo, draft):
    url = editor_url(campaign, ngo)
    member_client.post(url, form_data([item(campaign, n) for n in range(1, 4)], version=1))
    first, second, third = draft.items.order_by("rank")
    draft.refresh_from_db()
    response = member_client.post(
        url, form_data(form_items(draft), version=draft.version, action="down-0")
    )
    assert response.status_code == 302
    # Without JavaScript the page comes back at the moved item, now the second.
    assert response.url == f"{url}#expectation-2"
    assert 'id="expectation-2"' in member_client.get(url).content.decode()
    assert list(draft.items.order_by("rank").values_list("pk", "rank")) == [
        (second.pk, 1),
        (first.pk, 2),
        (third.pk, 3),
    ]
    forms = member_client.get(url).context["formset"].forms
    assert [f.initial["id"] for f in forms[:3]] == [second.pk, first.pk, third.pk]


def test_move_up_with_htmx_returns_the_refreshed_editor(member_client, campaign, ngo, draft):
    url = editor_url(campaign, ngo)
    member_client.post(url, form_data([item(campaign, n) for n in range(1, 4)], version=1))
    first, second, third = draft.items.order_by("rank")
    draft.refresh_from_db()
    response = member_client.post(
        url,
        form_data(form_items(draft), version=draft.version, action="up-2"),
        headers={"HX-Request": "true"},
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="submission-editor"')
    assert "<html" not in html
    assert "The new order has been saved as a draft." in html
    # htmx scrolls to the moved item (the third moved up to second place).
    assert response["HX-Reswap"] == "outerHTML show:#expectation-2:top"
    assert 'id="expectation-2"' in html
    assert list(draft.items.order_by("rank").values_list("pk", flat=True)) == [
        first.pk,
        third.pk,
        second.pk,
    ]
    draft.refresh_from_db()
    assert f'name="version" value="{draft.version}"' in html


def test_moving_keeps_what_was_typed_in_the_moved_items(member_client, campaign, ngo, draft):
    items = [item(campaign, 1), item(campaign, 2, title="Yeni yazılan başlık")]
    member_client.post(editor_url(campaign, ngo), form_data(items, version=1, action="up-1"))
    assert list(draft.items.order_by("rank").values_list("title", flat=True)) == [
        "Yeni yazılan başlık",
        "Beklenti 1: toplanma alanı",
    ]


# Submitting


def test_submit_gives_a_receipt_and_emails_the_admins(
    member_client, campaign, ngo, draft, member, ngo_admin, django_capture_on_commit_callbacks
):
    items = [item(campaign, n) for n in range(1, 6)]
    with django_capture_on_commit_callbacks(execute=True):
        response = member_client.post(
            editor_url(campaign, ngo), form_data(items, version=1, action="submit")
        )
    draft.refresh_from_db()
    assert draft.status == Submission.Status.SUBMITTED
    assert draft.receipt_number == f"K2025-{draft.pk:06d}"
    assert draft.submitted_by == member
    assert draft.entered_by is None
    assert response.url == summary_url(campaign, ngo)
    assert texts(response) == [f"Submitted — receipt number {draft.receipt_number}."]
    assert list(draft.items.order_by("rank").values_list("status", flat=True)) == ["new"] * 5
    assert draft.revisions.get().kind == SubmissionRevision.Kind.SUBMITTED
    # Only the administrators are emailed, in their language, with the five items in order.
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [ngo_admin.email]
    assert draft.receipt_number in message.subject
    assert ngo.name in message.subject  # an administrator of several NGOs knows which
    positions = [message.body.index(i["title"]) for i in items]
    assert positions == sorted(positions)
    assert "1. Beklenti 1: toplanma alanı" in message.body
    assert "Erzurum Büyükşehir Belediyesi" in message.body
    assert summary_url(campaign, ngo) in message.body


def test_summary_shows_the_receipt_and_the_five_items(member_client, campaign, ngo, member):
    submission = submit_five(campaign, ngo, member)
    response = member_client.get(summary_url(campaign, ngo))
    html = response.content.decode()
    assert submission.receipt_number in html
    assert "Palandöken Dayanışma Derneği" in html
    assert "2025 Beş Beklenti Anketi" in html
    first_category = categories(campaign)[0]
    assert first_category.code in html
    assert first_category.name_en in html
    positions = [html.index(f"Beklenti {n}: toplanma alanı") for n in range(1, 6)]
    assert positions == sorted(positions)
    assert "Draft — not submitted yet" not in html


def test_summary_of_a_draft_says_it_is_not_submitted(member_client, campaign, ngo, draft):
    ExpectationFactory(submission=draft, rank=1, title="Taslak başlık")
    html = member_client.get(summary_url(campaign, ngo)).content.decode()
    assert "Draft — not submitted yet" in html
    assert "Taslak başlık" in html


# Amending after submission


def test_amendment_is_recorded_with_what_changed(member_client, campaign, ngo, member, ngo_admin):
    submission = submit_five(campaign, ngo, ngo_admin)
    items = form_items(submission)
    items[1]["title"] = "Yeni başlık"
    url = editor_url(campaign, ngo)
    response = member_client.post(url, form_data(items, version=submission.version))
    assert texts(response) == ["Amendment saved."]
    revision = submission.revisions.filter(kind=SubmissionRevision.Kind.AMENDED).get()
    assert revision.user == member
    assert revision.changes == [
        {"rank": 2, "field": "title", "old": "Beklenti 2: toplanma alanı", "new": "Yeni başlık"}
    ]
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    html = member_client.get(url).content.decode()
    assert "Expectation 2: title changed from “Beklenti 2: toplanma alanı” to “Yeni başlık”." in (
        html
    )
    assert "amended by Mehmet Işık" in html


def test_an_item_under_review_keeps_its_status_when_its_text_is_amended(
    member_client, campaign, ngo, member
):
    submission = submit_five(campaign, ngo, member)
    under_review = submission.items.get(rank=3)
    under_review.status = Expectation.Status.UNDER_REVIEW
    under_review.save()
    items = form_items(submission)
    items[2]["description"] = "Daha ayrıntılı bir açıklama."
    member_client.post(editor_url(campaign, ngo), form_data(items, version=submission.version))
    under_review.refresh_from_db()
    assert under_review.description == "Daha ayrıntılı bir açıklama."
    assert under_review.status == Expectation.Status.UNDER_REVIEW


def test_changing_the_municipality_moves_the_item_and_makes_it_new(
    member_client, campaign, ngo, member
):
    submission = submit_five(campaign, ngo, member)
    moved = submission.items.get(rank=4)
    moved.status = Expectation.Status.UNDER_REVIEW
    moved.save()
    oltu = Municipality.objects.get(province=25, name="Oltu Belediyesi")
    items = form_items(submission)
    items[3]["municipality"] = str(oltu.pk)
    member_client.post(editor_url(campaign, ngo), form_data(items, version=submission.version))
    moved.refresh_from_db()
    assert moved.municipality == oltu
    assert moved.status == Expectation.Status.NEW
    change = submission.revisions.get(kind="amended").changes[0]
    assert change == {
        "rank": 4,
        "field": "municipality",
        "old": "Erzurum Büyükşehir Belediyesi",
        "new": "Oltu Belediyesi",
    }


def test_an_amendment_cannot_leave_the_submission_incomplete(member_client, campaign, ngo, member):
    submission = submit_five(campaign, ngo, member)
    before = saved(submission)
    items = form_items(submission)
    items[0]["description"] = ""
    response = member_client.post(
        editor_url(campaign, ngo), form_data(items, version=submission.version)
    )
    assert_refused(response, before, submission)
    assert response.context["formset"].forms[0].errors["description"] == ["Required to submit."]


# Two members editing at once


def test_concurrent_edit_gets_a_conflict_and_keeps_the_typed_text(
    client, campaign, ngo, member, ngo_admin, draft
):
    url = editor_url(campaign, ngo)
    client.force_login(ngo_admin)
    assert client.get(url).context["version"] == draft.version
    loaded = draft.version
    client.post(url, form_data([item(campaign, 1, title="Yöneticinin başlığı")], version=loaded))

    client.force_login(member)
    response = client.post(
        url, form_data([item(campaign, 1, title="Üyenin başlığı")], version=loaded)
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Another member of your NGO saved this submission in the meantime" in html
    # What the member typed is still in the form; the current version is shown beside it.
    assert response.context["formset"].forms[0]["title"].value() == "Üyenin başlığı"
    assert 'value="Üyenin başlığı"' in html
    assert "The current saved version (version 2, saved by Ayşe Yılmaz)" in html
    assert "Yöneticinin başlığı" in html
    assert list(draft.items.values_list("title", flat=True)) == ["Yöneticinin başlığı"]
    # Having seen the current version, the member may save over it deliberately.
    assert response.context["version"] == 2
    client.post(url, form_data([item(campaign, 1, title="Üyenin başlığı")], version=2))
    assert list(draft.items.values_list("title", flat=True)) == ["Üyenin başlığı"]


# The campaign's time window


@pytest.fixture
def spring_campaign(db):
    """Open from 1 April 2025 09:00 to 1 June 2025 00:00, Türkiye time."""
    return CampaignFactory(
        code="bahar",
        opens_at=datetime.datetime(2025, 4, 1, 9, 0, tzinfo=ISTANBUL_TIME),
        closes_at=datetime.datetime(2025, 6, 1, 0, 0, tzinfo=ISTANBUL_TIME),
    )


@pytest.fixture
def regional(ngo):
    """The coordinator of the NGO's sub-region (Erzurum-Kars)."""
    user = UserFactory(full_name="Bölge Koordinatörü Can", preferred_language="en")
    CoordinatorAssignmentFactory(user=user, subregion=ngo.province.subregion)
    return user


@time_machine.travel(datetime.datetime(2025, 3, 31, 12, 0, tzinfo=ISTANBUL_TIME), tick=False)
def test_before_opening_the_page_is_read_only_and_a_post_is_refused(
    client, spring_campaign, ngo, member, regional
):
    url = editor_url(spring_campaign, ngo)
    # Members and their coordinator see it read-only, with the opening date; no draft is made.
    for user in (member, regional):
        client.force_login(user)
        response = client.get(url)
        html = response.content.decode()
        assert "This campaign opens on" in html
        assert "1 April 2025" in html
        assert "<textarea" not in html
        response = client.post(url, form_data([item(spring_campaign, 1)], version=1))
        assert response.url == url
        assert texts(response)[0].startswith("This campaign opens on")
        assert not Submission.objects.exists()


def test_during_the_window_saving_works(client, spring_campaign, ngo, member):
    client.force_login(member)
    url = editor_url(spring_campaign, ngo)
    with time_machine.travel(datetime.datetime(2025, 5, 31, 23, 59, tzinfo=ISTANBUL_TIME)):
        client.get(url)
        response = client.post(url, form_data([item(spring_campaign, 1)], version=1))
    assert texts(response) == ["Draft saved."]
    assert Submission.objects.get().items.count() == 1


def test_after_closing_the_page_is_read_only_and_the_draft_stays_intact(
    client, spring_campaign, ngo, member
):
    client.force_login(member)
    url = editor_url(spring_campaign, ngo)
    with time_machine.travel(datetime.datetime(2025, 5, 20, 10, 0, tzinfo=ISTANBUL_TIME)):
        client.get(url)
        client.post(url, form_data([item(spring_campaign, 1, title="Taslak")], version=1))
    submission = Submission.objects.get()
    before = saved(submission)
    with time_machine.travel(datetime.datetime(2025, 6, 1, 0, 0, tzinfo=ISTANBUL_TIME)):
        html = client.get(url).content.decode()
        assert "This campaign closed on 1 June 2025" in html
        assert "your submission can no longer be changed" in html
        assert "Taslak" in html
        assert "<textarea" not in html
        response = client.post(
            url, form_data([item(spring_campaign, 1, title="Geç")], version=2, action="submit")
        )
    assert response.status_code == 302
    assert "your submission can no longer be changed" in texts(response)[0]
    assert saved(submission) == before
    assert submission.status == Submission.Status.DRAFT


def test_a_closed_campaign_without_a_submission_creates_none(member_client, ngo):
    campaign = CampaignFactory(
        opens_at=datetime.datetime(2024, 1, 1, tzinfo=ISTANBUL_TIME),
        closes_at=datetime.datetime(2024, 2, 1, tzinfo=ISTANBUL_TIME),
    )
    html = member_client.get(editor_url(campaign, ngo)).content.decode()
    assert "Your NGO has no submission for this campaign." in html
    assert not Submission.objects.exists()


def test_an_early_close_closes_the_campaign(member_client, campaign, ngo, draft):
    ExpectationFactory(submission=draft, rank=1, title="Taslak")
    before = saved(draft)
    with time_machine.travel(datetime.datetime(2025, 5, 10, 12, 0, tzinfo=ISTANBUL_TIME)):
        campaign.opens_at = datetime.datetime(2025, 5, 1, tzinfo=ISTANBUL_TIME)
        campaign.closes_at = datetime.datetime(2025, 6, 1, tzinfo=ISTANBUL_TIME)
        campaign.closed_early_at = datetime.datetime(2025, 5, 9, 17, 30, tzinfo=ISTANBUL_TIME)
        campaign.save()
        url = editor_url(campaign, ngo)
        assert "This campaign closed on 9 May 2025" in member_client.get(url).content.decode()
        response = member_client.post(url, form_data([item(campaign, 1)], version=before[0]))
    assert "your submission can no longer be changed" in texts(response)[0]
    assert saved(draft) == before


# Who may open a submission


def test_an_ngo_outside_a_subregion_limited_campaign_gets_404(member_client, ngo):
    marmara = Province.objects.get(plate=34).subregion
    campaign = CampaignFactory(subregions=[marmara])
    assert member_client.get(editor_url(campaign, ngo)).status_code == 404
    assert member_client.get(summary_url(campaign, ngo)).status_code == 404
    assert not Submission.objects.exists()


def test_an_ngo_inside_a_subregion_limited_campaign_may_open_it(member_client, ngo):
    campaign = CampaignFactory(subregions=[ngo.province.subregion])
    response = member_client.get(editor_url(campaign, ngo))
    assert response.context["formset"] is not None
    assert Submission.objects.filter(campaign=campaign, ngo=ngo).exists()


def test_a_member_of_another_ngo_gets_404(client, campaign, ngo):
    outsider = MembershipFactory().user
    client.force_login(outsider)
    ExpectationFactory(submission=SubmissionFactory(campaign=campaign, ngo=ngo), rank=1)
    assert client.get(editor_url(campaign, ngo)).status_code == 404
    assert client.get(summary_url(campaign, ngo)).status_code == 404
    response = client.post(editor_url(campaign, ngo), form_data([item(campaign, 1)], version=1))
    assert response.status_code == 404
    assert Expectation.objects.get().title != "Beklenti 1: toplanma alanı"


def test_an_unverified_ngo_cannot_open_its_submission(member_client, campaign, ngo):
    ngo.status = NGO.Status.PENDING
    ngo.save()
    url = editor_url(campaign, ngo)
    response = member_client.get(url)
    assert response.status_code == 403
    html = response.content.decode()
    assert "Only verified NGOs take part in the survey" in html
    assert "<textarea" not in html
    response = member_client.post(url, form_data([item(campaign, 1)], version=1))
    assert response.status_code == 403
    assert not Submission.objects.exists()


def test_anonymous_visitors_are_sent_to_log_in(client, campaign, ngo):
    for url in (editor_url(campaign, ngo), summary_url(campaign, ngo)):
        response = client.get(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response.url
    assert not Submission.objects.exists()


# Assisted entry


def test_a_regional_coordinator_enters_a_submission_on_the_ngos_behalf(
    client, campaign, ngo, regional
):
    client.force_login(regional)
    url = editor_url(campaign, ngo)
    response = client.get(url)
    assert "You are entering this submission on behalf of Palandöken Dayanışma Derneği" in (
        response.content.decode()
    )
    client.post(url, form_data([item(campaign, 1)], version=1))
    submission = Submission.objects.get(campaign=campaign, ngo=ngo)
    assert submission.entered_by == regional
    assert submission.updated_by == regional
    html = client.get(url).content.decode()
    assert "Entered on behalf of the NGO by Bölge Koordinatörü Can." in html


def test_assisted_submission_is_marked_in_the_history(client, campaign, ngo, regional):
    client.force_login(regional)
    url = editor_url(campaign, ngo)
    client.get(url)
    client.post(
        url, form_data([item(campaign, n) for n in range(1, 6)], version=1, action="submit")
    )
    revision = SubmissionRevision.objects.get()
    assert revision.on_behalf
    assert revision.user == regional
    html = client.get(url).content.decode()
    assert "entered on the NGO's behalf" in html.replace("&#x27;", "'")


def test_a_coordinator_who_is_also_a_member_is_not_entering_on_behalf(
    client, campaign, ngo, regional
):
    MembershipFactory(user=regional, ngo=ngo)
    forget_roles(regional)
    client.force_login(regional)
    url = editor_url(campaign, ngo)
    assert "on behalf of" not in client.get(url).content.decode()
    client.post(url, form_data([item(campaign, 1)], version=1))
    assert Submission.objects.get().entered_by is None


def test_a_coordinator_of_another_subregion_gets_404(client, campaign, ngo):
    istanbul = Province.objects.get(plate=34).subregion
    coordinator = CoordinatorAssignmentFactory(subregion=istanbul).user
    client.force_login(coordinator)
    assert client.get(editor_url(campaign, ngo)).status_code == 404
    assert not Submission.objects.exists()


# Query counts


def count_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_editor_query_count_does_not_grow_with_items(member_client, campaign, ngo, draft):
    url = editor_url(campaign, ngo)
    ExpectationFactory(submission=draft, rank=1)
    assert count_queries(member_client, url) == 12  # + the nav's unread notification count
    for rank in range(2, 6):
        ExpectationFactory(submission=draft, rank=rank)
    assert count_queries(member_client, url) == 12  # + the nav's unread notification count


def test_editor_query_count_does_not_grow_with_revisions(member_client, campaign, ngo, member):
    submission = submit_five(campaign, ngo, member)
    url = editor_url(campaign, ngo)
    assert count_queries(member_client, url) == 13  # + the nav's unread notification count
    for n in (1, 2):
        submission_save(
            submission_id=submission.pk,
            items=[item_data(campaign, i, title=f"Değişiklik {n}-{i}") for i in range(1, 6)],
            expected_version=submission.version + n - 1,
            user=member,
        )
    assert submission.revisions.count() == 3
    assert count_queries(member_client, url) == 13  # + the nav's unread notification count


def test_summary_query_count_does_not_grow_with_items(member_client, campaign, ngo, draft):
    url = summary_url(campaign, ngo)
    ExpectationFactory(submission=draft, rank=1)
    assert count_queries(member_client, url) == 10  # + the nav's unread notification count
    for rank in range(2, 6):
        ExpectationFactory(submission=draft, rank=rank)
    assert count_queries(member_client, url) == 10  # + the nav's unread notification count


def test_an_ngo_administrator_is_not_entering_on_behalf(client, campaign, ngo, ngo_admin):
    client.force_login(ngo_admin)
    response = client.get(editor_url(campaign, ngo))
    assert response.context["on_behalf"] is False
    assert "on behalf of" not in response.content.decode()


# Items know whether they are cases (Expectation.is_case, the inbox's index)


def test_items_become_cases_when_submitted_and_stay_cases_when_amended(
    campaign, ngo, member, member_client
):
    submission = SubmissionFactory(campaign=campaign, ngo=ngo)
    submission_save(
        submission_id=submission.pk,
        items=[item_data(campaign, n) for n in range(1, 4)],
        expected_version=submission.version,
        user=member,
    )
    assert list(submission.items.values_list("is_case", flat=True)) == [False] * 3
    assert not Expectation.objects.cases().filter(submission=submission).exists()
    submission.refresh_from_db()
    submission_save(
        submission_id=submission.pk,
        items=[item_data(campaign, n) for n in range(1, 6)],
        expected_version=submission.version,
        user=member,
        submit=True,
    )
    assert list(submission.items.values_list("is_case", flat=True)) == [True] * 5
    # An amendment replacing the fifth item: the new item is a case at once.
    submission.refresh_from_db()
    kept = list(submission.items.order_by("rank"))[:4]
    items = [item_data(campaign, n, pk=old.pk) for n, old in enumerate(kept, start=1)]
    items.append(item_data(campaign, 5, title="Yeni beşinci beklenti"))
    submission_save(
        submission_id=submission.pk, items=items, expected_version=submission.version, user=member
    )
    assert submission.items.get(rank=5).title == "Yeni beşinci beklenti"
    assert submission.items.count() == 5
    assert submission.items.filter(is_case=True).count() == 5
    assert Expectation.objects.cases().filter(submission=submission).count() == 5
