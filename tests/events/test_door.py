"""At the door of a programme: the personal check-in code and its QR code, check-in by code
(typed, or the QR code's URL read by the camera), and walk-in registration while seats remain."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from events.models import Event, Registration
from events.services import codes
from events.services.checkin import registration_check_in_by_code
from events.services.tickets import checkin_code, checkin_code_from_text, checkin_path
from events.services.walkins import event_register_walk_in
from municipalities.models import Municipality, SubRegion
from ngos.models import NGO
from portal.models import User
from tests.events.factories import EventFactory, RegistrationFactory
from tests.events.test_checkin import STARTS, seated, text, url
from tests.factories import (
    CoordinatorAssignmentFactory,
    MembershipFactory,
    NGOFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

DURING = STARTS + datetime.timedelta(minutes=10)


@pytest.fixture
def event(db):
    return EventFactory(
        title="Erzurum Programı",
        capacity=3,
        starts_at=STARTS,
        ends_at=STARTS + datetime.timedelta(hours=6),
        registration_deadline=STARTS - datetime.timedelta(days=1),
    )


@pytest.fixture
def coordinator(db):
    return CoordinatorAssignmentFactory(subregion=SubRegion.objects.get(code="14")).user


def post_code(client, coordinator, event, code, *, htmx=False, moment=DURING):
    with time_machine.travel(moment, tick=False):
        client.force_login(coordinator)
        headers = {"HX-Request": "true"} if htmx else {}
        return client.post(url("checkin_code", event), {"code": code}, headers=headers)


# --- The code -------------------------------------------------------------------------------


def test_code_is_short_grouped_and_read_back_whatever_the_case_or_dashes(event):
    registration = seated(event, "Ayşe Yılmaz")
    code = checkin_code(registration)

    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{4}(-[0-9A-HJKMNP-TV-Z]{4}){2}", code)
    assert codes.code_id(codes.normalise(code)) == registration.pk
    assert checkin_code_from_text(code.lower().replace("-", " ")) == code.replace("-", "")
    # The QR code holds the whole URL; the code is read from it.
    scanned = "https://portal.example/en/events/x/checkin/code/" + code + "/"
    assert checkin_code_from_text(scanned) == code.replace("-", "")


def test_tampered_codes_are_refused(client, coordinator, event):
    registration = seated(event, "Ayşe Yılmaz")
    other = seated(event, "Ali Veli")
    code = checkin_code(registration).replace("-", "")
    last = code[-1]
    tampered = code[:-1] + ("0" if last != "0" else "1")
    # Someone else's id with this person's MAC.
    forged = codes.make_code(salt="x", pk=other.pk, message="y")[:5] + code[5:]
    for typed in (tampered, forged, "", "hello", "0" * 40):
        response = post_code(client, coordinator, event, typed)
        assert "not a valid check-in code" in text(response) or "This field is required" in text(
            response
        ), typed
    assert not Registration.objects.filter(status="attended").exists()


def test_codes_differ_between_people_and_programmes(event):
    first = seated(event, "Ayşe Yılmaz")
    second = seated(event, "Ali Veli")
    assert checkin_code(first) != checkin_code(second)
    assert checkin_code(first)[5:] != checkin_code(second)[5:]


# --- Check-in by code -----------------------------------------------------------------------


def test_check_in_by_typed_code_without_javascript(client, coordinator, event):
    registration = seated(event, "Ayşe Yılmaz")

    response = post_code(client, coordinator, event, checkin_code(registration).lower())

    assert response.status_code == 302
    assert response.url == url("checkin", event)
    registration.refresh_from_db()
    assert registration.status == "attended"
    assert registration.checked_in_at == DURING
    assert registration.checked_in_by == coordinator
    page = text(client.get(response.url))
    assert "Ayşe Yılmaz is checked in, on behalf of Palandöken Derneği." in page


def test_check_in_by_scanned_url_with_htmx_returns_the_result(client, coordinator, event):
    registration = seated(event, "Ayşe Yılmaz")
    scanned = "http://testserver" + checkin_path(registration)

    response = post_code(client, coordinator, event, scanned, htmx=True)

    html = response.content.decode()
    assert "<html" not in html
    assert 'id="checkin-code-result"' in html
    assert "Ayşe Yılmaz is checked in" in html
    assert response["HX-Trigger"] == "checkin-changed"
    registration.refresh_from_db()
    assert registration.status == "attended"


def test_check_in_twice_says_already_checked_in_not_an_error(client, coordinator, event):
    registration = seated(event, "Ayşe Yılmaz")
    code = checkin_code(registration)
    post_code(client, coordinator, event, code)

    later = DURING + datetime.timedelta(minutes=30)
    response = post_code(client, coordinator, event, code, htmx=True, moment=later)

    html = text(response)
    assert response.status_code == 200
    assert "Ayşe Yılmaz was already checked in." in html
    assert "alert-info" in html
    assert "HX-Trigger" not in response
    registration.refresh_from_db()
    assert registration.checked_in_at == DURING


def test_code_of_another_programme_is_refused_clearly(client, coordinator, event):
    elsewhere = EventFactory(title="Kars Programı", starts_at=STARTS)
    registration = seated(elsewhere, "Ayşe Yılmaz")

    response = post_code(client, coordinator, event, checkin_code(registration), htmx=True)

    html = text(response)
    assert "This check-in code is for another programme, not for this one." in html
    assert "Kars Programı" not in html
    registration.refresh_from_db()
    assert registration.status == "registered"


def test_code_outside_the_check_in_window_says_when_it_opens(client, coordinator, event):
    registration = seated(event, "Ayşe Yılmaz")
    too_early = STARTS - datetime.timedelta(days=2)

    response = post_code(client, coordinator, event, checkin_code(registration), moment=too_early)

    assert response.status_code == 200  # the page again, with the code kept and the reason
    html = text(response)
    assert "The check-in opens on" in html
    assert f'value="{checkin_code(registration)}"' in html
    registration.refresh_from_db()
    assert registration.status == "registered"


def test_waitlisted_and_cancelled_codes_are_refused(client, coordinator, event):
    waiting = RegistrationFactory(event=event, status="waitlisted", waitlist_position=1)
    cancelled = RegistrationFactory(event=event, status="cancelled")

    first = text(post_code(client, coordinator, event, checkin_code(waiting), htmx=True))
    second = text(post_code(client, coordinator, event, checkin_code(cancelled), htmx=True))

    assert "Only people with a seat can be checked in." in first
    assert "This registration has been cancelled" in second
    assert not Registration.objects.filter(status="attended").exists()


def test_people_without_the_right_get_403_or_404_and_nothing_changes(client, event):
    registration = seated(event, "Ayşe Yılmaz")
    code = checkin_code(registration)
    member = UserFactory()
    MembershipFactory(user=member)
    other = CoordinatorAssignmentFactory(subregion=SubRegion.objects.exclude(code="14").first())

    assert post_code(client, member, event, code).status_code == 403
    assert post_code(client, registration.user, event, code).status_code == 403
    assert post_code(client, other.user, event, code).status_code == 404
    client.force_login(other.user)
    assert client.get(checkin_path(registration)).status_code == 404
    client.logout()
    assert client.get(checkin_path(registration)).status_code == 302
    registration.refresh_from_db()
    assert registration.status == "registered"


def test_the_qr_url_shows_the_person_and_a_check_in_button(client, coordinator, event):
    registration = seated(event, "Ayşe Yılmaz")
    with translation.override("en"):
        path = checkin_path(registration)
    assert path.startswith("/en/events/")
    with time_machine.travel(DURING, tick=False):
        client.force_login(coordinator)
        html = text(client.get(path))
    assert "Ayşe Yılmaz" in html
    assert "Palandöken Derneği" in html
    assert f'name="code" value="{checkin_code(registration)}"' in html
    assert "Check in</button>" in html
    registration.refresh_from_db()
    assert registration.status == "registered"  # GET changes nothing


def test_the_qr_url_of_a_wrong_code_says_so(client, coordinator, event):
    with time_machine.travel(DURING, tick=False):
        client.force_login(coordinator)
        response = client.get(url("checkin_ticket", event, code="0000C-ABCD-EFG"))
    assert response.status_code == 200
    assert "This is not a valid check-in code." in text(response)


def test_check_in_page_offers_the_camera_and_the_typed_code(client, coordinator, event):
    seated(event, "Ayşe Yılmaz")
    with time_machine.travel(DURING, tick=False):
        client.force_login(coordinator)
        html = text(client.get(url("checkin", event)))
    assert 'id="checkin-scanner" hidden' in html  # shown by the script where it can work
    assert "/static/js/checkin-scan.js" in html
    assert "BarcodeDetector" in html  # the help text says which browsers scan
    assert 'id="checkin-code-form"' in html
    assert "Register a walk-in" in html


# --- The code where the person sees it ------------------------------------------------------


def test_registered_person_sees_their_qr_code_and_code_on_the_programme_page(client, event):
    registration = seated(event, "Ayşe Yılmaz")
    client.force_login(registration.user)
    html = client.get(event.get_absolute_url()).content.decode()
    assert '<svg class="qr-code" role="img"' in html
    assert checkin_code(registration) in html


def test_waitlisted_person_has_no_qr_code(client, event):
    registration = RegistrationFactory(event=event, status="waitlisted", waitlist_position=1)
    client.force_login(registration.user)
    html = client.get(event.get_absolute_url()).content.decode()
    assert "qr-code" not in html


def test_confirmation_email_carries_the_check_in_code(
    client, event, django_capture_on_commit_callbacks
):
    user = UserFactory(full_name="Ayşe Yılmaz")
    membership = MembershipFactory(user=user)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url("register", event), {"organisation": f"ngo-{membership.ngo.pk}"})
    registration = Registration.objects.get(user=user)
    (message,) = mail.outbox
    assert checkin_code(registration) in message.body
    assert "Kişisel giriş kodunuz:" in message.body  # in the person's language (Turkish)


# --- Walk-in registration -------------------------------------------------------------------


def walk_in(client, coordinator, event, moment=DURING, **data):
    ngo = NGO.objects.filter(name="Aras Derneği").first() or NGOFactory(name="Aras Derneği")
    payload = {"full_name": "Fatma Çelik", "email": "fatma@example.org", "organisation": ""}
    payload["organisation"] = f"ngo-{ngo.pk}"
    payload.update(data)
    with time_machine.travel(moment, tick=False):
        client.force_login(coordinator)
        return client.post(url("walk_in", event), payload)


def test_walk_in_takes_a_seat_and_is_checked_in(client, coordinator, event):
    response = walk_in(client, coordinator, event)

    assert response.status_code == 302
    assert response.url == url("checkin", event)
    person = User.objects.get(email="fatma@example.org")
    assert person.full_name == "Fatma Çelik"
    assert not person.has_usable_password()
    assert not person.ngo_memberships.exists()
    registration = Registration.objects.get(user=person)
    assert registration.status == "attended"
    assert registration.ngo.name == "Aras Derneği"
    assert registration.checked_in_at == DURING
    assert registration.checked_in_by == coordinator
    event.refresh_from_db()
    assert event.seats_taken == 1
    assert mail.outbox == []
    assert "Fatma Çelik is registered at the door and checked in." in text(client.get(response.url))


def test_walk_in_of_an_existing_account_reuses_it(client, coordinator, event):
    known = UserFactory(email="fatma@example.org", full_name="Fatma Çelik")
    walk_in(client, coordinator, event, email="FATMA@example.org")
    assert User.objects.filter(email__iexact="fatma@example.org").count() == 1
    assert Registration.objects.get(user=known).status == "attended"


def test_walk_in_when_full_is_refused_and_the_form_keeps_what_was_typed(client, coordinator, event):
    for name in ("A", "B", "C"):
        seated(event, name)

    response = walk_in(client, coordinator, event)

    assert response.status_code == 200
    html = text(response)
    assert "No seat is left" in html
    assert 'value="Fatma Çelik"' in html
    assert not User.objects.filter(email="fatma@example.org").exists()
    event.refresh_from_db()
    assert event.seats_taken == 3


def test_walk_in_of_someone_already_registered_points_to_the_list(client, coordinator, event):
    registration = seated(event, "Fatma Çelik")
    response = walk_in(client, coordinator, event, email=registration.user.email)
    assert "is already registered for this programme: check them in from the list." in text(
        response
    )
    event.refresh_from_db()
    assert event.seats_taken == 1


def test_walk_in_outside_the_check_in_window_is_refused(client, coordinator, event):
    response = walk_in(client, coordinator, event, moment=STARTS - datetime.timedelta(days=3))
    assert "The check-in opens on" in text(response)
    assert not Registration.objects.exists()


def test_walk_in_organisations_are_those_of_the_sub_region(client, coordinator, event):
    NGOFactory(name="Aras Derneği")  # Erzurum (the factory's default province)
    elsewhere = NGOFactory(name="Boğaziçi Derneği", province_id=34)
    pending = NGOFactory(name="Bekleyen Dernek", status=NGO.Status.PENDING)
    with time_machine.travel(DURING, tick=False):
        client.force_login(coordinator)
        html = text(client.get(url("walk_in", event)))
    assert "Aras Derneği" in html
    assert "Erzurum Büyükşehir Belediyesi" in html
    assert "Boğaziçi Derneği" not in html
    assert "Bekleyen Dernek" not in html

    response = walk_in(client, coordinator, event, organisation=f"ngo-{elsewhere.pk}")
    assert "Select a valid choice" in text(response)
    response = walk_in(client, coordinator, event, organisation=f"ngo-{pending.pk}")
    assert "Select a valid choice" in text(response)
    assert not Registration.objects.exists()


def test_walk_in_form_errors_are_clear(client, coordinator, event):
    response = walk_in(client, coordinator, event, full_name="  ", email="not-an-email")
    html = text(response)
    assert "This field is required." in html or "Enter the person" in html
    assert "Enter a valid email address." in html
    assert not Registration.objects.exists()


def test_walk_in_page_query_count_does_not_grow_with_organisations(client, coordinator, event):
    def count():
        with time_machine.travel(DURING, tick=False):
            client.force_login(coordinator)
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url("walk_in", event))
        assert response.status_code == 200
        return len(queries)

    NGOFactory()
    small = count()
    for _ in range(5):
        NGOFactory()
    assert count() == small


def test_walk_in_service_refuses_a_cancelled_programme(coordinator, event):
    Event.objects.filter(pk=event.pk).update(state="cancelled")
    municipality = Municipality.objects.get(province=25, kind="metropolitan")
    with (
        translation.override("en"),
        time_machine.travel(DURING, tick=False),
        pytest.raises(Exception) as error,
    ):
        event_register_walk_in(
            event_id=event.pk,
            full_name="Fatma Çelik",
            email="fatma@example.org",
            municipality=municipality,
            by=coordinator,
        )
    assert "cancelled" in str(error.value)


def test_check_in_by_code_service_reports_outcome(coordinator, event):
    registration = seated(event, "Ayşe Yılmaz")
    with time_machine.travel(DURING, tick=False):
        first = registration_check_in_by_code(
            event=event, text=checkin_code(registration), by=coordinator
        )
        second = registration_check_in_by_code(
            event=event, text=checkin_code(registration), by=coordinator
        )
    assert (first.already, second.already) == (False, True)
    assert first.registration.status == "attended"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks")
@pytest.mark.django_db(transaction=True)
def test_concurrent_walk_ins_never_exceed_capacity():
    import threading

    from django.db import connections
    from django.utils import timezone

    now = timezone.now()
    event = EventFactory(
        capacity=3,
        starts_at=now + datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=5),
        registration_deadline=now,
    )
    ngo = NGOFactory()
    coordinator = CoordinatorAssignmentFactory(subregion=SubRegion.objects.get(code="14")).user
    people = [f"kapida{number}@example.org" for number in range(8)]
    barrier = threading.Barrier(len(people))
    refused, errors = [], []

    def walk_in(email):
        try:
            barrier.wait()
            event_register_walk_in(
                event_id=event.pk, full_name="Kapıda Gelen", email=email, ngo=ngo, by=coordinator
            )
        except ValidationError as error:
            refused.append(error.code)
        except Exception as error:  # noqa: BLE001 (reported by the assertion below)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=walk_in, args=(email,)) for email in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert refused == ["full"] * 5
    assert Registration.objects.filter(event=event, status="attended").count() == 3
    event.refresh_from_db()
    assert event.seats_taken == 3
