"""The events app's tasks: telling registrants about a changed or cancelled programme, and
delivering the coordinators' messages to them. Both are idempotent: a redelivered task finds
the change or message already delivered and sends nothing more."""

from celery import shared_task

from events.services.changes import programme_change_notify
from events.services.messages import programme_message_deliver


@shared_task(ignore_result=True)
def notify_programme_change(change_id, base_url=""):
    """Tell the registered and waitlisted people of a programme about one of its changes."""
    return programme_change_notify(change_id=change_id, base_url=base_url)


@shared_task(ignore_result=True)
def deliver_programme_message(message_id, base_url=""):
    """Deliver a coordinator's message to its audience among the programme's registrants."""
    return programme_message_deliver(message_id=message_id, base_url=base_url)
