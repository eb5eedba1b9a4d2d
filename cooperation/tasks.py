"""The cooperation app's periodic work (Celery beat, portal/settings.py): protocols past their
end date expire, and both sides of a protocol ending soon are reminded once. Both tasks are
idempotent: a redelivered or doubled run changes and sends nothing more."""

from celery import shared_task
from django.conf import settings

from cooperation.services.protocols import protocols_expire, protocols_send_expiry_reminders

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


@shared_task(ignore_result=True)
def expire_protocols():
    """Protocols in force whose end date has passed become expired (daily)."""
    return {"expired": protocols_expire()}


@shared_task(ignore_result=True)
def send_protocol_expiry_reminders():
    """Remind both sides of the protocols ending within PROTOCOL_EXPIRY_REMINDER_DAYS (daily;
    each protocol once, marked by ``expiry_reminder_sent_at``)."""
    base_url = getattr(settings, "PORTAL_BASE_URL", DEFAULT_BASE_URL)
    return {"reminded": protocols_send_expiry_reminders(base_url=base_url)}
