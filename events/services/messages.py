"""Coordinators' messages to the registrants of a programme: everyone registered or waiting,
those with a seat, those who attended, or the waiting list. A message is recorded
(ProgrammeMessage), then delivered by a task: a notification for each recipient and an email
for those who want programme emails."""

from urllib.parse import urljoin

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext

from events.models import Event, ProgrammeMessage, Registration
from events.services.registrations import ACTIVE_STATUSES, SEATED_STATUSES
from portal.notifications import Message, notify

Audience = ProgrammeMessage.Audience
Status = Registration.Status

# Which registrations each audience reaches (cancelled registrations never).
AUDIENCE_STATUSES = {
    Audience.ALL: ACTIVE_STATUSES,
    Audience.SEATED: SEATED_STATUSES,
    Audience.ATTENDED: (Status.ATTENDED,),
    Audience.WAITLIST: (Status.WAITLISTED,),
}


def audience_registrations(event: Event, audience: str):
    """The registrations a message to ``audience`` reaches, with their person."""
    return (
        Registration.objects.filter(event=event, status__in=AUDIENCE_STATUSES[audience])
        .select_related("user")
        .order_by("pk")
    )


def audience_counts(event: Event) -> dict[str, int]:
    """How many people each audience reaches (one aggregate query)."""
    return Registration.objects.filter(event=event).aggregate(
        **{
            audience: Count("pk", filter=Q(status__in=statuses))
            for audience, statuses in AUDIENCE_STATUSES.items()
        }
    )


@transaction.atomic
def programme_message_send(
    *, event: Event, audience: str, subject: str, body: str, by, base_url: str = ""
) -> ProgrammeMessage:
    """Record a coordinator's message to an audience of the programme and queue its delivery.

    Refuses (ValidationError) an audience nobody is in. Side effects: creates the
    ProgrammeMessage with the number of recipients; after the commit, the
    ``deliver_programme_message`` task notifies each of them (and emails those who want it).
    """
    # A task importing services, imported here to keep the module order services ← tasks.
    from events.tasks import deliver_programme_message

    recipients = audience_registrations(event, audience).count()
    if not recipients:
        raise ValidationError(
            gettext("Nobody is in this group yet: choose other recipients."), code="empty"
        )
    message = ProgrammeMessage.objects.create(
        event=event,
        audience=audience,
        subject=subject,
        body=body,
        sent_by=by,
        recipients=recipients,
    )
    transaction.on_commit(lambda: deliver_programme_message.delay(message.pk, base_url))
    return message


@transaction.atomic
def programme_message_deliver(*, message_id: int, base_url: str = "") -> int:
    """Deliver a recorded message (the body of the ``deliver_programme_message`` task;
    idempotent: a message is delivered once) to the people in its audience now.

    Side effects: a Notification for each, an email through the outbox (in their language,
    the coordinator's text as written) for those who want programme emails; marks the message
    delivered with the number of recipients. Returns that number.
    """
    message = (
        ProgrammeMessage.objects.select_for_update(of=("self",))
        .select_related("event", "sent_by")
        .get(pk=message_id)
    )
    if message.delivered_at is not None:
        return 0
    event = message.event
    users = [r.user for r in audience_registrations(event, message.audience)]

    def build(user):
        page = event.get_absolute_url()  # in the recipient's language
        url = urljoin(base_url, page) if base_url else ""
        text = gettext("Message about %(title)s: %(subject)s") % {
            "title": event.title,
            "subject": message.subject,
        }
        body = render_to_string(
            "emails/event_message.txt",
            {"event": event, "message": message, "recipient": user, "url": url},
        )
        return Message(text=text, url=page, subject=text, body=body)

    told = notify(users=users, kind="event_message", preference="events", build=build)
    message.delivered_at = timezone.now()
    message.recipients = told
    message.save(update_fields=["delivered_at", "recipients"])
    return told


def programme_messages(event: Event) -> list[ProgrammeMessage]:
    """The messages sent about the programme, newest first, with their senders."""
    return list(event.messages.select_related("sent_by").order_by("-created_at", "-pk"))
