"""In-app notifications and the emails that go with them, each in its recipient's language."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.utils import translation

from portal.models import EmailPreferences, Notification

# The EmailPreferences fields a notification may be governed by.
PREFERENCES = {
    "answers",
    "status_changes",
    "referrals",
    "completions",
    "digest",
    "events",
    "case_messages",
}


@dataclass
class Message:
    """What one recipient gets: the in-app line, its link, and (optionally) an email with its
    attachments, (filename, content, mimetype) triples (the outbox stores them with the mail)."""

    text: str
    url: str = ""
    subject: str = ""
    body: str = ""
    attachments: list = field(default_factory=list)


def wanted_emails(users, preference: str) -> set[int]:
    """The ids of the users who want emails of this kind (no preferences row = all emails)."""
    if preference not in PREFERENCES:
        raise ValueError(f"Unknown email preference {preference!r}")
    users = list(users)
    refused = set(
        EmailPreferences.objects.filter(user__in=users, **{preference: False}).values_list(
            "user_id", flat=True
        )
    )
    return {user.pk for user in users if user.pk not in refused and user.is_active}


def notify(
    *, users: Iterable, kind: str, preference: str | None, build: Callable[[object], Message]
) -> int:
    """Create an in-app notification for each user and, where they want it, send the email after
    the transaction commits. ``build(user)`` runs in the user's preferred language. The emails go
    to the outbox, which sends them with retries (portal/mail.py), so a failing mail server never
    undoes the action. Returns the number of notifications."""
    users = [user for user in users if user is not None]
    wanted = wanted_emails(users, preference) if preference else set()
    notes, emails = [], []
    for user in users:
        with translation.override(user.preferred_language):
            message = build(user)
        notes.append(
            Notification(user=user, kind=kind, message=message.text[:300], url=message.url[:300])
        )
        if user.pk in wanted and message.subject and message.body:
            emails.append((message.subject, message.body, user.email, message.attachments))
    Notification.objects.bulk_create(notes)
    if emails:
        transaction.on_commit(lambda: send_emails(emails))
    return len(notes)


def send_emails(emails) -> int:
    """Send (subject, body, address) triples, or (subject, body, address, attachments)
    quadruples, as one batch (with the outbox: one task, one connection to the mail server).
    Returns how many were handed over."""
    messages = []
    for subject, body, address, *rest in emails:
        message = EmailMessage(subject, body, None, [address])
        for filename, content, mimetype in rest[0] if rest else ():
            message.attach(filename, content, mimetype)
        messages.append(message)
    return get_connection().send_messages(messages) if messages else 0
