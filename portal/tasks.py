"""The base's tasks: sending the outbox, the worker heartbeat that /readyz reads, and removing
stored attachment files that no row references."""

import logging

from celery import shared_task

from portal.attachments import attachment_orphans_delete
from portal.health import worker_heartbeat_record
from portal.outbox import outgoing_mail_fail, outgoing_mail_send

logger = logging.getLogger(__name__)

# With retry_backoff 1, 2, 4, 8, 16, 32, 64, 128 … 600 s apart: about 20 minutes in all.
MAIL_MAX_RETRIES = 10


@shared_task(
    bind=True,
    autoretry_for=(OSError,),  # smtplib.SMTPException is an OSError
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=MAIL_MAX_RETRIES,
)
def send_queued_mail(self, ids):
    """Send the OutgoingMail rows ``ids`` that are still queued (see portal.outbox); after the
    last retry, mark those still queued failed (an administrator may send them again)."""
    try:
        return outgoing_mail_send(ids)
    except OSError as error:
        if self.request.retries >= self.max_retries:
            failed = outgoing_mail_fail(ids, error)
            logger.error("Gave up sending %s emails: %s", failed, error)
            return 0
        raise


@shared_task(ignore_result=True)
def heartbeat():
    """Tell /readyz that a worker is consuming tasks."""
    worker_heartbeat_record()


@shared_task(ignore_result=True)
def delete_orphan_attachment_files():
    """Delete attachment files older than a day that no Attachment row references."""
    deleted = attachment_orphans_delete()
    if deleted:
        logger.info("Deleted %s attachment files without a row", deleted)
    return deleted
