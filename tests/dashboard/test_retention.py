"""KVKK retention (issue 15): the nightly purge deletes what is past its documented period, and
nothing that is not."""

import datetime
import uuid

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from dashboard.retention import purge_expired_data
from dashboard.tasks import purge_expired_data as purge_task
from members.models import Invitation
from portal.celery import app as celery_app
from portal.models import AuditEntry, ExportLog, Notification, OutgoingMail, User
from tests.factories import (
    CoordinatorAssignmentFactory,
    InvitationFactory,
    MembershipFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2027, 6, 1, 3, 15, tzinfo=datetime.UTC)


def days_ago(days, hours=0):
    return NOW - datetime.timedelta(days=days, hours=hours)


def at(moment):
    return time_machine.travel(moment, tick=False)


def period(kind):
    return settings.RETENTION_DAYS[kind]


def _mail(status, sent_at=None):
    return OutgoingMail.objects.create(
        status=status,
        batch=uuid.uuid4(),
        subject="Konu",
        from_email="noreply@example.test",
        to=["kisi@example.test"],
        sent_at=sent_at,
    )


def test_retention_unconfirmed_sign_ups_go_after_their_period_and_no_one_else():
    with at(days_ago(period("unverified_signups"), hours=1)):
        stale = UserFactory(email="stale@example.test", verified_email=False)
        confirmed = UserFactory(email="confirmed@example.test")
        member = MembershipFactory(user__verified_email=False).user
        coordinator = CoordinatorAssignmentFactory(user__verified_email=False).user
        staff = UserFactory(email="staff@example.test", verified_email=False, is_staff=True)
        used = UserFactory(email="used@example.test", verified_email=False)
        used.last_login = timezone.now()
        used.save(update_fields=["last_login"])
    with at(days_ago(period("unverified_signups") - 1)):
        recent = UserFactory(email="recent@example.test", verified_email=False)

    with at(NOW):
        deleted = purge_expired_data()

    assert deleted["unverified_signups"] >= 1
    assert not User.objects.filter(pk=stale.pk).exists()
    kept = {confirmed, member, coordinator, staff, used, recent}
    assert set(User.objects.filter(pk__in=[u.pk for u in kept])) == kept


def test_retention_invitations_go_a_period_after_they_expired_or_were_revoked():
    cutoff = period("expired_invitations")
    with at(NOW):
        old_expired = InvitationFactory(expires_at=days_ago(cutoff + 1))
        newly_expired = InvitationFactory(expires_at=days_ago(cutoff - 1))
        old_revoked = InvitationFactory(revoked_at=days_ago(cutoff + 1))
        open_one = InvitationFactory()
        accepted = InvitationFactory(
            expires_at=days_ago(cutoff + 5), accepted_at=days_ago(cutoff + 6)
        )
        deleted = purge_expired_data()
    created = [old_expired, newly_expired, old_revoked, open_one, accepted]
    assert deleted["expired_invitations"] >= 2
    assert set(
        Invitation.objects.filter(pk__in=[i.pk for i in created]).values_list("pk", flat=True)
    ) == {
        newly_expired.pk,
        open_one.pk,
        accepted.pk,
    }


def test_retention_notifications_sent_mail_and_security_records_go_after_their_periods():
    user = UserFactory()
    with at(days_ago(period("notifications"), hours=1)):
        Notification.objects.create(user=user, kind="answer", message="eski")
    with at(days_ago(period("notifications") - 1)):
        Notification.objects.create(user=user, kind="answer", message="yeni")
    with at(days_ago(period("audit"), hours=1)):
        AuditEntry.objects.create(action=AuditEntry.Action.LOGIN, target="eski")
        ExportLog.objects.create(user=user, kind="ngos")
    with at(days_ago(period("audit") - 1)):
        AuditEntry.objects.create(action=AuditEntry.Action.LOGIN, target="yeni")
        ExportLog.objects.create(user=user, kind="cases")
    old_sent = _mail(OutgoingMail.Status.SENT, sent_at=days_ago(period("sent_mail"), hours=1))
    new_sent = _mail(OutgoingMail.Status.SENT, sent_at=days_ago(period("sent_mail") - 1))
    queued = _mail(OutgoingMail.Status.QUEUED)
    failed = _mail(OutgoingMail.Status.FAILED)
    OutgoingMail.objects.filter(pk__in=[queued.pk, failed.pk]).update(
        created_at=days_ago(period("sent_mail") + 30)
    )

    with at(NOW):
        deleted = purge_expired_data()

    assert deleted["notifications"] >= 1
    assert list(Notification.objects.filter(user=user).values_list("message", flat=True)) == [
        "yeni"
    ]
    assert deleted["audit"] >= 1 and deleted["export_log"] >= 1
    assert list(
        AuditEntry.objects.filter(target__in=["eski", "yeni"]).values_list("target", flat=True)
    ) == ["yeni"]
    assert list(ExportLog.objects.filter(user=user).values_list("kind", flat=True)) == ["cases"]
    assert deleted["sent_mail"] >= 1
    mails = [old_sent, new_sent, queued, failed]
    assert set(
        OutgoingMail.objects.filter(pk__in=[m.pk for m in mails]).values_list("pk", flat=True)
    ) == {
        new_sent.pk,
        queued.pk,
        failed.pk,
    }
    assert not OutgoingMail.objects.filter(pk=old_sent.pk).exists()


def test_retention_expired_sessions_go():
    with at(days_ago(10)):
        old = SessionStore()
        old["x"] = 1
        old.set_expiry(60)
        old.create()
    with at(NOW):
        current = SessionStore()
        current["x"] = 1
        current.create()
        deleted = purge_expired_data()
    assert deleted["sessions"] >= 1
    keys = {old.session_key, current.session_key}
    assert set(
        Session.objects.filter(session_key__in=keys).values_list("session_key", flat=True)
    ) == {current.session_key}


def test_retention_the_periods_come_from_the_settings(settings):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "notifications": 3}
    user = UserFactory()
    with at(days_ago(4)):
        Notification.objects.create(user=user, kind="answer", message="dört gün")
    with at(days_ago(2)):
        Notification.objects.create(user=user, kind="answer", message="iki gün")
    with at(NOW):
        purge_expired_data()
    assert list(Notification.objects.filter(user=user).values_list("message", flat=True)) == [
        "iki gün"
    ]


def test_retention_the_task_is_scheduled_daily_and_a_second_run_deletes_nothing(
    django_assert_max_num_queries,
):
    schedule = settings.CELERY_BEAT_SCHEDULE["purge-expired-data"]
    assert schedule["task"] == "dashboard.tasks.purge_expired_data"
    assert "dashboard.tasks.purge_expired_data" in celery_app.tasks
    user = UserFactory()
    with at(days_ago(period("notifications") + 1)):
        Notification.objects.create(user=user, kind="answer", message="eski")
    with at(NOW):
        assert purge_task()["notifications"] >= 1
        assert not Notification.objects.filter(user=user).exists()
        with django_assert_max_num_queries(20):
            again = purge_task()
    assert set(again.values()) == {0}
