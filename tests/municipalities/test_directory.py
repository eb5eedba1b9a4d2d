import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from municipalities.models import Municipality, SubRegion

pytestmark = pytest.mark.django_db
URL = reverse("municipalities:list")


def names_on(response):
    return [m.name for m in response.context["page"].object_list]


def test_directory_lists_municipalities_in_turkish_order(client):
    response = client.get(URL, {"province": 34})
    names = names_on(response) + names_on(client.get(URL, {"province": 34, "page": 2}))
    assert "İstanbul Büyükşehir Belediyesi" in names
    # Turkish order: Ç after C, Ş after S, Ü after U.
    assert names.index("Çatalca Belediyesi") > names.index("Beylikdüzü Belediyesi")
    assert names.index("Şile Belediyesi") > names.index("Sultangazi Belediyesi")
    assert names.index("Üsküdar Belediyesi") > names.index("Sultanbeyli Belediyesi")
    assert response.context["page"].paginator.count == 40


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("sanliurfa", "Şanlıurfa Büyükşehir Belediyesi"),
        ("ISTANBUL", "İstanbul Büyükşehir Belediyesi"),
        ("corum", "Çorum Belediyesi"),
        ("IŞIKLAR", "Işıklar Belediyesi"),
    ],
)
def test_search_finds_turkish_names_typed_in_ascii_or_capitals(client, typed, found):
    assert found in names_on(client.get(URL, {"q": typed}))


def test_filter_by_kind_and_subregion(client):
    erzurum_kars = SubRegion.objects.get(code="14")
    response = client.get(URL, {"subregion": erzurum_kars.pk, "kind": "metropolitan"})
    assert names_on(response) == ["Erzurum Büyükşehir Belediyesi"]
    response = client.get(URL, {"subregion": erzurum_kars.pk, "kind": "provincial"})
    assert names_on(response) == [
        "Ağrı Belediyesi",
        "Ardahan Belediyesi",
        "Erzincan Belediyesi",
        "Iğdır Belediyesi",
        "Kars Belediyesi",
    ]


def test_invalid_filter_values_show_an_error_not_a_crash(client):
    response = client.get(URL, {"province": "99999", "kind": "castle", "page": "abc"})
    assert response.status_code == 200
    assert names_on(response) == []
    assert "province" in response.context["filter"].errors
    assert "kind" in response.context["filter"].errors


def test_pagination_keeps_filters(client):
    response = client.get(URL, {"kind": "district", "page": 2})
    html = response.content.decode()
    assert response.context["page"].number == 2
    assert "kind=district&amp;page=3" in html
    assert "kind=district&amp;page=1" in html


def test_out_of_range_page_shows_the_last_page(client):
    response = client.get(URL, {"province": 25, "page": 999})
    page = response.context["page"]
    assert page.number == page.paginator.num_pages


def test_htmx_request_gets_only_the_results_fragment(client):
    response = client.get(URL, {"q": "erzurum"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="results"')
    assert "<html" not in html
    assert "Erzurum Büyükşehir Belediyesi" in html


def test_detail_shows_hierarchy_and_contacts(client):
    erzurum_bb = Municipality.objects.get(slug="erzurum-bb")
    erzurum_bb.website = "https://www.erzurum.bel.tr"
    erzurum_bb.save()
    yakutiye = Municipality.objects.get(name="Yakutiye Belediyesi")
    html = client.get(yakutiye.get_absolute_url()).content.decode()
    assert "Erzurum Büyükşehir Belediyesi" in html
    assert "Erzurum-Kars" in html
    assert "Doğu Anadolu" in html
    html = client.get(erzurum_bb.get_absolute_url()).content.decode()
    assert 'href="https://www.erzurum.bel.tr"' in html
    assert "Palandöken Belediyesi" in html


def test_unknown_municipality_is_404(client):
    assert client.get(reverse("municipalities:detail", args=["no-such-place"])).status_code == 404


def count_queries(client, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL, params)
    return len(queries), response.context["page"].paginator.count


def test_directory_query_count_does_not_grow_with_results(client):
    small, small_rows = count_queries(client, {"q": "Yakutiye"})
    large, large_rows = count_queries(client, {"q": "Belediyesi"})
    assert (small_rows, large_rows) == (1, 1393)
    assert small == large == 4  # the two filter choice lists, the count, the page


def test_directory_query_count_with_a_province_filter(client):
    small, small_rows = count_queries(client, {"province": 69})  # Bayburt
    large, large_rows = count_queries(client, {"province": 34})  # İstanbul
    assert (small_rows, large_rows) == (5, 40)
    assert small == large == 5  # the chosen province is validated with one more query


def test_detail_query_count_is_fixed(client):
    small_url = Municipality.objects.get(slug="bayburt").get_absolute_url()
    large_url = Municipality.objects.get(slug="istanbul-bb").get_absolute_url()
    with CaptureQueriesContext(connection) as small:
        small_html = client.get(small_url).content.decode()
    with CaptureQueriesContext(connection) as large:
        large_html = client.get(large_url).content.decode()
    assert small_html.count('class="col"><a') < large_html.count('class="col"><a')
    assert len(small) == len(large) == 2


def test_search_by_province_name_lists_its_municipalities(client):
    response = client.get(URL, {"q": "bayburt"})
    assert response.context["page"].paginator.count == 5
    assert set(names_on(response)) == set(
        Municipality.objects.filter(province=69).values_list("name", flat=True)
    )
