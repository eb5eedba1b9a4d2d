import pytest

from portal.forms.fields import PersonChoiceField
from portal.models import User
from portal.turkish import search_key, sort_key, tr_lower, tr_slugify, tr_title, tr_upper
from tests.factories import UserFactory
from tests.helpers import people_in_mixed_order


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("İSTANBUL", "istanbul"),
        ("IŞIK", "ışık"),
        ("IĞDIR", "ığdır"),
        ("Çorum", "çorum"),
        ("i\u0307nli\u0307ce", "inlice"),
    ],
)
def test_tr_lower_follows_turkish_rules(text, expected):
    assert tr_lower(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"), [("istanbul", "İSTANBUL"), ("ılgaz", "ILGAZ"), ("şile", "ŞİLE")]
)
def test_tr_upper_follows_turkish_rules(text, expected):
    assert tr_upper(text) == expected


def test_tr_title_capitalises_dotted_and_dotless_i():
    assert tr_title("işıklar ılıca") == "İşıklar Ilıca"


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("sanliurfa", "Şanlıurfa"),
        ("ISTANBUL", "İstanbul"),
        ("istanbul", "İstanbul"),
        ("İSTANBUL", "İstanbul"),
        ("corum", "Çorum"),
        ("igdir", "Iğdır"),
        ("GUMUSHANE", "Gümüşhane"),
        ("mugla", "Muğla"),
        ("kahramanmaras", "Kahramanmaraş"),
    ],
)
def test_search_key_lets_ascii_typing_find_turkish_names(typed, name):
    assert search_key(typed) == search_key(name)


def test_search_key_is_a_substring_of_longer_names():
    assert search_key("urfa") in search_key("Şanlıurfa Büyükşehir Belediyesi")


def test_search_key_folds_punctuation_and_spaces():
    assert search_key("  Trakya–Güney   Marmara ") == "trakya guney marmara"


def test_sort_key_orders_by_the_turkish_alphabet():
    names = [
        "Zonguldak",
        "Çorum",
        "Ceyhan",
        "İzmir",
        "Iğdır",
        "Ödemiş",
        "Ordu",
        "Şile",
        "Sinop",
        "Ünye",
        "Uşak",
        "Ağrı",
        "Afyon",
        "Gümüşhane",
        "Giresun",
        "ılıca",
        "İnebolu",
    ]
    assert sorted(names, key=sort_key) == [
        "Afyon",
        "Ağrı",
        "Ceyhan",
        "Çorum",
        "Giresun",
        "Gümüşhane",
        "Iğdır",
        "ılıca",
        "İnebolu",
        "İzmir",
        "Ordu",
        "Ödemiş",
        "Sinop",
        "Şile",
        "Uşak",
        "Ünye",
        "Zonguldak",
    ]


def test_sort_key_ignores_case_and_puts_shorter_words_first():
    assert sort_key("ÇORUM") == sort_key("çorum")
    assert sorted(["Akarca", "Ak Şehir", "Ak"], key=sort_key) == ["Ak", "Ak Şehir", "Akarca"]


def test_sort_key_uses_only_characters_every_collation_orders_alike():
    key = sort_key("Kılıçarslan 2. Mahalle")
    assert set(key) <= set("0123456789abcdefghijklmnopqrstuvwxyz")


@pytest.mark.parametrize(
    ("text", "slug"),
    [("Işık Çayı", "isik-cayi"), ("Şanlıurfa", "sanliurfa"), ("Ağrı Dağı", "agri-dagi")],
)
def test_tr_slugify_keeps_every_letter(text, slug):
    assert tr_slugify(text) == slug


@pytest.mark.django_db
def test_person_choice_field_lists_people_in_turkish_order_ties_by_email():
    people = people_in_mixed_order(UserFactory)
    field = PersonChoiceField(queryset=User.objects.all(), empty_label="—")
    assert [label for _, label in field.choices] == ["—"] + [p.full_name for p in people]
    assert [value.value for value, _ in list(field.choices)[1:]] == [p.pk for p in people]
    assert field.clean(str(people[3].pk)) == people[3]


def test_sort_key_of_a_lazy_text_follows_the_active_language():
    from django.utils import translation
    from django.utils.translation import gettext_lazy

    from portal.turkish import sort_key

    label = gettext_lazy("Municipalities")
    with translation.override("en"):
        english = sort_key(label)
    with translation.override("tr"):
        turkish = sort_key(label)

    assert english == sort_key("Municipalities")
    assert turkish == sort_key("Belediyeler")
    assert english != turkish
