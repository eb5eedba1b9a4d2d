"""Attendance certificates: the attendee's PDF (WeasyPrint, as the reports) with name,
organisation, programme, date, place and a verification code; the public page that confirms a
code and shows nothing about the person."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.test import override_settings

from events.models import Event
from events.services import certificates
from events.services.certificates import certificate_code, certificate_verify
from reports.services import pdf
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import NGOFactory, UserFactory
from tests.reports.test_pdf import page_texts

pytestmark = pytest.mark.django_db
needs_weasyprint = pytest.mark.skipif(
    not pdf.pdf_available(), reason="WeasyPrint's system libraries (Pango) are not installed"
)

STARTS = datetime.datetime(2025, 5, 12, 7, 0, tzinfo=datetime.UTC)  # 10:00 in Türkiye
VERIFY = "/en/events/certificates/verify/"


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def held(db):
    return EventFactory(
        title="İş Birliği Programı — Erzurum",
        slug="erzurum-bb",
        starts_at=STARTS,
        ends_at=STARTS + datetime.timedelta(hours=6),
        registration_deadline=STARTS - datetime.timedelta(days=3),
        state=Event.State.HELD,
        venue="İbrahim Erkal Dadaş Kültür ve Sanat Merkezi",
    )


def attended(event, name="Şükrü Ağaoğlu", organisation="Iğdır Çığ Gönüllüleri Derneği"):
    return RegistrationFactory(
        event=event,
        user=UserFactory(full_name=name),
        ngo=NGOFactory(name=organisation),
        status="attended",
        checked_in_at=event.starts_at - datetime.timedelta(minutes=10),
    )


def keep_documents(monkeypatch):
    documents = []
    render = certificates.certificate_document

    def keep(*args, **kwargs):
        documents.append(render(*args, **kwargs))
        return documents[-1]

    monkeypatch.setattr(certificates, "certificate_document", keep)
    return documents


@needs_weasyprint
def test_attendee_downloads_a_pdf_with_everything_in_turkish_letters(client, held, monkeypatch):
    registration = attended(held)
    documents = keep_documents(monkeypatch)
    client.force_login(registration.user)

    response = client.get("/en/events/erzurum-bb/certificate.pdf")

    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        f'attachment; filename="erzurum-bb-certificate-{registration.pk}.pdf"'
    )
    assert response.content.startswith(b"%PDF-")
    [document] = documents
    [page] = page_texts(document)
    assert "Certificate of attendance" in page
    assert "Şükrü Ağaoğlu" in page
    assert "Iğdır Çığ Gönüllüleri Derneği" in page
    assert "İş Birliği Programı — Erzurum" in page
    assert "12 May 2025" in page
    assert "İbrahim Erkal Dadaş Kültür ve Sanat Merkezi, Erzurum" in page
    assert f"Verification code: {certificate_code(registration)}" in page
    assert "http://testserver/en/events/certificates/verify/" in page.replace("/ ", "/")
    # Every glyph comes from a real font: no missing-glyph boxes for ş, ğ, ı, İ, ç.
    fonts = {box.style["font_family"] for box in document.pages[0]._page_box.descendants()}
    assert ("DejaVu Sans", "sans-serif") in fonts


@needs_weasyprint
def test_turkish_certificate(client, held, monkeypatch):
    registration = attended(held)
    documents = keep_documents(monkeypatch)
    client.force_login(registration.user)
    client.get("/events/erzurum-bb/certificate.pdf")
    [page] = page_texts(documents[0])
    assert "Katılım Belgesi" in page
    assert "12 Mayıs 2025" in page


def test_only_attendees_of_a_held_programme_get_a_certificate(client, held):
    registered = RegistrationFactory(event=held, status="registered")
    waitlisted = RegistrationFactory(event=held, status="waitlisted", waitlist_position=1)
    planned = EventFactory(starts_at=datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC))
    early = attended(planned, name="Erken Gelen")
    for user in (registered.user, waitlisted.user, UserFactory()):
        client.force_login(user)
        assert client.get(f"/en/events/{held.slug}/certificate.pdf").status_code == 404
    client.force_login(early.user)
    assert client.get(f"/en/events/{planned.slug}/certificate.pdf").status_code == 404
    client.logout()
    response = client.get(f"/en/events/{held.slug}/certificate.pdf")
    assert response.status_code == 302
    assert "/accounts/login/" in response.url


def test_an_attended_programme_that_ended_counts_as_held_unless_cancelled(held):
    registration = attended(held)
    Event.objects.filter(pk=held.pk).update(state=Event.State.PLANNED)
    registration.event.refresh_from_db()
    assert certificates.certificate_available(registration)
    Event.objects.filter(pk=held.pk).update(state=Event.State.CANCELLED)
    registration.event.refresh_from_db()
    assert not certificates.certificate_available(registration)


def test_the_programme_page_links_the_certificate_for_attendees_only(client, held):
    registration = attended(held)
    client.force_login(registration.user)
    assert 'id="certificate-download"' in client.get(held.get_absolute_url()).content.decode()
    client.force_login(RegistrationFactory(event=held, status="registered").user)
    assert 'id="certificate-download"' not in client.get(held.get_absolute_url()).content.decode()


def test_without_weasyprint_the_download_says_so(client, held, monkeypatch):
    monkeypatch.setattr(pdf, "_weasyprint", lambda: None)
    client.force_login(attended(held).user)
    response = client.get(f"/en/events/{held.slug}/certificate.pdf")
    assert response.status_code == 503
    assert "This server cannot make PDF files" in response.content.decode()


# --- Verification ---------------------------------------------------------------------------


def text(response):
    return " ".join(response.content.decode().split())


def test_a_valid_code_shows_the_programme_and_date_but_not_the_person(client, held):
    registration = attended(held)
    code = certificate_code(registration)

    html = text(client.get(VERIFY, {"code": code.lower().replace("-", " ")}))

    assert "This is a valid attendance certificate." in html
    assert "İş Birliği Programı — Erzurum" in html
    assert "12 May 2025" in html
    assert "Şükrü Ağaoğlu" not in html
    assert "Iğdır Çığ Gönüllüleri Derneği" not in html
    assert registration.user.email not in html


@pytest.mark.parametrize("typed", ["0000-0000-0000", "hello", "ABCD"])
def test_an_invalid_code_is_refused(client, held, typed):
    attended(held)
    html = text(client.get(VERIFY, {"code": typed}))
    assert "No valid certificate has this code." in html
    assert "İş Birliği Programı" not in html


def test_a_tampered_code_is_refused(client, held):
    registration = attended(held)
    code = certificate_code(registration).replace("-", "")
    tampered = code[:-1] + ("0" if code[-1] != "0" else "1")
    assert certificate_verify(code) == registration
    assert certificate_verify(tampered) is None
    # The check-in code of the same registration is no certificate code.
    from events.services.tickets import checkin_code

    assert certificate_verify(checkin_code(registration)) is None


def test_a_code_stops_verifying_when_the_check_in_is_undone(held):
    registration = attended(held)
    code = certificate_code(registration)
    registration.status = "registered"
    registration.checked_in_at = None
    registration.save()
    assert certificate_verify(code) is None


def test_the_empty_page_asks_for_a_code(client):
    html = text(client.get(VERIFY))
    assert "Verify an attendance certificate" in html
    assert "valid" not in html.split("</h1>")[1].split("<form")[0].replace("validate", "")


@override_settings(ACCOUNT_RATE_LIMITS={"certificate_verify": "3/m/ip"})
def test_verification_is_rate_limited_per_address(client, held):
    code = certificate_code(attended(held))
    with time_machine.travel(datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC), tick=False):
        for _ in range(3):
            assert "valid attendance" in text(client.get(VERIFY, {"code": code}))
        response = client.get(VERIFY, {"code": code})
    assert response.status_code == 429
    html = text(response)
    assert "Too many attempts" in html
    assert f'value="{code}"' in html
    assert "valid attendance certificate" not in html
