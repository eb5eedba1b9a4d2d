"""The dashboard app's periodic work: the nightly KVKK retention purge."""

import logging

from celery import shared_task

from dashboard.retention import purge_expired_data as purge

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def purge_expired_data():
    """Delete personal data past its retention period (daily, from beat). Idempotent: a
    redelivered or repeated run deletes nothing more."""
    deleted = purge()
    logger.info("Retention purge: %s", deleted)
    return deleted
