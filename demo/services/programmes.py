"""Demo programmes (a stage of ``manage.py seed_demo``): the Erzurum programme of 12 May 2025 as it
was held, and two upcoming programmes in other sub-regions, one of them nearly full.

Idempotent: programmes are looked up by slug, people by email and registrations by programme and
person before anything is created; the seat count is recomputed from the registrations.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from demo.services.accounts import demo_user
from events.models import AgendaItem, Event, Registration, Speaker
from municipalities.models import Municipality, MunicipalStaff, Province, SubRegion
from ngos.models import NGO, Membership
from portal.models import User
from surveys.models import Campaign

PROJECT_TITLE = "Belediyeler ve Sivil Toplum Kuruluşları Arasında İş Birliğinin Geliştirilmesi"

ERZURUM_TITLE = f"{PROJECT_TITLE} — Erzurum Programı"
ERZURUM_SLUG = "erzurum-bb"

# (name, position, organisation), in speaking order.
ERZURUM_SPEAKERS = [
    ("Mehmet Yeloğlu", "Genel Başkan", "Türkiye Belediye Başkanları Birliği"),
    ("Zafer Aynalı", "Genel Sekreter", "Erzurum Büyükşehir Belediyesi"),
    (
        "Murat Güven",
        "Sivil Toplumla İlişkiler Müdürü",
        "Erzurum İl Sivil Toplumla İlişkiler Müdürlüğü",
    ),
    ("Hüseyin Bozhalil", "Erzurum İl Temsilcisi", "Türkiye Belediye Başkanları Birliği"),
    ("Sermet Başaran", "Proje Koordinatörü", ""),
]

# (time, title, speaker names)
ERZURUM_AGENDA = [
    (datetime.time(10, 0), "Açılış ve protokol konuşmaları", ["Mehmet Yeloğlu"]),
    (datetime.time(10, 20), "Ev sahibi belediye adına konuşma", ["Zafer Aynalı"]),
    (
        datetime.time(10, 40),
        "Sivil toplumla ilişkilerde il ölçeğinde iş birliği",
        ["Murat Güven"],
    ),
    (
        datetime.time(11, 0),
        "Belediye başkanları birliğinin Erzurum'daki çalışmaları",
        ["Hüseyin Bozhalil"],
    ),
    (
        datetime.time(11, 20),
        "Projenin tanıtımı: 17 alt bölge, 81 il ve beş beklenti anketi",
        ["Sermet Başaran"],
    ),
    (datetime.time(12, 0), "Öğle arası", []),
    (datetime.time(13, 30), "Beş beklenti çalıştayı", ["Sermet Başaran"]),
    (datetime.time(15, 30), "Çalıştay sonuçlarının paylaşılması ve kapanış", ["Sermet Başaran"]),
]

ERZURUM_DESCRIPTION = (
    "İçişleri Bakanlığı Sivil Toplumla İlişkiler Genel Müdürlüğü ile Türkiye Belediye Başkanları "
    "Birliği'nin yürüttüğü projenin Erzurum-Kars alt bölgesi programı.\n\n"
    "Programda belediyeler ile sivil toplum kuruluşları arasında kalıcı bir diyalog kurulması, "
    "STK'ların belediyelerden en önemli beş talep ve beklentisinin belirlenmesi ve başta deprem, "
    "sel, yangın ve kuraklık olmak üzere afetlerde iş birliği ele alındı."
)

# Only what is publicly known is stated as fact (the date, the place, who spoke); the figures
# and organisations below the summary come from the demo registrations, and say so.
ERZURUM_SUMMARY = (
    "Program 12 Mayıs 2025'te Erzurum'da İbrahim Erkal Dadaş Kültür ve Sanat Merkezi'nde, "
    "Erzurum Büyükşehir Belediyesinin ev sahipliğinde yapıldı. Programda Türkiye Belediye "
    "Başkanları Birliği Genel Başkanı Mehmet Yeloğlu, Erzurum Büyükşehir Belediyesi Genel "
    "Sekreteri Zafer Aynalı, Erzurum Sivil Toplumla İlişkiler Müdürü Murat Güven, Türkiye "
    "Belediye Başkanları Birliği Erzurum İl Temsilcisi Hüseyin Bozhalil ve Proje Koordinatörü "
    "Sermet Başaran konuşma yaptı.\n\n"
    "(Demo verisi: katılımcı sayısı ve kuruluşlar, portalın demo kayıtlarından alınmıştır.)"
)


# Demo people who attended in Erzurum (each on behalf of their NGO or municipality).
ERZURUM_ATTENDEES = [
    "ngo@demo.test",
    "ngo-member@demo.test",
    "akut@demo.test",
    "municipality@demo.test",
    "colleague@demo.test",
    "yakutiye@demo.test",
    "kars@demo.test",
]

# Upcoming programmes: (slug, host plate, sub-region code, days from today, venue, address,
# capacity, registrations to make).
UPCOMING = [
    (
        "sanliurfa-bb",
        63,
        "16",
        30,
        "Şanlıurfa Büyükşehir Belediyesi Kültür Merkezi",
        "Haliliye, Şanlıurfa",
        250,
        0,
    ),
    (
        "samsun-bb",
        55,
        "12",
        60,
        "Samsun Büyükşehir Belediyesi Toplantı Salonu",
        "İlkadım, Samsun",
        40,
        38,
    ),
]


def _turkiye():
    return timezone.get_default_timezone()


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=_turkiye())


def _add_programme(event, speakers, agenda):
    """Speakers and agenda of a newly created programme."""
    by_name = {}
    for order, (name, position, organisation) in enumerate(speakers, start=1):
        by_name[name] = Speaker.objects.create(
            event=event, name=name, position=position, organisation=organisation, order=order
        )
    for order, (time, title, names) in enumerate(agenda, start=1):
        item = AgendaItem.objects.create(event=event, starts_at=time, title=title, order=order)
        item.speakers.set([by_name[name] for name in names])


def _register(event, user, *, status, moment, checked_in_by=None):
    """A registration of the person for their NGO (else their municipality)."""
    membership = Membership.objects.filter(user=user).order_by("pk").first()
    staff = MunicipalStaff.objects.filter(user=user).order_by("pk").first()
    if membership is None and staff is None:
        return None
    registration, created = Registration.objects.get_or_create(
        event=event,
        user=user,
        defaults={
            "ngo": membership.ngo if membership else None,
            "municipality": staff.municipality if membership is None else None,
            "status": status,
        },
    )
    if created:
        changes = {"created_at": moment}
        if status == Registration.Status.ATTENDED:
            changes.update(
                checked_in_at=event.starts_at - datetime.timedelta(minutes=20),
                checked_in_by=checked_in_by,
            )
        Registration.objects.filter(pk=registration.pk).update(**changes)
    return registration


def _recount_seats(event):
    taken = event.registrations.filter(
        status__in=[Registration.Status.REGISTERED, Registration.Status.ATTENDED]
    ).count()
    Event.objects.filter(pk=event.pk).update(seats_taken=taken)
    event.seats_taken = taken


def seed_erzurum_programme():
    """The Erzurum programme of 12 May 2025, held, with speakers, attendees and minutes."""
    erzurum = Province.objects.get(plate=25)
    start = datetime.datetime(2025, 5, 12, 10, 0, tzinfo=_turkiye())
    regional = User.objects.filter(email="regional@demo.test").first()
    event, created = Event.objects.get_or_create(
        slug=ERZURUM_SLUG,
        defaults={
            "title": ERZURUM_TITLE,
            "subregion": SubRegion.objects.get(code="14"),
            "host_province": erzurum,
            "host_municipality": Municipality.objects.get(
                province=erzurum, kind=Municipality.Kind.METROPOLITAN
            ),
            "venue": "İbrahim Erkal Dadaş Kültür ve Sanat Merkezi",
            "address": "Yakutiye, Erzurum",
            "starts_at": start,
            "ends_at": start.replace(hour=16),
            "registration_deadline": datetime.datetime(2025, 5, 9, 17, 0, tzinfo=_turkiye()),
            "description": ERZURUM_DESCRIPTION,
            "capacity": 400,
            "campaign": Campaign.objects.filter(code="2025").first(),
            "state": Event.State.HELD,
            "created_by": regional,
        },
    )
    if created:
        _add_programme(event, ERZURUM_SPEAKERS, ERZURUM_AGENDA)
    registered_on = datetime.datetime(2025, 5, 2, 11, 0, tzinfo=_turkiye())
    for index, user in enumerate(User.objects.filter(email__in=ERZURUM_ATTENDEES).order_by("pk")):
        _register(
            event,
            user,
            status=Registration.Status.ATTENDED,
            moment=registered_on + datetime.timedelta(hours=5 * index),
            checked_in_by=regional,
        )
    _recount_seats(event)
    if not event.minutes_summary:
        attended = event.registrations.filter(status=Registration.Status.ATTENDED)
        names = {r.organisation.name for r in attended.select_related("ngo", "municipality")}
        event.minutes_summary = ERZURUM_SUMMARY
        event.minutes_attendees = attended.count()
        event.minutes_organisations = "\n".join(sorted(names))
        event.save(update_fields=["minutes_summary", "minutes_attendees", "minutes_organisations"])
    return event


def _participants(count, ngos):
    """Demo participants katilimci01@demo.test … as members of the given NGOs, in turn."""
    people = []
    for number in range(1, count + 1):
        user = demo_user(f"katilimci{number:02d}@demo.test", f"Katılımcı {number:02d}")
        if not Membership.objects.filter(user=user).exists():
            Membership.objects.create(
                user=user, ngo=ngos[(number - 1) % len(ngos)], role=Membership.Role.MEMBER
            )
        people.append(user)
    return people


def seed_upcoming_programmes():
    """Upcoming programmes in Şanlıurfa and Samsun (the latter nearly full)."""
    today = timezone.localdate()
    coordinator = User.objects.filter(email="coordinator@demo.test").first()
    campaign = Campaign.objects.filter(code="2025").first()
    events = []
    for slug, plate, code, days, venue, address, capacity, registrations in UPCOMING:
        province = Province.objects.get(plate=plate)
        host = Municipality.objects.get(province=province, kind=Municipality.Kind.METROPOLITAN)
        start = _at(today + datetime.timedelta(days=days), 10)
        event, created = Event.objects.get_or_create(
            slug=slug,
            defaults={
                "title": f"{PROJECT_TITLE} — {province.name} Programı",
                "subregion": SubRegion.objects.get(code=code),
                "host_province": province,
                "host_municipality": host,
                "venue": venue,
                "address": address,
                "starts_at": start,
                "ends_at": start.replace(hour=16),
                "registration_deadline": _at(start.date() - datetime.timedelta(days=2), 17),
                "description": (
                    f"Projenin {SubRegion.objects.get(code=code).name} alt bölgesi programı: "
                    "belediyeler ve STK'lar arasında diyalog, beş beklenti çalıştayı ve afetlerde "
                    "iş birliği."
                ),
                "capacity": capacity,
                "campaign": campaign,
                "state": Event.State.PLANNED,
                "created_by": coordinator,
            },
        )
        if created:
            _add_programme(
                event,
                [("Sermet Başaran", "Proje Koordinatörü", "")],
                [
                    (datetime.time(10, 0), "Açılış konuşmaları", []),
                    (datetime.time(10, 30), "Projenin tanıtımı", ["Sermet Başaran"]),
                    (datetime.time(13, 30), "Beş beklenti çalıştayı", ["Sermet Başaran"]),
                    (datetime.time(15, 30), "Kapanış", []),
                ],
            )
        if registrations:
            ngos = list(
                NGO.objects.verified().filter(province__subregion__code=code).order_by("pk")
            ) or list(NGO.objects.verified().order_by("pk")[:5])
            for index, user in enumerate(_participants(registrations, ngos)):
                _register(
                    event,
                    user,
                    status=Registration.Status.REGISTERED,
                    moment=timezone.now() - datetime.timedelta(hours=index + 1),
                )
        _recount_seats(event)
        events.append(event)
    return events


@transaction.atomic
def seed_events():
    """Regional programmes: Erzurum (held, 12 May 2025) and two upcoming ones."""
    seed_erzurum_programme()
    seed_upcoming_programmes()
