"""Coordinators' messages to a programme's registrants: each audience reaches the right people,
the message is recorded, queued and shown on each recipient's notifications, in their
language; and the page that sends and lists them."""

import pytest
from django.core import mail

from events.models import ProgrammeMessage, Registration
from events.services.messages import programme_message_deliver, programme_message_send
from municipalities.models import SubRegion
from portal.models import EmailPreferences, Notification
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import CoordinatorAssignmentFactory, UserFactory
from tests.helpers import en, messages_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mail_queue")]

Status = Registration.Status


@pytest.fixture
def regional():
    user = UserFactory(email="bolge@example.test")
    CoordinatorAssignmentFactory(user=user, subregion=SubRegion.objects.get(code="14"))
    return user


@pytest.fixture
def event():
    return EventFactory(title="Erzurum Bölge Programı", capacity=2, seats_taken=2)


@pytest.fixture
def people(event):
    """One person per status: registered (English), attended, waitlisted (Turkish), cancelled."""

    def person(status, language="tr", **kwargs):
        user = UserFactory(email=f"{status}@example.test", preferred_language=language)
        return RegistrationFactory(event=event, user=user, status=status, **kwargs).user

    return {
        "registered": person(Status.REGISTERED, "en"),
        "attended": person(Status.ATTENDED),
        "waitlisted": person(Status.WAITLISTED, waitlist_position=1),
        "cancelled": person(Status.CANCELLED),
    }


def post(client, event, **data):
    return client.post(en("events:messages", event.slug), data)


@pytest.mark.parametrize(
    ("audience", "reached"),
    [
        ("all", {"registered", "attended", "waitlisted"}),
        ("seated", {"registered", "attended"}),
        ("attended", {"attended"}),
        ("waitlist", {"waitlisted"}),
    ],
)
def test_each_audience_reaches_its_people_and_never_cancelled_ones(
    client, regional, event, people, audience, reached, django_capture_on_commit_callbacks
):
    client.force_login(regional)

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, event, audience=audience, subject="Otopark", body="Arka kapı.")

    assert response["Location"] == en("events:messages", event.slug)
    message = ProgrammeMessage.objects.get()
    assert (message.audience, message.sent_by, message.recipients) == (
        audience,
        regional,
        len(reached),
    )
    assert message.delivered_at is not None
    notified = set(
        Notification.objects.filter(kind="event_message").values_list("user__email", flat=True)
    )
    assert notified == {people[name].email for name in reached}
    assert {m.to[0] for m in mail.outbox} == notified


def test_recipients_read_it_in_their_language_with_the_text_as_written(
    client, regional, event, people, django_capture_on_commit_callbacks
):
    client.force_login(regional)

    with django_capture_on_commit_callbacks(execute=True):
        post(client, event, audience="all", subject="Otopark", body="Arka kapıyı kullanın.")

    english = Notification.objects.get(user=people["registered"])
    turkish = Notification.objects.get(user=people["waitlisted"])
    assert english.message == "Message about Erzurum Bölge Programı: Otopark"
    assert english.url == f"/en/events/{event.slug}/"
    assert turkish.message == "Erzurum Bölge Programı hakkında mesaj: Otopark"
    [mail_en] = [m for m in mail.outbox if m.to == [people["registered"].email]]
    assert "Arka kapıyı kullanın." in mail_en.body
    assert 'The coordinators of the programme "Erzurum Bölge Programı"' in mail_en.body


def test_people_who_turned_programme_emails_off_see_it_in_app_only(
    regional, event, people, django_capture_on_commit_callbacks
):
    EmailPreferences.objects.create(user=people["attended"], events=False)

    with django_capture_on_commit_callbacks(execute=True):
        programme_message_send(
            event=event, audience="seated", subject="Konu", body="Metin", by=regional
        )

    assert [m.to for m in mail.outbox] == [[people["registered"].email]]
    assert Notification.objects.filter(user=people["attended"]).count() == 1


def test_a_message_is_delivered_once(regional, event, people):
    message = ProgrammeMessage.objects.create(
        event=event, audience="all", subject="Konu", body="Metin", sent_by=regional
    )

    assert programme_message_deliver(message_id=message.pk) == 3
    assert programme_message_deliver(message_id=message.pk) == 0
    assert Notification.objects.count() == 3


def test_an_empty_audience_is_refused_and_what_was_typed_kept(client, regional, event):
    RegistrationFactory(event=event)
    client.force_login(regional)

    response = post(client, event, audience="waitlist", subject="Yer", body="Yer açıldı.")

    html = response.content.decode()
    assert "Nobody is in this group yet: choose other recipients." in html
    assert "Yer açıldı.</textarea>" in html
    assert not ProgrammeMessage.objects.exists()


def test_invalid_input_shows_errors_not_a_crash(client, regional, event, people):
    client.force_login(regional)

    response = post(client, event, audience="everyone", subject="", body="   ")

    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"audience", "subject", "body"}
    assert not ProgrammeMessage.objects.exists()


def test_the_page_lists_sent_messages_with_audience_counts(client, regional, event, people):
    ProgrammeMessage.objects.create(
        event=event, audience="waitlist", subject="Bekleme", body="Sıra", sent_by=regional
    )
    client.force_login(regional)

    response = client.get(en("events:messages", event.slug))

    html = " ".join(response.content.decode().split())
    assert "Everyone registered or on the waiting list (3)" in html
    assert "Only the waiting list (1)" in html
    assert "Bekleme" in html and "queued" in html


def test_coordinators_of_another_subregion_get_a_404(client, event):
    other = UserFactory()
    CoordinatorAssignmentFactory(user=other, subregion=SubRegion.objects.get(code="12"))
    client.force_login(other)

    response = client.post(
        en("events:messages", event.slug), {"audience": "all", "subject": "x", "body": "y"}
    )

    assert response.status_code == 404
    assert not ProgrammeMessage.objects.exists()


def test_success_message_counts_the_recipients(client, regional, event, people):
    client.force_login(regional)

    response = post(client, event, audience="waitlist", subject="Sıra", body="Bekleyin.")

    assert messages_of(response) == ["Your message “Sıra” is on its way to 1 person."]


@pytest.mark.parametrize("size", [1, 5])
def test_messages_page_query_count_does_not_grow(
    client, regional, event, size, django_assert_num_queries
):
    for n in range(size):
        ProgrammeMessage.objects.create(
            event=event, audience="all", subject=f"Konu {n}", body="Metin", sent_by=regional
        )
    client.force_login(regional)
    client.get(en("events:messages", event.slug))  # warm the session and caches

    with django_assert_num_queries(9):
        client.get(en("events:messages", event.slug))
