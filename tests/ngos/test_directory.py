import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from municipalities.models import District, SubRegion
from ngos.models import NGO, ActivityField, LegalForm
from tests.factories import (
    ActivityFieldFactory,
    CapabilityFactory,
    CoordinatorAssignmentFactory,
    MembershipFactory,
    MunicipalStaffFactory,
    NGOFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def en(name, *args, **kwargs):
    with translation.override("en"):
        return reverse(name, args=args, kwargs=kwargs)


@pytest.fixture
def url():
    return en("ngos:list")


def names_on(response):
    return [ngo.name for ngo in response.context["page"].object_list]


def detail_url(ngo):
    return en("ngos:detail", slug=ngo.slug)


# --- The list ----------------------------------------------------------------------------------


def test_list_shows_only_verified_ngos(client, url):
    NGOFactory(name="Doğrulanmış Derneği")
    for status in ["pending", "rejected", "suspended"]:
        NGOFactory(name=f"Durum {status} Derneği", status=status, status_reason="Neden")
    response = client.get(url)
    assert names_on(response) == ["Doğrulanmış Derneği"]
    assert "Durum pending Derneği" not in response.content.decode()


@pytest.fixture
def places():
    """Five verified NGOs spread over places, legal forms, fields and capabilities."""
    yakutiye = District.objects.get(province=25, name="Yakutiye")
    oltu = District.objects.get(province=25, name="Oltu")
    education = ActivityField.objects.get(code="egitim")
    disaster = ActivityField.objects.get(code="afet-acil-durum")
    a = NGOFactory(name="Yakutiye Eğitim Derneği", district=yakutiye)
    a.activity_fields.set([education])
    b = NGOFactory(name="Oltu Arama Kurtarma Derneği", district=oltu)
    b.activity_fields.set([disaster, education])
    CapabilityFactory(ngo=b, kind="search_rescue", hazard="earthquake")
    CapabilityFactory(ngo=b, kind="first_aid", hazard="flood")
    c = NGOFactory(name="Kars Yardım Vakfı", province_id=36, legal_form=LegalForm.FOUNDATION)
    CapabilityFactory(ngo=c, kind="shelter", hazard="any")
    d = NGOFactory(name="İstanbul Gönüllüler Derneği", province_id=34)
    d.activity_fields.set([disaster])
    CapabilityFactory(ngo=d, kind="first_aid", hazard="earthquake")
    NGOFactory(name="Kars Bekleyen Derneği", province_id=36, status="pending")
    return {"yakutiye": yakutiye, "education": education, "disaster": disaster}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"province": 25}, ["Oltu Arama Kurtarma Derneği", "Yakutiye Eğitim Derneği"]),
        ({"province": 36}, ["Kars Yardım Vakfı"]),
        ({"legal_form": "vakif"}, ["Kars Yardım Vakfı"]),
        (
            {"capability": "first_aid"},
            ["İstanbul Gönüllüler Derneği", "Oltu Arama Kurtarma Derneği"],
        ),
        # A capability for "any" hazard counts for every hazard.
        ({"hazard": "flood"}, ["Kars Yardım Vakfı", "Oltu Arama Kurtarma Derneği"]),
        ({"hazard": "fire"}, ["Kars Yardım Vakfı"]),
        # Capability and hazard hold for the same capability: Oltu's first aid is for floods.
        ({"capability": "first_aid", "hazard": "earthquake"}, ["İstanbul Gönüllüler Derneği"]),
        ({"capability": "search_rescue", "hazard": "flood"}, []),
    ],
)
def test_list_filters_narrow_the_results(client, url, places, params, expected):
    assert names_on(client.get(url, params)) == expected


def test_list_filters_by_subregion(client, url, places):
    erzurum_kars = SubRegion.objects.get(code="14")
    assert names_on(client.get(url, {"subregion": erzurum_kars.pk})) == [
        "Kars Yardım Vakfı",
        "Oltu Arama Kurtarma Derneği",
        "Yakutiye Eğitim Derneği",
    ]


def test_list_filters_by_district(client, url, places):
    response = client.get(url, {"province": 25, "district": places["yakutiye"].pk})
    assert names_on(response) == ["Yakutiye Eğitim Derneği"]


def test_list_filters_by_field_of_activity_without_repeating_rows(client, url, places):
    response = client.get(url, {"field": places["education"].pk})
    assert names_on(response) == ["Oltu Arama Kurtarma Derneği", "Yakutiye Eğitim Derneği"]
    response = client.get(url, {"field": places["disaster"].pk, "province": 25})
    assert names_on(response) == ["Oltu Arama Kurtarma Derneği"]


def test_list_shows_fields_legal_form_place_and_afad_badge(client, url, places):
    NGO.objects.filter(name="Oltu Arama Kurtarma Derneği").update(
        afad_accredited=True, afad_group="Arama kurtarma"
    )
    html = client.get(url, {"province": 25}).content.decode()
    assert "Disaster and emergency, Education" in html
    assert "Association (dernek)" in html
    assert "Oltu, Erzurum" in html
    assert html.count("AFAD accredited") == 1


@pytest.mark.parametrize(
    ("typed", "name", "plate"),
    [
        ("sanliurfa", "Şanlıurfa Gençlik Derneği", 63),
        ("IGDIR", "Iğdır Kadın Kooperatifi", 76),
        ("genclik", "Şanlıurfa Gençlik Derneği", 63),
        ("İĞDIR", "Iğdır Kadın Kooperatifi", 76),
    ],
)
def test_search_finds_turkish_names_typed_in_ascii(client, url, typed, name, plate):
    NGOFactory(name=name, province_id=plate)
    NGOFactory(name="Başka Bir Dernek")
    assert names_on(client.get(url, {"q": typed})) == [name]


def test_list_is_in_turkish_alphabetical_order(client, url):
    for name in [
        "Şile Derneği",
        "Devrek Derneği",
        "Sinop Derneği",
        "Çorum Derneği",
        "Cide Derneği",
    ]:
        NGOFactory(name=name)
    assert names_on(client.get(url)) == [
        "Cide Derneği",
        "Çorum Derneği",
        "Devrek Derneği",
        "Sinop Derneği",
        "Şile Derneği",
    ]


def test_invalid_filter_values_and_page_show_an_error_not_a_crash(client, url, places):
    response = client.get(
        url,
        {
            "province": "999",
            "district": "abc",
            "legal_form": "castle",
            "field": "0",
            "capability": "magic",
            "hazard": "meteor",
            "subregion": "x",
            "page": "abc",
        },
    )
    assert response.status_code == 200
    assert names_on(response) == []
    errors = response.context["filter"].errors
    assert set(errors) == {
        "province",
        "district",
        "legal_form",
        "field",
        "capability",
        "hazard",
        "subregion",
    }
    assert "Some filter values were not valid" in response.content.decode()


def test_unknown_district_id_is_an_error_not_a_crash(client, url, places):
    response = client.get(url, {"district": "99999999"})
    assert response.status_code == 200
    assert "district" in response.context["filter"].errors
    assert names_on(response) == []


def test_district_of_another_province_is_dropped_after_changing_province(client, url, places):
    # The old district stays in the query string when the user picks another province.
    response = client.get(url, {"province": 36, "district": places["yakutiye"].pk})
    assert response.context["filter"].errors == {}
    assert names_on(response) == ["Kars Yardım Vakfı"]


def test_out_of_range_page_shows_the_last_page(client, url):
    NGOFactory()
    response = client.get(url, {"page": 999})
    assert response.context["page"].number == 1
    assert len(names_on(response)) == 1


def test_pagination_keeps_filters(client, url):
    for n in range(27):
        NGOFactory(name=f"Vakıf {n:02d}", legal_form=LegalForm.FOUNDATION)
    NGOFactory(name="Dernek")
    response = client.get(url, {"legal_form": "vakif", "page": 2})
    html = response.content.decode()
    assert response.context["page"].number == 2
    assert names_on(response) == ["Vakıf 25", "Vakıf 26"]
    assert "legal_form=vakif&amp;page=1" in html


def test_district_choices_follow_the_chosen_province(client, url):
    html = client.get(url).content.decode()
    assert "Choose a province first." in html
    assert "Yakutiye" not in html
    form = client.get(url, {"province": 25}).context["filter"].form
    offered = [label for value, label in form.fields["district"].widget.choices if value]
    assert offered == list(
        District.objects.filter(province=25).order_by("name_sort").values_list("name", flat=True)
    )
    assert "Kadıköy" not in offered


def test_district_link_without_province_offers_its_provinces_districts(client, url, places):
    response = client.get(url, {"district": places["yakutiye"].pk})
    assert names_on(response) == ["Yakutiye Eğitim Derneği"]
    form = response.context["filter"].form
    offered = [label for value, label in form.fields["district"].widget.choices if value]
    assert "Yakutiye" in offered and "Oltu" in offered and "Kadıköy" not in offered


def test_htmx_request_gets_the_results_and_the_district_list(client, url, places):
    response = client.get(url, {"province": 25}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html
    assert "Yakutiye Eğitim Derneği" in html
    assert 'id="district-field" data-hx-swap-oob="true"' in html
    assert ">Oltu</option>" in html


def test_full_page_has_no_out_of_band_swap(client, url):
    assert "hx-swap-oob" not in client.get(url).content.decode()


def list_queries(client, url, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params)
    return len(queries), response.context["page"].paginator.count


def make_ngos(count, *, prefix):
    fields = [ActivityFieldFactory() for _ in range(3)]
    districts = list(District.objects.filter(province=25).order_by("pk")[:5])
    for n in range(count):
        ngo = NGOFactory(name=f"{prefix} {n}", district=districts[n % 5])
        ngo.activity_fields.set(fields[: 1 + n % 3])
    return fields[0]  # every NGO made here has this field


def test_list_query_count_does_not_grow_with_rows(client, url):
    make_ngos(1, prefix="Tekil")
    make_ngos(6, prefix="Çoğul")
    small, small_rows = list_queries(client, url, {"q": "tekil"})
    large, large_rows = list_queries(client, url, {"q": "cogul"})
    assert (small_rows, large_rows) == (1, 6)
    # three filter choice lists, the count, the page, the fields of activity
    assert small == large == 6


def test_list_query_count_with_filters_does_not_grow_with_rows(client, url):
    small_field = make_ngos(1, prefix="Tekil")
    large_field = make_ngos(6, prefix="Çoğul")
    small, small_rows = list_queries(client, url, {"province": 25, "field": small_field.pk})
    large, large_rows = list_queries(client, url, {"province": 25, "field": large_field.pk})
    assert (small_rows, large_rows) == (1, 6)
    # two more: the chosen province and field are validated; one for the province's districts
    assert small == large == 9


def test_directory_is_turkish_at_the_root(client):
    NGOFactory(name="Erzurum Dadaşlar Dayanışma Derneği")
    html = client.get("/ngos/").content.decode()
    assert '<html lang="tr">' in html
    assert 'href="/ngos/erzurum-dadaslar-dayanisma-dernegi/"' in html


# --- The profile page --------------------------------------------------------------------------


def test_detail_shows_the_profile(client):
    ngo = NGOFactory(
        name="Palandöken Arama Kurtarma Derneği",
        registry_number="25-014-112",
        founding_year=1999,
        district=District.objects.get(province=25, name="Palandöken"),
        members_count=1200,
        volunteers_count=85,
        website="https://example.org",
        description="Dağda ve şehirde.\n<script>alert(1)</script>",
        afad_accredited=True,
        afad_group="Arama kurtarma, orta seviye",
    )
    from municipalities.models import Municipality

    ngo.municipality = Municipality.objects.get(province=25, kind="metropolitan")
    ngo.save()
    ngo.activity_fields.set([ActivityField.objects.get(code="afet-acil-durum")])
    CapabilityFactory(ngo=ngo, kind="search_rescue", quantity=40, unit="people", provinces=[25, 36])
    html = client.get(detail_url(ngo)).content.decode()
    for text in [
        "Palandöken Arama Kurtarma Derneği",
        "25-014-112",
        "1999",
        "Erzurum-Kars",
        "Palandöken",
        'href="/en/municipalities/erzurum-bb/"',
        "Erzurum Büyükşehir Belediyesi",
        "Disaster and emergency",
        "1,200",
        "85",
        'href="https://example.org"',
        "Arama kurtarma, orta seviye",
        "Search and rescue",
        "40 people",
        "Erzurum, Kars",
        "<p>Dağda ve şehirde.<br>&lt;script&gt;",
    ]:
        assert text in html, text
    assert "<script>alert(1)" not in html
    assert "Awaiting verification" not in html


def test_unknown_ngo_is_404(client):
    assert client.get(en("ngos:detail", slug="no-such-ngo")).status_code == 404


@pytest.fixture
def pending():
    return NGOFactory(name="Erzurum Bekleyen Derneği", status="pending")


def test_pending_ngo_is_404_for_the_public_and_unrelated_users(client, pending):
    assert client.get(detail_url(pending)).status_code == 404
    client.force_login(UserFactory())
    assert client.get(detail_url(pending)).status_code == 404
    client.force_login(MunicipalStaffFactory().user)
    assert client.get(detail_url(pending)).status_code == 404


def test_pending_ngo_is_visible_to_its_member_with_a_banner(client, pending):
    client.force_login(MembershipFactory(ngo=pending).user)
    html = client.get(detail_url(pending)).content.decode()
    assert "Erzurum Bekleyen Derneği" in html
    assert "Awaiting verification." in html


def test_pending_ngo_is_visible_to_its_subregion_coordinator_only(client, pending):
    erzurum_kars = SubRegion.objects.get(code="14")
    client.force_login(CoordinatorAssignmentFactory(subregion=erzurum_kars).user)
    response = client.get(detail_url(pending))
    assert "Awaiting verification." in response.content.decode()
    assert response.context["can_verify"] is True
    istanbul = SubRegion.objects.get(provinces=34)
    client.force_login(CoordinatorAssignmentFactory(subregion=istanbul).user)
    assert client.get(detail_url(pending)).status_code == 404


def test_rejected_and_suspended_ngos_show_the_reason_to_their_members(client):
    for status in ["rejected", "suspended"]:
        ngo = NGOFactory(status=status, status_reason=f"Belgeler eksik ({status})")
        assert client.get(detail_url(ngo)).status_code == 404
        client.force_login(MembershipFactory(ngo=ngo).user)
        html = client.get(detail_url(ngo)).content.decode()
        assert f"Reason: Belgeler eksik ({status})" in html
        client.logout()


@pytest.fixture
def private_ngo():
    return NGOFactory(
        email="gizli@stk.example",
        phone="0442 111 22 33",
        address="Gizli Sokak 1",
        contacts_public=False,
    )


def test_private_contacts_are_hidden_from_the_public_and_ngo_less_users(client, private_ngo):
    html = client.get(detail_url(private_ngo)).content.decode()
    assert "gizli@stk.example" not in html and "0442 111 22 33" not in html
    assert "Gizli Sokak" not in html
    assert "shares its contact details only with municipal staff" in html
    client.force_login(UserFactory())
    assert "gizli@stk.example" not in client.get(detail_url(private_ngo)).content.decode()
    client.force_login(MembershipFactory().user)  # a member of another NGO
    assert "gizli@stk.example" not in client.get(detail_url(private_ngo)).content.decode()


def test_private_contacts_are_shown_to_municipal_staff_with_a_note(client, private_ngo):
    client.force_login(MunicipalStaffFactory().user)
    html = client.get(detail_url(private_ngo)).content.decode()
    assert "gizli@stk.example" in html and "0442 111 22 33" in html and "Gizli Sokak 1" in html
    assert "you see them because you are municipal staff" in html


def test_private_contacts_are_shown_to_coordinators_with_a_note(client, private_ngo):
    client.force_login(CoordinatorAssignmentFactory(subregion=None).user)
    html = client.get(detail_url(private_ngo)).content.decode()
    assert "gizli@stk.example" in html
    assert "you see them because you are a coordinator" in html


def test_public_contacts_are_shown_to_everyone_without_a_note(client):
    ngo = NGOFactory(email="acik@stk.example", phone="0442 000 00 00", contacts_public=True)
    html = client.get(detail_url(ngo)).content.decode()
    assert "acik@stk.example" in html and "0442 000 00 00" in html
    assert "These contact details are not public" not in html


def test_member_names_are_never_on_the_profile(client):
    ngo = NGOFactory(contacts_public=True)
    admin = MembershipFactory(
        ngo=ngo, role="admin", user=UserFactory(full_name="Zeynep Aydın", email="zeynep@x.test")
    ).user
    MembershipFactory(ngo=ngo, user=UserFactory(full_name="İbrahim Kılıç", email="ibo@x.test"))
    for viewer in [None, MunicipalStaffFactory().user, admin]:
        if viewer:
            client.force_login(viewer)
        html = client.get(detail_url(ngo)).content.decode()
        # The logged-in admin's own name is in the page header; nobody else's is.
        assert "İbrahim Kılıç" not in html and "ibo@x.test" not in html
        if viewer is not admin:
            assert "Zeynep Aydın" not in html and "zeynep@x.test" not in html


def test_permissions_are_computed_for_the_links(client):
    ngo = NGOFactory()
    response = client.get(detail_url(ngo))
    context = response.context
    assert (context["can_edit"], context["can_view_members"], context["can_verify"]) == (
        False,
        False,
        False,
    )
    assert context["can_ask_to_join"] is True
    client.force_login(MembershipFactory(ngo=ngo, role="admin").user)
    context = client.get(detail_url(ngo)).context
    assert context["can_edit"] and context["can_view_members"]
    assert context["can_manage_capabilities"]
    assert context["can_ask_to_join"] is False


def test_coordinator_gets_a_link_to_the_verification_page(client):
    ngo = NGOFactory()
    client.force_login(CoordinatorAssignmentFactory(subregion=None).user)
    html = client.get(detail_url(ngo)).content.decode()
    assert f'href="{en("ngos:verification_detail", slug=ngo.slug)}"' in html


def detail_queries(client, ngo):
    url = detail_url(ngo)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(url).content.decode()
    return len(queries), html


def test_detail_query_count_is_fixed(client):
    small = NGOFactory(name="Küçük Derneği")
    small.activity_fields.set(ActivityField.objects.order_by("pk")[:1])
    CapabilityFactory(ngo=small, provinces=[25])
    large = NGOFactory(name="Büyük Derneği", district=District.objects.filter(province=25).first())
    large.activity_fields.set(ActivityField.objects.order_by("pk")[:6])
    for kind in ["search_rescue", "first_aid", "shelter", "logistics", "volunteers"]:
        CapabilityFactory(ngo=large, kind=kind, provinces=[25, 36, 76, 4])
    small_count, small_html = detail_queries(client, small)
    large_count, large_html = detail_queries(client, large)
    assert small_html.count('<th scope="row">') == 1
    assert large_html.count('<th scope="row">') == 5
    # the NGO with its place, the fields of activity, the capabilities, their provinces
    assert small_count == large_count == 4


def test_action_links_follow_the_users_permissions(client):
    ngo = NGOFactory(name="Bağlantı Derneği")
    edit_url, join_url = en("ngos:edit", ngo.slug), en("ngos:join_request", ngo.slug)
    html = client.get(detail_url(ngo)).content.decode()
    assert f'href="{edit_url}"' not in html
    assert f'href="/en/accounts/login/?next={join_url}"' in html
    client.force_login(UserFactory())
    html = client.get(detail_url(ngo)).content.decode()
    assert f'href="{join_url}"' in html and f'href="{edit_url}"' not in html
    client.force_login(MembershipFactory(ngo=ngo, role="admin").user)
    html = client.get(detail_url(ngo)).content.decode()
    assert f'href="{edit_url}"' in html
    assert f'href="{en("members:members", ngo.slug)}"' in html
    assert f'href="{en("ngos:capabilities", ngo.slug)}"' in html
    assert f'href="{join_url}"' not in html
