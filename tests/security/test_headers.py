"""Security headers on every main page, and no inline script, style or event handler in them."""

import re

import pytest
from django.test import Client

from portal.models import User
from tests.security.pages import main_pages

pytestmark = pytest.mark.django_db

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
HANDLER_ATTRIBUTE = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
JAVASCRIPT_URL = re.compile(r"=\s*[\"']?\s*javascript:", re.IGNORECASE)


def _get(email, url):
    client = Client()
    if email:
        client.force_login(User.objects.get(email=email))
    return client.get(url)


def _directives(response) -> dict[str, str]:
    policy = response["Content-Security-Policy"]
    return {
        part.strip().split(" ", 1)[0]: part.strip().partition(" ")[2]
        for part in policy.split(";")
        if part.strip()
    }


def test_headers_main_pages_carry_strict_policy(demo):
    for email, url in main_pages():
        response = _get(email, url)
        assert response.status_code == 200, (email, url, response.status_code)
        policy = response["Content-Security-Policy"]
        assert "unsafe-inline" not in policy, url
        assert "unsafe-eval" not in policy, url
        directives = _directives(response)
        assert directives["default-src"] == "'self'"
        assert directives["script-src"] == "'self'"
        assert directives["style-src"] == "'self'"
        assert directives["frame-ancestors"] == "'none'"
        assert directives["object-src"] == "'none'"
        assert directives["base-uri"] == "'self'"
        assert directives["form-action"] == "'self'"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"


def _private(response) -> bool:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


def test_headers_pages_of_a_logged_in_user_are_never_cached(demo):
    pages = [(email, url) for email, url in main_pages() if email]
    assert pages
    for email, url in pages:
        response = _get(email, url)
        assert _private(response), (email, url, response.get("Cache-Control"))


def test_headers_downloads_of_personal_data_and_exports_are_never_cached(demo):
    from django.urls import reverse

    ngo_admin = User.objects.get(email="ngo@demo.test")
    coordinator = User.objects.get(email="coordinator@demo.test")
    municipal = User.objects.get(email="municipality@demo.test")
    for user, url in [
        (ngo_admin, reverse("my_data")),
        (municipal, reverse("ngos:capability_export")),
        (coordinator, reverse("reports:export", kwargs={"table": "top-five", "fmt": "csv"})),
        (coordinator, reverse("reports:export_expectations") + "?campaign=2025"),
        (coordinator, reverse("events:export_csv", args=["erzurum-bb"])),
    ]:
        client = Client()
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        assert "attachment" in response.get("Content-Disposition", ""), url
        assert _private(response), (url, response.get("Cache-Control"))


def test_headers_language_cookie_is_secure_and_same_site_under_https(settings):
    from django.conf import settings as django_settings

    assert django_settings.LANGUAGE_COOKIE_SAMESITE == "Lax"
    # Production (HTTPS) settings, as the deploy check above builds them.
    import subprocess
    import sys

    code = (
        "import os, django, sys;"
        "os.environ['DJANGO_SETTINGS_MODULE']='portal.settings';"
        "sys.modules.pop('pytest', None);"
        "django.setup();"
        "from django.conf import settings as s;"
        "print(s.LANGUAGE_COOKIE_SECURE, s.LANGUAGE_COOKIE_SAMESITE)"
    )
    env = {
        "DJANGO_SECRET_KEY": "k" * 50,
        "DJANGO_ALLOWED_HOSTS": "portal.example.org",
        "DJANGO_TESTING": "",
        "PATH": "/usr/bin:/bin",
    }
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=str(django_settings.BASE_DIR),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.split() == ["True", "Lax"], result.stderr[-2000:]


def test_headers_main_pages_have_no_inline_code(demo):
    for email, url in main_pages():
        html = _get(email, url).content.decode()
        assert not INLINE_SCRIPT.search(html), (url, INLINE_SCRIPT.search(html).group())
        assert not STYLE_ATTRIBUTE.search(html), (url, STYLE_ATTRIBUTE.search(html).group())
        match = HANDLER_ATTRIBUTE.search(html)
        assert not match, (url, html[match.start() - 80 : match.end() + 80] if match else "")
        assert not JAVASCRIPT_URL.search(html), url


def test_headers_htmx_partial_has_policy_too(demo):
    client = Client()
    response = client.get("/en/municipalities/?q=erzurum", HTTP_HX_REQUEST="true")
    assert "<html" not in response.content.decode()
    assert "Erzurum" in response.content.decode()
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert _directives(response)["script-src"] == "'self'"


def test_headers_htmx_configured_without_inline_styles(client, db):
    html = client.get("/en/").content.decode()
    assert '"includeIndicatorStyles": false' in html
    assert '"allowEval": false' in html


def test_headers_static_scripts_are_same_origin(client, db):
    html = client.get("/en/").content.decode()
    sources = re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", html)
    assert sources
    assert all(src.startswith("/static/") for src in sources)


def test_headers_production_settings_pass_deploy_check(settings):
    """HSTS, secure cookies and SSL redirect are switched on outside DEBUG and tests."""
    import subprocess
    import sys

    env = {
        "DJANGO_SECRET_KEY": "k" * 20 + "abcdefghijklmnopqrstuvwxyz0123456789!@#$",
        "DJANGO_ALLOWED_HOSTS": "portal.example.org",
        # Production shares its cache (rate limits) through Redis; the check does not connect.
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "DJANGO_TESTING": "",
        "PATH": "/usr/bin:/bin",
    }
    code = (
        "import os, django, sys;"
        "os.environ['DJANGO_SETTINGS_MODULE']='portal.settings';"
        "sys.modules.pop('pytest', None);"
        "django.setup();"
        "from django.conf import settings as s;"
        "from django.core.management import call_command;"
        "assert s.SECURE_HSTS_SECONDS >= 31536000 and s.SESSION_COOKIE_SECURE;"
        "call_command('check', deploy=True, fail_level='WARNING')"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        cwd=str(settings.BASE_DIR),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "no issues" in result.stdout + result.stderr


def test_size_limits_oversized_form_refused_with_clear_page(client, db, settings):
    body = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post("/en/accounts/login/", {"login": "a@example.test", "password": body})
    assert response.status_code == 400
    assert "The request could not be understood" in response.content.decode()


def test_size_limits_too_many_fields_refused(client, db, settings):
    data = {f"field{number}": "1" for number in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}
    response = client.post("/en/accounts/login/", data)
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()
