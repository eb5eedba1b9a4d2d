"""Demo data for a first run (``manage.py seed_demo``): accounts of every role around Erzurum.

Idempotent: every row is looked up by a natural key (email, slug) before it is created, so running
it twice changes nothing. Later features add their own stages to ``STAGES``.
"""

import datetime

from django.db import transaction
from django.utils import timezone

from demo.services import case_conversations, cooperation_protocols, ngo_documents
from demo.services.accounts import demo_user
from demo.services.cooperation_activations import seed_activations
from demo.services.programme_certificates import seed_certificates
from demo.services.programme_changes import seed_programme_changes
from municipalities.models import Municipality, MunicipalStaff, Province, SubRegion
from ngos.models import NGO, ActivityField, Capability, LegalForm, Membership
from portal.models import CoordinatorAssignment, User
from portal.turkish import tr_slugify

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


def seed_accounts():
    """The five demo accounts and their roles, plus colleagues around Erzurum."""
    erzurum_bb = Municipality.objects.get(province=ERZURUM, kind=Municipality.Kind.METROPOLITAN)
    if not erzurum_bb.website:
        erzurum_bb.website = "https://www.erzurum.bel.tr"
        erzurum_bb.save(update_fields=["website"])
    yakutiye = Municipality.objects.get(province=ERZURUM, district__name="Yakutiye")
    kars = Municipality.objects.get(province=36, kind=Municipality.Kind.PROVINCIAL)
    erzurum_kars = SubRegion.objects.get(provinces=ERZURUM)

    demo_user("admin@demo.test", "Site Yöneticisi", staff=True)
    coordinator = demo_user("coordinator@demo.test", "Ayşe Yıldırım")
    CoordinatorAssignment.objects.get_or_create(user=coordinator, subregion=None)
    regional = demo_user("regional@demo.test", "Mehmet Şahin")
    CoordinatorAssignment.objects.get_or_create(user=regional, subregion=erzurum_kars)

    for email, municipality, role in [
        ("municipality@demo.test", erzurum_bb, MunicipalStaff.Role.MANAGER),
        ("colleague@demo.test", erzurum_bb, MunicipalStaff.Role.STAFF),
        ("yakutiye@demo.test", yakutiye, MunicipalStaff.Role.MANAGER),
        ("kars@demo.test", kars, MunicipalStaff.Role.MANAGER),
    ]:
        name = dict(a[:2] for a in DEMO_ACCOUNTS).get(email) or EXTRA_PEOPLE[email]
        MunicipalStaff.objects.get_or_create(
            user=demo_user(email, name), municipality=municipality, defaults={"role": role}
        )
    # The demo managers' municipalities, and the host of the next programme, have contacts.
    seed_municipal_contacts()


# Public contact details of a few municipalities (addresses and phones in the style of the real
# ones; e-mail addresses under demo.test, so that no demo mail reaches a real office).
MUNICIPAL_CONTACTS = {
    (ERZURUM, "metropolitan", None): {
        "address": "Cumhuriyet Caddesi No: 1\nYakutiye / Erzurum",
        "phone": "0442 344 10 00",
        "email": "bilgi@erzurum-bb.demo.test",
        "ngo_unit": "Dış İlişkiler ve Sivil Toplum Şube Müdürlüğü",
        "ngo_contact_name": "Elif Karakaya",
        "ngo_contact_phone": "0442 344 12 50 (dahili 250)",
        "ngo_contact_email": "stk@erzurum-bb.demo.test",
    },
    (ERZURUM, "district", "Yakutiye"): {
        "address": "Yakutiye Belediyesi Hizmet Binası\nYakutiye / Erzurum",
        "phone": "0442 235 10 00",
        "email": "bilgi@yakutiye.demo.test",
        "ngo_unit": "Kültür ve Sosyal İşler Müdürlüğü",
        "ngo_contact_name": "Murat Aydın",
        "ngo_contact_phone": "0442 235 11 20",
        "ngo_contact_email": "stk@yakutiye.demo.test",
    },
    (36, "provincial", None): {
        "address": "Kars Belediyesi Hizmet Binası\nMerkez / Kars",
        "phone": "0474 212 10 00",
        "email": "bilgi@kars.demo.test",
        "website": "https://www.kars.bel.tr",
        "ngo_unit": "Basın Yayın ve Halkla İlişkiler Müdürlüğü",
        "ngo_contact_name": "Zeynep Arslan",
        "ngo_contact_phone": "0474 212 10 30",
        "ngo_contact_email": "stk@kars.demo.test",
    },
    (63, "metropolitan", None): {
        "address": "Şanlıurfa Büyükşehir Belediyesi Hizmet Binası\nHaliliye / Şanlıurfa",
        "phone": "444 63 63",
        "email": "bilgi@sanliurfa-bb.demo.test",
        "website": "https://www.sanliurfa.bel.tr",
        "ngo_unit": "Sivil Toplum ve Dış İlişkiler Daire Başkanlığı",
        "ngo_contact_name": "Hasan Yılmaz",
        "ngo_contact_phone": "0414 318 20 00",
        "ngo_contact_email": "stk@sanliurfa-bb.demo.test",
    },
}


def seed_municipal_contacts():
    """Contact details and the NGO desk of a few municipalities; fields already filled (by a
    manager) are kept."""
    for (plate, kind, district), values in MUNICIPAL_CONTACTS.items():
        municipality = Municipality.objects.filter(province=plate, kind=kind)
        if district:
            municipality = municipality.filter(district__name=district)
        municipality = municipality.get()
        blank = [field for field, value in values.items() if not getattr(municipality, field)]
        for field in blank:
            setattr(municipality, field, values[field])
        if blank:
            municipality.contacts_updated_at = timezone.now()
            municipality.save(update_fields=[*blank, "contacts_updated_at"])


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
                "municipality": Municipality.objects.serving(province, district),
                "status": status,
                "email": f"bilgi@{tr_slugify(name)[:40]}.org.tr",
                "phone": f"0 {400 + plate} 000 00 {len(ngos):02d}",
                "contacts_public": status == NGO.Status.VERIFIED and len(ngos) % 2 == 0,
            },
        )
        ngos[name] = ngo
    erzurum = Province.objects.get(plate=ERZURUM)
    erzurum_kars = list(erzurum.subregion.provinces.all())
    details = {
        "Erzurum Dadaşlar Dayanışma Derneği": (
            ["hemsehri", "sosyal-hizmetler"],
            [
                ("food_water", "any", 800, "meals_per_day", [erzurum]),
                ("volunteers", "earthquake", 150, "people", erzurum_kars),
            ],
        ),
        "Palandöken Arama Kurtarma Derneği": (
            ["afet-acil-durum"],
            [
                ("search_rescue", "earthquake", 35, "people", erzurum_kars),
                ("first_aid", "any", 20, "people", [erzurum]),
            ],
        ),
        "Erzurum Engelsiz Yaşam Vakfı": (
            ["engelli"],
            [("shelter", "earthquake", 40, "beds", [erzurum])],
        ),
        "Kars Kadın Girişimciler Derneği": (["kadin", "ekonomi-istihdam"], []),
    }
    fields = {f.code: f for f in ActivityField.objects.all()}
    for name, (field_codes, capabilities) in details.items():
        ngo = ngos[name]
        if ngo.capabilities.exists() or ngo.activity_fields.exists():
            continue
        ngo.activity_fields.set([fields[code] for code in field_codes])
        for kind, hazard, quantity, unit, provinces in capabilities:
            capability = Capability.objects.create(
                ngo=ngo, kind=kind, hazard=hazard, quantity=quantity, unit=unit
            )
            capability.provinces.set(provinces)
    for email, ngo_name, role in [
        ("ngo@demo.test", "Erzurum Dadaşlar Dayanışma Derneği", Membership.Role.ADMIN),
        ("ngo-member@demo.test", "Erzurum Dadaşlar Dayanışma Derneği", Membership.Role.MEMBER),
        ("akut@demo.test", "Palandöken Arama Kurtarma Derneği", Membership.Role.ADMIN),
    ]:
        name = dict(a[:2] for a in DEMO_ACCOUNTS).get(email) or EXTRA_PEOPLE[email]
        Membership.objects.get_or_create(
            user=demo_user(email, name), ngo=ngos[ngo_name], defaults={"role": role}
        )


# Themes of the directory's NGOs: (name pattern, legal form, fields of activity, capabilities as
# (kind, hazard, quantity, unit)). "{place}" is the province or district name.
NGO_THEMES = [
    (
        "{place} Arama Kurtarma Derneği",
        LegalForm.ASSOCIATION,
        ["afet-acil-durum"],
        [("search_rescue", "earthquake", 40, "people"), ("first_aid", "any", 25, "people")],
    ),
    (
        "{place} Gençlik ve Spor Kulübü Derneği",
        LegalForm.ASSOCIATION,
        ["spor", "cocuk-genclik"],
        [("volunteers", "any", 120, "people")],
    ),
    (
        "{place} Kadın Dayanışma Derneği",
        LegalForm.ASSOCIATION,
        ["kadin", "sosyal-hizmetler"],
        [("psychosocial", "earthquake", 15, "people"), ("food_water", "any", 500, "meals_per_day")],
    ),
    (
        "{place} Eğitim ve Kültür Vakfı",
        LegalForm.FOUNDATION,
        ["egitim", "kultur-sanat"],
        [("shelter", "flood", 60, "beds")],
    ),
    (
        "{place} Hemşehri Dernekleri Federasyonu",
        LegalForm.FEDERATION,
        ["hemsehri"],
        [("logistics", "any", 8, "vehicles"), ("fundraising", "any", 250000, "liras")],
    ),
    ("{place} Engelliler Derneği", LegalForm.ASSOCIATION, ["engelli", "sosyal-hizmetler"], []),
    (
        "{place} Doğa ve Çevre Derneği",
        LegalForm.ASSOCIATION,
        ["cevre"],
        [("equipment", "fire", 30, "pieces"), ("volunteers", "fire", 45, "people")],
    ),
    (
        "{place} Tarımsal Kalkınma Kooperatifi",
        LegalForm.COOPERATIVE,
        ["tarim-kirsal"],
        [("food_water", "drought", 20000, "litres_per_day")],
    ),
]


def seed_directory():
    """Verified NGOs in every sub-region (five each), with fields and disaster capabilities."""
    fields = {f.code: f for f in ActivityField.objects.all()}
    subregions = SubRegion.objects.prefetch_related("provinces__districts").order_by("code")
    theme_index = 0
    for subregion in subregions:
        provinces = sorted(
            subregion.provinces.all(), key=lambda p: p.plate != subregion.host_province_id
        )
        for n in range(5):
            province = provinces[n % len(provinces)]
            districts = sorted(
                (d for d in province.districts.all() if not d.is_central),
                key=lambda d: -(d.population or 0),
            ) or list(province.districts.all())
            district = districts[n % len(districts)] if n % 2 else None
            place = district.name if district else province.name
            pattern, form, field_codes, capabilities = NGO_THEMES[theme_index % len(NGO_THEMES)]
            theme_index += 1
            name = pattern.format(place=place)
            registry = (
                f"{province.plate:02d}-{theme_index:03d}-{100 + n}"
                if form in (LegalForm.ASSOCIATION, LegalForm.FOUNDATION, LegalForm.FEDERATION)
                else ""
            )
            accredited = any(kind == "search_rescue" for kind, *_ in capabilities)
            ngo, created = NGO.objects.get_or_create(
                slug=tr_slugify(name),
                defaults={
                    "name": name,
                    "legal_form": form,
                    "registry_number": registry,
                    "province": province,
                    "district": district,
                    "municipality": Municipality.objects.serving(province, district),
                    "status": NGO.Status.VERIFIED,
                    "founding_year": 1975 + (theme_index * 7) % 48,
                    "members_count": 40 + (theme_index * 37) % 900,
                    "volunteers_count": 10 + (theme_index * 13) % 300,
                    "contacts_public": theme_index % 3 != 0,
                    "email": f"iletisim@{tr_slugify(name)[:40]}.org.tr",
                    "phone": f"0 {400 + province.plate} 000 {theme_index:02d} {n:02d}",
                    "afad_accredited": accredited,
                    "afad_group": "Arama kurtarma — orta seviye" if accredited else "",
                    "description": (
                        f"{name}, {province.name} ilinde yerel halkla birlikte çalışan bir "
                        "sivil toplum kuruluşudur."
                    ),
                },
            )
            if not created:
                continue
            ngo.activity_fields.set([fields[code] for code in field_codes if code in fields])
            for kind, hazard, quantity, unit in capabilities:
                capability = Capability.objects.create(
                    ngo=ngo, kind=kind, hazard=hazard, quantity=quantity, unit=unit
                )
                capability.provinces.set(subregion.provinces.all())


# (category code, title, description, what the NGO offers)
EXPECTATION_POOL = [
    (
        "AFET-DEP-HAZ",
        "Mahalle afet gönüllüsü eğitimleri",
        "Mahallelerde yılda iki kez temel afet bilinci ve ilk yardım eğitimi düzenlenmesini, "
        "toplanma alanlarının tabelalarla işaretlenmesini bekliyoruz.",
        "Eğitmen gönüllülerimizle eğitimlere destek veririz.",
    ),
    (
        "AFET-DEP-MUD",
        "Afet anında STK'larla ortak koordinasyon masası",
        "Afet koordinasyon merkezinde STK'lara ayrılmış bir masa ve ortak iletişim kanalı "
        "kurulmasını istiyoruz.",
        "Arama kurtarma ekibimizi masaya bağlarız.",
    ),
    (
        "AFET-DEP-RISK",
        "Okul ve dernek binalarının deprem dayanıklılık taraması",
        "Dernek lokallerinin ve sık kullanılan binaların deprem dayanıklılığının "
        "belediye mühendislerince taranmasını bekliyoruz.",
        "",
    ),
    (
        "AFET-SEL-RISK",
        "Dere yataklarının temizlenmesi",
        "Her bahar öncesi dere yataklarının ve menfezlerin temizlenmesini, taşkın riskli "
        "sokakların haritalanmasını istiyoruz.",
        "Gönüllülerimizle temizlik kampanyası yaparız.",
    ),
    (
        "AFET-YAN-HAZ",
        "Orman yangınlarına karşı gönüllü ekipman deposu",
        "Yangın sezonu öncesi gönüllüler için ekipman deposu ve eğitim verilmesini talep ediyoruz.",
        "Eğitimli 30 gönüllü sağlarız.",
    ),
    (
        "AFET-KUR-RISK",
        "Yağmur suyu hasadı için destek",
        "Kamu binalarında ve parklarda yağmur suyu toplama sistemleri kurulmasını bekliyoruz.",
        "",
    ),
    (
        "MEKAN-SALON",
        "Toplantı salonlarının ücretsiz kullanımı",
        "Belediyeye ait salonların ayda en az iki kez STK toplantılarına ücretsiz açılmasını "
        "bekliyoruz.",
        "Etkinliklerimizi herkese açık düzenleriz.",
    ),
    (
        "MEKAN-OFIS",
        "Dernek merkezi için yer tahsisi",
        "Kira yükü nedeniyle faaliyetlerimizi sürdürmekte zorlanıyoruz; uygun bir mekânın "
        "tahsis edilmesini talep ediyoruz.",
        "Mekânı diğer STK'larla paylaşırız.",
    ),
    (
        "DESTEK-HIBE",
        "STK projelerine küçük hibe programı",
        "Yerel STK projeleri için şeffaf kriterlerle yıllık küçük hibe programı açılmasını "
        "istiyoruz.",
        "",
    ),
    (
        "DESTEK-AYNI",
        "Etkinlikler için araç ve ses sistemi desteği",
        "Yılda birkaç etkinlik için belediye araçlarının ve ses sisteminin kullandırılmasını "
        "bekliyoruz.",
        "",
    ),
    (
        "ALTYAPI-ERISIM",
        "Kaldırımların engelli erişimine uygun hale getirilmesi",
        "Merkezdeki kaldırım rampalarının ve hissedilebilir yüzeylerin tamamlanmasını istiyoruz.",
        "Erişilebilirlik denetimine gönüllü katılırız.",
    ),
    (
        "SOSYAL-YASLI-ENGELLI",
        "Yaşlılara evde bakım ziyaretleri",
        "Yalnız yaşayan yaşlılar için düzenli evde bakım ve sosyal ziyaret programı bekliyoruz.",
        "Ziyaretlere gönüllü göndeririz.",
    ),
    (
        "SOSYAL-YOKSULLUK",
        "Gıda bankasının STK'larla ortak yönetimi",
        "Gıda bankasının ihtiyaç listelerinin STK'larla paylaşılmasını ve dağıtımın ortak "
        "planlanmasını istiyoruz.",
        "Dağıtım gönüllüleri sağlarız.",
    ),
    (
        "KULTUR-ETKINLIK",
        "Yerel kültür festivaline STK katılımı",
        "Kent festivallerinde STK'lara tanıtım alanı ayrılmasını bekliyoruz.",
        "",
    ),
    (
        "SPOR-GENCLIK",
        "Gençlik merkezinde akşam programları",
        "Gençlik merkezinin akşam saatlerinde açık olmasını ve STK'larla ortak program "
        "yapılmasını istiyoruz.",
        "Atölyeler düzenleriz.",
    ),
    (
        "CEVRE-ATIK",
        "Mahallelerde geri dönüşüm noktaları",
        "Her mahallede ayrıştırılmış atık toplama noktası kurulmasını bekliyoruz.",
        "",
    ),
    (
        "KATILIM-KENTKONSEYI",
        "Kent konseyi çalışma gruplarına katılım",
        "Kent konseyi çalışma gruplarına STK'ların düzenli davet edilmesini istiyoruz.",
        "",
    ),
    (
        "ILETISIM-ISTISARE",
        "Üç ayda bir STK istişare toplantısı",
        "Belediye başkanı ve birim müdürleriyle üç ayda bir STK istişare toplantısı "
        "yapılmasını bekliyoruz.",
        "Gündem önerilerimizi önceden iletiriz.",
    ),
    (
        "ILETISIM-YANIT",
        "Başvurulara 30 gün içinde yanıt",
        "STK başvurularına en geç 30 gün içinde yazılı yanıt verilmesini istiyoruz.",
        "",
    ),
    (
        "KAPASITE-EGITIM",
        "Proje yazma eğitimi",
        "STK'lara proje yazma ve hibe başvurusu eğitimi verilmesini bekliyoruz.",
        "",
    ),
    (
        "HEMSEHRI-ISBIRLIGI",
        "Hemşehri derneklerinin şehir tanıtımına katılımı",
        "Şehir tanıtım etkinliklerinde hemşehri derneklerine görev verilmesini istiyoruz.",
        "Büyükşehirlerdeki üyelerimizi seferber ederiz.",
    ),
]


def seed_survey():
    """An open national campaign with submissions from most NGOs (a few left as drafts)."""
    from surveys.models import Campaign, Category, Expectation, Submission, SubmissionRevision
    from surveys.taxonomy import taxonomy_load

    taxonomy_load()
    campaign, created = Campaign.objects.get_or_create(
        code="2025",
        defaults={
            "title": "2025 Beş Beklenti Anketi",
            "instructions": (
                "Derneğinizin ya da vakfınızın belediyelerden en önemli beş talep ve beklentisini "
                "önem sırasına göre yazınız. Her beklentiyi ilgili belediyeye yöneltiniz; "
                "afetlerle ilgili beklentilerde tehlike türünü seçiniz."
            ),
            "is_national": True,
            "opens_at": datetime.datetime(2025, 4, 1, 9, 0, tzinfo=datetime.UTC),
            # Open for a year from the first run, closing at 18:00 Türkiye time.
            "closes_at": datetime.datetime.combine(
                timezone.localdate() + datetime.timedelta(days=365),
                datetime.time(18, 0),
                tzinfo=timezone.get_current_timezone(),
            ),
            "created_by": User.objects.get(email="coordinator@demo.test"),
        },
    )
    if created:
        campaign.categories.set(Category.objects.filter(is_active=True))
    categories = {c.code: c for c in Category.objects.all()}
    ngos = list(
        NGO.objects.verified()
        .exclude(submissions__campaign=campaign)
        .select_related("province", "municipality")
        .order_by("pk")
    )
    top_level = {
        m.province_id: m
        for m in Municipality.objects.filter(
            kind__in=[Municipality.Kind.METROPOLITAN, Municipality.Kind.PROVINCIAL]
        )
    }
    submitter = {m.ngo_id: m.user for m in Membership.objects.filter(role=Membership.Role.ADMIN)}
    for index, ngo in enumerate(ngos):
        draft = index % 7 == 3
        submission = Submission.objects.create(
            campaign=campaign, ngo=ngo, updated_by=submitter.get(ngo.pk)
        )
        count = 2 if draft else 5
        for rank in range(1, count + 1):
            code, title, description, offer = EXPECTATION_POOL[
                (index * 3 + rank * 5) % len(EXPECTATION_POOL)
            ]
            category = categories[code]
            municipality = (
                top_level[ngo.province_id] if rank % 2 or not ngo.municipality else ngo.municipality
            )
            Expectation.objects.create(
                submission=submission,
                rank=rank,
                category=category,
                title=title,
                description=description,
                offer=offer,
                municipality=municipality,
                hazard=category.hazard,
            )
        if not draft:
            submitted_at = campaign.opens_at + datetime.timedelta(days=40 + index % 30)
            Submission.objects.filter(pk=submission.pk).update(
                status=Submission.Status.SUBMITTED,
                submitted_at=submitted_at,
                submitted_by=submitter.get(ngo.pk),
                receipt_number=f"{campaign.code.upper()}-{submission.pk:06d}",
                version=2,
            )
            submission.items.update(is_case=True)  # an update() bypasses Submission.save
            revision = SubmissionRevision.objects.create(
                submission=submission,
                kind=SubmissionRevision.Kind.SUBMITTED,
                user=submitter.get(ngo.pk),
            )
            SubmissionRevision.objects.filter(pk=revision.pk).update(created_at=submitted_at)


def seed_review():
    """Cases in every status in Erzurum Büyükşehir Belediyesi's inbox: answers, internal notes,
    assignments, a referral from Yakutiye, a confirmed and a disputed completion."""
    from surveys.models import Expectation, ReviewEntry
    from surveys.services import review

    erzurum_bb = Municipality.objects.get(province=ERZURUM, kind=Municipality.Kind.METROPOLITAN)
    inbox = Expectation.objects.cases().filter(municipality=erzurum_bb)
    if ReviewEntry.objects.filter(municipality=erzurum_bb).exists():
        return
    staff = User.objects.get(email="municipality@demo.test")
    colleague = User.objects.get(email="colleague@demo.test")
    ngo_admin = User.objects.get(email="ngo@demo.test")
    own = list(inbox.filter(submission__ngo__memberships__user=ngo_admin).order_by("rank"))
    others = list(inbox.exclude(pk__in=[e.pk for e in own]).order_by("submission_id", "rank"))

    def status(case, to, text="", **extra):
        review.expectation_change_status(
            expectation_id=case.pk,
            expected_version=None,
            user=staff,
            to_status=to,
            text=text,
            **extra,
        )

    def answer(case, text):
        review.expectation_answer(
            expectation_id=case.pk, expected_version=None, user=staff, text=text
        )

    # The demo NGO's own cases: one completed and confirmed, one completed then disputed.
    done, disputed = own[0], own[1]
    answer(done, "Talebiniz değerlendirildi; yaz döneminde uygulanacaktır.")
    status(done, "accepted")
    status(done, "completed", "Çalışma tamamlandı; teşekkür ederiz.")
    review.expectation_ngo_confirm(expectation_id=done.pk, user=ngo_admin)
    status(disputed, "accepted")
    status(disputed, "completed", "Toplantı salonu tahsis edildi.")
    review.expectation_ngo_dispute(
        expectation_id=disputed.pk,
        user=ngo_admin,
        text="Salon yalnızca bir kez verildi; düzenli kullanım sağlanmadı.",
    )
    if len(own) > 2:
        answer(
            own[2], "Konuyu ilgili daire başkanlığımıza ilettik, en kısa sürede dönüş yapacağız."
        )

    plan = iter(others)
    case = next(plan)
    status(case, "under_review")
    review.expectation_add_note(
        expectation_id=case.pk, user=staff, text="Fen İşleri ile görüşülecek; bütçe sınırlı."
    )
    review.expectation_assign(
        expectation_id=case.pk, expected_version=None, user=staff, assignee=colleague
    )
    case = next(plan)
    status(case, "accepted")
    answer(case, "Beklentinizi kabul ettik; takvimi birlikte planlayalım.")
    case = next(plan)
    status(case, "planned", target_date=timezone.localdate() + datetime.timedelta(days=90))
    case = next(plan)
    status(case, "accepted")
    status(case, "in_progress")
    review.expectation_assign(
        expectation_id=case.pk, expected_version=None, user=staff, assignee=staff
    )
    case = next(plan)
    status(case, "declined", "Bu talep belediyemizin görev alanı dışında kalmaktadır.")
    case = next(plan)
    status(case, "accepted")
    status(case, "completed", "Eğitim programı ekim ayında tamamlandı.")

    # A referral: Yakutiye sends one of its cases up to the metropolitan municipality.
    yakutiye_staff = User.objects.get(email="yakutiye@demo.test")
    referred = Expectation.objects.cases().filter(municipality__name="Yakutiye Belediyesi").first()
    if referred is not None:
        review.expectation_refer(
            expectation_id=referred.pk,
            expected_version=None,
            user=yakutiye_staff,
            to_municipality=erzurum_bb,
            text="Konu büyükşehir belediyesinin sorumluluğundadır.",
        )


def seed_programmes():
    """The Erzurum programme of 12 May 2025 as held, and upcoming programmes elsewhere."""
    from demo.services.programmes import seed_events

    seed_events()


# The closed 2024 round: the same category codes as 2025, ranked otherwise, so that a report
# comparing the two campaigns shows real differences. National-scale data (demo/services/
# national.py) adds to the same campaign (code "2024").
CAMPAIGN_2024_TITLE = "2024 Beş Beklenti Anketi"
# Who took part in 2024: the NGOs of Erzurum's sub-region and one in four elsewhere, so that
# participation differs too (and national-scale data still has room to add its own).
SUBREGION_2024 = "14"
ONE_IN_2024 = 4


def seed_survey_2024():
    """A closed 2024 campaign with answered submissions, for comparing cycles in the reports."""
    from surveys.models import Campaign, Category, Expectation, Submission

    campaign, created = Campaign.objects.get_or_create(
        code="2024",
        defaults={
            "title": CAMPAIGN_2024_TITLE,
            "instructions": "Derneğinizin belediyelerden en önemli beş beklentisini yazınız.",
            "is_national": True,
            "opens_at": datetime.datetime(2024, 4, 1, 6, 0, tzinfo=datetime.UTC),
            "closes_at": datetime.datetime(2024, 6, 30, 15, 0, tzinfo=datetime.UTC),
            "created_by": User.objects.get(email="coordinator@demo.test"),
        },
    )
    if created:
        campaign.categories.set(Category.objects.filter(is_active=True))
    if campaign.submissions.exists():
        return
    categories = {c.code: c for c in Category.objects.all()}
    top_level = {
        m.province_id: m
        for m in Municipality.objects.filter(
            kind__in=[Municipality.Kind.METROPOLITAN, Municipality.Kind.PROVINCIAL]
        )
    }
    ngos = list(
        NGO.objects.verified().select_related("municipality", "province__subregion").order_by("pk")
    )
    # The demo accounts' own NGOs joined after 2024: their pages show the current round only.
    joined_later = set(
        Membership.objects.filter(user__email__endswith="@demo.test").values_list(
            "ngo_id", flat=True
        )
    )
    for index, ngo in enumerate(ngos):
        took_part = ngo.province.subregion.code == SUBREGION_2024 or index % ONE_IN_2024 == 0
        if not took_part or ngo.pk in joined_later:
            continue
        submitted_at = campaign.opens_at + datetime.timedelta(days=20 + index % 40)
        submission = Submission.objects.create(
            campaign=campaign,
            ngo=ngo,
            status=Submission.Status.SUBMITTED,
            submitted_at=submitted_at,
            receipt_number=f"{campaign.code}-{ngo.pk:06d}",
        )
        for rank in range(1, 6):
            # Another walk through the pool than 2025's: other categories lead.
            code, title, description, offer = EXPECTATION_POOL[
                (index * 5 + rank * 7 + 4) % len(EXPECTATION_POOL)
            ]
            case = Expectation.objects.create(
                submission=submission,
                rank=rank,
                category=categories[code],
                title=title,
                description=description,
                offer=offer,
                municipality=(
                    top_level[ngo.province_id]
                    if rank % 2 or not ngo.municipality
                    else ngo.municipality
                ),
                hazard=categories[code].hazard,
            )
            answered_at = submitted_at + datetime.timedelta(days=3 + (index + rank) % 25)
            completed = rank <= 3 or index % 2 == 0
            _close_2024_case(case, answered_at=answered_at, completed=completed)


# What the municipalities answered and how they closed the 2024 cases.
ANSWER_2024 = "Talebiniz değerlendirmeye alındı; sonucu size bildireceğiz."
COMPLETED_2024 = "Talep karşılandı; iş birliğiniz için teşekkür ederiz."
DECLINED_2024 = "Bu yılın bütçesinde karşılanamadı; gelecek dönemde yeniden ele alınacak."


def _close_2024_case(case, *, answered_at, completed):
    """A closed round leaves nothing open: a public answer, then completed or declined, with
    their history entries at the times they happened."""
    from surveys.models import ExpectationStatus, ReviewEntry

    closed_at = answered_at + datetime.timedelta(days=30)
    status = ExpectationStatus.COMPLETED if completed else ExpectationStatus.DECLINED
    entries = [
        (answered_at, {"kind": ReviewEntry.Kind.ANSWER, "text": ANSWER_2024}),
        (
            closed_at,
            {
                "kind": ReviewEntry.Kind.STATUS,
                "from_status": ExpectationStatus.NEW,
                "to_status": status,
                "text": COMPLETED_2024 if completed else DECLINED_2024,
            },
        ),
    ]
    for moment, fields in entries:
        entry = ReviewEntry.objects.create(
            expectation=case, municipality=case.municipality, **fields
        )
        ReviewEntry.objects.filter(pk=entry.pk).update(created_at=moment)
    type(case).objects.filter(pk=case.pk).update(
        status=status,
        first_answered_at=answered_at,
        status_changed_at=closed_at,
        review_version=case.review_version + len(entries),
    )


STAGES = [
    seed_accounts,
    seed_ngos,
    seed_directory,
    seed_survey,
    seed_review,
    seed_programmes,
    seed_survey_2024,
]
STAGES.append(seed_activations)  # issue 16: demo/services/cooperation_activations.py
STAGES.append(seed_programme_changes)  # issue 18: demo/services/programme_changes.py
STAGES.append(seed_certificates)  # issue 18: demo/services/programme_certificates.py


@transaction.atomic
def seed_demo(*, log=print):
    """Run every demo stage in order (idempotent)."""
    for stage in STAGES:
        log(f"· {stage.__doc__.splitlines()[0]}")
        stage()
    cooperation_protocols.seed_protocols(log=log)
    case_conversations.seed_case_conversation(log=log)  # issue 18
    ngo_documents.seed_ngo_documents(log=log)  # issue 18
