"""The case page of municipal staff and its actions: status, answer, note, assignment,
referral; scoping, conflicts and query counts."""

import datetime
import itertools
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from municipalities.models import Municipality, SubRegion
from portal.models import Notification
from surveys.models import TRANSITIONS, AnswerTemplate, Expectation, ReviewEntry, Submission
from surveys.services.review import ReviewConflict, expectation_change_status
from tests.factories import (
    CoordinatorAssignmentFactory,
    MembershipFactory,
    MunicipalStaffFactory,
    NGOFactory,
    UserFactory,
)
from tests.helpers import people_in_mixed_order
from tests.surveys.factories import ExpectationFactory, SubmissionFactory, erzurum_metropolitan

pytestmark = pytest.mark.django_db

ACTIONS = ["case_status", "case_answer", "case_note", "case_assign", "case_refer"]
_receipts = itertools.count(1)


# --- helpers ----------------------------------------------------------------------------------


def submitted_case(*, ngo=None, municipality=None, status="new", days_ago=2, **fields):
    """A case: an item of a submitted submission, addressed to Erzurum Büyükşehir by default."""
    submission = SubmissionFactory(
        ngo=ngo or NGOFactory(),
        status=Submission.Status.SUBMITTED,
        receipt_number=f"T-{next(_receipts):06d}",
        submitted_at=timezone.now() - datetime.timedelta(days=days_ago),
    )
    if status == "planned":
        fields.setdefault("target_date", datetime.date(2026, 6, 1))
    return ExpectationFactory(
        submission=submission,
        municipality=municipality or erzurum_metropolitan(),
        status=status,
        **fields,
    )


def yakutiye():
    return Municipality.objects.get(province=25, name="Yakutiye Belediyesi")


def staff_of(municipality, **kwargs):
    kwargs.setdefault("preferred_language", "en")
    user = UserFactory(**kwargs)
    MunicipalStaffFactory(user=user, municipality=municipality)
    return user


def en_url(name, **kwargs):
    """The English URL (new strings are asserted in English; see the brief)."""
    with translation.override("tr"):
        return "/en" + reverse(name, kwargs=kwargs)


def case_url(case, name="case"):
    return en_url(f"surveys:{name}", pk=case.pk)


def html_of(response):
    return response.content.decode()


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def staff(db):
    return staff_of(erzurum_metropolitan(), full_name="Kemal Demir", email="kemal@erzurum.test")


@pytest.fixture
def colleague(db):
    return staff_of(erzurum_metropolitan(), full_name="Zeynep Kaya", email="zeynep@erzurum.test")


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


@pytest.fixture
def case(ngo, ngo_admin):
    """A new case of the Palandöken association, addressed to Erzurum Büyükşehir."""
    ngo.email = "iletisim@palandoken.example"
    ngo.phone = "0442 111 22 33"
    ngo.contacts_public = False
    ngo.save()
    return submitted_case(
        ngo=ngo,
        title="Afet toplanma alanları",
        description="Toplanma alanlarının işaretlenmesi.\nİkinci satır.",
        offer="Gönüllü ekiplerimizle tabela taşıyabiliriz.",
        hazard="earthquake",
    )


def post_status(client, case, to_status, text="", target_date="", version=None):
    return client.post(
        case_url(case, "case_status"),
        {
            "review_version": case.review_version if version is None else version,
            "to_status": to_status,
            "text": text,
            "target_date": target_date,
        },
    )


# --- the page -----------------------------------------------------------------------------------


def test_case_page_shows_the_expectation_the_ngo_and_the_actions(staff_client, case):
    response = staff_client.get(case_url(case))
    html = html_of(response)
    assert response.context["can_act"] is True
    assert "Afet toplanma alanları" in html
    assert case.category.code in html
    assert "Toplanma alanlarının işaretlenmesi.<br>İkinci satır." in html
    assert "Gönüllü ekiplerimizle tabela taşıyabiliriz." in html
    assert "Earthquake" in html
    assert case.submission.campaign.title in html
    assert "Palandöken Dayanışma Derneği" in html
    # Staff see the contacts the NGO keeps private.
    assert "iletisim@palandoken.example" in html
    for name in ACTIONS:
        # (the answer form's action ends in #answer: without JavaScript the page comes back there)
        assert f'action="{case_url(case, name)}' in html
    assert f'name="review_version" value="{case.review_version}"' in html


def test_case_page_offers_only_the_allowed_statuses(staff_client, case):
    case.status = "accepted"
    case.save()
    form = staff_client.get(case_url(case)).context["status_form"]
    offered = {value for value, _label in form.fields["to_status"].choices}
    assert offered == TRANSITIONS["accepted"] - {"referred"}


def test_case_page_flags_an_overdue_case(staff_client, ngo):
    late = submitted_case(ngo=ngo, days_ago=45)
    assert "Overdue: no answer yet" in html_of(staff_client.get(case_url(late)))
    recent = submitted_case(ngo=NGOFactory(), days_ago=3)
    assert "Overdue: no answer yet" not in html_of(staff_client.get(case_url(recent)))


def test_case_page_sends_anonymous_users_to_log_in(client, case):
    response = client.get(case_url(case))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_case_page_of_another_municipality_is_a_404(client, case):
    client.force_login(staff_of(yakutiye()))
    assert client.get(case_url(case)).status_code == 404


def test_draft_items_are_not_cases(staff_client, ngo):
    draft = ExpectationFactory(submission=SubmissionFactory(ngo=ngo))
    assert staff_client.get(case_url(draft)).status_code == 404


@pytest.mark.parametrize("action", ACTIONS)
def test_every_action_of_another_municipality_is_a_404(client, case, action):
    client.force_login(staff_of(yakutiye()))
    data = {"review_version": case.review_version, "to_status": "accepted", "text": "Bizde."}
    response = client.post(case_url(case, action), data)
    assert response.status_code == 404
    case.refresh_from_db()
    assert case.status == "new"
    assert case.review_version == 1
    assert not case.history.exists()


@pytest.mark.parametrize("action", ACTIONS)
def test_get_on_an_action_url_is_refused_with_405(staff_client, case, action):
    response = staff_client.get(
        case_url(case, action), {"to_status": "accepted", "text": "GET ile."}
    )
    assert response.status_code == 405
    case.refresh_from_db()
    assert case.status == "new"
    assert not case.history.exists()


def test_coordinator_reads_the_case_without_notes_or_actions(client, staff_client, case):
    staff_client.post(case_url(case, "case_note"), {"text": "Gizli iç not: bütçe yok."})
    staff_client.post(
        case_url(case, "case_answer"),
        {"review_version": 1, "text": "Talebiniz incelemeye alındı."},
    )
    coordinator = UserFactory()
    CoordinatorAssignmentFactory(user=coordinator, subregion=SubRegion.objects.get(code="14"))
    client.force_login(coordinator)
    response = client.get(case_url(case))
    html = html_of(response)
    assert response.context["can_act"] is False
    assert "Talebiniz incelemeye alındı." in html
    assert "Gizli iç not" not in html
    assert "Internal note — not visible to the NGO" not in html
    for name in ACTIONS:
        assert case_url(case, name) not in html
    # Seeing is not acting: a visible case the coordinator may not change is a 403.
    response = client.post(case_url(case, "case_note"), {"text": "Koordinatör notu."})
    assert response.status_code == 403
    assert case.history.count() == 2


def test_coordinator_of_another_subregion_gets_a_404(client, case):
    coordinator = UserFactory()
    CoordinatorAssignmentFactory(
        user=coordinator, subregion=SubRegion.objects.exclude(code="14").first()
    )
    client.force_login(coordinator)
    assert client.get(case_url(case)).status_code == 404


# --- status changes -------------------------------------------------------------------------------

STATUSES = list(Expectation.Status.values)
PAIRS = [(old, new) for old in STATUSES for new in STATUSES if new != old]


@pytest.mark.parametrize(("old", "new"), PAIRS)
def test_status_change_follows_the_transition_rules(staff_client, ngo, old, new):
    case = submitted_case(ngo=ngo, status=old)
    response = post_status(
        staff_client, case, new, text="Gerekçe ve kapanış notu.", target_date="2030-09-30"
    )
    case.refresh_from_db()
    allowed = new in TRANSITIONS[old] and new != "referred"
    if allowed:
        assert response.status_code == 302
        assert response["Location"] == case_url(case)
        assert case.status == new
        entry = case.history.get()
        assert (entry.kind, entry.from_status, entry.to_status) == ("status", old, new)
        assert entry.text == "Gerekçe ve kapanış notu."
        assert case.review_version == 2
    else:
        assert response.status_code == 200
        assert case.status == old
        assert not case.history.exists()
        assert response.context["status_form"].errors


def test_status_change_success_shows_a_message(staff_client, case):
    response = post_status(staff_client, case, "under_review", text="İnceliyoruz.")
    assert "The case is now “Under review”." in html_of(staff_client.get(response["Location"]))


def test_declining_without_a_reason_is_refused(staff_client, case):
    response = post_status(staff_client, case, "declined", text="   ", target_date="2026-01-31")
    html = html_of(response)
    assert response.status_code == 200
    assert "Give the reason for declining; the NGO will read it." in html
    assert '<option value="declined" selected>' in html
    assert 'value="2026-01-31"' in html
    case.refresh_from_db()
    assert case.status == "new"
    assert case.review_version == 1
    assert not case.history.exists()


def test_completing_needs_a_closing_note(staff_client, case):
    case.status = "in_progress"
    case.save()
    response = post_status(staff_client, case, "completed", text="")
    assert "Write a closing note saying what was done." in html_of(response)
    case.refresh_from_db()
    assert case.status == "in_progress"
    response = post_status(staff_client, case, "completed", text="Tabelalar asıldı.")
    case.refresh_from_db()
    assert case.status == "completed"
    assert case.history.get().text == "Tabelalar asıldı."


def test_planning_needs_a_target_date(staff_client, case):
    response = post_status(staff_client, case, "planned", text="Bahar aylarında yapılacak.")
    html = html_of(response)
    assert "Give the target date of the plan." in html
    assert "Bahar aylarında yapılacak." in html  # what was typed is kept
    case.refresh_from_db()
    assert case.status == "new"
    assert case.target_date is None
    post_status(staff_client, case, "planned", text="Bahar.", target_date="2030-04-15")
    case.refresh_from_db()
    assert (case.status, case.target_date) == ("planned", datetime.date(2030, 4, 15))
    assert "15 April 2030" in html_of(staff_client.get(case_url(case)))


def test_planning_refuses_a_target_date_in_the_past(staff_client, case):
    """Yesterday is refused with the reason at the date field; today is accepted."""
    today = timezone.localdate()
    yesterday = today - datetime.timedelta(days=1)

    response = post_status(
        staff_client, case, "planned", text="Geçen hafta.", target_date=yesterday.isoformat()
    )

    html = html_of(response)
    assert "The target date cannot be in the past: give today or a later day." in html
    assert f'min="{today.isoformat()}"' in html
    case.refresh_from_db()
    assert (case.status, case.target_date, case.history.exists()) == ("new", None, False)
    post_status(staff_client, case, "planned", text="Bugün.", target_date=today.isoformat())
    case.refresh_from_db()
    assert (case.status, case.target_date) == ("planned", today)


def test_the_service_refuses_a_past_target_date_too(staff, case):
    """The rule holds for every caller of the service, not only the case page's form."""
    with pytest.raises(ValidationError) as refused:
        expectation_change_status(
            expectation_id=case.pk,
            expected_version=None,
            user=staff,
            to_status="planned",
            target_date=timezone.localdate() - datetime.timedelta(days=3),
        )
    assert refused.value.code == "past_target_date"
    case.refresh_from_db()
    assert case.status == "new"


def test_an_unknown_status_is_refused_without_a_crash(staff_client, case):
    response = post_status(staff_client, case, "teleported", text="?")
    assert response.status_code == 200
    assert response.context["status_form"].errors["to_status"]
    case.refresh_from_db()
    assert case.status == "new"


# --- public answers and internal notes ------------------------------------------------------------


def test_public_answer_reaches_the_ngo_and_sets_the_first_answer_time_once(
    client, staff_client, case, member
):
    response = staff_client.post(
        case_url(case, "case_answer"), {"review_version": 1, "text": "Talebinizi aldık."}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    first = case.first_answered_at
    assert first is not None
    assert case.history.get().kind == "answer"
    staff_client.post(
        case_url(case, "case_answer"),
        {"review_version": case.review_version, "text": "Bütçe onaylandı."},
    )
    case.refresh_from_db()
    assert case.first_answered_at == first
    assert case.history.filter(kind="answer").count() == 2
    client.force_login(member)
    html = html_of(client.get(case_url(case, "my_expectation")))
    assert "Talebinizi aldık." in html
    assert "Bütçe onaylandı." in html


def test_empty_answer_is_refused_and_keeps_the_page(staff_client, case):
    response = staff_client.post(case_url(case, "case_answer"), {"review_version": 1, "text": ""})
    assert response.status_code == 200
    assert response.context["answer_form"].errors["text"]
    assert not case.history.exists()


def test_internal_note_is_shown_to_staff_only(client, staff_client, case, member):
    response = staff_client.post(case_url(case, "case_note"), {"text": "Bütçe kalemi yok."})
    assert response.status_code == 302
    html = html_of(staff_client.get(case_url(case)))
    assert "Bütçe kalemi yok." in html
    assert "Internal note — not visible to the NGO" in html
    case.refresh_from_db()
    assert case.review_version == 1  # a note changes nothing of the case
    client.force_login(member)
    for url in (case_url(case, "my_expectation"), en_url("surveys:my_expectations")):
        page = html_of(client.get(url))
        assert "Bütçe kalemi yok." not in page
        assert "Internal note" not in page


@pytest.fixture
def templates(case):
    """Two templates of the case's municipality (one with placeholders), a retired one and one
    of another municipality."""
    thanks = AnswerTemplate.objects.create(
        municipality=case.municipality,
        title="Teşekkür",
        body="Sayın {ngo},\n“{title}” önerinizi {municipality} olarak değerlendiriyoruz.",
    )
    plain = AnswerTemplate.objects.create(
        municipality=case.municipality, title="Kısa", body="Önerinizi değerlendiriyoruz."
    )
    AnswerTemplate.objects.create(
        municipality=case.municipality,
        title="Kullanımdan kalkmış şablon",
        body="Eski metin.",
        is_active=False,
    )
    foreign = AnswerTemplate.objects.create(
        municipality=yakutiye(), title="Yabancı", body="Başka belediyenin metni."
    )
    return {"thanks": thanks, "plain": plain, "foreign": foreign}


FILLED = (
    "Sayın Palandöken Dayanışma Derneği,\n“Afet toplanma alanları” önerinizi Erzurum Büyükşehir "
    "Belediyesi olarak değerlendiriyoruz."
)


def template_step(client, case, step, template, text="", **headers):
    return client.post(
        case_url(case, "case_answer"),
        {"review_version": 1, "text": text, "template": template, "template_action": step},
        headers=headers,
    )


def test_case_page_offers_the_municipalitys_templates_in_use(staff_client, case, templates):
    html = html_of(staff_client.get(case_url(case)))
    assert "Teşekkür" in html
    assert "Kullanımdan kalkmış şablon" not in html
    assert "Yabancı" not in html
    assert 'name="template_action" value="preview"' in html
    assert 'name="template_action" value="insert"' in html


def test_template_preview_fills_in_the_placeholders_and_keeps_the_typed_text(
    staff_client, case, templates
):
    """Without JavaScript: the whole page, with the preview and the answer box as typed."""
    response = template_step(
        staff_client, case, "preview", templates["thanks"].pk, text="Merhaba, yazdıklarım."
    )

    html = html_of(response)
    assert "Sayın Palandöken Dayanışma Derneği,<br>“Afet toplanma alanları” önerinizi" in html
    assert "{ngo}" not in html.split('id="answer-preview"')[1].split("</div>")[0]
    assert "Merhaba, yazdıklarım.</textarea>" in html
    assert f'<option value="{templates["thanks"].pk}" selected>' in html
    assert not ReviewEntry.objects.exists()


def test_inserting_a_template_adds_it_after_the_typed_text(staff_client, case, templates):
    """Nothing typed is lost: the filled template comes after a blank line; nothing is sent."""
    response = template_step(
        staff_client, case, "insert", templates["thanks"].pk, text="Merhaba,\nilk satırım.  "
    )

    form = response.context["answer_form"]
    assert form.initial["text"] == "Merhaba,\nilk satırım.\n\n" + FILLED
    assert "was added after your text below" in html_of(response)
    assert not ReviewEntry.objects.exists()
    empty = template_step(staff_client, case, "insert", templates["plain"].pk, text="  ")
    assert empty.context["answer_form"].initial["text"] == "Önerinizi değerlendiriyoruz."


def test_the_inserted_answer_is_sent_as_shown(staff_client, case, templates):
    inserted = template_step(staff_client, case, "insert", templates["thanks"].pk, text="Ek.")
    text = inserted.context["answer_form"].initial["text"]

    staff_client.post(case_url(case, "case_answer"), {"review_version": 1, "text": text})

    assert ReviewEntry.objects.get(kind="answer").text == "Ek.\n\n" + FILLED


def test_template_step_keeps_the_loaded_review_version(staff_client, case, templates, staff):
    """A colleague acting meanwhile still ends in a conflict when the answer is sent."""
    response = template_step(staff_client, case, "insert", templates["plain"].pk)
    assert response.context["answer_form"].initial["review_version"] == "1"


def test_template_of_another_municipality_or_unknown_is_not_inserted(staff_client, case, templates):
    for picked in (templates["foreign"].pk, "abc", "999999999999999999999"):
        response = template_step(staff_client, case, "insert", picked, text="Yazdığım metin.")
        html = html_of(response)
        assert "Başka belediyenin metni." not in html
        assert "Choose one of the answer templates." in html
        assert response.context["answer_form"].initial["text"] == "Yazdığım metin."


def test_htmx_preview_and_insert_return_their_fragments(staff_client, case, templates):
    preview = template_step(
        staff_client, case, "preview", templates["thanks"].pk, text="Yazdığım.", HX_Request="true"
    )
    preview_html = html_of(preview).strip()
    assert preview_html.startswith('<div id="answer-preview"')
    assert "Palandöken Dayanışma Derneği" in preview_html
    assert "<textarea" not in preview_html

    insert = template_step(
        staff_client, case, "insert", templates["thanks"].pk, text="Yazdığım.", HX_Request="true"
    )
    insert_html = html_of(insert).strip()
    assert insert_html.startswith('<div id="answer-form"')
    assert "<html" not in insert_html
    assert "Yazdığım.\n\nSayın Palandöken Dayanışma Derneği," in insert_html


def test_template_step_is_for_the_staff_of_the_case_only(client, case, templates, colleague):
    other = staff_of(yakutiye())
    client.force_login(other)
    assert template_step(client, case, "preview", templates["foreign"].pk).status_code == 404


# --- assignment ---------------------------------------------------------------------------------


def test_assigning_a_colleague_records_it_and_tells_them(staff_client, case, colleague):
    response = staff_client.post(
        case_url(case, "case_assign"), {"review_version": 1, "assignee": colleague.pk}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.assigned_to == colleague
    assert case.history.get().assigned_to == colleague
    assert Notification.objects.filter(user=colleague, kind="case_assigned").exists()
    assert "Assigned to Zeynep Kaya" in html_of(staff_client.get(case_url(case)))
    staff_client.post(case_url(case, "case_assign"), {"review_version": 2, "assignee": ""})
    case.refresh_from_db()
    assert case.assigned_to is None


def test_assigning_someone_outside_the_municipality_is_refused(staff_client, case):
    outsider = staff_of(yakutiye(), full_name="Dış Kişi")
    response = staff_client.post(
        case_url(case, "case_assign"), {"review_version": 1, "assignee": outsider.pk}
    )
    assert response.status_code == 200
    assert response.context["assign_form"].errors["assignee"]
    case.refresh_from_db()
    assert case.assigned_to is None
    assert not case.history.exists()
    options = response.context["assign_form"].fields["assignee"].queryset
    assert outsider not in options


def test_assignee_choices_are_in_turkish_alphabetical_order(staff_client, case):
    people = people_in_mixed_order(lambda **kw: staff_of(erzurum_metropolitan(), **kw))
    field = staff_client.get(case_url(case)).context["assign_form"]["assignee"]
    offered = [choice.data["value"].value for choice in field if choice.data["value"]]
    assert [pk for pk in offered if pk in {p.pk for p in people}] == [p.pk for p in people]
    assert field.field.choices.field.empty_label == "Nobody"


# --- referral -----------------------------------------------------------------------------------


def test_referral_moves_the_case_with_its_history_and_tells_the_ngo(
    client, staff_client, case, ngo_admin, mailoutbox, django_capture_on_commit_callbacks
):
    staff_client.post(
        case_url(case, "case_answer"), {"review_version": 1, "text": "İlçe belediyesine ait."}
    )
    staff_client.post(case_url(case, "case_note"), {"text": "Bizim işimiz değil."})
    receiving = staff_of(yakutiye(), full_name="Yakutiye Personeli")
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            case_url(case, "case_refer"),
            {"review_version": 2, "to_municipality": yakutiye().pk, "text": "Yetki ilçede."},
        )
    assert response.status_code == 302
    assert response["Location"].endswith(("/surveys/inbox/", "/dashboard/"))
    case.refresh_from_db()
    assert case.municipality == yakutiye()
    assert case.status == "referred"
    referral = case.history.get(kind="referral")
    assert referral.to_municipality == yakutiye()
    assert referral.municipality == erzurum_metropolitan()
    # The old municipality's staff lose it; the new one's see it with its public history.
    assert staff_client.get(case_url(case)).status_code == 404
    client.force_login(receiving)
    html = html_of(client.get(case_url(case)))
    assert "İlçe belediyesine ait." in html
    assert "Yetki ilçede." in html
    assert "Referred to Yakutiye Belediyesi" in html
    # Internal notes stay with the municipality that wrote them.
    assert "Bizim işimiz değil." not in html
    assert Notification.objects.filter(user=receiving, kind="case_referred_in").exists()
    # The NGO is told, in the app and by email.
    assert Notification.objects.filter(user=ngo_admin, kind="case_referred").exists()
    referral_mails = [m for m in mailoutbox if "referred" in m.subject]
    assert len(referral_mails) == 1
    assert referral_mails[0].to == [ngo_admin.email]
    assert "Yakutiye Belediyesi" in referral_mails[0].subject


def test_referral_outside_the_province_is_refused(staff_client, case):
    kars = Municipality.objects.get(province=36, kind=Municipality.Kind.PROVINCIAL)
    response = staff_client.post(
        case_url(case, "case_refer"),
        {"review_version": 1, "to_municipality": kars.pk, "text": "Kars'a ait."},
    )
    assert response.status_code == 200
    assert response.context["refer_form"].errors["to_municipality"]
    assert "Kars&#x27;a ait." in html_of(response)
    case.refresh_from_db()
    assert case.municipality == erzurum_metropolitan()
    assert case.status == "new"
    assert not case.history.exists()


def test_referral_needs_a_reason(staff_client, case):
    response = staff_client.post(
        case_url(case, "case_refer"),
        {"review_version": 1, "to_municipality": yakutiye().pk, "text": ""},
    )
    assert response.status_code == 200
    assert response.context["refer_form"].errors["text"]
    case.refresh_from_db()
    assert case.municipality == erzurum_metropolitan()


def test_a_completed_case_offers_no_referral(staff_client, case):
    case.status = "completed"
    case.save()
    html = html_of(staff_client.get(case_url(case)))
    assert case_url(case, "case_refer") not in html
    assert "cannot be referred" in html


# --- conflicts ----------------------------------------------------------------------------------


def test_second_staff_acting_on_a_stale_version_gets_a_conflict(client, staff_client, case):
    other = staff_of(erzurum_metropolitan(), full_name="İkinci Personel")
    client.force_login(other)
    # Both load version 1.
    assert staff_client.get(case_url(case)).context["case"].review_version == 1
    assert client.get(case_url(case)).context["case"].review_version == 1
    post_status(staff_client, case, "accepted", text="Kabul edildi.", version=1)
    response = post_status(client, case, "declined", text="Kaynak yok, reddediyoruz.", version=1)
    html = html_of(response)
    assert response.status_code == 200
    assert response.context["conflict"] is not None
    assert "Someone else changed this case in the meantime" in html
    assert "Current status: <strong>Accepted</strong>" in html
    assert "Kaynak yok, reddediyoruz." in html  # typed text kept
    # The form now carries the current version: sending it again applies to what is shown.
    assert response.context["status_form"]["review_version"].value() == "2"
    case.refresh_from_db()
    assert case.status == "accepted"
    assert case.review_version == 2
    assert list(case.history.values_list("to_status", flat=True)) == ["accepted"]


def test_conflicting_answer_is_not_saved_and_keeps_the_text(client, staff_client, case):
    other = staff_of(erzurum_metropolitan())
    client.force_login(other)
    post_status(staff_client, case, "under_review", text="Bakıyoruz.", version=1)
    response = client.post(
        case_url(case, "case_answer"), {"review_version": 1, "text": "Eski sürüme cevap."}
    )
    assert "Someone else changed this case in the meantime" in html_of(response)
    assert "Eski sürüme cevap." in html_of(response)
    assert not case.history.filter(kind="answer").exists()
    case.refresh_from_db()
    assert case.first_answered_at is None


def test_missing_version_counts_as_a_conflict(staff_client, case):
    response = staff_client.post(
        case_url(case, "case_status"), {"to_status": "accepted", "text": "Sürümsüz."}
    )
    assert response.context["conflict"] is not None
    case.refresh_from_db()
    assert case.status == "new"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_concurrent_status_changes_with_the_same_version_let_exactly_one_win(ngo, staff):
    case = submitted_case(ngo=ngo)
    other = staff_of(erzurum_metropolitan())
    barrier = threading.Barrier(2)
    outcomes = []

    def change(user, to_status):
        try:
            barrier.wait()
            expectation_change_status(
                expectation_id=case.pk,
                expected_version=1,
                user=user,
                to_status=to_status,
                text="Aynı anda.",
            )
            outcomes.append("done")
        except ReviewConflict:
            outcomes.append("conflict")
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=change, args=(staff, "accepted")),
        threading.Thread(target=change, args=(other, "under_review")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["conflict", "done"]
    case.refresh_from_db()
    assert case.review_version == 2
    assert ReviewEntry.objects.filter(expectation=case).count() == 1


# --- query counts -------------------------------------------------------------------------------


def count_case_page_queries(client, case, entries, *, shown=None):
    municipality = case.municipality
    for index in range(entries):
        kind = ["answer", "note", "status", "assignment"][index % 4]
        ReviewEntry.objects.create(
            expectation=case,
            kind=kind,
            actor=UserFactory(),
            municipality=municipality,
            assigned_to=UserFactory() if kind == "assignment" else None,
            from_status="new" if kind == "status" else "",
            to_status="under_review" if kind == "status" else "",
            text=f"Kayıt {index}",
        )
    AnswerTemplate.objects.create(municipality=municipality, title=f"Şablon {entries}", body=".")
    url = case_url(case)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert len(response.context["history"]) == (entries if shown is None else shown)
    return len(queries)


def test_case_page_query_count_does_not_grow_with_the_history(staff_client, ngo, colleague):
    small = count_case_page_queries(staff_client, submitted_case(ngo=ngo), 1)
    large = count_case_page_queries(staff_client, submitted_case(ngo=NGOFactory()), 10)
    # session, user, three role queries, the case, the history, the answer templates,
    # the unread notifications of the navigation, the colleagues, the referral targets, the
    # cooperation protocols grown out of the case, the files of the history's answers, the
    # conversation (empty here: its files are not queried)
    assert small == large == 14


def test_coordinator_case_page_query_count_does_not_grow(client, ngo):
    coordinator = UserFactory()
    CoordinatorAssignmentFactory(user=coordinator, subregion=None)
    client.force_login(coordinator)
    small = count_case_page_queries(client, submitted_case(ngo=ngo), 1)
    # Of ten entries, three are internal notes that coordinators never see.
    large = count_case_page_queries(client, submitted_case(ngo=NGOFactory()), 10, shown=7)
    # session, user, three role queries, the coordinated case (the inbox lookup of someone
    # without a municipality runs no query), the history, the unread notifications, the
    # cooperation protocols grown out of the case, the files of the answers, the conversation
    assert small == large == 11


def test_membership_does_not_open_the_case_page(client, case, member):
    MembershipFactory(user=UserFactory(), ngo=case.submission.ngo)
    client.force_login(member)
    assert client.get(case_url(case)).status_code == 404
