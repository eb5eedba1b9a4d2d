"""The default expectation taxonomy (themes → categories) with stable codes.

Codes never change, so later campaigns compare with earlier ones; names may be edited in the admin.
Loading creates what is missing and changes nothing that exists.
"""

from django.db import transaction

# (theme code, Turkish, English, [(category code, Turkish, English, hazard, phase)])
THEMES = [
    (
        "AFET",
        "Afet hazırlığı ve müdahale",
        "Disaster preparedness and response",
        [
            (
                "AFET-DEP-RISK",
                "Deprem: riskli yapıların güçlendirilmesi ve kentsel dönüşüm",
                "Earthquake: strengthening risky buildings and urban renewal",
                "earthquake",
                "risk_reduction",
            ),
            (
                "AFET-DEP-HAZ",
                "Deprem: afet eğitimi, tatbikat ve toplanma alanları",
                "Earthquake: disaster training, drills and assembly areas",
                "earthquake",
                "preparedness",
            ),
            (
                "AFET-DEP-MUD",
                "Deprem: arama kurtarma ve müdahalede eşgüdüm",
                "Earthquake: coordinating search, rescue and response",
                "earthquake",
                "response",
            ),
            (
                "AFET-DEP-IYI",
                "Deprem: barınma, psikososyal destek ve iyileştirme",
                "Earthquake: shelter, psychosocial support and recovery",
                "earthquake",
                "recovery",
            ),
            (
                "AFET-SEL-RISK",
                "Sel: dere ıslahı, yağmur suyu ve taşkın önlemleri",
                "Flood: stream rehabilitation, rainwater and flood defences",
                "flood",
                "risk_reduction",
            ),
            (
                "AFET-SEL-HAZ",
                "Sel: erken uyarı ve tahliye planları",
                "Flood: early warning and evacuation plans",
                "flood",
                "preparedness",
            ),
            (
                "AFET-SEL-MUD",
                "Sel: tahliye, barınma ve temizlik desteği",
                "Flood: evacuation, shelter and clean-up support",
                "flood",
                "response",
            ),
            (
                "AFET-YAN-HAZ",
                "Yangın: orman yangını gönüllüleri ve ekipman",
                "Fire: wildfire volunteers and equipment",
                "fire",
                "preparedness",
            ),
            (
                "AFET-YAN-MUD",
                "Yangın: müdahalede gönüllü eşgüdümü",
                "Fire: coordinating volunteers in the response",
                "fire",
                "response",
            ),
            (
                "AFET-YAN-IYI",
                "Yangın: yanan alanların ağaçlandırılması ve geçim desteği",
                "Fire: reforestation and livelihood support after fires",
                "fire",
                "recovery",
            ),
            (
                "AFET-KUR-RISK",
                "Kuraklık: su tasarrufu ve yağmur suyu hasadı",
                "Drought: saving water and rainwater harvesting",
                "drought",
                "risk_reduction",
            ),
            (
                "AFET-KUR-IYI",
                "Kuraklık: çiftçilere ve hayvancılığa destek",
                "Drought: support for farmers and livestock",
                "drought",
                "recovery",
            ),
        ],
    ),
    (
        "MEKAN",
        "Toplantı ve faaliyet alanları",
        "Meeting and activity spaces",
        [
            ("MEKAN-OFIS", "Dernek merkezi ve ofis tahsisi", "Premises and office space", "", ""),
            (
                "MEKAN-SALON",
                "Toplantı ve etkinlik salonu kullanımı",
                "Use of meeting and event halls",
                "",
                "",
            ),
            (
                "MEKAN-ACIK",
                "Açık alan, park ve meydan kullanımı",
                "Use of open spaces, parks and squares",
                "",
                "",
            ),
        ],
    ),
    (
        "DESTEK",
        "Hibe ve ayni destek",
        "Grants and in-kind support",
        [
            (
                "DESTEK-HIBE",
                "Proje hibeleri ve mali destek",
                "Project grants and financial support",
                "",
                "",
            ),
            (
                "DESTEK-AYNI",
                "Ayni destek: araç, malzeme ve ekipman",
                "In-kind support: vehicles, materials and equipment",
                "",
                "",
            ),
            (
                "DESTEK-ORTAK",
                "Ortak projeler ve fon başvuruları",
                "Joint projects and funding applications",
                "",
                "",
            ),
        ],
    ),
    (
        "ALTYAPI",
        "Altyapı ve ulaşım",
        "Infrastructure and transport",
        [
            (
                "ALTYAPI-ERISIM",
                "Yol, kaldırım ve erişilebilirlik",
                "Roads, pavements and accessibility",
                "",
                "",
            ),
            ("ALTYAPI-ULASIM", "Toplu taşıma", "Public transport", "", ""),
            (
                "ALTYAPI-SU",
                "Su, kanalizasyon ve temizlik hizmetleri",
                "Water, sewerage and sanitation services",
                "",
                "",
            ),
        ],
    ),
    (
        "SOSYAL",
        "Sosyal hizmetler",
        "Social services",
        [
            (
                "SOSYAL-YASLI-ENGELLI",
                "Yaşlı ve engelli hizmetleri",
                "Services for the elderly and people with disabilities",
                "",
                "",
            ),
            (
                "SOSYAL-YOKSULLUK",
                "Yoksullukla mücadele ve gıda desteği",
                "Fighting poverty and food support",
                "",
                "",
            ),
            (
                "SOSYAL-GOC",
                "Göçmen ve mülteci uyumu",
                "Integration of migrants and refugees",
                "",
                "",
            ),
            (
                "SOSYAL-KADIN-COCUK",
                "Kadın ve çocuklara yönelik hizmetler",
                "Services for women and children",
                "",
                "",
            ),
        ],
    ),
    (
        "KULTUR",
        "Kültür ve sanat",
        "Culture and arts",
        [
            (
                "KULTUR-ETKINLIK",
                "Kültür ve sanat etkinlikleri",
                "Cultural and artistic events",
                "",
                "",
            ),
            ("KULTUR-MIRAS", "Kültürel mirasın korunması", "Protecting cultural heritage", "", ""),
        ],
    ),
    (
        "SPOR",
        "Spor ve gençlik",
        "Sport and youth",
        [
            (
                "SPOR-TESIS",
                "Spor tesisleri ve kullanım saatleri",
                "Sports facilities and hours",
                "",
                "",
            ),
            (
                "SPOR-GENCLIK",
                "Gençlik merkezleri ve programları",
                "Youth centres and programmes",
                "",
                "",
            ),
        ],
    ),
    (
        "CEVRE",
        "Çevre",
        "Environment",
        [
            (
                "CEVRE-ATIK",
                "Atık yönetimi ve geri dönüşüm",
                "Waste management and recycling",
                "",
                "",
            ),
            ("CEVRE-YESIL", "Yeşil alan ve ağaçlandırma", "Green spaces and tree planting", "", ""),
            ("CEVRE-IKLIM", "İklim değişikliğine uyum", "Adapting to climate change", "", ""),
        ],
    ),
    (
        "EGITIM",
        "Eğitim",
        "Education",
        [
            (
                "EGITIM-KURS",
                "Kurslar ve meslek edindirme",
                "Courses and vocational training",
                "",
                "",
            ),
            (
                "EGITIM-KUTUPHANE",
                "Kütüphane ve etüt merkezleri",
                "Libraries and study centres",
                "",
                "",
            ),
        ],
    ),
    (
        "SAGLIK",
        "Sağlık",
        "Health",
        [
            (
                "SAGLIK-KORUYUCU",
                "Koruyucu sağlık ve taramalar",
                "Preventive health and screening",
                "",
                "",
            ),
            ("SAGLIK-RUH", "Ruh sağlığı hizmetleri", "Mental health services", "", ""),
        ],
    ),
    (
        "KATILIM",
        "Katılım ve kent konseyleri",
        "Participation and city councils",
        [
            (
                "KATILIM-KENTKONSEYI",
                "Kent konseyine etkin katılım",
                "Active participation in the city council (kent konseyi)",
                "",
                "",
            ),
            (
                "KATILIM-BUTCE",
                "Katılımcı bütçe ve danışma süreçleri",
                "Participatory budgeting and consultation",
                "",
                "",
            ),
            (
                "KATILIM-MECLIS",
                "Meclis ve ihtisas komisyonlarına katılım",
                "Taking part in council meetings and committees",
                "",
                "",
            ),
        ],
    ),
    (
        "ILETISIM",
        "Belediye ile iletişim",
        "Communication with the municipality",
        [
            ("ILETISIM-YANIT", "Başvurulara zamanında yanıt", "Timely answers to requests", "", ""),
            (
                "ILETISIM-ISTISARE",
                "Düzenli istişare toplantıları",
                "Regular consultation meetings",
                "",
                "",
            ),
            (
                "ILETISIM-BILGI",
                "Bilgiye erişim ve duyurular",
                "Access to information and notices",
                "",
                "",
            ),
        ],
    ),
    (
        "KAPASITE",
        "Kapasite geliştirme",
        "Capacity building",
        [
            (
                "KAPASITE-EGITIM",
                "STK'lara eğitim ve mentorluk",
                "Training and mentoring for NGOs",
                "",
                "",
            ),
            ("KAPASITE-GONULLU", "Gönüllü yönetimi", "Volunteer management", "", ""),
        ],
    ),
    (
        "HEMSEHRI",
        "Hemşehrilik ve aidiyet",
        "Hometown ties and belonging",
        [
            (
                "HEMSEHRI-ISBIRLIGI",
                "Hemşehri dernekleriyle iş birliği",
                "Cooperation with hometown associations",
                "",
                "",
            ),
            (
                "HEMSEHRI-KIMLIK",
                "Yerel kimlik ve kent tanıtımı",
                "Local identity and promotion",
                "",
                "",
            ),
        ],
    ),
    (
        "EKONOMI",
        "Yerel ekonomi ve istihdam",
        "Local economy and employment",
        [
            (
                "EKONOMI-ISTIHDAM",
                "İstihdam ve girişimcilik",
                "Employment and entrepreneurship",
                "",
                "",
            ),
            (
                "EKONOMI-KIRSAL",
                "Kırsal kalkınma ve üretici destekleri",
                "Rural development and support for producers",
                "",
                "",
            ),
        ],
    ),
]


# Default names corrected since they were first loaded: a category still named the old way is
# renamed (one an administrator renamed is left alone).
FORMER_NAMES = {"HEMSEHRI-ISBIRLIGI": "Hemşehri dernekleriyle işbirliği"}


@transaction.atomic
def taxonomy_load() -> int:
    """Create the missing themes and categories (by code) and correct the former default names;
    returns how many rows were created."""
    from surveys.models import Category, Theme

    names = {code: name for _, _, _, cats in THEMES for code, name, *_ in cats}
    for code, former in FORMER_NAMES.items():
        Category.objects.filter(code=code, name=former).update(name=names[code])

    themes = {t.code: t for t in Theme.objects.all()}
    existing = set(Category.objects.values_list("code", flat=True))
    created = 0
    for theme_order, (code, name, name_en, categories) in enumerate(THEMES, start=1):
        if code not in themes:
            themes[code] = Theme.objects.create(
                code=code, name=name, name_en=name_en, order=theme_order
            )
            created += 1
        for order, (cat_code, cat_name, cat_en, hazard, phase) in enumerate(categories, start=1):
            if cat_code not in existing:
                Category.objects.create(
                    code=cat_code,
                    name=cat_name,
                    name_en=cat_en,
                    theme=themes[code],
                    hazard=hazard,
                    phase=phase,
                    order=theme_order * 100 + order,
                )
                created += 1
    return created
