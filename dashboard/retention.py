"""KVKK retention: personal data past its documented period is deleted, every night.

The periods are ``settings.RETENTION_DAYS`` (days), which the privacy notice quotes
(portal/views/pages.py ``privacy_notice_context``). ``purge_expired_data`` is run daily by the task
worker (``dashboard.tasks.purge_expired_data``, scheduled in ``CELERY_BEAT_SCHEDULE``); each kind
is deleted in one statement, so a run costs a fixed number of queries whatever the data size, and a
second run deletes nothing more.

What goes, and when:

- sign-ups whose email address was never confirmed, who never logged in and hold no role, once
  ``unverified_signups`` days have passed since they signed up;
- invitations never accepted, ``expired_invitations`` days after they expired (or were revoked);
- notifications older than ``notifications`` days;
- sent emails kept in the outbox, ``sent_mail`` days after they went out (queued and failed ones
  stay until they are sent or an administrator removes them: they are still work to do);
- security records (the audit log and the export log) older than ``audit`` days;
- expired sessions (Django's ``clearsessions``, for the database-backed session store).
"""

import datetime

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from members.models import Invitation
from municipalities.models import MunicipalStaff
from ngos.models import Membership
from portal.models import AuditEntry, CoordinatorAssignment, ExportLog, Notification, OutgoingMail


def _before(days: int, now) -> datetime.datetime:
    return now - datetime.timedelta(days=days)


def unverified_signups(now):
    """Accounts that were never confirmed, never used and hold no role, past their period."""
    verified = EmailAddress.objects.filter(user=OuterRef("pk"), verified=True)
    return (
        get_user_model()
        .objects.filter(
            date_joined__lt=_before(settings.RETENTION_DAYS["unverified_signups"], now),
            last_login__isnull=True,
            is_staff=False,
            is_superuser=False,
        )
        .exclude(Exists(verified))
        .exclude(Exists(Membership.objects.filter(user=OuterRef("pk"))))
        .exclude(Exists(MunicipalStaff.objects.filter(user=OuterRef("pk"))))
        .exclude(Exists(CoordinatorAssignment.objects.filter(user=OuterRef("pk"))))
    )


def expired_invitations(now):
    cutoff = _before(settings.RETENTION_DAYS["expired_invitations"], now)
    return Invitation.objects.filter(accepted_at__isnull=True).filter(
        Q(expires_at__lt=cutoff) | Q(revoked_at__lt=cutoff)
    )


def purge_expired_data(now=None) -> dict[str, int]:
    """Delete what is past its retention period; returns how many rows of each kind went."""
    now = now or timezone.now()
    days = settings.RETENTION_DAYS
    deleted = {}
    with transaction.atomic():
        deleted["unverified_signups"] = _count(unverified_signups(now).delete(), "portal.User")
        deleted["expired_invitations"] = expired_invitations(now).delete()[0]
        deleted["notifications"] = Notification.objects.filter(
            created_at__lt=_before(days["notifications"], now)
        ).delete()[0]
        deleted["sent_mail"] = OutgoingMail.objects.filter(
            status=OutgoingMail.Status.SENT, sent_at__lt=_before(days["sent_mail"], now)
        ).delete()[0]
        audit_cutoff = _before(days["audit"], now)
        deleted["audit"] = AuditEntry.objects.filter(created_at__lt=audit_cutoff).delete()[0]
        deleted["export_log"] = ExportLog.objects.filter(created_at__lt=audit_cutoff).delete()[0]
        deleted["sessions"] = Session.objects.filter(expire_date__lt=now).delete()[0]
    return deleted


def _count(result, label: str) -> int:
    """The number of ``label`` rows a ``QuerySet.delete()`` removed (not its cascades)."""
    return result[1].get(label, 0)
