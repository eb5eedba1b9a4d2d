"""Real-browser journey at the door of a programme (issue 18): a coordinator whose browser has
no camera (headless Chromium on Linux has no BarcodeDetector) checks people in by typing their
personal code, with and without JavaScript; each page checked with axe-core."""

import datetime
import re

import pytest
from django.utils import timezone

from tests.e2e.conftest import BROWSER_MARKS

pytestmark = BROWSER_MARKS


@pytest.fixture
def demo_data(transactional_db, demo):
    """The demo accounts and data (the live server needs a transactional database)."""


def _registered(event, email):
    from events.models import Registration
    from events.services.registrations import event_register
    from ngos.models import Membership
    from portal.models import User

    user = User.objects.get(email=email)
    membership = Membership.objects.filter(user=user).first()
    event_register(event_id=event.pk, user=user, ngo=membership.ngo, base_url="")
    return Registration.objects.get(event=event, user=user)


def test_camera_less_check_in_by_typed_code_and_walk_in(journey, demo_data):
    from events.models import Event, Registration
    from events.services.tickets import checkin_code

    event = Event.objects.get(slug="sanliurfa-bb")
    first = _registered(event, "ngo@demo.test")
    second = _registered(event, "akut@demo.test")
    # The check-in opens a few hours before the start: the programme begins within the hour.
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(
        starts_at=now + datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=5),
        registration_deadline=now,
    )

    trip = journey("checkin-door")
    page = trip.new_page()
    trip.log_in(page, "coordinator@demo.test")
    trip.visit(page, f"/en/events/{event.slug}/checkin/", "check-in without a camera")
    # No BarcodeDetector here: the camera part stays hidden, the typed code is the way.
    assert page.locator("#checkin-scanner").is_hidden()
    page.get_by_label("Check-in code").fill(checkin_code(first).lower().replace("-", " "))
    page.get_by_role("button", name="Check in by code").click()
    page.locator("#checkin-code-result", has_text="is checked in").wait_for()
    # The list refreshes itself: the person's row now offers "Undo".
    page.locator(f"#registration-{first.pk}", has_text="Undo").wait_for()
    trip.check(page, "checked in by code")
    first.refresh_from_db()
    assert first.status == "attended"

    # The same code again: a calm message, not an error.
    page.get_by_label("Check-in code").fill(checkin_code(first))
    page.get_by_role("button", name="Check in by code").click()
    page.locator("#checkin-code-result", has_text="was already checked in").wait_for()

    # Without JavaScript: the form posts and the list comes back with a message.
    plain = trip.new_page(javascript=False)
    trip.log_in(plain, "coordinator@demo.test")
    trip.visit(plain, f"/en/events/{event.slug}/checkin/", "check-in without JavaScript")
    plain.get_by_label("Check-in code").fill(checkin_code(second))
    plain.get_by_role("button", name="Check in by code").click()
    plain.wait_for_url(re.compile(rf".*/en/events/{event.slug}/checkin/$"))
    assert "is checked in, on behalf of" in plain.locator("main").inner_text()
    trip.check(plain, "checked in without JavaScript")
    second.refresh_from_db()
    assert second.status == "attended"

    # A walk-in at the door, while seats remain.
    plain.get_by_role("link", name="Register a walk-in").click()
    trip.check(plain, "walk-in form")
    plain.get_by_label("Full name").fill("Yusuf Kapıcıoğlu")
    plain.get_by_label("E-mail address").fill("yusuf@example.org")
    plain.get_by_label("Attends on behalf of").select_option(index=1)
    plain.get_by_role("button", name="Register and check in").click()
    plain.wait_for_url(re.compile(rf".*/en/events/{event.slug}/checkin/$"))
    assert (
        "Yusuf Kapıcıoğlu is registered at the door and checked in."
        in plain.locator("main").inner_text()
    )
    walk_in = Registration.objects.get(event=event, user__email="yusuf@example.org")
    assert walk_in.status == "attended"
