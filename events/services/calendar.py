"""iCalendar (RFC 5545 / RFC 5546) files for programmes: a calendar download and an email
attachment, written with the ``icalendar`` library.

A programme keeps one UID for its whole life; ``Event.sequence`` (SEQUENCE) rises on every change
its registrants are told about and ``Event.revised_at`` (LAST-MODIFIED) says when, so a calendar
that imports the new file replaces the entry instead of adding a second one. A cancelled
programme is sent with METHOD:CANCEL and STATUS:CANCELLED, which removes (or strikes through)
the entry.
"""

import datetime
from email.utils import parseaddr

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext
from icalendar import Calendar, vCalAddress
from icalendar import Event as VEvent

PRODID = "-//Belediye-STK Isbirligi Portali//Etkinlikler//TR"
UID_DOMAIN = "belediye-stk-portali"
MIMETYPE = "text/calendar; charset=utf-8"
FILENAME = "programme.ics"


def event_uid(event) -> str:
    """The programme's calendar UID: the same for every version of the file."""
    return f"event-{event.pk}@{UID_DOMAIN}"


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC)


def _description(event, agenda) -> str:
    """The description, then the agenda (times in Türkiye time), so that a changed agenda
    reaches the calendar entry too."""
    parts = [event.description.strip()] if event.description.strip() else []
    if agenda:
        lines = [gettext("Agenda (Türkiye time):")]
        lines += [f"{item.starts_at:%H:%M} {item.title}" for item in agenda]
        parts.append("\n".join(lines))
    return "\n\n".join(parts)


def _organizer() -> vCalAddress:
    address = vCalAddress(f"mailto:{parseaddr(settings.DEFAULT_FROM_EMAIL)[1]}")
    address.params["cn"] = "Belediye-STK İş Birliği Portalı"
    return address


def event_ics(event, *, url: str = "", attendee: str = "") -> bytes:
    """One VEVENT for the programme, as bytes (CRLF lines, folded at 75 octets).

    Times are written in UTC (the "Z" form), which every calendar converts to its own zone, so
    Türkiye time (UTC+3) shows correctly everywhere. METHOD is CANCEL for a cancelled
    programme and PUBLISH otherwise; ``attendee`` (an email address) names the recipient of an
    emailed copy, as a cancellation (RFC 5546) expects. Reads the agenda (one query unless
    prefetched).
    """
    cancelled = event.state == event.State.CANCELLED
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")

    entry = VEvent()
    entry.add("uid", event_uid(event))
    entry.add("sequence", event.sequence)
    entry.add("dtstamp", _utc(timezone.now()))
    entry.add("created", _utc(event.created_at or timezone.now()))
    entry.add("last-modified", _utc(event.revised_at or event.created_at or timezone.now()))
    entry.add("dtstart", _utc(event.starts_at))
    entry.add("dtend", _utc(event.ends_at))
    entry.add("summary", event.title)
    location = ", ".join(
        part for part in [event.venue, " ".join(event.address.split())] if part.strip()
    )
    entry.add("location", location)
    entry.add("description", _description(event, list(event.agenda.all())))
    entry.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    entry.add("organizer", _organizer())
    if attendee:
        entry.add("attendee", vCalAddress(f"mailto:{attendee}"))
    if url:
        entry.add("url", url)
    calendar.add_component(entry)
    return calendar.to_ical()
