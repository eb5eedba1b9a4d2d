"""The surveys' periodic work: the daily digest to municipal staff."""

import datetime

from celery import shared_task
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from surveys.services.digest import digests_send


@shared_task(ignore_result=True)
def send_digests(since_hours=24):
    """Email municipal staff their digest of the last ``since_hours`` (daily, from beat). It only
    queues the emails (one batch of the outbox, which retries), so the task is not retried; a
    second run on the same day (a redelivered task) sends nothing."""
    now = timezone.now()
    once = f"surveys:digests:{timezone.localdate(now).isoformat()}"
    if not cache.add(once, True, timeout=2 * 24 * 60 * 60):
        return {"sent": 0, "skipped": 0, "already_sent": True}
    try:
        with transaction.atomic():
            since = now - datetime.timedelta(hours=since_hours)
            sent, skipped = digests_send(since=since, now=now)
    except Exception:
        cache.delete(once)
        raise
    return {"sent": sent, "skipped": skipped}
