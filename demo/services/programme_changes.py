"""Demo programmes around issue 18 (a stage of ``manage.py seed_demo``): a programme in each of
the 17 sub-regions that has none yet (held ones with check-ins and minutes, the others planned),
an upcoming programme moved once whose registrants were told (revision 1), and a cancelled one
whose registrants were told too (METHOD:CANCEL in their .ics).

Idempotent: programmes are looked up by slug; the move and the cancellation are made, through
the portal's own services, only when the programme is created.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from demo.services.programmes import PROJECT_TITLE
from events.models import Event, ProgrammeChange, ProgrammeDecision, Registration
from events.services.changes import programme_change_notify, programme_revise
from municipalities.models import Municipality, SubRegion
from ngos.models import Membership
from portal.models import User
from surveys.models import Campaign, Expectation

Status = Registration.Status

# Sub-regions whose demo programme was held (days before today); the others are planned.
HELD_DAYS_AGO = {"01": 150, "02": 135, "03": 120, "04": 105, "05": 90, "06": 75, "07": 60}
PLANNED_DAYS_AHEAD = {"08": 45, "09": 52, "10": 66, "11": 73, "13": 40, "15": 80, "17": 87}

# The programme moved once (sub-region 13) and the cancelled one (sub-region 17).
MOVED_SLUG = "trabzon-programi"
MOVED_FROM_DAYS, MOVED_TO_DAYS = 33, 40
CANCELLED_SLUG = "diyarbakir-programi-iptal"
CANCELLED_DAYS = 25

# Who registered for the moved and the cancelled programme: the NGO demo accounts, then demo
# participants; the moved programme is full, two more people wait.
REGISTRANTS = ["ngo@demo.test", "ngo-member@demo.test"] + [
    f"katilimci{n:02d}@demo.test" for n in range(1, 9)
]
WAITING = ["katilimci09@demo.test", "katilimci10@demo.test"]


def _turkiye():
    return timezone.get_default_timezone()


def _at(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return datetime.datetime.combine(day, datetime.time(hour, 0), tzinfo=_turkiye())


def _register(event, user, *, status, position=None):
    """A registration of the person for their first NGO (demo people are NGO members)."""
    membership = Membership.objects.filter(user=user).order_by("pk").first()
    if membership is None:
        return None
    registration, created = Registration.objects.get_or_create(
        event=event,
        user=user,
        defaults={"ngo": membership.ngo, "status": status, "waitlist_position": position},
    )
    if created and status == Status.ATTENDED:
        Registration.objects.filter(pk=registration.pk).update(
            checked_in_at=event.starts_at - datetime.timedelta(minutes=15),
            checked_in_by=event.created_by,
        )
    return registration


def _recount_seats(event):
    taken = event.registrations.filter(status__in=[Status.REGISTERED, Status.ATTENDED]).count()
    Event.objects.filter(pk=event.pk).update(seats_taken=taken)
    event.seats_taken = taken


def _programme(subregion, *, slug, start, state, capacity, by, title=None):
    """The demo programme ``slug`` of the sub-region, in its host province (created once)."""
    province = subregion.host_province
    host = Municipality.objects.filter(
        province=province, kind__in=[Municipality.Kind.METROPOLITAN, Municipality.Kind.PROVINCIAL]
    ).first()
    return Event.objects.get_or_create(
        slug=slug,
        defaults={
            "title": title or f"{PROJECT_TITLE} — {province.name} Programı",
            "subregion": subregion,
            "host_province": province,
            "host_municipality": host,
            "venue": f"{province.name} Kongre ve Kültür Merkezi",
            "address": f"Merkez, {province.name}",
            "starts_at": start,
            "ends_at": start.replace(hour=16),
            "registration_deadline": start - datetime.timedelta(days=2),
            "description": (
                f"Projenin {subregion.name} alt bölgesi programı: belediyeler ve STK'lar "
                "arasında diyalog, beş beklenti çalıştayı ve afetlerde iş birliği."
            ),
            "capacity": capacity,
            "campaign": Campaign.objects.filter(code="2025").first(),
            "state": state,
            "created_by": by,
        },
    )


def _people(emails):
    by_email = {u.email: u for u in User.objects.filter(email__in=emails)}
    return [by_email[e] for e in emails if e in by_email]


def _held_programme(subregion, days_ago, by, participants):
    """A held programme with check-ins, minutes and a decision (about a case of the
    sub-region, if it has one)."""
    event, created = _programme(
        subregion,
        slug=f"{subregion.code}-bolge-programi",
        start=_at(-days_ago, 10),
        state=Event.State.HELD,
        capacity=150,
        by=by,
    )
    if not created:
        return event
    for index, user in enumerate(participants):
        # One in four registered but did not come: attendance below 100 %.
        status = Status.REGISTERED if index % 4 == 3 else Status.ATTENDED
        _register(event, user, status=status)
    _recount_seats(event)
    attended = event.registrations.filter(status=Status.ATTENDED).count()
    event.minutes_summary = (
        "Alt bölgenin belediyeleri ve STK'ları beş beklenti çalıştayında önceliklerini görüştü."
    )
    event.minutes_attendees = attended
    event.save(update_fields=["minutes_summary", "minutes_attendees"])
    decision = ProgrammeDecision.objects.create(
        event=event,
        text="Afet toplanma alanlarının işaretlenmesi için belediyelerle ortak çalışma yapılacak.",
        order=1,
    )
    cases = (
        Expectation.objects.cases()
        .filter(municipality__province__subregion=subregion)
        .order_by("pk")[:2]
    )
    decision.cases.set(cases)
    return event


def _moved_programme(by):
    """Sub-region 13's programme: planned for 33 days from today, moved once to 40 days with
    its registrants told (revision 1)."""
    subregion = SubRegion.objects.select_related("host_province").get(code="13")
    event, created = _programme(
        subregion,
        slug=MOVED_SLUG,
        start=_at(MOVED_FROM_DAYS, 10),
        state=Event.State.PLANNED,
        capacity=len(REGISTRANTS),
        by=by,
    )
    if not created:
        return event
    for user in _people(REGISTRANTS):
        _register(event, user, status=Status.REGISTERED)
    for position, user in enumerate(_people(WAITING), start=1):
        _register(event, user, status=Status.WAITLISTED, position=position)
    _recount_seats(event)
    start = _at(MOVED_TO_DAYS, 10)
    Event.objects.filter(pk=event.pk).update(
        starts_at=start,
        ends_at=start.replace(hour=16),
        registration_deadline=start - datetime.timedelta(days=2),
    )
    event.refresh_from_db()
    change = programme_revise(event=event, kinds=[ProgrammeChange.Kind.TIME], by=by)
    # Told now, so that the demo shows it without a worker (the queued task then finds it told).
    programme_change_notify(change_id=change.pk)
    return event


def _cancelled_programme(by):
    """A programme of sub-region 17 cancelled after people registered, who were told."""
    subregion = SubRegion.objects.select_related("host_province").get(code="17")
    event, created = _programme(
        subregion,
        slug=CANCELLED_SLUG,
        start=_at(CANCELLED_DAYS, 10),
        state=Event.State.PLANNED,
        capacity=120,
        by=by,
        title=f"{PROJECT_TITLE} — Diyarbakır Programı (ilk tarih)",
    )
    if not created:
        return event
    for user in _people(REGISTRANTS[:6]):
        _register(event, user, status=Status.REGISTERED)
    _recount_seats(event)
    Event.objects.filter(pk=event.pk).update(state=Event.State.CANCELLED)
    event.refresh_from_db()
    change = programme_revise(event=event, kinds=[ProgrammeChange.Kind.CANCELLED], by=by)
    programme_change_notify(change_id=change.pk)
    return event


@transaction.atomic
def seed_programme_changes():
    """A programme in every sub-region, one moved and one cancelled (registrants told)."""
    coordinator = User.objects.filter(email="coordinator@demo.test").first()
    participants = _people([f"katilimci{n:02d}@demo.test" for n in range(11, 19)])
    _moved_programme(coordinator)
    _cancelled_programme(coordinator)
    with_programme = set(
        Event.objects.exclude(state=Event.State.CANCELLED).values_list("subregion__code", flat=True)
    )
    for subregion in SubRegion.objects.select_related("host_province").order_by("code"):
        if subregion.code in with_programme or subregion.host_province is None:
            continue
        if subregion.code in HELD_DAYS_AGO:
            _held_programme(subregion, HELD_DAYS_AGO[subregion.code], coordinator, participants)
        else:
            _programme(
                subregion,
                slug=f"{subregion.code}-bolge-programi",
                start=_at(PLANNED_DAYS_AHEAD.get(subregion.code, 95), 10),
                state=Event.State.PLANNED,
                capacity=200,
                by=coordinator,
            )
