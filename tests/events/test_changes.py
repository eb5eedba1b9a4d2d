"""Changes to a programme its registrants are told about: the calendar revision (.ics parsed back
with icalendar: a stable UID, a rising SEQUENCE, LAST-MODIFIED, METHOD:CANCEL for a
cancellation), and the fan-out to registered and waitlisted people, each in their language."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from events.models import Event, ProgrammeChange, Registration
from events.services.calendar import event_ics
from events.services.changes import programme_change_notify
from municipalities.models import SubRegion
from portal.models import EmailPreferences, Notification, OutgoingMail
from tests.events.factories import AgendaItemFactory, EventFactory, RegistrationFactory
from tests.events.test_programmes import days_from_now, edit_data, typed
from tests.factories import CoordinatorAssignmentFactory, UserFactory
from tests.helpers import en, messages_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("mail_queue")]


@pytest.fixture
def regional():
    user = UserFactory(email="bolge@example.test")
    CoordinatorAssignmentFactory(user=user, subregion=SubRegion.objects.get(code="14"))
    return user


@pytest.fixture
def event():
    """A full programme (one seat) in ten days, with an agenda item."""
    event = EventFactory(
        title="Erzurum Bölge Programı",
        starts_at=days_from_now(10),
        ends_at=days_from_now(10, hour=16),
        registration_deadline=days_from_now(8),
        capacity=1,
        seats_taken=1,
    )
    AgendaItemFactory(event=event, title="Açılış")
    return event


def person(email, language="en"):
    return UserFactory(email=email, preferred_language=language)


@pytest.fixture
def people(event):
    """Registered (English), waitlisted (Turkish), cancelled."""
    registered = RegistrationFactory(event=event, user=person("kayitli@example.test")).user
    waiting = RegistrationFactory(
        event=event,
        user=person("bekleyen@example.test", "tr"),
        status=Registration.Status.WAITLISTED,
        waitlist_position=1,
    ).user
    cancelled = RegistrationFactory(
        event=event, user=person("iptal@example.test"), status=Registration.Status.CANCELLED
    ).user
    return registered, waiting, cancelled


def parse(body: bytes):
    calendar = Calendar.from_ical(body)
    [entry] = calendar.walk("VEVENT")
    return calendar, entry


def moved_to(days):
    """The form fields of a programme moved to ``days`` from today, 10:00–16:00."""
    return {"starts_at": typed(days_from_now(days)), "ends_at": typed(days_from_now(days, 16))}


def edit(client, event, **overrides):
    return client.post(en("events:edit", event.slug), edit_data(event, **overrides))


def ics_attachment(message):
    [(name, content, mimetype)] = message.attachments
    assert name == "programme.ics" and mimetype.startswith("text/calendar")
    return content.encode() if isinstance(content, str) else content


# --- The calendar file ----------------------------------------------------------------------


def test_ics_of_a_new_programme_is_revision_zero_published():
    event = EventFactory(title="Belediyeler, STK'lar; ve iş birliği")

    calendar, entry = parse(event_ics(event, url="http://testserver/p/"))

    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(entry["UID"]) == f"event-{event.pk}@belediye-stk-portali"
    assert int(entry["SEQUENCE"]) == 0
    assert str(entry["SUMMARY"]) == "Belediyeler, STK'lar; ve iş birliği"
    assert str(entry["STATUS"]) == "CONFIRMED"
    assert entry.decoded("DTSTART") == event.starts_at
    assert entry.decoded("LAST-MODIFIED") == event.created_at.replace(microsecond=0)
    assert str(entry["URL"]) == "http://testserver/p/"


def test_moving_a_programme_keeps_the_uid_and_raises_the_sequence(
    client, regional, event, django_capture_on_commit_callbacks
):
    _, first = parse(event_ics(event))
    client.force_login(regional)
    moved_at = timezone.now().replace(microsecond=0) + datetime.timedelta(hours=1)

    with time_machine.travel(moved_at, tick=False):
        response = edit(client, event, **moved_to(11))
        assert response.status_code == 302
        event.refresh_from_db()
        response = edit(client, event, venue="Yeni Salon")

    event.refresh_from_db()
    _, second = parse(client.get(en("events:ics", event.slug)).content)
    assert str(second["UID"]) == str(first["UID"])
    assert (int(first["SEQUENCE"]), int(second["SEQUENCE"])) == (0, 2)
    assert second.decoded("LAST-MODIFIED") == moved_at
    assert second.decoded("DTSTART") == days_from_now(11)
    assert str(second["LOCATION"]).startswith("Yeni Salon")
    assert [(c.sequence, c.kinds) for c in event.changes.order_by("sequence")] == [
        (1, ["time"]),
        (2, ["place"]),
    ]


def test_saving_without_a_significant_change_keeps_the_revision(client, regional, event):
    client.force_login(regional)

    edit(client, event, capacity="150", description="Yeni açıklama")

    event.refresh_from_db()
    assert event.capacity == 150
    assert (event.sequence, event.revised_at) == (0, None)
    assert not ProgrammeChange.objects.exists()


def test_changing_the_agenda_is_a_change(client, regional, event):
    client.force_login(regional)

    edit(client, event, **{"agenda-0-starts_at": "11:15"})

    event.refresh_from_db()
    assert event.sequence == 1
    assert event.changes.get().kinds == ["agenda"]
    _, entry = parse(event_ics(event))
    assert "11:15 Açılış" in str(entry["DESCRIPTION"])


def test_cancelling_sends_method_cancel_with_status_cancelled(
    client, regional, event, people, django_capture_on_commit_callbacks
):
    registered, waiting, cancelled = people
    client.force_login(regional)

    with django_capture_on_commit_callbacks(execute=True):
        edit(client, event, state="cancelled")

    event.refresh_from_db()
    assert event.sequence == 1
    assert event.changes.get().kinds == ["cancelled"]
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {registered.email, waiting.email}
    calendar, entry = parse(ics_attachment(by_address[registered.email]))
    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(entry["STATUS"]) == "CANCELLED"
    assert int(entry["SEQUENCE"]) == 1
    assert str(entry["UID"]) == f"event-{event.pk}@belediye-stk-portali"
    assert str(entry["ATTENDEE"]) == f"mailto:{registered.email}"
    assert by_address[registered.email].subject == "Cancelled: Erzurum Bölge Programı"
    assert by_address[waiting.email].subject == "İptal edildi: Erzurum Bölge Programı"
    # The download says the same.
    calendar, entry = parse(client.get(en("events:ics", event.slug)).content)
    assert (str(calendar["METHOD"]), str(entry["STATUS"])) == ("CANCEL", "CANCELLED")


# --- Telling the registrants --------------------------------------------------------------------


def test_a_move_tells_registered_and_waitlisted_people_in_their_language(
    client, regional, event, people, django_capture_on_commit_callbacks
):
    registered, waiting, cancelled = people
    client.force_login(regional)

    with django_capture_on_commit_callbacks(execute=True):
        edit(
            client, event, starts_at=typed(days_from_now(12)), ends_at=typed(days_from_now(12, 16))
        )

    notes = {n.user_id: n for n in Notification.objects.filter(kind="event")}
    assert set(notes) == {registered.pk, waiting.pk}
    assert notes[registered.pk].message == (
        "The programme Erzurum Bölge Programı has been updated. Changed: Date and time."
    )
    assert notes[waiting.pk].message == (
        "Erzurum Bölge Programı programı güncellendi. Değişen: Tarih ve saat."
    )
    assert notes[registered.pk].url == f"/en/events/{event.slug}/"
    assert notes[waiting.pk].url == f"/events/{event.slug}/"
    [english] = [m for m in mail.outbox if m.to == [registered.email]]
    assert english.subject == "Programme updated: Erzurum Bölge Programı"
    assert "- Date and time" in english.body
    _, entry = parse(ics_attachment(english))
    assert int(entry["SEQUENCE"]) == 1
    assert entry.decoded("DTSTART") == days_from_now(12)
    change = event.changes.get()
    assert (change.recipients, change.notified_at is not None) == (2, True)


def test_people_who_turned_programme_emails_off_are_told_in_app_only(
    client, regional, event, people, django_capture_on_commit_callbacks
):
    registered, waiting, _ = people
    EmailPreferences.objects.create(user=waiting, events=False)
    client.force_login(regional)

    with django_capture_on_commit_callbacks(execute=True):
        edit(client, event, venue="Yeni Salon")

    assert [m.to for m in mail.outbox] == [[registered.email]]
    assert Notification.objects.filter(user=waiting, kind="event").count() == 1


def test_a_change_is_told_once_even_if_the_task_runs_again(event, people, regional):
    event.sequence = 1
    event.save()
    change = ProgrammeChange.objects.create(
        event=event, sequence=1, kinds=["place"], created_at=event.created_at
    )

    assert programme_change_notify(change_id=change.pk) == 2
    assert programme_change_notify(change_id=change.pk) == 0
    assert Notification.objects.filter(kind="event").count() == 2


def test_the_updated_ics_waits_in_the_outbox_when_the_mail_server_is_down(
    client, regional, event, people, mail_server_down, django_capture_on_commit_callbacks
):
    client.force_login(regional)

    with django_capture_on_commit_callbacks(execute=True):
        edit(client, event, state="cancelled")

    rows = OutgoingMail.objects.order_by("pk")
    assert [row.status for row in rows] == ["failed", "failed"]
    for row in rows:
        [attachment] = row.attachments
        assert attachment["filename"] == "programme.ics"
    event.refresh_from_db()
    assert event.state == Event.State.CANCELLED


def test_nobody_is_told_about_changes_to_a_past_programme(event, people):
    Event.objects.filter(pk=event.pk).update(
        starts_at=days_from_now(-3),
        ends_at=days_from_now(-3, 16),
        registration_deadline=days_from_now(-5),
        sequence=1,
    )
    change = ProgrammeChange.objects.create(
        event=event, sequence=1, kinds=["place"], created_at=event.created_at
    )

    assert programme_change_notify(change_id=change.pk) == 0
    assert not Notification.objects.exists()


# --- Demo ---------------------------------------------------------------------------------------


def test_demo_has_a_moved_and_a_cancelled_programme_and_one_in_every_subregion(demo):
    moved = Event.objects.get(slug="trabzon-programi")
    change = moved.changes.get()
    assert (moved.sequence, change.kinds, moved.state) == (1, ["time"], "planned")
    told = set(
        Notification.objects.filter(kind="event", url__contains=moved.slug).values_list(
            "user__email", flat=True
        )
    )
    active = set(
        moved.registrations.exclude(status="cancelled").values_list("user__email", flat=True)
    )
    assert told == active and "ngo@demo.test" in told and change.recipients == len(active)
    assert moved.registrations.filter(status="waitlisted").exists()
    _, entry = parse(event_ics(moved))
    assert int(entry["SEQUENCE"]) == 1

    cancelled = Event.objects.get(slug="diyarbakir-programi-iptal")
    assert (cancelled.state, cancelled.sequence) == ("cancelled", 1)
    assert cancelled.changes.get().recipients == cancelled.registrations.count() > 0
    calendar, _ = parse(event_ics(cancelled))
    assert str(calendar["METHOD"]) == "CANCEL"

    covered = set(
        Event.objects.exclude(state="cancelled").values_list("subregion__code", flat=True)
    )
    assert covered == {f"{n:02d}" for n in range(1, 18)}
    assert Event.objects.filter(state="held").count() >= 8


# --- What the coordinator is told after saving -------------------------------------------------


def test_saving_a_move_says_how_many_registered_and_waitlisted_people_are_told(
    client, regional, event, people
):
    client.force_login(regional)

    response = edit(client, event, **moved_to(12))

    # The registered and the waitlisted person; not the one who cancelled.
    assert messages_of(response) == [
        "The programme “Erzurum Bölge Programı” has been saved; the 2 people registered or on "
        "the waiting list are being told of the change."
    ]


def test_cancelling_with_one_person_registered_says_so_in_the_singular(client, regional, event):
    RegistrationFactory(event=event, user=person("tek@example.test"))
    client.force_login(regional)

    response = edit(client, event, state="cancelled")

    assert messages_of(response) == [
        "The programme “Erzurum Bölge Programı” has been cancelled; the 1 person registered or "
        "on the waiting list is being told."
    ]


def test_the_message_is_in_turkish_on_the_turkish_site(client, regional, event, people):
    client.force_login(regional)

    response = client.post(
        reverse("events:edit", kwargs={"slug": event.slug}), edit_data(event, venue="Yeni Salon")
    )

    assert messages_of(response) == [
        "“Erzurum Bölge Programı” programı kaydedildi; kayıtlı ya da bekleme listesindeki 2 "
        "kişiye değişiklik bildiriliyor."
    ]


def test_a_change_with_nobody_registered_says_nobody_is_told(client, regional, event):
    client.force_login(regional)

    response = edit(client, event, venue="Yeni Salon")

    assert event.changes.count() == 1
    assert messages_of(response) == [
        "The programme “Erzurum Bölge Programı” has been saved; nobody is registered or on the "
        "waiting list to be told of the change."
    ]


def test_saving_without_a_change_they_must_hear_of_tells_nobody(client, regional, event, people):
    client.force_login(regional)

    response = edit(client, event, description="Yeni açıklama")

    assert messages_of(response) == ["The programme “Erzurum Bölge Programı” has been saved."]
