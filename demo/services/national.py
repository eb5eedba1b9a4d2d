"""National-scale data (``manage.py seed_demo --scale national``): the size of Türkiye, for the
benchmark (scripts/bench.py).

On top of the demo data: 2–5 staff in every one of the 1,393 municipalities, 100,000 NGOs spread
over the provinces in proportion to their population (about 90% verified), about 10,000 users,
an earlier closed "2024" campaign beside the demo's 2025 one with 40,000 submissions each (five
ranked expectations apiece, rank 1 skewed to a few categories), 800,000 review history entries
across every status (each case's status, first answer and NGO confirmation follow from its
history), and 17 programmes, one per sub-region, with 6,000 registrations.

Every count is multiplied by ``factor`` (tests run it at 0.002). Deterministic: the same seed gives
the same rows. Rows are written in bulk (COPY on PostgreSQL, ``bulk_create`` elsewhere) with
their primary keys chosen here, each stage in its own transaction. Idempotent: a stage whose rows
are present is skipped.
"""

import contextlib
import datetime
import operator
import random
import time
from collections import defaultdict
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from demo.services import cooperation_protocols
from demo.services.accounts import DEMO_PASSWORD
from demo.services.cooperation_activations import seed_national_activations
from demo.services.erzurum import EXPECTATION_POOL
from events.models import Event, Registration
from municipalities.models import District, Municipality, MunicipalStaff, Province, SubRegion
from ngos.models import NGO, ActivityField, LegalForm, Membership
from portal.models import PrivacyAcknowledgement, User
from portal.turkish import search_key, tr_slugify
from surveys.models import (
    Campaign,
    Category,
    Expectation,
    ExpectationStatus,
    ReviewEntry,
    Submission,
)

# The national counts, before ``factor``.
MUNICIPALITIES = 1393
NGOS = 100_000
USERS = 10_000
SUBMISSIONS_PER_CAMPAIGN = 40_000
ENTRIES = 800_000
PROGRAMMES = 17
REGISTRATIONS = 6_000

STAFF_DOMAIN = "belediye.ulusal.test"
MEMBER_DOMAIN = "stk.ulusal.test"
PROGRAMME_SLUG = "bolge-programi-2026-"
BATCH = 5000
UTC = datetime.UTC

FIRST_NAMES = [
    "Ahmet",
    "Mehmet",
    "Mustafa",
    "Ali",
    "Hüseyin",
    "Hasan",
    "İbrahim",
    "İsmail",
    "Osman",
    "Yusuf",
    "Murat",
    "Ömer",
    "Ramazan",
    "Halil",
    "Süleyman",
    "Abdullah",
    "Mahmut",
    "Recep",
    "Salih",
    "Fatih",
    "Kemal",
    "Emre",
    "Burak",
    "Serkan",
    "Uğur",
    "Cem",
    "Barış",
    "Onur",
    "Tolga",
    "Fatma",
    "Ayşe",
    "Emine",
    "Hatice",
    "Zeynep",
    "Elif",
    "Meryem",
    "Şerife",
    "Zehra",
    "Sultan",
    "Hanife",
    "Merve",
    "Özlem",
    "Büşra",
    "Gülsüm",
    "Esra",
    "Yasemin",
    "Derya",
    "Sibel",
    "Ebru",
    "Gül",
    "Dilek",
    "Songül",
    "Çiğdem",
    "Şule",
    "Nurcan",
    "İlknur",
    "Özge",
    "Tuğba",
]
LAST_NAMES = [
    "Yılmaz",
    "Kaya",
    "Demir",
    "Şahin",
    "Çelik",
    "Yıldız",
    "Yıldırım",
    "Öztürk",
    "Aydın",
    "Özdemir",
    "Arslan",
    "Doğan",
    "Kılıç",
    "Aslan",
    "Çetin",
    "Kara",
    "Koç",
    "Kurt",
    "Özkan",
    "Şimşek",
    "Polat",
    "Özcan",
    "Korkmaz",
    "Çakır",
    "Erdoğan",
    "Yavuz",
    "Can",
    "Acar",
    "Şen",
    "Aktaş",
    "Güler",
    "Yalçın",
    "Güneş",
    "Bozkurt",
    "Bulut",
    "Keskin",
    "Ünal",
    "Turan",
    "Gül",
    "Özer",
    "Işık",
    "Kaplan",
    "Avcı",
    "Sarı",
    "Tekin",
    "Taş",
    "Köse",
    "Yüksel",
    "Ateş",
    "Aksoy",
    "Çiftçi",
    "Uçar",
    "Bayram",
    "Ekinci",
]
ADJECTIVES = [
    "Yardımlaşma",
    "Dayanışma",
    "Kalkınma",
    "Güzelleştirme",
    "Eğitim",
    "Kültür",
    "Gençlik",
    "Kadın",
    "Engelliler",
    "Yaşlılar",
    "Çevre",
    "Doğa",
    "Spor",
    "Sağlık",
    "Afet",
    "Gönüllüleri",
    "Hemşehri",
    "Esnaf",
    "Tarım",
    "Turizm",
    "Tarih",
    "Sanat",
    "Çocuk",
    "Aile",
    "Şehit",
    "Aileleri",
    "Emekliler",
    "Öğrenci",
    "Mezunlar",
    "Hayvan",
    "Hakları",
]
THEMES = [
    "Sosyal Hizmetler",
    "Kültür ve Sanat",
    "Eğitim ve Araştırma",
    "Spor ve Gençlik",
    "Doğa ve Çevre Koruma",
    "Arama Kurtarma",
    "Kadın ve Aile",
    "Engelsiz Yaşam",
    "Kırsal Kalkınma",
    "Tarih ve Kültür Mirası",
    "Gönüllü Eğitimciler",
    "Halk Oyunları",
    "İlk Yardım",
    "Okuma Kültürü",
    "Kent Bilinci",
    "Mahalle Dayanışması",
    "Gıda Bankası",
    "Burs ve Eğitim",
    "Sağlıklı Yaşam",
    "Dağcılık ve Doğa Sporları",
]
FORMS = [
    (" Derneği", LegalForm.ASSOCIATION, 70),
    (" Vakfı", LegalForm.FOUNDATION, 12),
    (" Dernekleri Federasyonu", LegalForm.FEDERATION, 3),
    (" Kooperatifi", LegalForm.COOPERATIVE, 8),
    (" Platformu", LegalForm.PLATFORM, 5),
    (" Odası", LegalForm.PROFESSIONAL_CHAMBER, 2),
]
# Where a campaign's cases end up: final review status → weight, per campaign age.
STATUS_WEIGHTS = {
    "2025": {
        "new": 33,
        "under_review": 13,
        "disputed": 2,
        "accepted": 12,
        "planned": 8,
        "in_progress": 8,
        "completed": 14,
        "declined": 6,
        "referred": 4,
    },
    "2024": {
        "new": 8,
        "under_review": 4,
        "disputed": 3,
        "accepted": 8,
        "planned": 5,
        "in_progress": 7,
        "completed": 45,
        "declined": 15,
        "referred": 5,
    },
}
# The categories most NGOs put first.
FAVOURITES = ["AFET-DEP-HAZ", "MEKAN-SALON", "DESTEK-HIBE", "ILETISIM-ISTISARE"]
ANSWERS = [
    "Talebiniz ilgili birimimize iletildi; değerlendirme sonucunu size bildireceğiz.",
    "Beklentinizi uygun bulduk; uygulama takvimini birlikte planlayalım.",
    "Bu konuda bütçe planlaması yapılmaktadır; gelişmeleri paylaşacağız.",
    "Önerinizi teşekkürle aldık; mahalle muhtarlarıyla birlikte çalışacağız.",
]
NOTES = [
    "Fen İşleri Müdürlüğü ile görüşülecek.",
    "Bütçe kalemi kontrol edilecek.",
    "Benzer taleplerle birlikte değerlendirilecek.",
    "Saha ziyareti planlandı.",
]


def _progress(log, message):
    log(f"  · {message}")


@dataclass
class Counts:
    """The national counts multiplied by ``factor`` (at least one of each)."""

    factor: float

    def n(self, value):
        return max(1, round(value * self.factor))

    @property
    def municipalities(self):
        return min(MUNICIPALITIES, self.n(MUNICIPALITIES))

    @property
    def ngos(self):
        return self.n(NGOS)

    @property
    def users(self):
        return self.n(USERS)

    @property
    def submissions(self):
        return self.n(SUBMISSIONS_PER_CAMPAIGN)

    @property
    def entries(self):
        return self.n(ENTRIES)

    @property
    def programmes(self):
        return min(PROGRAMMES, self.n(PROGRAMMES))

    @property
    def registrations(self):
        return self.n(REGISTRATIONS)


# --- Writing in bulk ---------------------------------------------------------------------------


@contextlib.contextmanager
def _keep_timestamps(model):
    """Let explicit created_at/updated_at values through (auto_now fields would overwrite them)."""
    fields = [
        f
        for f in model._meta.concrete_fields
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


def _plain(value):
    """A model attribute as COPY writes it: a file field's stored name, anything else as is."""
    return value.name or "" if isinstance(value, FieldFile) else value


def _acknowledgements(users):
    """Generated people have acknowledged the current privacy notice, as at sign-up."""
    return [
        PrivacyAcknowledgement(
            user_id=user.pk,
            version=settings.PRIVACY_NOTICE_VERSION,
            acknowledged_at=user.date_joined,
        )
        for user in users
    ]


def _insert(model, objects):
    """Write the objects as they are (primary keys and timestamps included): COPY on
    PostgreSQL, bulk_create elsewhere."""
    if not objects:
        return
    if connection.vendor == "postgresql":
        pk = model._meta.pk
        fields = [
            f
            for f in model._meta.concrete_fields
            if not (f is pk and getattr(objects[0], f.attname) is None)
        ]
        qn = connection.ops.quote_name
        columns = ", ".join(qn(f.column) for f in fields)
        sql = f"COPY {qn(model._meta.db_table)} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            # The attribute values are plain Python values psycopg adapts itself (str, int,
            # bool, date, aware datetime, None); a file field's value is its stored name.
            values = operator.attrgetter(*(f.attname for f in fields))
            for obj in objects:
                copy.write_row([_plain(value) for value in values(obj)])
    else:
        with _keep_timestamps(model):
            model.objects.bulk_create(objects, batch_size=BATCH)


def _reset_sequences(*models):
    """After rows with chosen keys, the next automatic key must follow them."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), list(models)):
            cursor.execute(sql)


def _next_id(model):
    return (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1


class Buffer:
    """Objects written in batches, in model order (parents before children)."""

    def __init__(self, *models, size=20000):
        self.rows = {model: [] for model in models}
        self.size = size

    def add(self, obj):
        rows = self.rows[type(obj)]
        rows.append(obj)
        if len(rows) >= self.size:
            self.flush()

    def flush(self):
        for model, rows in self.rows.items():
            _insert(model, rows)
            rows.clear()


# --- Reference lookups -------------------------------------------------------------------------


class Geography:
    """Provinces weighted by population, their districts and municipalities."""

    def __init__(self):
        districts = list(District.objects.order_by("code"))
        self.provinces = list(Province.objects.order_by("plate"))
        self.districts = defaultdict(list)
        for d in districts:
            self.districts[d.province_id].append(d)
        self.population = {
            p.plate: sum(d.population or 0 for d in self.districts[p.plate]) or 1
            for p in self.provinces
        }
        municipalities = list(Municipality.objects.order_by("pk"))
        self.municipalities = municipalities
        self.by_province = defaultdict(list)
        self.top_level = {}
        self.of_district = {}
        for m in municipalities:
            self.by_province[m.province_id].append(m)
            if m.kind in (Municipality.Kind.METROPOLITAN, Municipality.Kind.PROVINCIAL):
                self.top_level[m.province_id] = m
            elif m.kind == Municipality.Kind.DISTRICT:
                self.of_district[m.district_id] = m

    def municipality_of(self, plate, district):
        if district is not None and not district.is_central and district.pk in self.of_district:
            return self.of_district[district.pk]
        return self.top_level[plate]


def _person_name(rng):
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _account(rng, *, pk, email, password, joined):
    """A user with a random name and their verified primary address (allauth), not saved."""
    user = User(
        pk=pk, email=email, full_name=_person_name(rng), password=password, date_joined=joined
    )
    return user, EmailAddress(user_id=pk, email=email, verified=True, primary=True)


# --- Stages ------------------------------------------------------------------------------------


def seed_staff(rng, *, counts, geo, password, log):
    """2–5 staff (one manager) in each municipality."""
    if User.objects.filter(email__endswith=f"@{STAFF_DOMAIN}").exists():
        _progress(log, "municipal staff present, skipped")
        return
    existing = defaultdict(int)
    for municipality_id in MunicipalStaff.objects.values_list("municipality_id", flat=True):
        existing[municipality_id] += 1
    user_id, staff_id = _next_id(User), _next_id(MunicipalStaff)
    users, emails, staff = [], [], []
    joined = datetime.datetime(2025, 3, 1, 9, tzinfo=UTC)
    # Metropolitan and provincial ones first, so a small factor still staffs the big cities.
    ordered = sorted(geo.municipalities, key=lambda m: (m.kind not in ("metropolitan",), m.pk))
    for municipality in ordered[: counts.municipalities]:
        wanted = rng.randint(2, 5)
        for n in range(existing[municipality.pk], wanted):
            email = f"personel{user_id:06d}@{STAFF_DOMAIN}"
            user, address = _account(rng, pk=user_id, email=email, password=password, joined=joined)
            users.append(user)
            emails.append(address)
            role = MunicipalStaff.Role.MANAGER if n == 0 else MunicipalStaff.Role.STAFF
            staff.append(
                MunicipalStaff(
                    pk=staff_id,
                    user_id=user_id,
                    municipality_id=municipality.pk,
                    role=role,
                    created_at=joined,
                )
            )
            user_id += 1
            staff_id += 1
    _insert(User, users)
    _insert(EmailAddress, emails)
    _insert(PrivacyAcknowledgement, _acknowledgements(users))
    _insert(MunicipalStaff, staff)
    _reset_sequences(User, MunicipalStaff)
    _progress(log, f"{len(staff)} municipal staff")


def _ngo_name(rng, place):
    suffix, form = _weighted(rng, [(s, f) for s, f, _w in FORMS], [w for *_x, w in FORMS])
    shape = rng.random()
    if shape < 0.4:
        name = f"{place} {rng.choice(ADJECTIVES)} {rng.choice(THEMES)}{suffix}"
    elif shape < 0.7:
        name = f"{place} {rng.choice(THEMES)}{suffix}"
    else:
        first, second = rng.sample(ADJECTIVES, 2)
        name = f"{place} {first} ve {second}{suffix}"
    return name, form


def _weighted(rng, items, weights):
    return rng.choices(items, weights=weights, k=1)[0]


def seed_ngos(rng, *, counts, geo, password, log):
    """NGOs in every province by population, most verified, with fields of activity."""
    present = NGO.objects.count()
    wanted = counts.ngos - present
    if wanted <= 0:
        _progress(log, f"{present} NGOs present, skipped")
        return
    names = set(NGO.objects.values_list("name_search", flat=True))
    slugs = set(NGO.objects.values_list("slug", flat=True))
    fields = list(
        ActivityField.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)
    )
    ngo_id = _next_id(NGO)
    weights = [geo.population[p.plate] for p in geo.provinces]
    statuses = [
        (NGO.Status.VERIFIED, 90),
        (NGO.Status.PENDING, 7),
        (NGO.Status.REJECTED, 2),
        (NGO.Status.SUSPENDED, 1),
    ]
    ngos, links = [], []
    through = NGO.activity_fields.through
    for index in range(wanted):
        province = _weighted(rng, geo.provinces, weights)
        districts = geo.districts[province.plate]
        district = None
        if districts and rng.random() < 0.8:
            district = _weighted(rng, districts, [d.population or 1 for d in districts])
        place = district.name if district and not district.is_central else province.name
        for attempt in range(20):
            name, form = _ngo_name(rng, place)
            if attempt >= 10:
                name = f"{name} {attempt - 8}. Şube"
            key, slug = search_key(name), tr_slugify(name)[:200]
            if key not in names and slug not in slugs:
                break
        names.add(key)
        slugs.add(slug)
        ngo = NGO(name=name)
        ngo.set_name_keys()
        status = _weighted(rng, [s for s, _w in statuses], [w for _s, w in statuses])
        created = datetime.datetime(2025, 1, 1, tzinfo=UTC) + datetime.timedelta(minutes=index * 2)
        if form in (LegalForm.ASSOCIATION, LegalForm.FEDERATION):
            registry = f"{province.plate:02d}-{ngo_id:06d}"
        elif form == LegalForm.FOUNDATION:
            registry = f"VGM-{ngo_id:06d}"
        else:
            registry = ""
        ngo.pk = ngo_id
        ngo.slug = slug
        ngo.legal_form = form
        ngo.registry_number = registry
        ngo.founding_year = rng.randint(1950, 2024)
        ngo.province_id = province.plate
        ngo.district = district
        ngo.municipality = geo.municipality_of(province.plate, district)
        ngo.members_count = rng.randint(7, 2500)
        ngo.volunteers_count = rng.randint(0, 400)
        ngo.email = f"bilgi@{slug[:40].strip('-')}.org.tr"
        ngo.phone = f"0 {rng.randint(212, 488)} {rng.randint(100, 999)} {rng.randint(10, 99)} 00"
        ngo.description = (
            f"{name}, {province.name} ilinde {rng.choice(THEMES).lower()} alanında çalışır."
        )
        ngo.contacts_public = rng.random() < 0.6
        ngo.status = status
        if status in (NGO.Status.REJECTED, NGO.Status.SUSPENDED):
            ngo.status_reason = "Kuruluş belgeleri eksik; güncel tüzük ve karar defteri istendi."
        if status != NGO.Status.PENDING:
            ngo.status_changed_at = created + datetime.timedelta(days=3)
        ngo.created_at = ngo.updated_at = created
        ngos.append(ngo)
        for field_id in rng.sample(fields, k=min(len(fields), rng.randint(1, 2))):
            links.append(through(ngo_id=ngo_id, activityfield_id=field_id))
        ngo_id += 1
        if len(ngos) >= BATCH * 4:
            _insert(NGO, ngos)
            _insert(through, links)
            ngos, links = [], []
            _progress(log, f"{index + 1}/{wanted} NGOs")
    _insert(NGO, ngos)
    _insert(through, links)
    _reset_sequences(NGO, through)
    _progress(log, f"{wanted} NGOs")


def seed_members(rng, *, counts, geo, password, log):
    """NGO administrators (and a few members), up to about 10,000 users in total."""
    if User.objects.filter(email__endswith=f"@{MEMBER_DOMAIN}").exists():
        _progress(log, "NGO members present, skipped")
        return
    wanted = counts.users - User.objects.count()
    if wanted <= 0:
        _progress(log, "enough users, skipped")
        return
    with_admin = set(
        Membership.objects.filter(role=Membership.Role.ADMIN).values_list("ngo_id", flat=True)
    )
    verified = [
        pk
        for pk in NGO.objects.verified().order_by("pk").values_list("pk", flat=True)
        if pk not in with_admin
    ]
    targets = rng.sample(verified, k=min(len(verified), wanted))
    user_id, membership_id = _next_id(User), _next_id(Membership)
    users, emails, memberships = [], [], []
    joined = datetime.datetime(2025, 3, 15, 9, tzinfo=UTC)
    for n in range(wanted):
        email = f"uye{user_id:06d}@{MEMBER_DOMAIN}"
        user, address = _account(rng, pk=user_id, email=email, password=password, joined=joined)
        users.append(user)
        emails.append(address)
        # Each NGO in the sample gets an administrator; the rest of the users are members.
        if n < len(targets):
            ngo_id, role = targets[n], Membership.Role.ADMIN
        else:
            ngo_id, role = targets[n % len(targets)], Membership.Role.MEMBER
        memberships.append(
            Membership(
                pk=membership_id, user_id=user_id, ngo_id=ngo_id, role=role, created_at=joined
            )
        )
        user_id += 1
        membership_id += 1
    _insert(User, users)
    _insert(EmailAddress, emails)
    _insert(PrivacyAcknowledgement, _acknowledgements(users))
    _insert(Membership, memberships)
    _reset_sequences(User, Membership)
    _progress(log, f"{len(users)} NGO users")


def _campaign_2024():
    campaign, created = Campaign.objects.get_or_create(
        code="2024",
        defaults={
            "title": "2024 Beş Beklenti Anketi",
            "instructions": "Derneğinizin belediyelerden en önemli beş beklentisini yazınız.",
            "is_national": True,
            "opens_at": datetime.datetime(2024, 4, 1, 6, tzinfo=UTC),
            "closes_at": datetime.datetime(2024, 6, 30, 15, tzinfo=UTC),
            "created_by": User.objects.filter(email="coordinator@demo.test").first(),
        },
    )
    if created:
        campaign.categories.set(Category.objects.filter(is_active=True))
    return campaign


class CaseWriter:
    """One campaign's submissions, expectations and their review history."""

    def __init__(self, rng, campaign, geo, *, entries_target):
        self.rng = rng
        self.campaign = campaign
        self.geo = geo
        self.entries_target = entries_target
        categories = list(campaign.categories.order_by("pk")) or list(
            Category.objects.filter(is_active=True).order_by("pk")
        )
        self.categories = categories
        favourite = [c for c in categories if c.code in FAVOURITES] or categories[:3]
        self.rank1_weights = [12 if c in favourite else 1 for c in categories]
        self.pool = {code: (title, text, offer) for code, title, text, offer in EXPECTATION_POOL}
        self.staff = defaultdict(list)
        for user_id, municipality_id in MunicipalStaff.objects.order_by("pk").values_list(
            "user_id", "municipality_id"
        ):
            self.staff[municipality_id].append(user_id)
        self.admins = dict(
            Membership.objects.filter(role=Membership.Role.ADMIN)
            .order_by("-pk")
            .values_list("ngo_id", "user_id")
        )
        weights = STATUS_WEIGHTS.get(campaign.code, STATUS_WEIGHTS["2025"])
        self.outcomes, self.outcome_weights = list(weights), list(weights.values())

    def _municipality(self, ngo):
        plate, roll = ngo.province_id, self.rng.random()
        if roll < 0.5 or ngo.municipality_id is None:
            return self.geo.top_level[plate].pk
        if roll < 0.8:
            return ngo.municipality_id
        return self.rng.choice(self.geo.by_province[plate]).pk

    def _categories(self):
        first = _weighted(self.rng, self.categories, self.rank1_weights)
        rest = self.rng.sample([c for c in self.categories if c.pk != first.pk], k=4)
        return [first, *rest]

    def _texts(self, category):
        if category.code in self.pool:
            return self.pool[category.code]
        return (
            category.name[:120],
            f"{category.name} konusunda belediyemizden düzenli destek bekliyoruz.",
            "",
        )

    # Each outcome's base history: a list of (kind, from, to) steps.
    BASE = {
        "new": [],
        "under_review": [("status", "new", "under_review")],
        "accepted": [("status", "new", "accepted"), ("answer", "", "")],
        "planned": [
            ("status", "new", "under_review"),
            ("status", "under_review", "planned"),
            ("answer", "", ""),
        ],
        "in_progress": [
            ("status", "new", "accepted"),
            ("answer", "", ""),
            ("assignment", "", ""),
            ("status", "accepted", "in_progress"),
        ],
        "completed": [
            ("status", "new", "accepted"),
            ("answer", "", ""),
            ("status", "accepted", "completed"),
        ],
        "disputed": [
            ("status", "new", "accepted"),
            ("status", "accepted", "completed"),
            ("dispute", "completed", "under_review"),
        ],
        "declined": [("status", "new", "declined")],
        "referred": [("referral", "new", "referred")],
    }

    def plan(self, ngos):
        """Which NGOs submit, and each case's outcome and extra notes (before any write)."""
        rng = self.rng
        plans = []
        base_total = 0
        for ngo in ngos:
            draft = rng.random() < 0.05
            outcomes = []
            for _rank in range(5):
                outcome = None if draft else _weighted(rng, self.outcomes, self.outcome_weights)
                steps = list(self.BASE[outcome]) if outcome else []
                if outcome == "completed" and rng.random() < 0.4:
                    steps.append(("confirmation", "", ""))
                if outcome == "declined" and rng.random() < 0.5:
                    steps.append(("answer", "", ""))
                base_total += len(steps)
                outcomes.append(steps)
            plans.append((ngo, draft, outcomes))
        # Internal notes make up the rest of the history, on cases already under review.
        reviewed = [
            (i, r)
            for i, (_n, d, cases) in enumerate(plans)
            if not d
            for r, s in enumerate(cases)
            if s
        ]
        notes = defaultdict(int)
        for _n in range(max(0, self.entries_target - base_total)):
            if not reviewed:
                break
            notes[rng.choice(reviewed)] += 1
        return plans, notes

    def write(self, ngos, log):
        rng, campaign = self.rng, self.campaign
        plans, notes = self.plan(ngos)
        submission_id, expectation_id = _next_id(Submission), _next_id(Expectation)
        entry_id = _next_id(ReviewEntry)
        submissions = []
        opens = campaign.opens_at
        window = max(1, min(200, (campaign.closes_at - opens).days - 1))
        now = timezone.now()
        for ngo, draft, _cases in plans:
            admin = self.admins.get(ngo.pk)
            created = opens + datetime.timedelta(days=rng.randint(0, window // 2), hours=3)
            submission = Submission(
                pk=submission_id,
                campaign_id=campaign.pk,
                ngo_id=ngo.pk,
                status=Submission.Status.DRAFT if draft else Submission.Status.SUBMITTED,
                version=1 if draft else 2,
                created_at=created,
                updated_at=created,
                updated_by_id=admin,
            )
            if not draft:
                submission.submitted_at = created + datetime.timedelta(
                    days=rng.randint(0, window // 2), minutes=rng.randint(0, 600)
                )
                submission.submitted_by_id = admin
                submission.receipt_number = f"{campaign.code.upper()}-{submission_id:06d}"
                submission.updated_at = submission.submitted_at
            submissions.append(submission)
            submission_id += 1
        _insert(Submission, submissions)
        buffer = Buffer(Expectation, ReviewEntry)
        n_entries = 0
        for index, ((ngo, _draft, cases), submission) in enumerate(
            zip(plans, submissions, strict=True)
        ):
            categories = self._categories()
            for rank, (category, steps) in enumerate(zip(categories, cases, strict=True), start=1):
                title, text, offer = self._texts(category)
                municipality_id = self._municipality(ngo)
                case = Expectation(
                    pk=expectation_id,
                    submission_id=submission.pk,
                    rank=rank,
                    category_id=category.pk,
                    title=title,
                    description=text,
                    text_search=Expectation.search_text(title, text),
                    offer=offer,
                    municipality_id=municipality_id,
                    hazard=category.hazard,
                    status=ExpectationStatus.NEW,
                    is_case=submission.status == Submission.Status.SUBMITTED,
                    created_at=submission.created_at,
                    updated_at=submission.updated_at,
                )
                extra = [("note", "", "")] * notes.get((index, rank - 1), 0)
                moment = submission.submitted_at
                history = []
                for kind, old, new in self._ordered(steps, extra):
                    step = datetime.timedelta(days=rng.randint(1, 20), hours=rng.randint(0, 8))
                    moment = min(moment + step, now)
                    history.append(self._entry(entry_id, case, kind, old, new, moment, ngo))
                    entry_id += 1
                # The case as its history left it, then the history.
                buffer.add(case)
                for entry in history:
                    buffer.add(entry)
                n_entries += len(history)
                expectation_id += 1
            if (index + 1) % 10000 == 0:
                _progress(log, f"{campaign.code}: {index + 1}/{len(plans)} submissions")
        # Cases before their entries: the buffer writes in the order its models were given.
        buffer.flush()
        _reset_sequences(Submission, Expectation, ReviewEntry)
        return len(submissions), n_entries

    @staticmethod
    def _ordered(steps, notes):
        """Notes go after the first step (a case gets notes once someone looks at it)."""
        return steps[:1] + notes + steps[1:]

    def _entry(self, entry_id, case, kind, old, new, moment, ngo):
        """The history entry, and its effect on the case."""
        rng = self.rng
        staff = self.staff.get(case.municipality_id) or [None]
        actor = rng.choice(staff)
        entry = ReviewEntry(
            pk=entry_id,
            expectation_id=case.pk,
            kind=kind,
            actor_id=actor,
            municipality_id=case.municipality_id,
            created_at=moment,
            from_status=old,
            to_status=new,
        )
        case.updated_at = moment
        case.review_version += 1
        if kind == "status":
            case.status = new
            case.status_changed_at = moment
            case.ngo_confirmed_at = None
            if new == "planned":
                case.target_date = (moment + datetime.timedelta(days=120)).date()
            if new in ("declined", "completed"):
                entry.text = (
                    "Bu talep belediyemizin görev alanı dışında kalmaktadır."
                    if new == "declined"
                    else "Çalışma tamamlandı; katkılarınız için teşekkür ederiz."
                )
        elif kind == "answer":
            entry.text = rng.choice(ANSWERS)
            if case.first_answered_at is None:
                case.first_answered_at = moment
        elif kind == "note":
            entry.text = rng.choice(NOTES)
        elif kind == "assignment":
            entry.assigned_to_id = actor
            case.assigned_to_id = actor
        elif kind == "referral":
            others = [
                m.pk for m in self.geo.by_province[ngo.province_id] if m.pk != case.municipality_id
            ]
            target = rng.choice(others) if others else case.municipality_id
            entry.to_municipality_id = target
            entry.text = "Konu diğer belediyenin sorumluluğundadır."
            case.municipality_id = target
            case.status = ExpectationStatus.REFERRED
            case.status_changed_at = moment
            case.assigned_to_id = None
        elif kind == "confirmation":
            entry.actor_id = self.admins.get(ngo.pk)
            case.ngo_confirmed_at = moment
        elif kind == "dispute":
            entry.actor_id = self.admins.get(ngo.pk)
            entry.text = "Çalışma yalnızca kısmen yapıldı; mahallemizde eksikler sürüyor."
            case.status = ExpectationStatus.UNDER_REVIEW
            case.status_changed_at = moment
            case.ngo_confirmed_at = None
        return entry


def seed_campaigns(rng, *, counts, geo, password, log):
    """Two campaigns (2025 and the closed 2024) with their submissions and review history."""
    campaign_2025 = Campaign.objects.filter(code="2025").first()
    campaigns = [c for c in [_campaign_2024(), campaign_2025] if c is not None]
    verified = list(
        NGO.objects.verified().order_by("pk").only("pk", "province_id", "municipality_id")
    )
    todo = []
    for campaign in campaigns:
        present = campaign.submissions.count()
        if present >= counts.submissions:
            _progress(log, f"campaign {campaign.code}: {present} submissions present, skipped")
        else:
            todo.append((campaign, counts.submissions - present))
    for remaining, (campaign, wanted) in zip(range(len(todo), 0, -1), todo, strict=True):
        taken = set(campaign.submissions.values_list("ngo_id", flat=True))
        candidates = [n for n in verified if n.pk not in taken]
        chosen = sorted(rng.sample(candidates, k=min(wanted, len(candidates))), key=lambda n: n.pk)
        # The history still missing, shared among the campaigns still to write.
        target = (counts.entries - ReviewEntry.objects.count()) // remaining
        writer = CaseWriter(rng, campaign, geo, entries_target=max(0, target))
        made, entries = writer.write(chosen, log)
        _progress(log, f"campaign {campaign.code}: {made} submissions, {entries} history entries")


def seed_programmes(rng, *, counts, geo, password, log):
    """One programme per sub-region (half held, half upcoming) with their registrations."""
    if Event.objects.filter(slug__startswith=PROGRAMME_SLUG).exists():
        _progress(log, "programmes present, skipped")
        return
    subregions = list(SubRegion.objects.order_by("code"))[: counts.programmes]
    campaign = Campaign.objects.filter(code="2025").first()
    coordinator = User.objects.filter(email="coordinator@demo.test").first()
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    # People who may register: NGO members for their NGO, staff for their municipality.
    people = []
    for user_id, ngo_id in Membership.objects.order_by("pk").values_list("user_id", "ngo_id"):
        people.append((user_id, ngo_id, None))
    for user_id, municipality_id in MunicipalStaff.objects.order_by("pk").values_list(
        "user_id", "municipality_id"
    ):
        people.append((user_id, None, municipality_id))
    seen, unique = set(), []
    for person in people:
        if person[0] not in seen:
            seen.add(person[0])
            unique.append(person)
    event_id, registration_id = _next_id(Event), _next_id(Registration)
    per_event = counts.registrations // len(subregions)
    extra = counts.registrations - per_event * len(subregions)
    events, registrations = [], []
    for index, subregion in enumerate(subregions):
        held = index % 2 == 0
        start = now + datetime.timedelta(days=(-200 + index * 10) if held else (20 + index * 7))
        start = start.replace(hour=7)
        host = subregion.host_province_id or geo.provinces[0].plate
        wanted = min(len(unique), per_event + (1 if index < extra else 0))
        capacity = max(1, round(wanted * rng.uniform(0.85, 1.3)))
        event = Event(
            pk=event_id,
            title=f"{subregion.name} Bölge Programı 2026",
            slug=f"{PROGRAMME_SLUG}{subregion.code}",
            subregion_id=subregion.pk,
            host_province_id=host,
            host_municipality_id=geo.top_level[host].pk if host in geo.top_level else None,
            venue=f"{subregion.name} Kongre ve Kültür Merkezi",
            address="Merkez",
            starts_at=start,
            ends_at=start + datetime.timedelta(hours=8),
            description="Belediyeler ve sivil toplum kuruluşlarının bölge buluşması.",
            capacity=capacity,
            registration_deadline=start - datetime.timedelta(days=2),
            campaign_id=campaign.pk if campaign else None,
            state=Event.State.HELD if held else Event.State.PLANNED,
            created_by_id=coordinator.pk if coordinator else None,
            created_at=start - datetime.timedelta(days=60),
            updated_at=start - datetime.timedelta(days=60),
        )
        taken, waitlist = 0, 0
        for user_id, ngo_id, municipality_id in rng.sample(unique, k=wanted):
            moment = start - datetime.timedelta(days=rng.randint(3, 50))
            registration = Registration(
                pk=registration_id,
                event_id=event_id,
                user_id=user_id,
                ngo_id=ngo_id,
                municipality_id=municipality_id,
                created_at=moment,
                updated_at=moment,
            )
            if rng.random() < 0.08:
                registration.status = Registration.Status.CANCELLED
            elif taken < capacity:
                taken += 1
                attended = held and rng.random() < 0.8
                registration.status = (
                    Registration.Status.ATTENDED if attended else Registration.Status.REGISTERED
                )
                if attended:
                    registration.checked_in_at = start - datetime.timedelta(minutes=15)
                    registration.checked_in_by_id = event.created_by_id
            else:
                waitlist += 1
                registration.status = Registration.Status.WAITLISTED
                registration.waitlist_position = waitlist
            registrations.append(registration)
            registration_id += 1
        event.seats_taken = taken
        if held:
            event.minutes_attendees = sum(
                1 for r in registrations if r.event_id == event_id and r.status == "attended"
            )
            event.minutes_summary = "Bölgenin öncelikli beklentileri görüşüldü."
        events.append(event)
        event_id += 1
    _insert(Event, events)
    _insert(Registration, registrations)
    _reset_sequences(Event, Registration)
    _progress(log, f"{len(events)} programmes, {len(registrations)} registrations")


STAGES = [seed_staff, seed_ngos, seed_members, seed_campaigns, seed_programmes]
STAGES.append(cooperation_protocols.seed_national_protocols)
STAGES.append(seed_national_activations)  # issue 16: demo/services/cooperation_activations.py


def national_present():
    """Whether national data has been added (its first stage's staff exist). The demo stages
    must not run again then: they would give every national NGO a 2025 submission."""
    return User.objects.filter(email__endswith=f"@{STAFF_DOMAIN}").exists()


def seed_national(*, seed=2025, factor=1.0, log=print):
    """Add the national-scale data to the demo data, stage by stage (each stage skips itself
    when its rows are present). Side effects: writes users, staff, NGOs, memberships, a 2024
    campaign, submissions, expectations, history entries, programmes and registrations."""
    counts = Counts(factor)
    geo = Geography()
    password = make_password(DEMO_PASSWORD)
    for stage in STAGES:
        started = time.monotonic()
        log(f"· {stage.__doc__.splitlines()[0]}")
        # Each stage draws from its own stream, so a skipped stage does not shift the others.
        rng = random.Random(f"{seed}-{stage.__name__}")
        with transaction.atomic():
            stage(rng, counts=counts, geo=geo, password=password, log=log)
        log(f"  ({time.monotonic() - started:.1f} s)")
