"""Attendance certificates of the held Erzurum programme (a stage of ``manage.py seed_demo``,
issue 18): every demo attendee was checked in, so each can download a certificate from the
programme page; one more attendee registered at the door (a walk-in, for an NGO she is not a
member of), to show that walk-ins get certificates too.

Certificates and their verification codes are not stored (events.services.certificates): this
stage only makes sure the check-ins they rest on are complete. Idempotent.
"""

import datetime

from demo.services.accounts import demo_user
from demo.services.programmes import ERZURUM_SLUG
from events.models import Event, Registration
from ngos.models import NGO
from portal.models import User

WALK_IN_EMAIL = "kapida@demo.test"
WALK_IN_NAME = "Elif Kapıdağ"
WALK_IN_NGO = "Oltu Kültür ve Dayanışma Derneği"


def seed_certificates():
    """Attendance certificates of the held Erzurum programme (complete check-ins, a walk-in)."""
    event = Event.objects.filter(slug=ERZURUM_SLUG).first()
    if event is None:
        return
    regional = User.objects.filter(email="regional@demo.test").first()
    checked_in_at = event.starts_at - datetime.timedelta(minutes=20)
    event.registrations.filter(
        status=Registration.Status.ATTENDED, checked_in_at__isnull=True
    ).update(checked_in_at=checked_in_at, checked_in_by=regional)

    ngo = (
        NGO.objects.filter(name=WALK_IN_NGO).first()
        or NGO.objects.verified().filter(province=event.host_province).order_by("pk").first()
    )
    if ngo is not None and event.seats_taken < event.capacity:
        person = demo_user(WALK_IN_EMAIL, WALK_IN_NAME)
        _registration, created = Registration.objects.get_or_create(
            event=event,
            user=person,
            defaults={
                "ngo": ngo,
                "status": Registration.Status.ATTENDED,
                "checked_in_at": event.starts_at + datetime.timedelta(minutes=5),
                "checked_in_by": regional,
            },
        )
        if created:
            # The walk-in took a seat at the door.
            Registration.objects.filter(pk=_registration.pk).update(created_at=event.starts_at)
    taken = event.registrations.filter(
        status__in=[Registration.Status.REGISTERED, Registration.Status.ATTENDED]
    ).count()
    Event.objects.filter(pk=event.pk).update(seats_taken=taken)
