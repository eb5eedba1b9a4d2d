"""The public API: filters, Turkish search, cursor pagination, JSON errors, conditional GET,
CORS and rate limits."""

import datetime

import pytest
from django.utils.http import http_date

from municipalities.models import Municipality
from ngos.models import NGO
from tests.events.factories import AgendaItemFactory, EventFactory, SpeakerFactory
from tests.factories import CapabilityFactory, NGOFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_municipalities_of_a_province_by_plate_code(client):
    response = client.get("/api/v1/municipalities/?province=25&limit=200")
    data = response.json()
    assert response["Content-Type"].startswith("application/json")
    assert data["results"]
    assert {row["province"] for row in data["results"]} == {25}
    assert len(data["results"]) == Municipality.objects.filter(province=25).count()
    metropolitan = next(row for row in data["results"] if row["kind"] == "metropolitan")
    assert metropolitan["name"] == "Erzurum Büyükşehir Belediyesi"
    assert {"email", "phone", "ngo_unit", "ngo_contact_email"} <= set(metropolitan)


@pytest.mark.parametrize("query", ["sanliurfa", "ŞANLIURFA", "Şanlıurfa"])
def test_search_ignores_case_and_turkish_letters(client, query):
    rows = client.get("/api/v1/municipalities/", {"q": query, "limit": 200}).json()["results"]
    assert rows
    assert all(row["province"] == 63 for row in rows)
    assert any(row["name"] == "Şanlıurfa Büyükşehir Belediyesi" for row in rows)


def test_province_search_finds_istanbul_from_ascii_capitals(client):
    rows = client.get("/api/v1/provinces/?q=ISTANBUL").json()
    assert [row["plate"] for row in rows] == [34]


def test_cursor_pagination_visits_every_row_once(client):
    seen, url = [], "/api/v1/municipalities/?province=34&limit=7"
    while url:
        page = client.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
        assert (page["next_cursor"] is None) == (url is None)
    expected = list(
        Municipality.objects.filter(province=34).order_by("pk").values_list("pk", flat=True)
    )
    assert seen == expected


@pytest.mark.parametrize(
    "query",
    [{"foo": "1"}, {"province": "99"}, {"limit": "0"}, {"limit": "abc"}, {"cursor": "bm9wZQ"},
     {"cursor": "!!"}, {"kind": "village"}],
)  # fmt: skip
def test_bad_or_unknown_parameters_are_a_json_400(client, query):
    response = client.get("/api/v1/municipalities/", query)
    assert response.status_code == 400
    body = response.json()
    assert body["detail"]
    assert body["errors"] is None or body["errors"]


def test_unknown_parameter_is_named(client):
    body = client.get("/api/v1/ngos/?colour=red").json()
    assert body["errors"] == [{"parameter": "colour", "message": "Bilinmeyen parametre."}]


def test_errors_speak_english_when_asked(client):
    body = client.get("/api/v1/ngos/?colour=red", HTTP_ACCEPT_LANGUAGE="en").json()
    assert body["detail"] == "Unknown query parameters."


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("get", "/api/v1/no-such-thing/", 404),
        ("get", "/api/v1/municipalities/999999/", 404),
        ("get", "/api/v1/municipalities/abc/", 400),
        ("post", "/api/v1/municipalities/", 405),
        ("delete", "/api/v1/ngos/1/", 405),
    ],
)
def test_errors_are_json_never_html(client, method, path, status):
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"]


def test_ngos_are_verified_ones_with_private_contacts_left_out(client):
    public = NGOFactory(name="Açık İletişim Derneği", email="a@x.test", contacts_public=True)
    private = NGOFactory(name="Gizli İletişim Derneği", email="g@x.test", phone="0442 111 22 33")
    pending = NGOFactory(name="Bekleyen Dernek", status=NGO.Status.PENDING)
    rows = {row["id"]: row for row in client.get("/api/v1/ngos/?limit=200").json()["results"]}
    assert pending.pk not in rows
    assert rows[public.pk]["email"] == "a@x.test"
    assert rows[private.pk]["email"] is None and rows[private.pk]["phone"] is None
    assert "g@x.test" not in client.get(f"/api/v1/ngos/{private.pk}/").content.decode()
    assert client.get(f"/api/v1/ngos/{pending.pk}/").status_code == 404


def test_capabilities_are_counted_per_province_and_hazard(client):
    for _n in range(2):
        CapabilityFactory(kind="shelter", hazard="flood")
    CapabilityFactory(kind="shelter", hazard="flood", ngo=NGOFactory(status=NGO.Status.PENDING))
    rows = client.get("/api/v1/capabilities/?province=25&hazard=flood").json()["results"]
    assert rows == [
        {"province": 25, "hazard": "flood", "kind": "shelter", "ngos": 2, "capabilities": 2}
    ]


def test_programmes_carry_agenda_speakers_and_dates_with_offset(client):
    event = EventFactory(title="Kars Bölge Programı")
    speaker = SpeakerFactory(event=event, name="Ayşe Yılmaz")
    AgendaItemFactory(event=event, title="Açılış", speakers=[speaker])
    row = client.get(f"/api/v1/programmes/{event.pk}/").json()
    assert row["speakers"][0]["name"] == "Ayşe Yılmaz"
    assert row["agenda"] == [{"time": "10:00", "title": "Açılış", "speakers": [speaker.pk]}]
    assert datetime.datetime.fromisoformat(row["starts_at"]).utcoffset() == datetime.timedelta(
        hours=3
    )
    found = client.get("/api/v1/programmes/?q=kars").json()["results"]
    assert [r["id"] for r in found] == [event.pk]


def test_conditional_get_by_etag_and_last_modified(client):
    first = client.get("/api/v1/provinces/25/")
    assert first["ETag"] and first["Last-Modified"]
    again = client.get("/api/v1/provinces/25/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again.content == b""
    since = client.get("/api/v1/provinces/25/", HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    assert since.status_code == 304
    older = http_date(0)
    assert client.get("/api/v1/provinces/25/", HTTP_IF_MODIFIED_SINCE=older).status_code == 200
    assert client.get("/api/v1/provinces/25/", HTTP_IF_NONE_MATCH='"other"').status_code == 200


def test_cors_allows_get_from_anywhere_on_public_endpoints_only(client):
    response = client.get("/api/v1/regions/", HTTP_ORIGIN="https://example.org")
    assert response["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/api/v1/regions/", HTTP_ORIGIN="https://example.org")
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    private = client.get("/api/v1/cases/", HTTP_ORIGIN="https://example.org")
    assert "Access-Control-Allow-Origin" not in private


def test_rate_limit_per_address_answers_429_with_retry_after(client, settings):
    settings.API_RATE_LIMIT_ANONYMOUS = 3
    statuses = [client.get("/api/v1/regions/").status_code for _n in range(4)]
    assert statuses == [200, 200, 200, 429]
    response = client.get("/api/v1/regions/")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["detail"]
    other = client.get("/api/v1/regions/", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_a_signed_in_browser_is_anonymous_to_the_api(client):
    client.force_login(UserFactory(is_staff=True))
    response = client.get("/api/v1/cases/")
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")


def test_docs_page_uses_the_local_swagger_files_and_the_schema(client):
    docs = client.get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs and "https://" not in docs
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/municipalities/" in schema["paths"]
    assert "/api/v1/cases/" in schema["paths"]
