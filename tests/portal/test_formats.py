"""Numbers and dates as each language writes them: "1.393 belediye bulundu", "3 Aralık 2027";
"1,393 municipalities found", "3 December 2027" (never "December 3, 2027" or "06/09/2025")."""

import datetime
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db.models import QuerySet
from django.template import Context, Template
from django.utils import translation

from portal.models import User
from tests.portal.main_pages import DASHBOARD_ACCOUNTS, main_pages

MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    r"Jan\.?|Feb\.?|Mar\.?|Apr\.?|Aug\.?|Sept?\.?|Oct\.?|Nov\.?|Dec\.?"
)
# A month before its day ("December 3, 2027"), or a date in digits ("06/09/2025", "06.09.2025").
WRONG_DATE = re.compile(
    rf"\b(?:{MONTHS}) \d{{1,2}}, \d{{4}}|\b\d{{1,2}}[/.]\d{{1,2}}[/.]\d{{2,4}}\b"
    r"|\b0\d (?:Ocak|Şubat|Mart|Nisan|Mayıs|Haziran|Temmuz|Ağustos|Eylül|Ekim|Kasım|Aralık)\b"
)
# A number of 1,000 or more written without a separator; years (1900–2100) are not grouped.
UNGROUPED = re.compile(r"(?<![\d.,:/-])(\d{4,})(?![\d.,:/-])")


def visible_text(html):
    html = re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", html)


# Numbers that name something (a law) are not quantities.
IDENTIFIERS = re.compile(r"(?:No\.|Kanun|law) \d{4}\b|\b\d{4} sayılı")


def ungrouped_numbers(text):
    text = IDENTIFIERS.sub(" ", text)
    return [n for n in UNGROUPED.findall(text) if not 1900 <= int(n) <= 2100]


@pytest.mark.django_db
def test_result_counts_have_thousands_separators(client):
    assert "1.393 belediye bulundu" in client.get("/municipalities/").content.decode()
    assert "1,393 municipalities found" in client.get("/en/municipalities/").content.decode()


def test_every_result_count_is_grouped_in_the_templates():
    """A count of results is shown through ``intcomma``, never as the bare plural counter."""
    root = Path(settings.BASE_DIR) / "templates"
    for path in root.rglob("*.html"):
        source = path.read_text(encoding="utf-8")
        for tag in re.findall(
            r"\{% blocktranslate [^%]*paginator\.count[^%]*%\}.*?\{% end", source, flags=re.S
        ):
            assert "|intcomma" in tag and "{{ counter }}" not in tag, (path.name, tag)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("tr", ["3 Aralık 2027", "3 Aralık 2027, 14:05", "3 Ara 2027", "3 Ara 2027, 14:05"]),
        ("en", ["3 December 2027", "3 December 2027, 14:05", "3 Dec 2027", "3 Dec 2027, 14:05"]),
    ],
)
def test_one_date_style_per_language(language, expected):
    moment = datetime.datetime(2027, 12, 3, 14, 5, tzinfo=ZoneInfo("Europe/Istanbul"))
    template = Template(
        '{{ m|date:"DATE_FORMAT" }}|{{ m|date:"DATETIME_FORMAT" }}|'
        '{{ m|date:"SHORT_DATE_FORMAT" }}|{{ m|date:"SHORT_DATETIME_FORMAT" }}'
    )
    with translation.override(language):
        assert template.render(Context({"m": moment})).split("|") == expected


def test_templates_use_the_named_date_formats():
    """Templates name a format ("DATE_FORMAT"); a date written out by hand is one that can
    drift from the others. Time of day, weekday and machine formats are allowed."""
    allowed = {"Y-m-d\\TH:i:sO", "Ymd", "H:i", "Y", "j F Y, l", "j F, H:i", "U"}
    root = Path(settings.BASE_DIR) / "templates"
    for path in root.rglob("*.*"):
        for fmt in re.findall(r"\|date:[\"']([^\"']+)[\"']", path.read_text(encoding="utf-8")):
            assert fmt.endswith("_FORMAT") or fmt in allowed, (path.name, fmt)


@pytest.mark.parametrize("language", ["tr", "en"])
def test_main_pages_show_dates_and_numbers_in_the_languages_style(client, demo, language):
    for url, html in main_pages(client, language):
        text = visible_text(html)
        assert not WRONG_DATE.findall(text), (url, WRONG_DATE.findall(text))
        assert not ungrouped_numbers(text), (url, ungrouped_numbers(text))


@pytest.fixture
def thousands(monkeypatch):
    """Every count and aggregate the database returns is 1,000 more than the real one, so that
    a number shown without its separator cannot hide behind the demo's small figures."""
    count, aggregate = QuerySet.count, QuerySet.aggregate
    monkeypatch.setattr(QuerySet, "count", lambda qs: count(qs) + 1000)
    monkeypatch.setattr(
        QuerySet,
        "aggregate",
        lambda qs, *args, **kwargs: {
            key: value + 1000 if isinstance(value, int) else value
            for key, value in aggregate(qs, *args, **kwargs).items()
        },
    )


@pytest.mark.parametrize("email", DASHBOARD_ACCOUNTS)
@pytest.mark.parametrize("language", ["tr", "en"])
def test_dashboard_sentences_and_the_unread_badge_group_their_numbers(
    client, demo, thousands, email, language
):
    client.force_login(User.objects.get(email=email))
    text = visible_text(
        client.get(("/en" if language == "en" else "") + "/dashboard/").content.decode()
    )
    separator = "." if language == "tr" else ","
    assert re.search(rf"\b1{re.escape(separator)}0\d\d\b", text), text  # the counts were inflated
    assert not ungrouped_numbers(text), ungrouped_numbers(text)


def test_python_code_uses_the_named_date_formats():
    """Dates formatted for people in Python code (export headers, messages) name a format too;
    ``strftime`` stays for machine formats (file names, calendars, ``__str__`` of log rows)."""
    root = Path(settings.BASE_DIR)
    for path in root.glob("*/**/*.py"):
        if path.parts[len(root.parts)] in {".venv", "tests", "staticfiles", "node_modules"}:
            continue
        source = path.read_text(encoding="utf-8")
        for fmt in re.findall(
            r"date_format\([^()]*(?:\([^()]*\))?[^()]*,\s*[\"']([^\"']+)[\"']", source
        ):
            assert fmt.endswith("_FORMAT"), (str(path.relative_to(root)), fmt)
