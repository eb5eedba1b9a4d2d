"""Changes to a programme that its registrants must hear about: a new date or time, a new place,
a new agenda, a cancellation (or a cancelled programme reinstated).

``programme_save`` (events.services.programmes) compares the programme before and after a save
with ``programme_snapshot`` / ``programme_changes``; a change raises the calendar revision
(``Event.sequence``), is recorded as a ProgrammeChange, and after the commit a task tells every
registered and waitlisted person: in-app, and by email (preference "events") with the updated
.ics, each in their own language.
"""

from urllib.parse import urljoin

from django.db import transaction
from django.db.models import F, Prefetch, prefetch_related_objects
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext

from events.models import AgendaItem, Event, ProgrammeChange, Registration
from events.services.calendar import FILENAME, MIMETYPE, event_ics
from events.services.registrations import ACTIVE_STATUSES
from portal.notifications import Message, notify

Kind = ProgrammeChange.Kind


def programme_snapshot(event_id) -> dict:
    """What of the programme its registrants are told about when it changes: times, place,
    agenda (times, titles and speakers) and state (two queries)."""
    event = (
        Event.objects.filter(pk=event_id)
        .prefetch_related(
            Prefetch(
                "agenda",
                queryset=AgendaItem.objects.prefetch_related("speakers").order_by(
                    "order", "starts_at", "pk"
                ),
            )
        )
        .get()
    )
    return {
        "time": (event.starts_at, event.ends_at),
        "place": (
            " ".join(event.venue.split()),
            " ".join(event.address.split()),
            event.host_province_id,
            event.host_municipality_id,
        ),
        "agenda": [
            (item.starts_at, item.title, sorted(s.name for s in item.speakers.all()))
            for item in event.agenda.all()
        ],
        "state": event.state,
        "sequence": event.sequence,
    }


def programme_changes(before: dict, after: dict) -> list[str]:
    """The kinds of change between two snapshots, in a fixed order. A cancellation is only
    that: what else changed with it no longer matters to the people told."""
    if after["state"] == Event.State.CANCELLED:
        return [Kind.CANCELLED] if before["state"] != Event.State.CANCELLED else []
    kinds = []
    if before["state"] == Event.State.CANCELLED:
        kinds.append(Kind.REINSTATED)
    kinds += [
        kind
        for kind, key in ((Kind.TIME, "time"), (Kind.PLACE, "place"), (Kind.AGENDA, "agenda"))
        if before[key] != after[key]
    ]
    return kinds


def programme_revise(
    *, event: Event, kinds: list[str], by, base_url: str = "", at=None
) -> ProgrammeChange:
    """Record a change of the programme that its registrants must hear about.

    The caller holds the lock on the event row (``programme_save`` does). Side effects: raises
    ``Event.sequence`` by one and sets ``revised_at``; creates the ProgrammeChange; after the
    commit, a task notifies every registered and waitlisted person (in-app and by email with
    the updated .ics).
    """
    # A task importing services, imported here to keep the module order services ← tasks.
    from events.tasks import notify_programme_change

    at = at or timezone.now()
    Event.objects.filter(pk=event.pk).update(sequence=F("sequence") + 1, revised_at=at)
    event.refresh_from_db(fields=["sequence", "revised_at"])
    change = ProgrammeChange.objects.create(
        event=event, sequence=event.sequence, kinds=list(kinds), changed_by=by, created_at=at
    )
    transaction.on_commit(lambda: notify_programme_change.delay(change.pk, base_url))
    return change


def programme_change_audience(event):
    """The registrations told about a change of the programme: everyone registered or on the
    waiting list (not those who cancelled), and nobody once the programme is over or held."""
    if event.is_over():
        return Registration.objects.none()
    return Registration.objects.filter(event=event, status__in=ACTIVE_STATUSES)


def _change_text(event, kinds) -> str:
    if Kind.CANCELLED in kinds:
        return gettext("The programme %(title)s has been cancelled.") % {"title": event.title}
    labels = dict(Kind.choices)
    return gettext("The programme %(title)s has been updated. Changed: %(changes)s.") % {
        "title": event.title,
        "changes": ", ".join(str(labels[kind]) for kind in kinds),
    }


def _change_subject(event, kinds) -> str:
    if Kind.CANCELLED in kinds:
        return gettext("Cancelled: %(title)s") % {"title": event.title}
    return gettext("Programme updated: %(title)s") % {"title": event.title}


@transaction.atomic
def programme_change_notify(*, change_id: int, base_url: str = "") -> int:
    """Tell every registered and waitlisted person of the programme about one change (the
    body of the ``notify_programme_change`` task; idempotent: a change is told once).

    People who cancelled are not told, nor anyone once the programme is over. Side effects: a
    Notification per person, and, for those who want programme emails, a mail in their
    language with the programme's current .ics (METHOD:CANCEL for a cancellation) through the
    outbox; marks the change notified with the number of people told. Returns that number.
    """
    change = (
        ProgrammeChange.objects.select_for_update(of=("self",))
        .select_related("event")
        .get(pk=change_id)
    )
    if change.notified_at is not None:
        return 0
    event = change.event
    registrations = programme_change_audience(event).select_related("user").order_by("pk")
    recipients = [r.user for r in registrations]
    # Read once for every recipient's .ics.
    prefetch_related_objects([event], "agenda")

    def build(user):
        page = event.get_absolute_url()  # in the recipient's language
        url = urljoin(base_url, page) if base_url else ""
        with timezone.override(timezone.get_default_timezone()):
            body = render_to_string(
                "emails/event_changed.txt",
                {
                    "event": event,
                    "change": change,
                    "kinds": change.kind_labels(),
                    "cancelled": Kind.CANCELLED in change.kinds,
                    "recipient": user,
                    "url": url,
                },
            )
        return Message(
            text=_change_text(event, change.kinds),
            url=page,
            subject=_change_subject(event, change.kinds),
            body=body,
            attachments=[(FILENAME, event_ics(event, url=url, attendee=user.email), MIMETYPE)],
        )

    told = notify(users=recipients, kind="event", preference="events", build=build)
    change.notified_at = timezone.now()
    change.recipients = told
    change.save(update_fields=["notified_at", "recipients"])
    return told
