"""The cooperation app's tasks. Periodic (Celery beat, portal/settings.py): protocols past their
end date expire, both sides of a protocol ending soon are reminded once, and calls for support
whose delivery task was lost are swept up. Calls for support are delivered by ``deliver_calls``.
Every task is idempotent: a redelivered or doubled run changes and sends nothing more."""

import logging

from celery import shared_task
from django.conf import settings

from cooperation.services.calls import deliveries_send, deliveries_stale
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


logger = logging.getLogger(__name__)


# --- activations: delivering calls for support ---------------------------------------------------

# With retry_backoff: about 1, 2, 4 … 600 s apart (jittered), some 40 minutes in all.
CALL_DELIVERY_MAX_RETRIES = 12


class DeliveryPending(Exception):
    """Some deliveries of the batch are still queued (a gateway or server is down): retry."""


@shared_task(
    bind=True,
    autoretry_for=(DeliveryPending,),
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=CALL_DELIVERY_MAX_RETRIES,
)
def deliver_calls(self, call_ids, base_url=""):
    """Deliver the calls' queued deliveries (in-app, e-mail, SMS); retry what is left with
    backoff; on the last retry mark what still fails as failed."""
    final = self.request.retries >= self.max_retries
    pending = deliveries_send(call_ids=call_ids, base_url=base_url, final=final)
    if pending and not final:
        raise DeliveryPending(f"{pending} deliveries still queued")
    return pending


@shared_task(ignore_result=True)
def deliveries_sweep():
    """Enqueue again the calls whose deliveries have waited too long (a lost task)."""
    call_ids = deliveries_stale()
    size = settings.CALL_DELIVERY_BATCH
    for start in range(0, len(call_ids), size):
        deliver_calls.delay(call_ids[start : start + size])
    if call_ids:
        logger.warning("Re-enqueued the deliveries of %s calls", len(call_ids))


# --- end of activations ----------------------------------------------------------------------
