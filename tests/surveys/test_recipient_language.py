"""Notifications and e-mails are written in the recipient's language, not the sender's."""

import pytest
from django.urls import reverse
from django.utils import translation

from portal.models import Notification
from tests.surveys.factories import erzurum_metropolitan
from tests.surveys.test_case import case, staff_of  # noqa: F401 (fixture)

pytestmark = pytest.mark.django_db


def _answer_in_turkish(client, case, text):  # noqa: F811
    officer = staff_of(erzurum_metropolitan(), full_name="Kemal Demir", preferred_language="tr")
    client.force_login(officer)
    with translation.override("tr"):
        url = reverse("surveys:case_answer", kwargs={"pk": case.pk})
    assert not url.startswith("/en/")
    return client.post(url, {"review_version": case.review_version, "text": text})


def test_an_english_ngo_admin_hears_in_english_from_a_turkish_officer(
    client,
    case,  # noqa: F811
    ngo_admin,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    assert ngo_admin.preferred_language == "en"
    with django_capture_on_commit_callbacks(execute=True):
        response = _answer_in_turkish(client, case, "Talebinizi aldık.")
    assert response.status_code == 302
    note = Notification.objects.get(user=ngo_admin)
    assert note.message == (
        "Erzurum Büyükşehir Belediyesi answered the expectation “Afet toplanma alanları” of "
        "Palandöken Dayanışma Derneği."
    )
    assert "/en/surveys/my-expectations/" in note.url
    (mail,) = [m for m in mailoutbox if m.to == [ngo_admin.email]]
    assert "answered" in mail.subject.lower()
    assert "/en/surveys/my-expectations/" in mail.body


def test_a_turkish_ngo_admin_hears_in_turkish(
    client,
    case,  # noqa: F811
    ngo_admin,
    mailoutbox,
    django_capture_on_commit_callbacks,
):
    ngo_admin.preferred_language = "tr"
    ngo_admin.save(update_fields=["preferred_language"])
    with django_capture_on_commit_callbacks(execute=True):
        _answer_in_turkish(client, case, "Talebinizi aldık.")
    note = Notification.objects.get(user=ngo_admin)
    assert "yanıt" in note.message.lower(), note.message
    assert "/en/" not in note.url
    (mail,) = [m for m in mailoutbox if m.to == [ngo_admin.email]]
    assert "yanıt" in mail.subject.lower()
