"""Demo data for a first run (``manage.py seed_demo``): accounts of every role around Erzurum.

Idempotent: every row is looked up by a natural key (email, slug) before it is created, so running
it twice changes nothing. Later features add their own stages to ``STAGES``.
"""

from allauth.account.models import EmailAddress
from django.db import transaction

from municipalities.models import Municipality, MunicipalStaff, Province, SubRegion
from ngos.models import NGO, LegalForm, Membership
from portal.models import CoordinatorAssignment, User
from portal.turkish import tr_slugify

DEMO_PASSWORD = "demo-pass-2025"  # noqa: S105 (published demo password, see README)
ERZURUM = 25

# (email, full name, what they are) — the accounts the README lists.
DEMO_ACCOUNTS = [
    ("admin@demo.test", "Site Yöneticisi", "site administrator"),
    ("coordinator@demo.test", "Ayşe Yıldırım", "national coordinator"),
    ("regional@demo.test", "Mehmet Şahin", "coordinator of sub-region Erzurum-Kars"),
    ("ngo@demo.test", "Zeynep Aydın", "admin of Erzurum Dadaşlar Dayanışma Derneği"),
    ("municipality@demo.test", "Ömer Çelik", "manager at Erzurum Büyükşehir Belediyesi"),
]

# Further people around Erzurum: (email, full name).
EXTRA_PEOPLE = {
    "ngo-member@demo.test": "İbrahim Kılıç",
    "akut@demo.test": "Gülşen Öztürk",
    "colleague@demo.test": "Şükrü Doğan",
    "yakutiye@demo.test": "Hatice Güneş",
    "kars@demo.test": "Cemil Özdemir",
}

# (name, legal form, registry number, plate, district or None, status)
DEMO_NGOS = [
    (
        "Erzurum Dadaşlar Dayanışma Derneği",
        LegalForm.ASSOCIATION,
        "25-001-045",
        25,
        "Yakutiye",
        NGO.Status.VERIFIED,
    ),
    (
        "Palandöken Arama Kurtarma Derneği",
        LegalForm.ASSOCIATION,
        "25-014-112",
        25,
        "Palandöken",
        NGO.Status.VERIFIED,
    ),
    (
        "Oltu Kültür ve Dayanışma Derneği",
        LegalForm.ASSOCIATION,
        "25-022-310",
        25,
        "Oltu",
        NGO.Status.VERIFIED,
    ),
    (
        "Erzurum Engelsiz Yaşam Vakfı",
        LegalForm.FOUNDATION,
        "VGM-2514",
        25,
        "Aziziye",
        NGO.Status.VERIFIED,
    ),
    (
        "Kars Kadın Girişimciler Derneği",
        LegalForm.ASSOCIATION,
        "36-001-078",
        36,
        "Merkez",
        NGO.Status.VERIFIED,
    ),
    ("Ağrı Gençlik ve Spor Derneği", LegalForm.ASSOCIATION, "", 4, "Merkez", NGO.Status.PENDING),
]


def _user(email, full_name, *, staff=False):
    user, created = User.objects.get_or_create(
        email=email,
        defaults={"full_name": full_name, "is_staff": staff, "is_superuser": staff},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _municipality_for(province, district):
    """The municipality that serves a district: the district's own, else the provincial one."""
    if district is not None and not district.is_central:
        return Municipality.objects.get(kind=Municipality.Kind.DISTRICT, district=district)
    return Municipality.objects.get(
        province=province,
        kind__in=[Municipality.Kind.METROPOLITAN, Municipality.Kind.PROVINCIAL],
    )


def seed_accounts():
    """The five demo accounts and their roles, plus colleagues around Erzurum."""
    erzurum_bb = Municipality.objects.get(province=ERZURUM, kind=Municipality.Kind.METROPOLITAN)
    if not erzurum_bb.website:
        erzurum_bb.website = "https://www.erzurum.bel.tr"
        erzurum_bb.save(update_fields=["website"])
    yakutiye = Municipality.objects.get(province=ERZURUM, district__name="Yakutiye")
    kars = Municipality.objects.get(province=36, kind=Municipality.Kind.PROVINCIAL)
    erzurum_kars = SubRegion.objects.get(provinces=ERZURUM)

    _user("admin@demo.test", "Site Yöneticisi", staff=True)
    coordinator = _user("coordinator@demo.test", "Ayşe Yıldırım")
    CoordinatorAssignment.objects.get_or_create(user=coordinator, subregion=None)
    regional = _user("regional@demo.test", "Mehmet Şahin")
    CoordinatorAssignment.objects.get_or_create(user=regional, subregion=erzurum_kars)

    for email, municipality, role in [
        ("municipality@demo.test", erzurum_bb, MunicipalStaff.Role.MANAGER),
        ("colleague@demo.test", erzurum_bb, MunicipalStaff.Role.STAFF),
        ("yakutiye@demo.test", yakutiye, MunicipalStaff.Role.MANAGER),
        ("kars@demo.test", kars, MunicipalStaff.Role.MANAGER),
    ]:
        name = dict(a[:2] for a in DEMO_ACCOUNTS).get(email) or EXTRA_PEOPLE[email]
        MunicipalStaff.objects.get_or_create(
            user=_user(email, name), municipality=municipality, defaults={"role": role}
        )


def seed_ngos():
    """A few NGOs around Erzurum and Kars with their people."""
    ngos = {}
    for name, form, registry, plate, district_name, status in DEMO_NGOS:
        province = Province.objects.get(plate=plate)
        district = province.districts.get(name=district_name) if district_name else None
        ngo, _ = NGO.objects.get_or_create(
            slug=tr_slugify(name),
            defaults={
                "name": name,
                "legal_form": form,
                "registry_number": registry,
                "province": province,
                "district": district,
                "municipality": _municipality_for(province, district),
                "status": status,
            },
        )
        ngos[name] = ngo
    for email, ngo_name, role in [
        ("ngo@demo.test", "Erzurum Dadaşlar Dayanışma Derneği", Membership.Role.ADMIN),
        ("ngo-member@demo.test", "Erzurum Dadaşlar Dayanışma Derneği", Membership.Role.MEMBER),
        ("akut@demo.test", "Palandöken Arama Kurtarma Derneği", Membership.Role.ADMIN),
    ]:
        name = dict(a[:2] for a in DEMO_ACCOUNTS).get(email) or EXTRA_PEOPLE[email]
        Membership.objects.get_or_create(
            user=_user(email, name), ngo=ngos[ngo_name], defaults={"role": role}
        )


STAGES = [seed_accounts, seed_ngos]


@transaction.atomic
def seed_demo(*, log=print):
    """Run every demo stage in order (idempotent)."""
    for stage in STAGES:
        log(f"· {stage.__doc__.splitlines()[0]}")
        stage()
