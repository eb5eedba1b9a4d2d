"""The protocols' periodic work (issue 16): expiry after the end date and the reminder to both
sides 30 days ahead, once."""

import datetime

import pytest
import time_machine
from django.core import mail

from cooperation import tasks
from cooperation.models import Protocol
from municipalities.models import MunicipalStaff
from ngos.models import Membership
from portal.models import AuditEntry, Notification
from tests.factories import (
    MembershipFactory,
    MunicipalStaffFactory,
    NGOFactory,
    ProtocolFactory,
    ProtocolPartyFactory,
)

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2025, 6, 1)


def _protocol(ends_on, **kwargs):
    protocol = ProtocolFactory(active=True, **kwargs)
    Protocol.objects.filter(pk=protocol.pk).update(
        starts_on=datetime.date(2024, 6, 1), ends_on=ends_on
    )
    protocol.refresh_from_db()
    return protocol


@pytest.fixture
def sides(mail_queue):
    manager = MunicipalStaffFactory(role=MunicipalStaff.Role.MANAGER).user
    ngo = NGOFactory()
    admin = MembershipFactory(ngo=ngo, role=Membership.Role.ADMIN).user
    return manager, ngo, admin


@time_machine.travel(datetime.datetime(2025, 6, 1, 9, 0, tzinfo=datetime.UTC), tick=False)
def test_reminders_go_to_both_sides_once_for_protocols_ending_within_30_days(
    sides, django_capture_on_commit_callbacks
):
    manager, ngo, admin = sides
    soon = _protocol(TODAY + datetime.timedelta(days=30), title="Biten protokol")
    ProtocolPartyFactory(protocol=soon, ngo=ngo)
    later = _protocol(TODAY + datetime.timedelta(days=31), title="Uzun protokol")
    ProtocolPartyFactory(protocol=later, ngo=ngo)
    draft = ProtocolFactory(ends_on=TODAY + datetime.timedelta(days=5))
    ProtocolPartyFactory(protocol=draft, ngo=ngo)

    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_protocol_expiry_reminders() == {"reminded": 1}
    for user in (manager, admin):
        [note] = Notification.objects.filter(user=user, kind="protocol_expiring")
        assert "Biten protokol" in note.message and "01.07.2025" in note.message
        assert any(user.email in m.to and "Biten protokol" in m.subject for m in mail.outbox)
    soon.refresh_from_db()
    assert soon.expiry_reminder_sent_at is not None

    # A second run (a redelivered task, the next day) sends nothing more.
    sent = len(mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.send_protocol_expiry_reminders() == {"reminded": 0}
    assert len(mail.outbox) == sent
    assert Notification.objects.filter(kind="protocol_expiring").count() == 2


def test_the_reminder_comes_when_the_30_day_window_opens(sides):
    manager, ngo, admin = sides
    protocol = _protocol(datetime.date(2025, 7, 15))
    ProtocolPartyFactory(protocol=protocol, ngo=ngo)
    with time_machine.travel(datetime.datetime(2025, 6, 14, 9, tzinfo=datetime.UTC), tick=False):
        assert tasks.send_protocol_expiry_reminders()["reminded"] == 0
    with time_machine.travel(datetime.datetime(2025, 6, 15, 9, tzinfo=datetime.UTC), tick=False):
        assert tasks.send_protocol_expiry_reminders()["reminded"] == 1
    assert Notification.objects.filter(user=admin, kind="protocol_expiring").count() == 1


def test_protocols_past_their_end_date_expire_and_others_stay(sides):
    ended = _protocol(datetime.date(2025, 5, 31))
    last_day = _protocol(datetime.date(2025, 6, 1))
    proposed = ProtocolFactory(proposed=True)
    Protocol.objects.filter(pk=proposed.pk).update(
        ends_on=datetime.date(2025, 1, 1), starts_on=datetime.date(2024, 1, 1)
    )
    with time_machine.travel(datetime.datetime(2025, 6, 1, 0, 30, tzinfo=datetime.UTC), tick=False):
        assert tasks.expire_protocols() == {"expired": 1}
        assert tasks.expire_protocols() == {"expired": 0}
    ended.refresh_from_db()
    assert ended.status == "expired" and ended.ended_at is not None
    assert ended.version == 2
    assert Protocol.objects.get(pk=last_day.pk).status == "active"
    assert Protocol.objects.get(pk=proposed.pk).status == "proposed"
    # Each expiry is in the audit log once (the second run expired nothing).
    entries = AuditEntry.objects.filter(action=AuditEntry.Action.PROTOCOL)
    assert [(e.target.split(":")[0], e.details["step"], e.actor) for e in entries] == [
        (f"cooperation.Protocol #{ended.pk}", "expired", None)
    ]


def test_both_tasks_are_scheduled(settings):
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "cooperation.tasks.expire_protocols",
        "cooperation.tasks.send_protocol_expiry_reminders",
    } <= scheduled
