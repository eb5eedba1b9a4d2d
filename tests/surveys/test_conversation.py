"""The conversation on a case: who reads which messages (and downloads their files) for every
role, before and after a referral; who is notified; files refused by type, size and the case's
total with the typed text kept; htmx; query counts."""

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from municipalities.models import Municipality
from portal.attachments import attachment_check
from portal.models import Attachment, EmailPreferences, Notification
from surveys.models import CaseMessage, ReviewEntry
from surveys.services.conversation import case_message_post
from surveys.services.review import expectation_add_note, expectation_answer, expectation_refer
from tests.attachment_files import EXECUTABLE, PDF, png, upload
from tests.factories import (
    CoordinatorAssignmentFactory,
    MembershipFactory,
    MunicipalStaffFactory,
    NGOFactory,
    UserFactory,
)
from tests.surveys.factories import erzurum_metropolitan
from tests.surveys.test_case import en_url, html_of, staff_of, submitted_case, yakutiye

pytestmark = pytest.mark.django_db

NGO, MUNICIPALITY = CaseMessage.Side.NGO, CaseMessage.Side.MUNICIPALITY


def write(case, user, side, text, *files):
    checked = [attachment_check(upload(name, content)) for name, content in files]
    return case_message_post(
        expectation_id=case.pk, user=user, side=side, text=text, files=checked, base_url="http://x/"
    )


def message_url(case, side):
    name = "my_expectation_message" if side == NGO else "case_message"
    return en_url(f"surveys:{name}", pk=case.pk)


# --- the thread on both sides, and who reads what ------------------------------------------


@pytest.fixture
def people(ngo, ngo_admin, member):
    """Every role around a case of the NGO at Erzurum Büyükşehir, then referred to Yakutiye."""
    from municipalities.models import Municipality, SubRegion

    other_province = Municipality.objects.get(province=36, kind="provincial")  # Kars
    roles = {
        "ngo_admin": ngo_admin,
        "ngo_member": member,
        "other_ngo_member": UserFactory(),
        "previous_staff": staff_of(erzurum_metropolitan()),
        "current_staff": staff_of(yakutiye()),
        "other_staff": staff_of(other_province),
        "regional_coordinator": UserFactory(),
        "other_coordinator": UserFactory(),
        "national_coordinator": UserFactory(),
        "site_admin": UserFactory(is_staff=True, is_superuser=True),
    }
    MembershipFactory(user=roles["other_ngo_member"], ngo=NGOFactory())
    CoordinatorAssignmentFactory(
        user=roles["regional_coordinator"], subregion=SubRegion.objects.get(code="14")
    )
    CoordinatorAssignmentFactory(
        user=roles["other_coordinator"], subregion=SubRegion.objects.get(code="01")
    )
    CoordinatorAssignmentFactory(user=roles["national_coordinator"], subregion=None)
    return roles


@pytest.fixture
def referred(ngo, people):
    """The case's conversation: the NGO asks with a photo, Erzurum Büyükşehir answers with a
    PDF and writes an internal note, refers the case to Yakutiye, which writes too."""
    case = submitted_case(ngo=ngo, title="Toplanma alanı tabelaları")
    messages = {
        "ngo": write(case, people["ngo_member"], NGO, "Saha fotoğrafı ekte.", ("saha.png", png())),
        "previous": write(
            case, people["previous_staff"], MUNICIPALITY, "Plan ekte.", ("plan.pdf", PDF)
        ),
    }
    expectation_add_note(
        expectation_id=case.pk, user=people["previous_staff"], text="Gizli: bütçe yok."
    )
    expectation_refer(
        expectation_id=case.pk,
        expected_version=None,
        user=people["previous_staff"],
        to_municipality=yakutiye(),
        text="İlçe belediyesinin işi.",
    )
    case.refresh_from_db()
    messages["current"] = write(
        case, people["current_staff"], MUNICIPALITY, "Yakutiye olarak devraldık."
    )
    return case, messages


ALL = {"ngo", "previous", "current"}
# Who reads which messages of the referred case.
THREAD_MATRIX = {
    "ngo_admin": ALL,
    "ngo_member": ALL,
    "other_ngo_member": set(),
    "previous_staff": {"previous"},
    "current_staff": ALL,
    "other_staff": set(),
    "regional_coordinator": ALL,
    "other_coordinator": set(),
    "national_coordinator": ALL,
    "site_admin": ALL,
}


@pytest.mark.parametrize("role", THREAD_MATRIX)
def test_each_role_reads_exactly_its_share_of_the_thread(client, people, referred, role):
    case, messages = referred
    user = people[role]
    visible = set(CaseMessage.objects.visible_to(user).filter(expectation=case))
    assert visible == {messages[name] for name in THREAD_MATRIX[role]}
    # The conversation page shows the same share, or is a 404 when there is none.
    client.force_login(user)
    response = client.get(en_url("surveys:case_conversation", pk=case.pk))
    if not THREAD_MATRIX[role]:
        assert response.status_code == 404
        return
    shown = {m.pk for m in response.context["thread"]}
    assert shown == {messages[name].pk for name in THREAD_MATRIX[role]}
    assert "Gizli: bütçe yok." not in html_of(response)


@pytest.mark.parametrize("role", THREAD_MATRIX)
def test_each_role_downloads_exactly_the_files_it_reads(client, people, referred, role):
    case, messages = referred
    client.force_login(people[role])
    for name in ("ngo", "previous"):
        attachment = Attachment.objects.get(object_id=messages[name].pk)
        response = client.get(attachment.get_absolute_url())
        if name in THREAD_MATRIX[role]:
            assert response.status_code == 200, (role, name)
            body = b"".join(response.streaming_content)
            assert body == attachment.file.open("rb").read()
        else:
            assert response.status_code == 404, (role, name)


def test_the_ngo_page_shows_the_thread_naming_the_municipality_not_its_staff(
    member_client, people, referred
):
    case, _messages = referred
    html = html_of(member_client.get(en_url("surveys:my_expectation", pk=case.pk)))
    assert "Conversation with the municipality" in html
    assert "Saha fotoğrafı ekte." in html and "Yakutiye olarak devraldık." in html
    assert "saha.png" in html and "plan.pdf" in html and "/attachments/" in html
    assert str(people["previous_staff"]) not in html
    assert "Gizli: bütçe yok." not in html
    assert 'enctype="multipart/form-data"' in html


def test_the_new_municipality_reads_the_whole_thread_on_the_case_page(client, people, referred):
    case, _messages = referred
    client.force_login(people["current_staff"])
    response = client.get(en_url("surveys:case", pk=case.pk))
    html = html_of(response)
    assert len(response.context["thread"]) == 3
    assert "Plan ekte." in html and "Send the message" in html
    # The notes written at Erzurum Büyükşehir stay there.
    assert "Gizli: bütçe yok." not in html


def test_coordinators_read_the_thread_without_a_form_and_cannot_post(client, people, referred):
    case, _messages = referred
    client.force_login(people["regional_coordinator"])
    html = html_of(client.get(en_url("surveys:case", pk=case.pk)))
    assert "Yakutiye olarak devraldık." in html
    assert "Send the message" not in html
    response = client.post(message_url(case, MUNICIPALITY), {"text": "Koordinatör notu"})
    assert response.status_code == 403
    assert not CaseMessage.objects.filter(text="Koordinatör notu").exists()


def test_the_previous_municipality_can_no_longer_write(client, people, referred):
    case, _messages = referred
    client.force_login(people["previous_staff"])
    response = client.post(message_url(case, MUNICIPALITY), {"text": "Bir şey daha"})
    assert response.status_code == 404
    assert not CaseMessage.objects.filter(text="Bir şey daha").exists()


def test_a_message_records_the_author_side_and_municipality_of_the_time(people, referred):
    _case, messages = referred
    assert (messages["previous"].side, messages["previous"].municipality) == (
        MUNICIPALITY,
        erzurum_metropolitan(),
    )
    assert (messages["current"].municipality, messages["ngo"].municipality) == (
        yakutiye(),
        erzurum_metropolitan(),
    )
    assert messages["ngo"].author == people["ngo_member"]


def test_answer_files_follow_the_answers_readers(client, people, ngo):
    case = submitted_case(ngo=ngo)
    entry = expectation_answer(
        expectation_id=case.pk,
        expected_version=None,
        user=people["previous_staff"],
        text="Yanıtımız ekte.",
        files=[attachment_check(upload("yanit.pdf", PDF))],
    )
    attachment = Attachment.objects.get(object_id=entry.pk)
    assert attachment.owner == entry
    for role, expected in [("ngo_member", 200), ("other_ngo_member", 404), ("other_staff", 404)]:
        client.force_login(people[role])
        assert client.get(attachment.get_absolute_url()).status_code == expected, role
    client.force_login(people["ngo_member"])
    html = html_of(client.get(en_url("surveys:my_expectation", pk=case.pk)))
    assert "yanit.pdf" in html
    assert ReviewEntry.objects.answers_visible_to(people["regional_coordinator"]).get() == entry


# --- writing through the pages ----------------------------------------------------------------


def test_the_ngo_writes_with_a_photo_and_the_municipality_reads_it(client, people, ngo):
    case = submitted_case(ngo=ngo, municipality=yakutiye())
    client.force_login(people["ngo_member"])
    response = client.post(
        message_url(case, NGO),
        {"text": "Tabela dikildi, fotoğraf ekte.", "files": [upload("IMG 1.png", png())]},
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/my-expectations/{case.pk}/#conversation")
    message = CaseMessage.objects.get()
    assert (message.side, message.author, message.text) == (
        NGO,
        people["ngo_member"],
        "Tabela dikildi, fotoğraf ekte.",
    )
    attachment = Attachment.objects.get()
    assert (attachment.name, attachment.media_type, attachment.owner) == (
        "IMG 1.png",
        "image/png",
        message,
    )
    client.force_login(people["current_staff"])
    html = html_of(client.get(en_url("surveys:case", pk=case.pk)))
    assert "Tabela dikildi, fotoğraf ekte." in html and attachment.get_absolute_url() in html


def test_the_download_is_a_private_attachment_never_rendered_inline(client, people, referred):
    _case, messages = referred
    attachment = Attachment.objects.get(object_id=messages["ngo"].pk)
    client.force_login(people["ngo_member"])
    response = client.get(attachment.get_absolute_url())
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="saha.png"' in response["Content-Disposition"]
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    assert "private" in response["Cache-Control"]
    # Another name in the URL leads to the right one (after the access check).
    wrong = attachment.get_absolute_url().replace("saha.png", "baska.png")
    assert client.get(wrong)["Location"] == attachment.get_absolute_url()


@pytest.mark.parametrize(
    ("name", "content", "error"),
    [
        ("rapor.pdf", EXECUTABLE, "is not a file of an accepted type"),
        ("setup.png", EXECUTABLE, "is not a file of an accepted type"),
    ],
)
def test_a_refused_file_keeps_the_typed_message(client, people, ngo, name, content, error):
    case = submitted_case(ngo=ngo, municipality=yakutiye())
    client.force_login(people["ngo_member"])
    response = client.post(
        message_url(case, NGO), {"text": "Yazdığım uzun mesaj.", "files": [upload(name, content)]}
    )
    html = html_of(response)
    assert response.status_code == 200
    assert error in html and f"“{name}”" in html
    assert "Yazdığım uzun mesaj." in html
    assert not CaseMessage.objects.exists() and not Attachment.objects.exists()


def test_an_oversized_file_is_refused_with_the_limit(client, people, ngo, settings):
    settings.ATTACHMENT_MAX_BYTES = 100
    case = submitted_case(ngo=ngo, municipality=yakutiye())
    client.force_login(people["current_staff"])
    response = client.post(
        message_url(case, MUNICIPALITY),
        {"text": "Rapor ekte.", "files": [upload("rapor.pdf", PDF)]},
    )
    html = html_of(response).replace("\xa0", " ")
    assert "“rapor.pdf” is 193 bytes; the largest file accepted is 100 bytes." in html
    assert "Rapor ekte." in html
    assert not CaseMessage.objects.exists()


def test_the_case_total_is_enforced_across_messages_and_answers(client, people, ngo, settings):
    settings.ATTACHMENT_CASE_MAX_BYTES = len(PDF) * 2
    case = submitted_case(ngo=ngo, municipality=yakutiye())
    write(case, people["ngo_member"], NGO, "Bir", ("a.pdf", PDF))
    expectation_answer(
        expectation_id=case.pk,
        expected_version=None,
        user=people["current_staff"],
        text="İki",
        files=[attachment_check(upload("b.pdf", PDF))],
    )
    client.force_login(people["ngo_member"])
    response = client.post(message_url(case, NGO), {"text": "Üç", "files": [upload("c.pdf", PDF)]})
    assert "a case may hold" in html_of(response)
    assert "Üç" in html_of(response)
    assert Attachment.objects.count() == 2
    # Without a file the message goes through.
    client.post(message_url(case, NGO), {"text": "Üç"})
    assert CaseMessage.objects.filter(text="Üç").exists()


def test_an_empty_message_is_refused(client, people, ngo):
    case = submitted_case(ngo=ngo, municipality=yakutiye())
    client.force_login(people["ngo_member"])
    response = client.post(message_url(case, NGO), {"text": "   "})
    assert "This field is required." in html_of(response)
    assert not CaseMessage.objects.exists()


def test_htmx_swaps_the_conversation_in_place(client, people, ngo):
    case = submitted_case(ngo=ngo, municipality=yakutiye())
    client.force_login(people["current_staff"])
    response = client.post(
        message_url(case, MUNICIPALITY), {"text": "Hızlı yanıt."}, HTTP_HX_REQUEST="true"
    )
    html = html_of(response)
    assert response.status_code == 200
    assert html.lstrip().startswith("<section") and 'id="conversation"' in html
    assert "Hızlı yanıt." in html and "Your message was sent." in html
    assert "<html" not in html


# --- notifications ----------------------------------------------------------------------------


def test_an_ngo_message_notifies_the_municipality_staff_in_their_language(
    people, ngo, django_capture_on_commit_callbacks
):
    case = submitted_case(ngo=ngo, municipality=yakutiye(), title="Tabela")
    turkish = staff_of(yakutiye(), preferred_language="tr")
    with django_capture_on_commit_callbacks(execute=True):
        write(case, people["ngo_member"], NGO, "Merhaba")
    recipients = set(
        Notification.objects.filter(kind="case_message").values_list("user", flat=True)
    )
    assert recipients == {people["current_staff"].pk, turkish.pk}
    english = Notification.objects.get(user=people["current_staff"])
    assert english.message == f"{ngo.name} wrote in the conversation on the case “Tabela”."
    assert english.url.endswith(f"/surveys/cases/{case.pk}/#conversation")
    assert "yazdı" in Notification.objects.get(user=turkish).message
    assert sorted(m.to[0] for m in mail.outbox) == sorted(
        [people["current_staff"].email, turkish.email]
    )
    assert all("Merhaba" in m.body for m in mail.outbox)


def test_with_an_assignee_only_they_and_earlier_writers_hear_of_ngo_messages(people, ngo):
    case = submitted_case(ngo=ngo, municipality=yakutiye())
    writer, assignee = people["current_staff"], staff_of(yakutiye())
    staff_of(yakutiye())  # neither assigned nor in the conversation
    write(case, writer, MUNICIPALITY, "Başlıyoruz.")
    case.assigned_to = assignee
    case.save(update_fields=["assigned_to"])
    Notification.objects.all().delete()
    write(case, people["ngo_member"], NGO, "Teşekkürler")
    recipients = set(Notification.objects.values_list("user", flat=True))
    assert recipients == {writer.pk, assignee.pk}


def test_a_municipal_message_notifies_the_ngo_admins_and_members_who_wrote(people, ngo):
    case = submitted_case(ngo=ngo, municipality=yakutiye())
    silent = UserFactory()
    MembershipFactory(user=silent, ngo=ngo)
    write(case, people["ngo_member"], NGO, "Soru")
    Notification.objects.all().delete()
    write(case, people["current_staff"], MUNICIPALITY, "Yanıt")
    recipients = set(Notification.objects.values_list("user", flat=True))
    assert recipients == {people["ngo_admin"].pk, people["ngo_member"].pk}
    note = Notification.objects.get(user=people["ngo_admin"])  # English speaker
    assert note.message.startswith("Yakutiye Belediyesi wrote in the conversation")
    assert note.url.endswith(f"/surveys/my-expectations/{case.pk}/#conversation")


def test_the_author_is_never_notified_of_their_own_message(people, ngo):
    case = submitted_case(ngo=ngo, municipality=yakutiye())
    write(case, people["ngo_admin"], NGO, "Kendi mesajım")
    assert not Notification.objects.filter(user=people["ngo_admin"]).exists()


def test_the_email_follows_the_case_messages_preference(
    people, ngo, django_capture_on_commit_callbacks
):
    case = submitted_case(ngo=ngo, municipality=yakutiye())
    EmailPreferences.objects.create(user=people["ngo_admin"], case_messages=False)
    with django_capture_on_commit_callbacks(execute=True):
        write(case, people["current_staff"], MUNICIPALITY, "Yanıt")
    assert Notification.objects.filter(user=people["ngo_admin"]).exists()
    assert [m.to for m in mail.outbox] == []


# --- query counts -----------------------------------------------------------------------------


def _page_queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize("side", ["ngo", "municipality"])
def test_the_case_pages_cost_the_same_with_1_and_10_messages_with_files(client, people, side):
    counts = []
    for size in (1, 10):
        ngo = NGOFactory()
        MembershipFactory(user=people["ngo_member"], ngo=ngo)
        case = submitted_case(ngo=ngo, municipality=yakutiye())
        for index in range(size):
            author = people["ngo_member"] if index % 2 else people["current_staff"]
            write(case, author, NGO if index % 2 else MUNICIPALITY, f"M{index}", ("a.pdf", PDF))
        user = people["ngo_member"] if side == "ngo" else people["current_staff"]
        client.force_login(user)
        from portal.access import forget_roles

        forget_roles(user)
        name = "surveys:my_expectation" if side == "ngo" else "surveys:case"
        count, response = _page_queries(client, en_url(name, pk=case.pk))
        assert len(response.context["thread"]) == size
        assert sum(len(m.files) for m in response.context["thread"]) == size
        counts.append(count)
    # The thread is one query and its files one more, whatever their number.
    assert counts[0] == counts[1] == (11 if side == "ngo" else 14)


def test_other_staff_of_the_same_municipality_share_the_thread(client, ngo, people):
    case = submitted_case(ngo=ngo, municipality=yakutiye())
    colleague = UserFactory()
    MunicipalStaffFactory(user=colleague, municipality=yakutiye())
    write(case, people["current_staff"], MUNICIPALITY, "Ekip içi ortak")
    assert CaseMessage.objects.visible_to(colleague).filter(expectation=case).count() == 1


# --- personal data ------------------------------------------------------------------------------


def test_my_data_lists_my_messages_and_the_files_i_attached(client, people, referred):
    import json

    _case, messages = referred
    client.force_login(people["ngo_member"])
    data = json.loads(client.get(en_url("my_data")).content)
    assert [m["text"] for m in data["case_messages_written"]] == ["Saha fotoğrafı ekte."]
    attachment = Attachment.objects.get(object_id=messages["ngo"].pk)
    assert data["files_uploaded"] == [
        {
            "name": "saha.png",
            "type": "image/png",
            "size": attachment.size,
            "sha256": attachment.sha256,
            "attached_to": f"surveys.casemessage #{messages['ngo'].pk}",
            "url": attachment.get_absolute_url(),
            "created_at": attachment.created_at.isoformat(),
        }
    ]
    assert "plan.pdf" not in json.dumps(data)  # the municipality's file is not this user's


def test_a_deleted_account_leaves_its_messages_and_files_with_the_case(client, people, referred):
    from dashboard.services import DELETED_USER_NAME, account_delete

    case, messages = referred
    account_delete(user=people["ngo_member"])
    message = CaseMessage.objects.get(pk=messages["ngo"].pk)
    assert str(message.author) == DELETED_USER_NAME
    attachment = Attachment.objects.get(object_id=message.pk)
    client.force_login(people["current_staff"])
    assert client.get(attachment.get_absolute_url()).status_code == 200


def test_deleting_a_case_deletes_its_messages_files(
    people, referred, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    case, _messages = referred
    names = [a.file.name for a in Attachment.objects.all()]
    assert len(names) == 2
    with django_capture_on_commit_callbacks(execute=True):
        case.delete()
    assert not Attachment.objects.exists()
    assert not any(default_storage.exists(name) for name in names)


def test_the_answer_form_takes_files_and_keeps_the_text_when_one_is_refused(client, people, ngo):
    case = submitted_case(ngo=ngo, municipality=yakutiye())
    client.force_login(people["current_staff"])
    url = en_url("surveys:case_answer", pk=case.pk)
    refused = client.post(
        url,
        {
            "review_version": case.review_version,
            "text": "Yanıtımız ve planımız.",
            "files": [upload("plan.pdf", EXECUTABLE)],
        },
    )
    assert "is not a file of an accepted type" in html_of(refused)
    assert "Yanıtımız ve planımız." in html_of(refused)
    assert not ReviewEntry.objects.filter(kind="answer").exists()
    client.post(
        url,
        {
            "review_version": case.review_version,
            "text": "Yanıtımız ve planımız.",
            "files": [upload("plan.pdf", PDF)],
        },
    )
    entry = ReviewEntry.objects.get(kind="answer")
    assert [a.name for a in entry.attachments.all()] == ["plan.pdf"]


# --- the cases a municipality referred away, and the way back to what it wrote ----------------


def refer(case, user, to, reason="İlçe belediyesinin işi."):
    expectation_refer(
        expectation_id=case.pk, expected_version=None, user=user, to_municipality=to, text=reason
    )
    case.refresh_from_db()


def test_the_referring_municipality_finds_its_referred_cases_from_the_inbox(
    client, people, referred
):
    case, messages = referred
    client.force_login(people["previous_staff"])

    inbox = html_of(client.get(en_url("surveys:inbox")))
    list_url = en_url("surveys:referred_cases")
    assert f'href="{list_url}"' in inbox and "Referred to other municipalities" in inbox
    assert "Toplanma alanı tabelaları" not in inbox  # it left the inbox

    html = html_of(client.get(list_url))
    assert "Cases referred to other municipalities" in html
    assert "Toplanma alanı tabelaları" in html and "Yakutiye Belediyesi" in html
    assert "İlçe belediyesinin işi." in html  # the reason it gave
    conversation = en_url("surveys:case_conversation", pk=case.pk)
    assert f'href="{conversation}"' in html and "Read 1 message" in html

    page = client.get(conversation)
    assert [m.pk for m in page.context["thread"]] == [messages["previous"].pk]
    text = html_of(page)
    assert "Plan ekte." in text and "Yakutiye olarak devraldık." not in text
    assert "Saha fotoğrafı ekte." not in text
    assert f'href="{list_url}"' in text and "referred this case to another municipality" in text


@pytest.mark.parametrize(
    "role", ["current_staff", "other_staff", "ngo_member", "regional_coordinator"]
)
def test_nobody_else_sees_the_referral_in_a_list_of_referred_cases(client, people, referred, role):
    client.force_login(people[role])

    response = client.get(en_url("surveys:referred_cases"))

    if role in ("current_staff", "other_staff"):
        assert "Toplanma alanı tabelaları" not in html_of(response)
        assert "has not referred any case" in html_of(response)
    else:  # the list is the municipal staff's, like the inbox
        assert response.status_code == 403


def test_another_municipalitys_referral_never_appears(client, people, referred, ngo):
    from surveys.services.review import referral_targets

    kars = Municipality.objects.get(province=36, kind="provincial")
    case = submitted_case(ngo=ngo, municipality=kars, title="Kars vakası")
    refer(case, people["other_staff"], referral_targets(case).first())

    client.force_login(people["previous_staff"])
    html = html_of(client.get(en_url("surveys:referred_cases")))
    assert "Toplanma alanı tabelaları" in html and "Kars vakası" not in html
    client.force_login(people["other_staff"])
    html = html_of(client.get(en_url("surveys:referred_cases")))
    assert "Kars vakası" in html and "Toplanma alanı tabelaları" not in html


def test_a_case_referred_back_leaves_the_list_for_the_inbox(client, people, referred):
    case, _messages = referred
    refer(case, people["current_staff"], erzurum_metropolitan(), reason="Büyükşehirin işi.")
    client.force_login(people["previous_staff"])

    html = html_of(client.get(en_url("surveys:referred_cases")))

    assert "Toplanma alanı tabelaları" not in html
    assert "Toplanma alanı tabelaları" in html_of(client.get(en_url("surveys:inbox")))


def test_a_referral_without_own_messages_offers_no_dead_link(client, people, ngo):
    case = submitted_case(ngo=ngo, title="Yazışmasız vaka")
    refer(case, people["previous_staff"], yakutiye())
    client.force_login(people["previous_staff"])

    html = html_of(client.get(en_url("surveys:referred_cases")))

    assert "Yazışmasız vaka" in html and "None written" in html
    assert en_url("surveys:case_conversation", pk=case.pk) not in html


def test_the_referred_cases_list_costs_the_same_queries_for_one_and_three_cases(
    client, people, ngo
):
    staff = people["previous_staff"]
    client.force_login(staff)

    def add_referral(n):
        case = submitted_case(ngo=NGOFactory(), title=f"Devredilen {n}")
        write(case, staff, MUNICIPALITY, f"Yazdık {n}.")
        refer(case, staff, yakutiye())

    add_referral(0)
    with CaptureQueriesContext(connection) as one:
        html = html_of(client.get(en_url("surveys:referred_cases")))
    assert html.count("Read 1 message") == 1
    add_referral(1)
    add_referral(2)
    with CaptureQueriesContext(connection) as three:
        html = html_of(client.get(en_url("surveys:referred_cases")))
    assert html.count("Read 1 message") == 3
    assert len(one) == len(three)
