"""The mails of a registration: confirmation, waiting-list place or promotion, with the .ics."""

from urllib.parse import urljoin

from django.core.mail import EmailMessage
from django.db import models
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from events.models import Registration
from events.services.calendar import FILENAME, MIMETYPE, event_ics
from events.services.tickets import checkin_code
from portal.models import EmailPreferences, Notification

Status = Registration.Status


class MailKind(models.TextChoices):
    CONFIRMATION = "confirmation", _("Registration confirmation")
    PROMOTED = "promoted", _("A seat from the waiting list")


def _mail_subject(registration: Registration, kind: str) -> str:
    title = registration.event.title
    if kind == MailKind.PROMOTED:
        return gettext("A seat is now yours: %(title)s") % {"title": title}
    if registration.status == Status.WAITLISTED:
        return gettext("You are on the waiting list: %(title)s") % {"title": title}
    return gettext("Registration confirmed: %(title)s") % {"title": title}


def _notification_text(registration: Registration, kind: str) -> str:
    context = {"title": registration.event.title, "position": registration.waitlist_position}
    if kind == MailKind.PROMOTED:
        text = gettext("A seat has become free: you are now registered for %(title)s.")
    elif registration.status == Status.WAITLISTED:
        text = gettext("You are number %(position)s on the waiting list of %(title)s.")
    else:
        text = gettext("You are registered for %(title)s.")
    message = text % context
    return message if len(message) <= 300 else message[:299] + "…"


def registration_send_mail(*, registration_id: int, kind: str, base_url: str = "") -> bool:
    """Email a registration's holder its confirmation, waiting-list place or promotion, in their
    language, with the programme's .ics attached; a user who turned programme emails off gets an
    in-app notification instead. Returns whether a mail was queued (the outbox sends it with
    retries: see portal/mail.py)."""
    registration = Registration.objects.select_related(
        "event__host_province", "user", "ngo", "municipality"
    ).get(pk=registration_id)
    if registration.status == Status.CANCELLED:
        return False
    user, event = registration.user, registration.event
    language = user.preferred_language or "tr"
    with translation.override(language), timezone.override(timezone.get_default_timezone()):
        url = urljoin(base_url, event.get_absolute_url()) if base_url else ""
        if EmailPreferences.objects.filter(user=user, events=False).exists():
            Notification.objects.create(
                user=user,
                kind="event",
                message=_notification_text(registration, kind),
                url=event.get_absolute_url(),
            )
            return False
        subject = _mail_subject(registration, kind)
        template = (
            "emails/event_promoted.txt"
            if kind == MailKind.PROMOTED
            else "emails/event_registration.txt"
        )
        body = render_to_string(
            template,
            {
                "registration": registration,
                "event": event,
                "recipient": user,
                "url": url,
                "checkin_code": checkin_code(registration)
                if registration.status == Status.REGISTERED
                else "",
            },
        )
    message = EmailMessage(subject, body, None, [user.email])
    message.attach(FILENAME, event_ics(event, url=url), MIMETYPE)
    return bool(message.send())
