"""Reminding a municipality of its overdue cases: a coordinator's action on the report's list of
overdue cases. One reminder per municipality and campaign within REPORT_REMINDER_INTERVAL_HOURS."""

import datetime

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, ngettext

from municipalities.models import Municipality
from portal.notifications import send_emails
from reports.models import OverdueReminder
from surveys.models import Expectation

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


def last_reminders(campaign, scope):
    """{municipality id: time of the latest reminder} for the campaign in ``scope`` (one
    query, whatever the number of municipalities)."""
    rows = (
        OverdueReminder.objects.filter(scope.municipality_q(), campaign=campaign.pk)
        .values_list("municipality_id", "sent_at")
        .order_by("municipality_id", "sent_at")
    )
    return dict(rows)  # the latest wins: rows come oldest first


def _compose(user, *, municipality, campaign, overdue, coordinator):
    base_url = getattr(settings, "PORTAL_BASE_URL", DEFAULT_BASE_URL).rstrip("/")
    with translation.override(user.preferred_language):
        subject = ngettext(
            "Reminder: %(count)s overdue case of %(municipality)s",
            "Reminder: %(count)s overdue cases of %(municipality)s",
            overdue,
        ) % {"count": overdue, "municipality": municipality.name}
        body = render_to_string(
            "emails/overdue_reminder.txt",
            {
                "recipient": user,
                "municipality": municipality,
                "campaign": campaign,
                "overdue": overdue,
                "overdue_days": settings.REVIEW_OVERDUE_DAYS,
                "coordinator": coordinator,
                "inbox_url": base_url + reverse("surveys:inbox") + "?overdue=on",
            },
        )
    return subject, body, user.email


@transaction.atomic
def overdue_reminder_send(*, campaign, municipality, by, now=None) -> OverdueReminder:
    """Email every active member of the municipality's staff a reminder of its overdue cases in
    the campaign, and record it. Refused (ValidationError) when there is no overdue case, no one
    to write to, or a reminder went out less than REPORT_REMINDER_INTERVAL_HOURS ago.

    Side effects: inserts an OverdueReminder; queues one email per recipient (portal/mail.py,
    sent by the task worker once the transaction commits).
    """
    now = now or timezone.now()
    # The municipality's row lock orders two coordinators clicking at once: the second sees
    # the first one's reminder and is refused.
    Municipality.objects.select_for_update().filter(pk=municipality.pk).first()
    interval = datetime.timedelta(hours=settings.REPORT_REMINDER_INTERVAL_HOURS)
    recent = OverdueReminder.objects.filter(
        campaign=campaign, municipality=municipality, sent_at__gt=now - interval
    ).first()
    if recent is not None:
        raise ValidationError(
            ngettext(
                "%(municipality)s was reminded less than %(hours)s hour ago.",
                "%(municipality)s was reminded less than %(hours)s hours ago.",
                settings.REPORT_REMINDER_INTERVAL_HOURS,
            )
            % {"municipality": municipality.name, "hours": settings.REPORT_REMINDER_INTERVAL_HOURS}
        )
    overdue = (
        Expectation.objects.overdue(now)
        .filter(municipality=municipality, submission__campaign=campaign)
        .count()
    )
    if not overdue:
        raise ValidationError(
            gettext("%(municipality)s has no overdue case in this campaign.")
            % {"municipality": municipality.name}
        )
    staff = list(
        get_user_model()
        .objects.filter(is_active=True, municipal_roles__municipality=municipality)
        .distinct()
        .order_by("pk")
    )
    if not staff:
        raise ValidationError(
            gettext("No one works for %(municipality)s on the portal yet: no one to remind.")
            % {"municipality": municipality.name}
        )
    send_emails(
        [
            _compose(
                user,
                municipality=municipality,
                campaign=campaign,
                overdue=overdue,
                coordinator=by.full_name or by.email,
            )
            for user in staff
        ]
    )
    return OverdueReminder.objects.create(
        campaign=campaign,
        municipality=municipality,
        sent_by=by,
        sent_at=now,
        overdue_count=overdue,
        recipient_count=len(staff),
    )
