"""Registration for regional programmes: seats, the waiting list and its promotions, refusals,
confirmation mails with the .ics, and the registration panel of the programme page."""

import datetime
import threading

import pytest
import time_machine
from django.contrib.messages import get_messages
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.db.models import F
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from events.models import Event, Registration
from events.services.registrations import (
    event_cancel_registration,
    event_fill_from_waitlist,
    event_register,
    registration_organisations,
)
from municipalities.models import Municipality
from ngos.models import NGO
from portal.models import EmailPreferences, Notification, OutgoingMail
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import MembershipFactory, MunicipalStaffFactory, NGOFactory, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

BASE_URL = "http://testserver/"
# 12 May 2030, 10:00–16:00 in Türkiye (UTC+3).
STARTS = datetime.datetime(2030, 5, 12, 7, 0, tzinfo=datetime.UTC)


def programme(**kwargs):
    kwargs.setdefault("title", "Erzurum Bölge Programı")
    kwargs.setdefault("starts_at", STARTS)
    kwargs.setdefault("ends_at", STARTS + datetime.timedelta(hours=6))
    kwargs.setdefault("registration_deadline", STARTS - datetime.timedelta(days=1))
    return EventFactory(**kwargs)


def ngo_member(ngo=None, **user_kwargs):
    user_kwargs.setdefault("preferred_language", "en")
    user = UserFactory(**user_kwargs)
    MembershipFactory(user=user, ngo=ngo or NGOFactory())
    return user


def register(user, event, **kwargs):
    """Register through the service, on behalf of the user's first organisation."""
    if not kwargs:
        organisation = registration_organisations(user)[0]
        model = NGO if organisation.kind == "ngo" else Municipality
        key = "ngo" if organisation.kind == "ngo" else "municipality"
        kwargs = {key: model.objects.get(pk=organisation.pk)}
    return event_register(event_id=event.pk, user=user, base_url=BASE_URL, **kwargs)


def register_url(event):
    with translation.override("en"):
        return reverse("events:register", kwargs={"slug": event.slug})


def cancel_url(event):
    with translation.override("en"):
        return reverse("events:cancel_registration", kwargs={"slug": event.slug})


def detail_url(event):
    with translation.override("en"):
        return event.get_absolute_url()


def organisation_key(user):
    return registration_organisations(user)[0].key


def flashed(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def ics_of(message):
    (name, content, mimetype) = message.attachments[0]
    assert name == "programme.ics"
    assert mimetype.startswith("text/calendar")
    return content.decode() if isinstance(content, bytes) else content


# --- Capacity and waiting list ----------------------------------------------------------------


def test_register_takes_a_seat_and_emails_the_confirmation_with_the_ics(
    client, django_capture_on_commit_callbacks
):
    event = programme(capacity=10)
    user = ngo_member(full_name="Ayşe Yılmaz", ngo=NGOFactory(name="Palandöken Derneği"))
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(register_url(event), {"organisation": organisation_key(user)})
    assert response.url == detail_url(event)
    assert flashed(response) == ["You are registered for Erzurum Bölge Programı."]
    registration = Registration.objects.get(event=event, user=user)
    assert registration.status == Registration.Status.REGISTERED
    assert registration.ngo.name == "Palandöken Derneği"
    event.refresh_from_db()
    assert event.seats_taken == 1

    (message,) = mail.outbox
    assert message.to == [user.email]
    assert message.subject == "Registration confirmed: Erzurum Bölge Programı"
    assert "Hello Ayşe Yılmaz," in message.body
    assert 'You are registered for the programme "Erzurum Bölge Programı".' in message.body
    # 07:00 UTC is 10:00 in Türkiye.
    assert "Date: 12 May 2030, Sunday, 10:00–16:00 (Türkiye time)" in message.body
    assert "Venue: İbrahim Erkal Dadaş Kültür ve Sanat Merkezi, Yakutiye, Erzurum" in message.body
    assert "On behalf of: Palandöken Derneği" in message.body
    assert f"http://testserver/en/events/{event.slug}/" in message.body
    ics = ics_of(message)
    assert "DTSTART:20300512T070000Z" in ics
    assert "DTEND:20300512T130000Z" in ics
    assert "SUMMARY:Erzurum Bölge Programı" in ics
    assert f"URL:http://testserver/en/events/{event.slug}/" in ics


def test_confirmation_is_in_the_users_language(django_capture_on_commit_callbacks):
    event = programme()
    user = ngo_member(preferred_language="tr")
    with django_capture_on_commit_callbacks(execute=True):
        register(user, event)
    (message,) = mail.outbox
    # The date is written with Turkish month and day names.
    assert "12 Mayıs 2030, Pazar" in message.body
    assert f"http://testserver/events/{event.slug}/" in message.body


def test_full_programme_puts_people_on_the_waiting_list_in_order(
    django_capture_on_commit_callbacks,
):
    event = programme(capacity=2)
    users = [ngo_member() for _ in range(4)]
    with django_capture_on_commit_callbacks(execute=True):
        registrations = [register(user, event) for user in users]
    assert [(r.status, r.waitlist_position) for r in registrations] == [
        ("registered", None),
        ("registered", None),
        ("waitlisted", 1),
        ("waitlisted", 2),
    ]
    event.refresh_from_db()
    assert event.seats_taken == 2
    waitlisted_mail = mail.outbox[2]
    assert waitlisted_mail.subject == "You are on the waiting list: Erzurum Bölge Programı"
    assert "you are number 1 on the waiting list" in " ".join(waitlisted_mail.body.split())
    assert "you are number 2 on the waiting list" in " ".join(mail.outbox[3].body.split())
    assert ics_of(waitlisted_mail)


def test_post_on_a_full_programme_says_the_waiting_list_position(client):
    event = programme(capacity=1)
    register(ngo_member(), event)
    user = ngo_member()
    client.force_login(user)
    response = client.post(register_url(event), {"organisation": organisation_key(user)})
    assert flashed(response) == [
        "The programme is full: you are number 1 on the waiting list. We will email you if a "
        "seat becomes free."
    ]


def test_cancelling_a_seat_promotes_the_first_waitlisted_person_and_emails_them(
    client, django_capture_on_commit_callbacks
):
    event = programme(capacity=2)
    first, second, third, fourth = (ngo_member(full_name=f"Kişi {n}") for n in range(4))
    for user in (first, second, third, fourth):
        register(user, event)
    client.force_login(first)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(cancel_url(event))
    assert flashed(response) == ["Your registration for Erzurum Bölge Programı is cancelled."]
    states = dict(Registration.objects.values_list("user_id", "status"))
    assert states == {
        first.pk: "cancelled",
        second.pk: "registered",
        third.pk: "registered",
        fourth.pk: "waitlisted",
    }
    assert Registration.objects.get(user=fourth).waitlist_position == 1
    assert Registration.objects.get(user=third).waitlist_position is None
    event.refresh_from_db()
    assert event.seats_taken == 2

    (message,) = mail.outbox
    assert message.to == [third.email]
    assert message.subject == "A seat is now yours: Erzurum Bölge Programı"
    assert "the seat is now yours: you are registered" in " ".join(message.body.split())
    assert "Date: 12 May 2030, Sunday, 10:00–16:00 (Türkiye time)" in message.body
    assert "DTSTART:20300512T070000Z" in ics_of(message)
    assert message.attachments[0][2] == "text/calendar; charset=utf-8"


def test_cancelling_a_waitlisted_registration_only_leaves_the_queue(
    django_capture_on_commit_callbacks,
):
    event = programme(capacity=1)
    users = [ngo_member() for _ in range(4)]
    registrations = [register(user, event) for user in users]
    with django_capture_on_commit_callbacks(execute=True):
        event_cancel_registration(registration_id=registrations[1].pk, by=users[1])
    assert mail.outbox == []
    positions = dict(
        Registration.objects.filter(status="waitlisted").values_list("user_id", "waitlist_position")
    )
    assert positions == {users[2].pk: 1, users[3].pk: 2}
    event.refresh_from_db()
    assert event.seats_taken == 1
    assert Registration.objects.get(user=users[0]).status == "registered"


def test_queue_keeps_its_order_and_unique_positions_when_people_leave_it():
    # Positions are unique per programme in the database; closing a gap must never make two
    # people share a place on the way, whatever order the database updates the rows in.
    event = programme(capacity=1)
    users = [ngo_member() for _ in range(9)]
    registrations = [register(user, event) for user in users]
    event_cancel_registration(registration_id=registrations[2].pk, by=users[2])  # number 2
    event_cancel_registration(registration_id=registrations[0].pk, by=users[0])  # the seat
    event_cancel_registration(registration_id=registrations[8].pk, by=users[8])  # the last
    queue = list(
        Registration.objects.filter(event=event, status="waitlisted")
        .order_by("waitlist_position")
        .values_list("user_id", "waitlist_position")
    )
    assert queue == [(users[n].pk, position) for position, n in enumerate([3, 4, 5, 6, 7], 1)]
    assert Registration.objects.get(user=users[1]).status == "registered"


def test_cancelling_without_a_waiting_list_frees_the_seat():
    event = programme(capacity=3)
    user = ngo_member()
    registration = register(user, event)
    event_cancel_registration(registration_id=registration.pk, by=user)
    event.refresh_from_db()
    assert event.seats_taken == 0
    registration.refresh_from_db()
    assert registration.status == "cancelled"


def test_re_registering_after_a_cancellation_reuses_the_same_row(client):
    event = programme(capacity=5)
    user = ngo_member()
    first = register(user, event)
    event_cancel_registration(registration_id=first.pk, by=user)
    client.force_login(user)
    client.post(register_url(event), {"organisation": organisation_key(user)})
    registration = Registration.objects.get(event=event, user=user)
    assert registration.pk == first.pk
    assert registration.status == "registered"
    event.refresh_from_db()
    assert event.seats_taken == 1


def test_cancelling_twice_is_refused():
    event = programme()
    user = ngo_member()
    registration = register(user, event)
    event_cancel_registration(registration_id=registration.pk, by=user)
    with pytest.raises(ValidationError, match="already cancelled"):
        event_cancel_registration(registration_id=registration.pk, by=user)


def test_nobody_else_may_cancel_a_registration():
    event = programme()
    registration = register(ngo_member(), event)
    with pytest.raises(ValidationError, match="You may not cancel this registration"):
        event_cancel_registration(registration_id=registration.pk, by=ngo_member())
    registration.refresh_from_db()
    assert registration.status == "registered"


def test_cancel_without_a_registration_says_so(client):
    event = programme()
    client.force_login(ngo_member())
    response = client.post(cancel_url(event))
    assert response.url == detail_url(event)
    assert flashed(response) == ["You are not registered for this programme."]


def test_raised_capacity_goes_to_the_waiting_list_before_newcomers(
    django_capture_on_commit_callbacks,
):
    event = programme(capacity=1)
    users = [ngo_member() for _ in range(3)]
    for user in users:
        register(user, event)
    Event.objects.filter(pk=event.pk).update(capacity=2)
    newcomer = register(ngo_member(), event)
    assert Registration.objects.get(user=users[1]).status == "registered"
    assert Registration.objects.get(user=users[2]).waitlist_position == 1
    assert (newcomer.status, newcomer.waitlist_position) == ("waitlisted", 2)

    Event.objects.filter(pk=event.pk).update(capacity=4)
    with django_capture_on_commit_callbacks(execute=True):
        promoted = event_fill_from_waitlist(event_id=event.pk, base_url=BASE_URL)
    assert [r.user_id for r in promoted] == [users[2].pk, newcomer.user_id]
    assert len(mail.outbox) == 2
    event.refresh_from_db()
    assert event.seats_taken == 4


def test_the_database_refuses_overbooking():
    event = programme(capacity=2)
    with pytest.raises(IntegrityError), transaction.atomic():
        Event.objects.filter(pk=event.pk).update(seats_taken=F("capacity") + 1)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_concurrent_registrations_never_exceed_capacity():
    event = programme(capacity=10)
    ngo = NGOFactory()
    users = [ngo_member(ngo=ngo) for _ in range(20)]
    barrier = threading.Barrier(len(users))
    errors = []

    def sign_up(user):
        try:
            barrier.wait()
            event_register(event_id=event.pk, user=user, ngo=ngo, base_url=BASE_URL)
        except Exception as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sign_up, args=(user,)) for user in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    registrations = Registration.objects.filter(event=event)
    assert registrations.filter(status="registered").count() == 10
    positions = sorted(
        registrations.filter(status="waitlisted").values_list("waitlist_position", flat=True)
    )
    assert positions == list(range(1, 11))
    event.refresh_from_db()
    assert event.seats_taken == 10


# --- Refusals ------------------------------------------------------------------------------


def test_registration_after_the_deadline_is_refused(client):
    event = programme()
    user = ngo_member()
    with time_machine.travel(STARTS - datetime.timedelta(hours=12), tick=False):
        client.force_login(user)
        response = client.post(register_url(event), {"organisation": organisation_key(user)})
    assert flashed(response) == ["Registration closed on 11 May 2030, 10:00 (Türkiye time)."]
    assert not Registration.objects.exists()


def test_registration_just_before_the_deadline_is_accepted():
    event = programme()
    with time_machine.travel(STARTS - datetime.timedelta(days=1, minutes=1), tick=False):
        registration = register(ngo_member(), event)
    assert registration.status == "registered"


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ("cancelled", "This programme has been cancelled: registration is closed."),
        ("held", "This programme has already been held: registration is closed."),
    ],
)
def test_cancelled_and_held_programmes_refuse_registration(client, state, message):
    event = programme(state=state)
    user = ngo_member()
    client.force_login(user)
    response = client.post(register_url(event), {"organisation": organisation_key(user)})
    assert flashed(response) == [message]
    assert not Registration.objects.exists()
    event.refresh_from_db()
    assert event.seats_taken == 0


def test_unverified_ngo_is_refused(client):
    event = programme()
    ngo = NGOFactory(name="Yeni Kurulan Derneği", status=NGO.Status.PENDING)
    user = ngo_member(ngo=ngo)
    client.force_login(user)
    response = client.post(register_url(event), {"organisation": organisation_key(user)})
    assert flashed(response) == [
        "Yeni Kurulan Derneği is not verified yet: only verified NGOs can register for "
        "programmes. A coordinator of your sub-region verifies new NGOs."
    ]
    assert not Registration.objects.exists()


def test_registering_for_an_organisation_you_do_not_belong_to_is_refused(client):
    event = programme()
    user = ngo_member()
    foreign = NGOFactory(name="Başka Derneği")
    client.force_login(user)
    response = client.post(register_url(event), {"organisation": f"ngo-{foreign.pk}"})
    assert flashed(response) == [
        f"Select a valid choice. ngo-{foreign.pk} is not one of the available choices."
    ]
    assert not Registration.objects.exists()
    with pytest.raises(ValidationError, match="You are not a member of Başka Derneği"):
        event_register(event_id=event.pk, user=user, ngo=foreign, base_url=BASE_URL)
    municipality = Municipality.objects.get(slug="erzurum-bb")
    with pytest.raises(ValidationError, match="not on the staff of Erzurum Büyükşehir"):
        event_register(event_id=event.pk, user=user, municipality=municipality, base_url="")


def test_people_without_an_organisation_cannot_register(client):
    event = programme()
    client.force_login(UserFactory())
    response = client.post(register_url(event), {"organisation": "ngo-1"})
    assert flashed(response) == [
        "Only members of NGOs and municipal staff can register, on behalf of their organisation."
    ]
    assert not Registration.objects.exists()


def test_second_registration_of_the_same_person_is_refused(client):
    event = programme()
    user = ngo_member()
    client.force_login(user)
    client.post(register_url(event), {"organisation": organisation_key(user)}, follow=True)
    response = client.post(register_url(event), {"organisation": organisation_key(user)})
    assert flashed(response) == ["You are already registered for this programme."]
    assert Registration.objects.filter(event=event, user=user).count() == 1
    event.refresh_from_db()
    assert event.seats_taken == 1


def test_municipal_staff_register_on_behalf_of_their_municipality(client):
    event = programme()
    staff = MunicipalStaffFactory(user=UserFactory(preferred_language="en"))
    client.force_login(staff.user)
    client.post(register_url(event), {"organisation": f"municipality-{staff.municipality_id}"})
    registration = Registration.objects.get(user=staff.user)
    assert registration.municipality.name == "Erzurum Büyükşehir Belediyesi"
    assert registration.ngo is None


def test_someone_with_several_organisations_must_choose_one(client):
    event = programme()
    user = ngo_member(ngo=NGOFactory(name="Aziziye Derneği"))
    staff = MunicipalStaffFactory(user=user)
    client.force_login(user)
    response = client.post(register_url(event), {"organisation": ""})
    assert flashed(response) == ["This field is required."]
    assert not Registration.objects.exists()
    client.post(register_url(event), {"organisation": f"municipality-{staff.municipality_id}"})
    assert Registration.objects.get(user=user).municipality_id == staff.municipality_id


def test_get_on_registration_urls_is_405(client):
    event = programme()
    client.force_login(ngo_member())
    for url in (register_url(event), cancel_url(event)):
        response = client.get(url)
        assert response.status_code == 405
        assert response["Allow"] == "POST"
    assert not Registration.objects.exists()


def test_anonymous_registration_goes_to_login(client):
    event = programme()
    for url in (register_url(event), cancel_url(event)):
        response = client.post(url)
        assert response.status_code == 302
        assert response.url.startswith("/en/accounts/login/?next=")
    assert not Registration.objects.exists()


def test_unknown_programme_is_404(client):
    client.force_login(ngo_member())
    with translation.override("en"):
        url = reverse("events:register", kwargs={"slug": "no-such-programme"})
    assert client.post(url).status_code == 404
    assert not Registration.objects.exists()


# --- Mail preferences and failures ---------------------------------------------------------


def test_people_who_turned_programme_emails_off_get_a_notification(
    django_capture_on_commit_callbacks,
):
    event = programme()
    user = ngo_member()
    EmailPreferences.objects.create(user=user, events=False)
    with django_capture_on_commit_callbacks(execute=True):
        register(user, event)
    assert mail.outbox == []
    notification = Notification.objects.get(user=user)
    assert notification.kind == "event"
    assert notification.message == "You are registered for Erzurum Bölge Programı."
    assert notification.url == f"/en/events/{event.slug}/"


def test_a_mail_server_failure_does_not_undo_the_registration(
    django_capture_on_commit_callbacks, mail_server_down
):
    event = programme()
    user = ngo_member()
    with django_capture_on_commit_callbacks(execute=True):
        registration = register(user, event)
    assert Registration.objects.get(pk=registration.pk).status == "registered"
    # The mail and its .ics wait in the outbox, to be sent again.
    [row] = OutgoingMail.objects.all()
    assert (row.to, row.status) == ([user.email], "failed")
    assert row.attachments[0]["filename"] == "programme.ics"


# --- The registration panel of the programme page ------------------------------------------


def panel(client, event):
    return " ".join(client.get(detail_url(event)).content.decode().split())


def test_panel_invites_anonymous_visitors_to_log_in(client):
    event = programme(capacity=3)
    html = panel(client, event)
    assert "Registration is open until 11 May 2030, 10:00 (Türkiye time): 3 seats left." in html
    assert "Log in to register" in html
    assert f"/en/accounts/login/?next=/en/events/{event.slug}/" in html


def test_panel_shows_the_form_and_the_seats_left(client):
    event = programme(capacity=3)
    register(ngo_member(), event)
    client.force_login(ngo_member(ngo=NGOFactory(name="Oltu Derneği")))
    html = panel(client, event)
    assert "2 seats left." in html
    assert "You register on behalf of Oltu Derneği." in html
    assert f'action="/en/events/{event.slug}/register/"' in html
    assert ">Register</button>" in html.replace("> ", ">").replace(" <", "<")


def test_panel_offers_the_waiting_list_when_full(client):
    event = programme(capacity=1)
    register(ngo_member(), event)
    client.force_login(ngo_member())
    html = panel(client, event)
    assert "All seats are taken, but you can join the waiting list" in html
    assert "Join the waiting list" in html


def test_panel_lists_the_organisations_to_choose_from(client):
    event = programme()
    user = ngo_member(ngo=NGOFactory(name="Aziziye Derneği"))
    MunicipalStaffFactory(user=user)
    client.force_login(user)
    html = panel(client, event)
    assert "Register on behalf of" in html
    assert "Aziziye Derneği (NGO)" in html
    assert "Erzurum Büyükşehir Belediyesi (municipality)" in html


def test_panel_shows_the_users_registration_with_a_cancel_button(client):
    event = programme(capacity=1)
    register(ngo_member(), event)
    user = ngo_member(ngo=NGOFactory(name="Oltu Derneği"))
    register(user, event)
    client.force_login(user)
    html = panel(client, event)
    assert "You are number 1 on the waiting list, on behalf of Oltu Derneği." in html
    assert "Leave the waiting list" in html
    assert f'action="/en/events/{event.slug}/register/cancel/"' in html


def test_panel_shows_registered_and_attended(client):
    event = programme()
    user = ngo_member(ngo=NGOFactory(name="Oltu Derneği"))
    registration = register(user, event)
    client.force_login(user)
    html = panel(client, event)
    assert "You are registered, on behalf of Oltu Derneği." in html
    assert "Cancel my registration" in html
    Registration.objects.filter(pk=registration.pk).update(status="attended")
    Event.objects.filter(pk=event.pk).update(state="held")
    html = panel(client, event)
    assert "You attended this programme, on behalf of Oltu Derneği." in html
    assert "Cancel my registration" not in html


def test_panel_says_when_registration_is_closed(client):
    event = programme()
    with time_machine.travel(STARTS - datetime.timedelta(hours=2), tick=False):
        client.force_login(ngo_member())
        html = panel(client, event)
    assert "Registration closed on 11 May 2030, 10:00 (Türkiye time)." in html
    assert "/register/" not in html
    Event.objects.filter(pk=event.pk).update(state="cancelled")
    html = panel(client, event)
    assert "This programme has been cancelled: registration is closed." in html
    assert "/register/" not in html


def test_panel_explains_who_may_register(client):
    event = programme()
    client.force_login(UserFactory())
    html = panel(client, event)
    assert "Registration is for members of NGOs and municipal staff" in html
    client.force_login(ngo_member(ngo=NGOFactory(status=NGO.Status.PENDING)))
    html = panel(client, event)
    assert "Your NGO is not verified yet" in html
    assert "/register/" not in html


def count_detail_queries(client, event):
    url = detail_url(event)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert "registration-heading" in response.content.decode()
    return len(queries)


def test_programme_page_with_the_panel_query_count_does_not_grow(client):
    small = programme(title="Küçük Program", capacity=50)
    large = programme(title="Büyük Program", capacity=50)
    user = ngo_member()
    client.force_login(user)
    RegistrationFactory(event=small)
    for _ in range(5):
        RegistrationFactory(event=large)
    # A visitor who may register: their registration, then their organisations.
    assert count_detail_queries(client, small) == count_detail_queries(client, large) == 11
    # The same with several organisations and with an own registration (one query less).
    MembershipFactory(user=user)
    MunicipalStaffFactory(user=user)
    assert count_detail_queries(client, small) == count_detail_queries(client, large) == 11
    RegistrationFactory(event=small, user=user)
    RegistrationFactory(event=large, user=user)
    assert count_detail_queries(client, small) == count_detail_queries(client, large) == 10
