import re

import pytest
from django.db import OperationalError
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_home_is_turkish_at_the_root(client):
    html = client.get("/").content.decode()
    assert '<html lang="tr">' in html
    assert "Belediye–STK İş Birliği Portalı" in html
    assert "beş" in html.lower() or "Beş" in html
    assert "Ana içeriğe geç" in html  # skip link


def test_home_is_english_under_en(client):
    html = client.get("/en/").content.decode()
    assert '<html lang="en">' in html
    assert "Municipality–NGO Cooperation Portal" in html
    assert "Skip to main content" in html


def test_home_shows_figures_from_the_database(client):
    response = client.get("/en/")
    assert response.context["counts"] == {
        "provinces": 81,
        "subregions": 17,
        "municipalities": 1393,
        "ngos": 0,
    }
    html = response.content.decode()
    assert "1,393" in html


def test_home_in_turkish_uses_turkish_number_format(client):
    assert "1.393" in client.get("/").content.decode()


def test_language_switch_keeps_the_page(client):
    response = client.post(
        reverse("set_language"), {"language": "en", "next": "/municipalities/?kind=town"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/en/municipalities/?kind=town"
    response = client.post(
        reverse("set_language"), {"language": "tr", "next": "/en/municipalities/"}
    )
    assert response["Location"] == "/municipalities/"


def test_landmarks_and_skip_link_on_every_page(client):
    for url in ["/", "/municipalities/", "/accounts/login/"]:
        html = client.get(url).content.decode()
        assert 'href="#main"' in html, url
        assert '<main id="main"' in html, url
        assert "<header>" in html and "<footer" in html and "<nav" in html, url


def test_no_cdn_assets(client):
    html = client.get("/").content.decode()
    assert "/static/vendor/bootstrap/bootstrap.min.css" in html
    assert "/static/vendor/htmx/htmx.min.js" in html
    # Every stylesheet and script is served from our own /static/ (a random CSRF token in the
    # page may contain the letters "cdn", so the addresses are checked, not the whole text).
    addresses = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert addresses
    external = [a for a in addresses if a.startswith(("http:", "https:", "//"))]
    assert not [a for a in external if a.endswith((".css", ".js"))]
    assert not [a for a in addresses if "cdn" in a.lower()]


def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up"}
    assert "no-cache" in response["Cache-Control"]


def test_healthz_answers_503_when_the_database_fails(client, monkeypatch):
    from portal.views import pages as views

    class BrokenCursor:
        def __enter__(self):
            raise OperationalError("connection refused")

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(views.connection, "cursor", lambda: BrokenCursor())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_unknown_page_is_a_translated_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Sayfa bulunamadı" in response.content.decode()


def test_language_switch_remembers_a_logged_in_users_choice(client):
    from tests.factories import UserFactory

    user = UserFactory()
    client.force_login(user)
    client.post(reverse("set_language"), {"language": "en", "next": "/dashboard/"})
    user.refresh_from_db()
    assert user.preferred_language == "en"
