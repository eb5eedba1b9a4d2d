"""The e-mail backend of the portal (EMAIL_BACKEND): every message Django, allauth or the portal
sends is stored in the outbox and sent by a task after the transaction commits."""

import contextlib
import contextvars

from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction

from portal.outbox import outgoing_mail_store
from portal.tasks import send_queued_mail


class QueuedEmailBackend(BaseEmailBackend):
    """``send_messages`` stores the messages as OutgoingMail rows, in the caller's transaction,
    and enqueues one task for them all on commit; nothing is sent if the transaction is rolled
    back. The task sends them over one connection of PORTAL_EMAIL_BACKEND, with retries."""

    def send_messages(self, email_messages):
        messages = [m for m in email_messages if m.recipients()]
        if not messages:
            return 0
        ids = outgoing_mail_store(messages)
        mail_enqueue(ids)
        return len(messages)


# Messages per task: one connection sends a task's messages one after another; several tasks of
# a large batch are sent side by side by the worker's processes.
TASK_SIZE = 100

# The ids stored inside ``mail_batch()`` blocks, waiting for the block to end.
_batch: contextvars.ContextVar[list | None] = contextvars.ContextVar("mail_batch", default=None)


def mail_enqueue(ids) -> None:
    """Send the queued OutgoingMail rows ``ids`` once the transaction commits (or when the
    enclosing ``mail_batch()`` block ends): one task, one connection per TASK_SIZE messages."""
    pending = _batch.get()
    if pending is not None:
        pending.extend(ids)
        return
    ids = list(ids)
    for start in range(0, len(ids), TASK_SIZE):
        chunk = ids[start : start + TASK_SIZE]
        transaction.on_commit(lambda chunk=chunk: send_queued_mail.delay(chunk))


@contextlib.contextmanager
def mail_batch():
    """Everything mailed inside the block goes out as one batch when it ends: one task and one
    connection for a bulk action that notifies many people, instead of one per person. Mail
    stored before an error in the block is sent all the same."""
    if _batch.get() is not None:  # already inside a batch: it sends ours too
        yield
        return
    pending = []
    token = _batch.set(pending)
    try:
        yield
    finally:
        _batch.reset(token)
        if pending:
            mail_enqueue(pending)
