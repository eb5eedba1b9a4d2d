import codecs
import csv
import datetime
import io

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from municipalities.models import District, Municipality, Province
from ngos.forms.capabilities import CapabilityForm
from ngos.models import Capability, Membership
from ngos.services.capabilities import capability_create
from portal.models import ExportLog
from tests.factories import (
    CapabilityFactory,
    CoordinatorAssignmentFactory,
    MembershipFactory,
    MunicipalStaffFactory,
    NGOFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def en(name, *args, **kwargs):
    """The English (/en/…) address of a named URL."""
    with translation.override("en"):
        return reverse(name, args=args, kwargs=kwargs)


def long_ago():
    return timezone.localdate() - datetime.timedelta(days=400)


@pytest.fixture
def erzurum():
    return Province.objects.get(plate=25)


@pytest.fixture
def ngo(erzurum):
    return NGOFactory(name="Palandöken Arama Kurtarma Derneği", province=erzurum)


@pytest.fixture
def admin(client, ngo):
    user = MembershipFactory(ngo=ngo, role=Membership.Role.ADMIN).user
    client.force_login(user)
    return user


@pytest.fixture
def searcher(client):
    """Staff of Erzurum Büyükşehir Belediyesi (a metropolitan municipality has no district)."""
    user = MunicipalStaffFactory().user
    client.force_login(user)
    return user


def add_data(**overrides):
    data = {"kind": "first_aid", "hazard": "earthquake", "quantity": "12", "unit": "teams"}
    data.update(overrides)
    return data


# --- The NGO's own list -------------------------------------------------------------------


def response_capabilities(client, ngo):
    return client.get(en("ngos:capabilities", ngo.slug)).context["capabilities"]


def test_capability_list_shows_capabilities_and_stale_warning(client, admin, ngo):
    CapabilityFactory(ngo=ngo, kind="shelter", hazard="flood", quantity=40, unit="tents")
    CapabilityFactory(ngo=ngo, kind="first_aid", hazard="any", last_confirmed=long_ago())
    other = CapabilityFactory(kind="translation")  # another NGO's
    html = client.get(en("ngos:capabilities", ngo.slug)).content.decode()
    assert "Shelter" in html
    assert "40 tents" in html
    assert "Any hazard" in html
    assert "Needs confirmation" in html
    assert "1 capability has not been confirmed for more than six months" in html
    assert other not in response_capabilities(client, ngo)
    assert "Everything is still correct" in html


def test_capability_list_says_all_provinces_when_every_province_is_served(client, admin, ngo):
    CapabilityFactory(ngo=ngo, provinces=list(Province.objects.all()))
    html = client.get(en("ngos:capabilities", ngo.slug)).content.decode()
    assert "All provinces" in html


def test_add_form_offers_the_ngos_province_by_default(client, admin, ngo, erzurum):
    response = client.get(en("ngos:capabilities", ngo.slug))
    assert response.context["form"]["provinces"].value() == [erzurum.pk]
    assert '<option value="25" selected>Erzurum</option>' in response.content.decode()


def test_provinces_are_offered_in_turkish_order(client, admin, ngo):
    response = client.get(en("ngos:capabilities", ngo.slug))
    names = [str(label) for _, label in response.context["form"].fields["provinces"].choices]
    assert len(names) == 81
    assert names.index("Çanakkale") > names.index("Bursa")
    assert names.index("Çanakkale") < names.index("Denizli")
    assert names.index("İstanbul") > names.index("Iğdır")
    assert names.index("Şanlıurfa") > names.index("Sivas")


def test_admin_adds_a_capability(client, admin, ngo, erzurum):
    kars = Province.objects.get(plate=36)
    response = client.post(
        en("ngos:capabilities", ngo.slug),
        add_data(provinces=[erzurum.pk, kars.pk], notes="Gece de çalışırız."),
    )
    assert response.status_code == 302
    assert response["Location"] == en("ngos:capabilities", ngo.slug)
    capability = ngo.capabilities.get()
    assert (capability.kind, capability.hazard, capability.quantity, capability.unit) == (
        "first_aid",
        "earthquake",
        12,
        "teams",
    )
    assert capability.notes == "Gece de çalışırız."
    assert capability.last_confirmed == timezone.localdate()
    assert set(capability.provinces.values_list("plate", flat=True)) == {25, 36}
    html = client.get(response["Location"]).content.decode()
    assert "“First aid” has been added." in html


def test_all_provinces_stores_every_province(client, admin, ngo):
    client.post(en("ngos:capabilities", ngo.slug), add_data(all_provinces="on"))
    assert ngo.capabilities.get().provinces.count() == 81


def test_whole_subregion_adds_its_provinces(client, admin, ngo, erzurum):
    istanbul = Province.objects.get(plate=34)
    client.post(
        en("ngos:capabilities", ngo.slug),
        add_data(provinces=[istanbul.pk], subregions=[erzurum.subregion_id]),
    )
    served = set(ngo.capabilities.get().provinces.values_list("pk", flat=True))
    expected = set(
        Province.objects.filter(subregion=erzurum.subregion).values_list("pk", flat=True)
    )
    assert served == expected | {34}
    assert {25, 36} <= served


def test_adding_without_provinces_is_a_form_error(client, admin, ngo):
    response = client.post(en("ngos:capabilities", ngo.slug), add_data())
    assert response.status_code == 200
    assert "Choose at least one province" in response.content.decode()
    assert not ngo.capabilities.exists()


def test_duplicate_kind_and_hazard_is_a_form_error(client, admin, ngo, erzurum):
    CapabilityFactory(ngo=ngo, kind="first_aid", hazard="earthquake", quantity=3)
    CapabilityFactory(kind="first_aid", hazard="flood")  # another NGO's: no conflict
    response = client.post(
        en("ngos:capabilities", ngo.slug), add_data(provinces=[erzurum.pk], quantity="99")
    )
    assert response.status_code == 200
    assert "already lists this capability for this hazard" in response.content.decode()
    assert "kind" in response.context["form"].errors
    assert response.context["form"]["quantity"].value() == "99"  # what was typed is kept
    assert list(ngo.capabilities.values_list("quantity", flat=True)) == [3]


def test_same_kind_for_another_hazard_is_allowed(client, admin, ngo, erzurum):
    CapabilityFactory(ngo=ngo, kind="first_aid", hazard="earthquake")
    client.post(en("ngos:capabilities", ngo.slug), add_data(hazard="flood", provinces=[25]))
    assert set(ngo.capabilities.values_list("hazard", flat=True)) == {"earthquake", "flood"}


@pytest.mark.parametrize("quantity", ["0", "10000001", "-5", "many", ""])
def test_out_of_range_quantity_is_a_form_error(client, admin, ngo, quantity):
    response = client.post(
        en("ngos:capabilities", ngo.slug), add_data(quantity=quantity, provinces=[25])
    )
    assert response.status_code == 200
    assert "quantity" in response.context["form"].errors
    assert not ngo.capabilities.exists()


def test_unknown_choices_are_form_errors(client, admin, ngo):
    response = client.post(
        en("ngos:capabilities", ngo.slug),
        add_data(kind="magic", hazard="meteor", unit="bags", provinces=["999", "x"]),
    )
    assert response.status_code == 200
    assert {"kind", "hazard", "unit", "provinces"} <= set(response.context["form"].errors)
    assert not ngo.capabilities.exists()


def test_admin_edits_a_capability_and_it_is_confirmed_today(client, admin, ngo):
    capability = CapabilityFactory(ngo=ngo, quantity=5, last_confirmed=long_ago())
    url = en("ngos:capability_edit", ngo.slug, capability.pk)
    response = client.get(url)
    assert response.context["form"]["quantity"].value() == 5
    response = client.post(
        url,
        {
            "kind": "search_rescue",
            "hazard": "any",
            "quantity": "25",
            "unit": "people",
            "provinces": ["36"],
        },
    )
    assert response["Location"] == en("ngos:capabilities", ngo.slug)
    capability.refresh_from_db()
    assert (capability.hazard, capability.quantity) == ("any", 25)
    assert capability.last_confirmed == timezone.localdate()
    assert list(capability.provinces.values_list("plate", flat=True)) == [36]


def test_editing_into_a_duplicate_is_a_form_error(client, admin, ngo):
    CapabilityFactory(ngo=ngo, kind="shelter", hazard="flood")
    capability = CapabilityFactory(ngo=ngo, kind="shelter", hazard="fire")
    response = client.post(
        en("ngos:capability_edit", ngo.slug, capability.pk),
        {"kind": "shelter", "hazard": "flood", "quantity": "3", "unit": "beds", "provinces": [25]},
    )
    assert response.status_code == 200
    assert "already lists this capability for this hazard" in response.content.decode()
    capability.refresh_from_db()
    assert capability.hazard == "fire"


def test_saving_a_capability_unchanged_is_not_a_duplicate(client, admin, ngo):
    capability = CapabilityFactory(ngo=ngo, kind="shelter", hazard="flood", unit="beds")
    response = client.post(
        en("ngos:capability_edit", ngo.slug, capability.pk),
        {"kind": "shelter", "hazard": "flood", "quantity": "30", "unit": "beds", "provinces": [25]},
    )
    assert response.status_code == 302
    capability.refresh_from_db()
    assert capability.quantity == 30


def test_admin_deletes_a_capability(client, admin, ngo):
    kept = CapabilityFactory(ngo=ngo, kind="shelter")
    removed = CapabilityFactory(ngo=ngo, kind="first_aid")
    response = client.post(en("ngos:capability_delete", ngo.slug, removed.pk))
    assert response["Location"] == en("ngos:capabilities", ngo.slug)
    assert list(ngo.capabilities.all()) == [kept]


def test_admin_confirms_everything_in_one_update(client, admin, ngo):
    mine = [
        CapabilityFactory(ngo=ngo, kind=kind, last_confirmed=long_ago())
        for kind in ("shelter", "first_aid", "logistics")
    ]
    other = CapabilityFactory(last_confirmed=long_ago())
    url = en("ngos:capabilities_confirm", ngo.slug)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(url)
    assert response["Location"] == en("ngos:capabilities", ngo.slug)
    updates = [q["sql"] for q in queries if q["sql"].startswith("UPDATE")]
    assert len(updates) == 1
    assert '"ngos_capability"' in updates[0]
    for capability in mine:
        capability.refresh_from_db()
        assert capability.last_confirmed == timezone.localdate()
    other.refresh_from_db()
    assert other.last_confirmed == long_ago()
    html = client.get(response["Location"]).content.decode()
    assert "All 3 capabilities are confirmed as of today." in html


def ngo_side_requests(ngo, capability):
    return [
        ("get", en("ngos:capabilities", ngo.slug)),
        ("post", en("ngos:capabilities", ngo.slug)),
        ("get", en("ngos:capability_edit", ngo.slug, capability.pk)),
        ("post", en("ngos:capability_edit", ngo.slug, capability.pk)),
        ("post", en("ngos:capability_delete", ngo.slug, capability.pk)),
        ("post", en("ngos:capabilities_confirm", ngo.slug)),
    ]


@pytest.mark.parametrize("who", ["member", "other_admin", "municipal_staff", "coordinator"])
def test_ngo_side_is_404_for_everyone_but_its_admins(client, ngo, who):
    capability = CapabilityFactory(ngo=ngo, quantity=7, last_confirmed=long_ago())
    if who == "member":
        user = MembershipFactory(ngo=ngo, role=Membership.Role.MEMBER).user
    elif who == "other_admin":
        user = MembershipFactory(role=Membership.Role.ADMIN).user
    elif who == "municipal_staff":
        user = MunicipalStaffFactory().user
    else:
        user = CoordinatorAssignmentFactory().user
    client.force_login(user)
    for method, url in ngo_side_requests(ngo, capability):
        assert getattr(client, method)(url, add_data(provinces=[25])).status_code == 404, url
    capability.refresh_from_db()
    assert (capability.quantity, capability.last_confirmed) == (7, long_ago())
    assert ngo.capabilities.count() == 1


def test_another_ngos_capability_is_404_under_my_ngo(client, admin, ngo):
    foreign = CapabilityFactory(quantity=7)
    for method, url in [
        ("get", en("ngos:capability_edit", ngo.slug, foreign.pk)),
        ("post", en("ngos:capability_edit", ngo.slug, foreign.pk)),
        ("post", en("ngos:capability_delete", ngo.slug, foreign.pk)),
    ]:
        assert getattr(client, method)(url, add_data(provinces=[25])).status_code == 404
    foreign.refresh_from_db()
    assert foreign.quantity == 7


def test_ngo_side_sends_anonymous_users_to_log_in(client, ngo):
    capability = CapabilityFactory(ngo=ngo)
    for method, url in ngo_side_requests(ngo, capability):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
        assert "next=" in response["Location"]
    assert Capability.objects.filter(pk=capability.pk).exists()


def test_post_only_actions_refuse_get(client, admin, ngo):
    capability = CapabilityFactory(ngo=ngo, last_confirmed=long_ago())
    assert client.get(en("ngos:capability_delete", ngo.slug, capability.pk)).status_code == 405
    assert client.get(en("ngos:capabilities_confirm", ngo.slug)).status_code == 405
    capability.refresh_from_db()
    assert capability.last_confirmed == long_ago()


# --- Search -------------------------------------------------------------------------------

SEARCH = en("ngos:capability_search")
EXPORT = en("ngos:capability_export")


def place(plate, district_name=None):
    province = Province.objects.get(plate=plate)
    district = (
        District.objects.get(province=province, name=district_name) if district_name else None
    )
    return {"province": province, "district": district}


@pytest.fixture
def ranked_example(erzurum):
    """NGOs that all serve Erzurum, in the order a search from Yakutiye must rank them."""
    rows = [
        ("Yakutiye Yardım Derneği", place(25, "Yakutiye"), 5),  # same district
        ("Palandöken Gönüllüleri", place(25, "Palandöken"), 200),  # same province
        ("Ömer Nasuhi Vakfı", place(25), 100),  # same province; Ö before P in Turkish
        ("Pınar Derneği", place(25), 100),
        ("Kars Dayanışma Derneği", place(36), 1000),  # same sub-region (Erzurum-Kars)
        ("İstanbul Afet Gönüllüleri", place(34), 9999),  # further away
    ]
    for name, where, quantity in rows:
        CapabilityFactory(
            ngo=NGOFactory(name=name, **where), quantity=quantity, provinces=[erzurum]
        )
    return [name for name, _, _ in rows]


def names_on(response):
    return [capability.ngo.name for capability in response.context["page"].object_list]


def test_search_ranks_nearest_first(client, searcher, ranked_example):
    yakutiye = District.objects.get(province=25, name="Yakutiye")
    response = client.get(SEARCH, {"province": 25, "district": yakutiye.pk})
    assert names_on(response) == ranked_example
    labels = [c.distance for c in response.context["page"].object_list]
    assert labels == [
        "Same district",
        "Same province",
        "Same province",
        "Same province",
        "Same sub-region",
        "Further away",
    ]
    html = response.content.decode()
    assert "Same district" in html
    assert "Further away" in html


def test_search_without_district_ranks_the_whole_province_alike(client, searcher, ranked_example):
    response = client.get(SEARCH, {"province": 25, "district": ""})
    assert names_on(response) == [
        "Palandöken Gönüllüleri",
        "Ömer Nasuhi Vakfı",
        "Pınar Derneği",
        "Yakutiye Yardım Derneği",
        "Kars Dayanışma Derneği",
        "İstanbul Afet Gönüllüleri",
    ]


def test_search_for_flood_matches_any_hazard(client, searcher, erzurum):
    CapabilityFactory(ngo=NGOFactory(name="Her Afette Derneği"), hazard="any")
    CapabilityFactory(ngo=NGOFactory(name="Sel Derneği"), hazard="flood")
    CapabilityFactory(ngo=NGOFactory(name="Deprem Derneği"), hazard="earthquake")
    response = client.get(SEARCH, {"province": 25, "hazard": "flood"})
    assert sorted(names_on(response)) == ["Her Afette Derneği", "Sel Derneği"]


def test_search_filters_by_kind(client, searcher):
    CapabilityFactory(ngo=NGOFactory(name="Barınma Derneği"), kind="shelter")
    CapabilityFactory(ngo=NGOFactory(name="Kurtarma Derneği"), kind="search_rescue")
    response = client.get(SEARCH, {"province": 25, "kind": "shelter"})
    assert names_on(response) == ["Barınma Derneği"]


@pytest.mark.parametrize("status", ["pending", "rejected", "suspended"])
def test_search_never_shows_unverified_ngos(client, searcher, status):
    CapabilityFactory(ngo=NGOFactory(name="Doğrulanmış Derneği"))
    hidden = NGOFactory(name="Gizli Derneği", status=status, status_reason="Belgeler eksik.")
    CapabilityFactory(ngo=hidden, hazard="any")
    response = client.get(SEARCH, {"province": 25})
    assert names_on(response) == ["Doğrulanmış Derneği"]
    assert "Gizli Derneği" not in response.content.decode()


def test_search_leaves_out_capabilities_not_serving_the_province(client, searcher):
    istanbul = Province.objects.get(plate=34)
    CapabilityFactory(ngo=NGOFactory(name="Yerel Derneği"))
    CapabilityFactory(ngo=NGOFactory(name="Uzak Derneği"), provinces=[istanbul])
    assert names_on(client.get(SEARCH, {"province": 25})) == ["Yerel Derneği"]
    assert names_on(client.get(SEARCH, {"province": 34})) == ["Uzak Derneği"]


def test_search_shows_private_contacts_with_a_caption(client, searcher):
    ngo = NGOFactory(
        name="Sessiz Derneği",
        contacts_public=False,
        email="iletisim@sessiz.example",
        phone="+90 442 000 00 00",
        website="https://sessiz.example",
    )
    CapabilityFactory(ngo=ngo, last_confirmed=long_ago())
    html = client.get(SEARCH, {"province": 25}).content.decode()
    assert 'href="mailto:iletisim@sessiz.example"' in html
    assert "+90 442 000 00 00" in html
    assert 'href="https://sessiz.example"' in html
    assert "even when an NGO keeps them private" in html
    assert "Not confirmed for over six months" in html
    assert f'href="{en("ngos:detail", ngo.slug)}"' in html


def test_municipal_staff_start_from_their_province_and_district(client):
    yakutiye = Municipality.objects.get(name="Yakutiye Belediyesi")
    client.force_login(MunicipalStaffFactory(municipality=yakutiye).user)
    CapabilityFactory(ngo=NGOFactory(name="Yakın Derneği", district=yakutiye.district))
    response = client.get(SEARCH)
    form = response.context["form"]
    assert form.cleaned_data["province"].pk == 25
    assert form.cleaned_data["district"] == yakutiye.district
    assert names_on(response) == ["Yakın Derneği"]
    assert response.context["page"].object_list[0].distance == "Same district"
    # Their district is not forced on a search in another province.
    response = client.get(SEARCH, {"province": 36})
    assert response.context["form"].cleaned_data["district"] is None


def test_coordinator_without_province_sees_the_form_and_a_hint(client):
    client.force_login(CoordinatorAssignmentFactory().user)
    CapabilityFactory()
    response = client.get(SEARCH)
    assert response.context["page"] is None
    assert not response.context["form"].is_bound
    assert "Choose the province where help is needed" in response.content.decode()


def test_coordinators_and_site_admins_may_search(client):
    CapabilityFactory(ngo=NGOFactory(name="Bulunan Derneği"))
    regional = CoordinatorAssignmentFactory(subregion=Province.objects.get(plate=25).subregion)
    for user in [regional.user, UserFactory(is_staff=True)]:
        client.force_login(user)
        assert names_on(client.get(SEARCH, {"province": 25})) == ["Bulunan Derneği"]


def test_district_choices_are_those_of_the_chosen_province(client, searcher):
    response = client.get(SEARCH, {"province": 36})
    districts = response.context["form"].fields["district"].queryset
    assert districts.count() == District.objects.filter(province=36).count()
    assert set(districts.values_list("province", flat=True)) == {36}


@pytest.mark.parametrize(
    "params",
    [
        {"province": "99999"},
        {"province": "abc"},
        {"province": "9" * 30},
        {"province": ""},
        {"province": "25", "district": "abc"},
        {"province": "25", "kind": "magic", "hazard": "meteor"},
    ],
)
def test_invalid_search_values_are_form_errors_not_crashes(client, searcher, params):
    CapabilityFactory()
    response = client.get(SEARCH, params)
    assert response.status_code == 200
    assert response.context["page"] is None
    assert response.context["form"].errors
    assert "Some search values were not valid" in response.content.decode()


def test_district_of_another_province_is_a_form_error(client, searcher):
    kagizman = District.objects.get(province=36, name="Kağızman")
    response = client.get(SEARCH, {"province": 25, "district": kagizman.pk})
    assert response.context["form"].errors["district"] == [
        "This district is not in the chosen province."
    ]


def test_ngo_member_without_municipal_role_is_forbidden(client, ngo):
    client.force_login(MembershipFactory(ngo=ngo, role=Membership.Role.ADMIN).user)
    assert client.get(SEARCH, {"province": 25}).status_code == 403
    assert client.get(EXPORT, {"province": 25}).status_code == 403
    assert not ExportLog.objects.exists()


def test_search_and_export_send_anonymous_users_to_log_in(client):
    for url in (SEARCH, EXPORT):
        response = client.get(url, {"province": 25})
        assert response.status_code == 302
        assert "/accounts/login/" in response["Location"]
    assert not ExportLog.objects.exists()


def test_search_pagination_keeps_the_filters(client, searcher):
    for n in range(30):
        CapabilityFactory(ngo=NGOFactory(name=f"Derneği {n:02d}"), hazard="fire")
    response = client.get(SEARCH, {"province": 25, "hazard": "fire", "page": 2})
    assert len(response.context["page"].object_list) == 5
    html = response.content.decode()
    assert "hazard=fire&amp;province=25&amp;page=1" in html
    assert f"{EXPORT}?hazard=fire&amp;province=25" in html


def test_htmx_search_returns_the_results_fragment(client, searcher):
    CapabilityFactory(ngo=NGOFactory(name="Parça Derneği"))
    response = client.get(SEARCH, {"province": 25}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html
    assert "Parça Derneği" in html


def test_htmx_province_change_returns_its_district_options(client, searcher):
    response = client.get(
        SEARCH,
        {"province": 36},
        headers={"HX-Request": "true", "HX-Trigger-Name": "province", "HX-Trigger": "id_province"},
    )
    html = response.content.decode()
    assert html.startswith('<option value="">All districts</option>')
    assert "Kağızman" in html
    assert "Yakutiye" not in html
    assert "<table" not in html


# --- Export -------------------------------------------------------------------------------


def read_csv(response):
    """The column headings and rows of an export (";" between cells in Turkish), below the
    header every export starts with (portal/exports.py: title, details, an empty line)."""
    body = b"".join(response.streaming_content)
    assert body.startswith(codecs.BOM_UTF8)
    english = response.wsgi_request.path.startswith("/en/")
    text = io.StringIO(body.decode("utf-8-sig"))
    lines = list(csv.reader(text, delimiter="," if english else ";"))
    title = "NGO capabilities for Erzurum" if english else "Erzurum için STK yetenekleri"
    assert lines[0] == [title]
    return lines[lines.index([]) + 1 :]


def test_export_has_the_search_results_in_the_same_order(client, searcher, ranked_example):
    yakutiye = District.objects.get(province=25, name="Yakutiye")
    params = {"province": 25, "district": yakutiye.pk, "kind": "search_rescue"}
    CapabilityFactory(ngo=NGOFactory(name="Başka İş Derneği"), kind="shelter")  # filtered out
    response = client.get(EXPORT, params)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    filename = f"ngo-capabilities-erzurum-{timezone.localdate().isoformat()}.csv"
    assert response["Content-Disposition"] == f'attachment; filename="{filename}"'
    rows = read_csv(response)
    assert rows[0][:6] == [
        "Distance",
        "NGO",
        "NGO province",
        "NGO district",
        "NGO sub-region",
        "Capability",
    ]
    assert rows[0][-4:] == ["Email", "Phone", "Website", "NGO page"]
    assert [row[1] for row in rows[1:]] == ranked_example
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Distance"] == "Same district"
    assert first["NGO district"] == "Yakutiye"
    assert first["NGO sub-region"] == "Erzurum-Kars"
    assert first["Capability"] == "Search and rescue"
    assert first["Capacity"] == "5"
    assert first["NGO page"].endswith(en("ngos:detail", "yakutiye-yardim-dernegi"))
    assert rows[-1][2] == "İstanbul"
    search = client.get(SEARCH, params)
    assert [row[1] for row in rows[1:]] == names_on(search)


def test_export_is_recorded_with_user_filters_and_row_count(client, searcher):
    CapabilityFactory(ngo=NGOFactory(name="Çığ Derneği"), hazard="any")
    CapabilityFactory(ngo=NGOFactory(name="Şehir Derneği"), hazard="flood")
    CapabilityFactory(ngo=NGOFactory(name="Yangın Derneği"), hazard="fire")
    response = client.get(EXPORT, {"province": 25, "hazard": "flood"})
    log = ExportLog.objects.get()
    # Recorded before a single line is streamed.
    assert (log.user, log.kind, log.row_count) == (searcher, "ngo_capabilities", 2)
    assert log.filters == {"kind": "", "hazard": "flood", "province": "25", "district": ""}
    rows = read_csv(response)
    assert len(rows) == 3
    assert sorted(row[1] for row in rows[1:]) == ["Çığ Derneği", "Şehir Derneği"]


def test_export_neutralises_spreadsheet_formulas_but_keeps_phone_numbers(client, searcher):
    ngo = NGOFactory(name="=HYPERLINK(1) Derneği", phone="+90 442 111 22 33")
    CapabilityFactory(ngo=ngo, notes="-Gece ekibi")
    row = read_csv(client.get(EXPORT, {"province": 25}))[1]
    assert row[1] == "'=HYPERLINK(1) Derneği"
    assert "'-Gece ekibi" in row
    assert "+90 442 111 22 33" in row


def test_export_without_a_province_goes_back_to_the_search(client):
    client.force_login(CoordinatorAssignmentFactory().user)
    response = client.get(EXPORT, {"hazard": "flood"})
    assert response.status_code == 302
    assert response["Location"] == f"{SEARCH}?hazard=flood"
    assert not ExportLog.objects.exists()
    html = client.get(response["Location"]).content.decode()
    assert "Choose a province and check the filters before exporting." in html


def test_export_in_turkish_keeps_turkish_letters(client, searcher):
    CapabilityFactory(
        ngo=NGOFactory(name="Iğdır Şoförler Derneği", province=Province.objects.get(plate=76)),
        provinces=[25],
    )
    response = client.get(reverse("ngos:capability_export"), {"province": 25})
    rows = read_csv(response)
    assert rows[1][1] == "Iğdır Şoförler Derneği"
    assert rows[1][2] == "Iğdır"


# --- Query counts -------------------------------------------------------------------------


def count_queries(client, url, params=None):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize("extra", [0, 4])
def test_search_query_count_is_fixed(client, searcher, extra):
    yakutiye = District.objects.get(province=25, name="Yakutiye")
    for n in range(1 + extra):
        CapabilityFactory(ngo=NGOFactory(name=f"Sayım Derneği {n}", district=yakutiye))
    params = {"province": 25, "district": yakutiye.pk}
    count, response = count_queries(client, SEARCH, params)
    assert len(response.context["page"].object_list) == 1 + extra
    # session, user, 3 for the roles, province and district validated, the count, the page,
    # the province and district choice lists
    assert count == 12  # + the nav's unread notification count


def test_search_default_province_costs_one_more_query(client, searcher):
    CapabilityFactory()
    count, response = count_queries(client, SEARCH)
    assert response.context["form"].cleaned_data["province"].pk == 25
    assert count == 12  # the user's municipality instead of a district check


@pytest.mark.parametrize("size", [1, 5])
def test_capability_list_query_count_is_fixed(client, admin, ngo, size):
    kinds = ["shelter", "first_aid", "logistics", "translation", "volunteers"]
    for kind in kinds[:size]:
        CapabilityFactory(ngo=ngo, kind=kind, provinces=[25, 36, 34])
    count, response = count_queries(client, en("ngos:capabilities", ngo.slug))
    assert len(response.context["capabilities"]) == size
    # session, user, 3 for the roles, the NGO, capabilities, their provinces, the province
    # total, and the province and sub-region choice lists
    assert count == 12  # + the nav's unread notification count


def test_a_duplicate_added_meanwhile_becomes_a_form_error(ngo):
    form = CapabilityForm(add_data(provinces=[25]), ngo=ngo)
    assert form.is_valid()
    CapabilityFactory(ngo=ngo, kind="first_aid", hazard="earthquake", quantity=3)
    with pytest.raises(ValidationError) as caught:
        capability_create(ngo=ngo, form=form)
    assert "kind" in caught.value.error_dict
    assert list(ngo.capabilities.values_list("quantity", flat=True)) == [3]
