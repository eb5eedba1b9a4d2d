"""Pages as documents: valid htmx attributes, valid datetime attributes, a description of each
page, a favicon, and readable buttons on the home page."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders

from tests.portal.main_pages import main_pages

# An htmx attribute without the data- prefix (not valid HTML).
BARE_HX = re.compile(r"(?<![\w-])hx-[a-z-]+=")
# A valid global date and time string with at most millisecond precision.
DATETIME_VALUE = re.compile(
    r"^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
META_DESCRIPTION = re.compile(r'<meta name="description" content="([^"]{50,})">')


@pytest.mark.parametrize("language", ["tr", "en"])
def test_main_pages_are_valid_documents(client, demo, language):
    descriptions = {}
    checked_times = 0
    for url, html in main_pages(client, language):
        assert not BARE_HX.findall(html), (url, BARE_HX.findall(html))
        for value in re.findall(r'<time[^>]* datetime="([^"]*)"', html):
            assert DATETIME_VALUE.match(value), (url, value)
            checked_times += 1
        description = META_DESCRIPTION.search(html)
        assert description, url
        descriptions[url] = description[1]
        assert re.search(
            r'<link rel="icon" href="/static/img/favicon\.svg" type="image/svg\+xml">', html
        ), url
    assert checked_times > 5
    # The public pages describe themselves; the others share the portal's description.
    prefix = "/en" if language == "en" else ""
    public = [
        u
        for u in descriptions
        if re.fullmatch(rf"{prefix}/((municipalities|ngos|events)/([a-z0-9-]+/)?)?", u)
        and not u.endswith(("/capabilities/", "/verification/"))
    ]
    assert len(public) == 7, public  # home, three directories, three detail pages
    assert len({descriptions[u] for u in public}) == len(public)


def test_no_template_or_form_writes_a_bare_htmx_attribute():
    root = Path(settings.BASE_DIR)
    for path in [*(root / "templates").rglob("*.html"), *root.glob("*/forms/*.py")]:
        source = path.read_text(encoding="utf-8")
        assert not re.findall(r'(?<![\w-])["\']?hx-[a-z-]+["\']?\s*[=:]', source), path


def test_datetime_attributes_drop_microseconds(client, demo):
    import datetime

    from django.template import Context, Template

    moment = datetime.datetime(2027, 12, 3, 14, 5, 6, 123456, tzinfo=datetime.UTC)
    html = Template("<time datetime=\"{{ m|date:'Y-m-d\\TH:i:sO' }}\"></time>").render(
        Context({"m": moment})
    )
    assert html == '<time datetime="2027-12-03T17:05:06+0300"></time>'
    assert DATETIME_VALUE.match("2027-12-03T17:05:06+0300")
    assert not DATETIME_VALUE.match("2027-12-03T17:05:06.123456+03:00")


def test_the_favicon_is_a_small_svg():
    path = finders.find("img/favicon.svg")
    svg = Path(path).read_text(encoding="utf-8")
    assert svg.startswith("<svg") and 'viewBox="0 0 32 32"' in svg and "<script" not in svg


def _luminance(hex_colour):
    channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a, b):
    lighter, darker = sorted([_luminance(a), _luminance(b)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


@pytest.mark.django_db
def test_the_home_pages_outline_buttons_are_readable(client):
    html = client.get("/").content.decode()
    assert 'class="hero' in html and "btn-outline-secondary" in html
    css = (Path(settings.BASE_DIR) / "static/css/portal.css").read_text(encoding="utf-8")
    hero_background = re.search(r"\.hero \{ background: linear-gradient\(135deg, (#\w{6})", css)[1]
    for kind in ("primary", "secondary"):
        rule = re.search(rf"\.hero \.btn-outline-{kind} \{{(.*?)\}}", css, re.S)[1]
        colour = re.search(r"--bs-btn-color: (#\w{6})", rule)[1]
        hover = re.search(r"--bs-btn-hover-bg: (#\w{6})", rule)[1]
        assert contrast(colour, hero_background) >= 4.5, (kind, contrast(colour, hero_background))
        assert contrast("#ffffff", hover) >= 4.5
    # Bootstrap's own secondary outline, which the home page used: 4.10:1 on the hero.
    assert round(contrast("#6c757d", hero_background), 2) < 4.5
