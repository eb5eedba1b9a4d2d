"""The outbox: emails are stored as OutgoingMail rows in the sender's transaction, then sent by
``portal.tasks.send_queued_mail`` after the commit (see portal/mail.py for the e-mail backend that
does the storing). Sending is idempotent: a row leaves "queued" exactly when its message has been
handed to the mail server, and two workers never send the same row."""

import base64
import contextlib
import uuid
from email.mime.base import MIMEBase
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.utils import DNS_NAME
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from portal.models import OutgoingMail

Status = OutgoingMail.Status


def _attachment(attachment) -> dict:
    """An attachment (a (filename, content, mimetype) triple or a MIME part) as JSON."""
    if isinstance(attachment, MIMEBase):
        filename = attachment.get_filename() or ""
        content = attachment.get_payload(decode=True) or b""
        mimetype = attachment.get_content_type()
    else:
        filename, content, mimetype = attachment
    if isinstance(content, str):
        content = content.encode()
    return {
        "filename": filename or "",
        "mimetype": mimetype or "application/octet-stream",
        "content": base64.b64encode(content).decode("ascii"),
    }


def outgoing_mail_store(messages) -> list[int]:
    """Store each EmailMessage as a queued OutgoingMail row of one new batch (in the caller's
    transaction). Each gets a Message-ID now, so a message sent again after a crash carries the
    same one. Returns the ids, in order. Side effects: OutgoingMail rows."""
    batch = uuid.uuid4()
    rows = []
    for message in messages:
        headers = {str(k): str(v) for k, v in message.extra_headers.items()}
        if not any(name.lower() == "message-id" for name in headers):
            headers["Message-ID"] = make_msgid(domain=str(DNS_NAME))
        html = next(
            (
                content
                for content, mimetype in getattr(message, "alternatives", [])
                if mimetype == "text/html"
            ),
            "",
        )
        rows.append(
            OutgoingMail(
                batch=batch,
                subject=str(message.subject),
                body=str(message.body),
                html_body=str(html),
                from_email=str(message.from_email or settings.DEFAULT_FROM_EMAIL),
                to=[str(a) for a in message.to],
                cc=[str(a) for a in message.cc],
                bcc=[str(a) for a in message.bcc],
                reply_to=[str(a) for a in message.reply_to],
                headers=headers,
                attachments=[_attachment(a) for a in message.attachments],
            )
        )
    return [row.pk for row in OutgoingMail.objects.bulk_create(rows)]


def outgoing_mail_message(row: OutgoingMail) -> EmailMultiAlternatives:
    """The EmailMessage a stored row stands for."""
    message = EmailMultiAlternatives(
        subject=row.subject,
        body=row.body,
        from_email=row.from_email,
        to=row.to,
        cc=row.cc,
        bcc=row.bcc,
        reply_to=row.reply_to,
        headers=row.headers,
    )
    if row.html_body:
        message.attach_alternative(row.html_body, "text/html")
    for attachment in row.attachments:
        message.attach(
            attachment["filename"] or None,
            base64.b64decode(attachment["content"]),
            attachment["mimetype"],
        )
    return message


def outgoing_mail_send(ids) -> int:
    """Send the queued rows among ``ids`` over one connection of PORTAL_EMAIL_BACKEND and mark
    each sent; rows already sent, failed or being sent by another worker are skipped. Each row
    is locked, sent and marked in a transaction of its own, so a crash repeats one message at
    most. A mail-server error (SMTPException, OSError) counts an attempt on every row still
    queued, records the error and is raised again. Returns how many were sent."""
    pending = list(
        OutgoingMail.objects.filter(pk__in=ids, status=Status.QUEUED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    if not pending:
        return 0
    sent = 0
    connection = get_connection(settings.PORTAL_EMAIL_BACKEND, fail_silently=False)
    try:
        connection.open()
        for pk in pending:
            with transaction.atomic():
                row = (
                    OutgoingMail.objects.select_for_update(skip_locked=True)
                    .filter(pk=pk, status=Status.QUEUED)
                    .first()
                )
                if row is None:
                    continue
                connection.send_messages([outgoing_mail_message(row)])
                row.status = Status.SENT
                row.sent_at = timezone.now()
                row.attempts += 1
                row.last_error = ""
                row.save(update_fields=["status", "sent_at", "attempts", "last_error"])
                sent += 1
    except OSError as error:  # smtplib.SMTPException is an OSError
        OutgoingMail.objects.filter(pk__in=ids, status=Status.QUEUED).update(
            attempts=F("attempts") + 1, last_error=_describe(error)
        )
        raise
    finally:
        with contextlib.suppress(OSError):  # the server went away: nothing is left to close
            connection.close()
    return sent


def outgoing_mail_fail(ids, error) -> int:
    """Mark the rows among ``ids`` that are still queued as failed, with ``error``. Returns how
    many."""
    return OutgoingMail.objects.filter(pk__in=ids, status=Status.QUEUED).update(
        status=Status.FAILED, last_error=_describe(error)
    )


def outgoing_mail_requeue(queryset) -> list[int]:
    """Put the failed rows of ``queryset`` back in the queue. Returns their ids (to send)."""
    ids = list(queryset.filter(status=Status.FAILED).values_list("pk", flat=True))
    OutgoingMail.objects.filter(pk__in=ids, status=Status.FAILED).update(status=Status.QUEUED)
    return ids


def _describe(error) -> str:
    return f"{type(error).__name__}: {error}"[:2000]
