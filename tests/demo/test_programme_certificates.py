"""The held Erzurum programme of the demo has certificates for its attendees (issue 18)."""

import pytest
from django.utils import translation

from demo.services.programme_certificates import WALK_IN_EMAIL
from events.models import Event, Registration
from events.services.certificates import certificate_available, certificate_code, certificate_verify

pytestmark = pytest.mark.django_db


def test_every_erzurum_attendee_has_a_verifiable_certificate(demo, client):
    event = Event.objects.get(slug="erzurum-bb")
    attendees = list(event.registrations.filter(status=Registration.Status.ATTENDED))
    assert len(attendees) >= 8
    assert all(certificate_available(r) for r in attendees)
    assert {r.user.email for r in attendees} >= {"ngo@demo.test", WALK_IN_EMAIL}
    walk_in = next(r for r in attendees if r.user.email == WALK_IN_EMAIL)
    assert not walk_in.user.ngo_memberships.filter(ngo=walk_in.ngo).exists()
    assert event.seats_taken == len(attendees)
    for registration in attendees:
        assert certificate_verify(certificate_code(registration)) == registration

    client.force_login(attendees[0].user)
    with translation.override("en"):
        html = client.get(event.get_absolute_url()).content.decode()
    assert 'id="certificate-download"' in html
