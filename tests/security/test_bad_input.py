"""Hostile input never breaks the portal: a property-based test (hypothesis) sends random and
hostile values to every form and every query parameter of every page, as each role, and
oversized requests and uploads are refused with a clear message.

The forms and pages are discovered, not listed: for each role the test crawls the portal from
its top-level pages (one page per URL name), parses every <form> with html.parser and every
query parameter of the links. A new page or form is fuzzed without touching this file.

Assertions for every request: no server error (status < 500, no exception); a POST that is
refused (anything but a redirect) leaves every table of the project as it was.
"""

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, quote, quote_from_bytes, urljoin, urlsplit

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ngos.services.imports import MAX_UPLOAD_BYTES
from portal.models import User

pytestmark = pytest.mark.django_db

ROLES = {
    "anonymous": None,
    "ngo_admin": "ngo@demo.test",
    "municipal_staff": "municipality@demo.test",
    "national_coordinator": "coordinator@demo.test",
    "site_admin": "admin@demo.test",
}
START_PAGES = [
    "/",
    "/dashboard/",
    "/accounts/profile/",
    "/ngos/",
    "/municipalities/",
    "/surveys/",
    "/events/",
    # An upcoming programme with free seats (demo/services/programmes.py): its registration
    # form is fuzzed whichever programme the events list shows first.
    "/events/sanliurfa-bb/",
    "/reports/",
    "/notifications/",
    "/en/",
]
# Pages that are not the portal's own (Django admin) or that end the session under test.
SKIPPED_URL_NAMES = {"account_logout"}
# The API is fuzzed against its own schema (scripts/api_fuzz.py).
SKIPPED_PREFIXES = ("/admin/", "/static/", "/en/admin/", "/api/")
MAX_PAGES_PER_ROLE = 110
GENERIC_PARAMETERS = ["page", "q", "sort", "format", "next", "status", "province"]
PROJECT_APPS = ["portal", "municipalities", "ngos", "surveys", "cooperation", "events"]

HUGE = "A" * 100_000
HOSTILE_VALUES = [
    "",
    " ",
    HUGE,
    "ş" * 100_000,
    "\x00",
    "a\x00b",
    "\x01\x02\x03\x08\x0b\x0c\x1b[31m\x7f\x85",
    "\u202e\u200b\ufeff",
    "\ud800",  # lone surrogate: invalid UTF-8 on the wire
    "x\udfffy",
    b"\xff\xfe\xfd",  # raw invalid UTF-8
    b"\xc3\x28\xa0\xa1",
    "-1",
    "-9223372036854775809",
    "99999999999999999999999999999999",
    "1e309",
    "NaN",
    "-inf",
    "0",
    "1.5",
    "0x1F",
    "2025-02-30",
    "9999-12-31T23:59",
    "0000-00-00",
    "' OR '1'='1",
    "1; DROP TABLE ngos_ngo; --",
    "%' UNION SELECT password FROM portal_user --",
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}{% debug %}",
    "../../../../etc/passwd",
    "javascript:alert(1)",
    "//evil.example/",
    "https://evil.example/",
    "[]",
    "{}",
    "true",
    "None",
    "İSTANBUL ığüşöç",
    "unknown-choice-value",
]


def project_row_counts():
    """Rows per table of the project's apps, in one query."""
    tables = sorted(
        model._meta.db_table
        for name in PROJECT_APPS
        for model in apps.get_app_config(name).get_models(include_auto_created=True)
    )
    sql = "SELECT " + ", ".join(
        f"(SELECT COUNT(*) FROM {connection.ops.quote_name(table)})" for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return dict(zip(tables, cursor.fetchone(), strict=True))


# --- discovery --------------------------------------------------------------------------------


@dataclass
class Form:
    page: str
    action: str
    method: str
    fields: list = field(default_factory=list)  # (name, plausible value, is_file)
    choices: dict = field(default_factory=dict)  # name -> option values

    @property
    def key(self):
        return (self.method, url_name(self.action), tuple(sorted({f[0] for f in self.fields})))


class PageParser(HTMLParser):
    """Collect links and forms (with each field's current value and options)."""

    def __init__(self, page):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.links = []
        self.forms = []
        self._form = None
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(urljoin(self.page, attrs["href"]))
        elif tag == "form":
            self._form = Form(
                page=self.page,
                action=urljoin(self.page, attrs.get("action") or self.page),
                method=(attrs.get("method") or "get").lower(),
            )
        elif self._form is None or not attrs.get("name"):
            return
        elif tag == "input":
            kind = (attrs.get("type") or "text").lower()
            if kind in {"submit", "button", "reset", "image"}:
                self._form.fields.append((attrs["name"], attrs.get("value", ""), False))
            elif kind in {"checkbox", "radio"}:
                self._form.choices.setdefault(attrs["name"], []).append(attrs.get("value", "on"))
                if "checked" in attrs or kind == "radio":
                    self._form.fields.append((attrs["name"], attrs.get("value", "on"), False))
            else:
                self._form.fields.append((attrs["name"], attrs.get("value", ""), kind == "file"))
        elif tag == "select":
            self._select = attrs["name"]
            self._form.choices.setdefault(self._select, [])
        elif tag == "option" and self._select:
            self._form.choices[self._select].append(attrs.get("value", ""))
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self._form.fields.append((attrs["name"], "", False))

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            for name, options in self._form.choices.items():
                if options and name not in {f[0] for f in self._form.fields}:
                    self._form.fields.append((name, options[-1], False))
            self.forms.append(self._form)
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            fields = self._form.fields
            name, value, is_file = fields[-1]
            fields[-1] = (name, value + data, is_file)


def url_name(url):
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name


def local(url):
    parts = urlsplit(url)
    if parts.scheme not in {"", "http"} or parts.netloc not in {"", "testserver"}:
        return None
    if parts.path.startswith(SKIPPED_PREFIXES):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


@dataclass
class Site:
    pages: dict = field(default_factory=dict)  # path -> parameter names
    forms: list = field(default_factory=list)


def discover(client):
    """Crawl the portal as the logged-in user of ``client``: one page per URL name."""
    site = Site()
    seen_names = set()
    queue = list(START_PAGES)
    seen_forms = set()
    while queue and len(site.pages) < MAX_PAGES_PER_ROLE:
        url = queue.pop(0)
        name = url_name(url)
        path = urlsplit(url).path
        if name is None or name in SKIPPED_URL_NAMES or name in seen_names:
            continue
        seen_names.add(name)
        response = client.get(url)
        assert response.status_code < 500, url
        parameters = {key for key, _value in parse_qsl(urlsplit(url).query)}
        site.pages[path] = parameters
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        parser = PageParser(url)
        parser.feed(response.content.decode())
        for link in parser.links:
            target = local(link)
            if target is None:
                continue
            if urlsplit(target).path == path:
                site.pages[path] |= {key for key, _value in parse_qsl(urlsplit(target).query)}
            queue.append(target)
        for form in parser.forms:
            target = local(form.action)
            if target is None or url_name(target) in SKIPPED_URL_NAMES:
                continue
            form.action = target
            if form.method == "get":
                site.pages.setdefault(urlsplit(target).path, set()).update(
                    name for name, _value, _file in form.fields
                )
            if form.key not in seen_forms:
                seen_forms.add(form.key)
                site.forms.append(form)
    return site


# --- hostile values ---------------------------------------------------------------------------

hostile = st.one_of(
    st.sampled_from(HOSTILE_VALUES),
    st.text(max_size=40),
    st.binary(max_size=40),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


def encode(value):
    raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
    return quote_from_bytes(raw, safe="")


def body(pairs):
    return "&".join(f"{quote(name, safe='')}={encode(value)}" for name, value in pairs)


@st.composite
def submissions(draw, fields, choices):
    """Field values: mostly plausible, some hostile, some missing, some repeated, unknown
    choices, and now and then an unexpected field."""
    pairs = []
    for name, plausible, _is_file in fields:
        action = draw(st.sampled_from(["keep", "keep", "hostile", "hostile", "drop", "repeat"]))
        if action == "keep":
            pairs.append((name, plausible))
        elif action == "hostile":
            pairs.append((name, draw(hostile)))
        elif action == "repeat":
            pairs.append((name, draw(hostile)))
            pairs.append((name, plausible))
        if name in choices and draw(st.booleans()):
            pairs.append((name, draw(st.sampled_from(["999999", "-1", "__unknown__", "0"]))))
    if draw(st.booleans()):
        pairs.append((draw(st.sampled_from(["pk", "id", "user", "ngo", "status"])), draw(hostile)))
    return pairs


def check_post(client, form, pairs, *, htmx=False):
    before = project_row_counts()
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.generic(
        "POST",
        form.action,
        body(pairs).encode("ascii"),
        content_type="application/x-www-form-urlencoded",
        headers=headers,
    )
    assert response.status_code < 500, (form.action, pairs)
    if response.status_code not in {301, 302, 303}:
        assert project_row_counts() == before, (form.action, response.status_code)
    return response


def check_get(client, path, pairs, *, raw=False, htmx=False):
    headers = {"HX-Request": "true"} if htmx else {}
    if raw:
        # Bytes as they arrive, not percent-encoded (WSGI passes them as latin-1).
        query = b"&".join(
            name.encode()
            + b"="
            + (v if isinstance(v, bytes) else v.encode("utf-8", "surrogatepass"))
            for name, v in pairs
        )
        response = client.get(path, QUERY_STRING=query.decode("latin-1"), headers=headers)
    else:
        response = client.get(f"{path}?{body(pairs)}", headers=headers)
    assert response.status_code < 500, (path, pairs)
    return response


def log_in(client, email):
    client.logout()
    if email:
        client.force_login(User.objects.get(email=email))


FUZZ = settings(
    max_examples=2,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def fuzz_form(client, form, fields, email):
    @FUZZ
    @given(pairs=submissions(fields, form.choices), htmx=st.booleans())
    def fuzz(pairs, htmx):
        log_in(client, email)
        check_post(client, form, pairs, htmx=htmx)

    return fuzz


def fuzz_page(client, path, names):
    @FUZZ
    @given(
        pairs=st.lists(st.tuples(st.sampled_from(names), hostile), max_size=6),
        raw=st.booleans(),
        htmx=st.booleans(),
    )
    def fuzz(pairs, raw, htmx):
        check_get(client, path, pairs, raw=raw, htmx=htmx)

    return fuzz


# What each role's crawl found, per test process: the demo each test starts from is the same.
_discovered = {}


@pytest.fixture
def site_of(demo, client):
    def crawl(role):
        if role not in _discovered:
            log_in(client, ROLES[role])
            _discovered[role] = discover(client)
        return _discovered[role]

    return crawl


def test_every_form_survives_hostile_values(client, site_of):
    """Each form (by URL name and fields) is fuzzed as the first role that sees it."""
    done = set()
    found = {}
    for role, email in ROLES.items():
        forms = site_of(role).forms
        found[role] = {url_name(f.action) for f in forms}
        for form in forms:
            if form.method != "post" or form.key in done:
                continue
            done.add(form.key)
            fields = [f for f in form.fields if not f[2]]
            log_in(client, email)
            # The same hostile value in every field, once per kind, then random mixtures.
            for value in [HUGE, "a\x00b\ud800", b"\xff\xfe", "-99999999999999999999"]:
                check_post(client, form, [(name, value) for name, _v, _f in fields])
            check_post(client, form, [])  # every field missing
            check_post(client, form, [(name, v) for name, v, _f in fields for _ in range(2)])

            fuzz_form(client, form, fields, email)()
            log_in(client, email)
    assert len(done) > 20
    # The crawler really reaches each role's main forms.
    assert "account_login" in found["anonymous"]
    assert "surveys:submission_edit" in found["ngo_admin"]
    assert {"surveys:case_status", "surveys:case_answer"} <= found["municipal_staff"]
    assert "events:register" in found["ngo_admin"] | found["municipal_staff"]
    assert "surveys:campaign_create" in found["national_coordinator"]


def test_every_query_parameter_survives_hostile_values(client, site_of):
    """Each page (by URL name) is fuzzed as the first role that may see it."""
    done = set()
    for role, email in ROLES.items():
        site = site_of(role)
        for path, parameters in site.pages.items():
            name = url_name(path)
            if name in done:
                continue
            done.add(name)
            names = sorted(parameters | set(GENERIC_PARAMETERS))
            log_in(client, email)
            check_get(client, path, [(names[0], HUGE)])
            for value in ["\x00\ud800'\"<", b"\xff\xfe", "-99999999999999999999"]:
                check_get(client, path, [(name, value) for name in names])
            check_get(client, path, [(name, b"\xc3\x28\x00\xff") for name in names], raw=True)
            check_get(client, path, [(name, str(n)) for name in names for n in range(2)])

            fuzz_page(client, path, names)()
    assert len(done) > 30


# --- oversized requests and uploads -----------------------------------------------------------


def test_post_body_over_the_memory_limit_gets_the_bad_request_page(client, demo, settings):
    client.force_login(User.objects.get(email="ngo@demo.test"))
    before = project_row_counts()
    payload = "full_name=" + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.generic(
        "POST",
        "/en/accounts/profile/",
        payload.encode(),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert b"Bad request" in response.content
    assert b"The request could not be understood" in response.content
    assert project_row_counts() == before


def test_post_with_too_many_fields_gets_the_bad_request_page(client, demo, settings):
    client.force_login(User.objects.get(email="ngo@demo.test"))
    payload = "&".join(f"f{n}=1" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1))
    response = client.generic(
        "POST",
        "/en/ngos/register/",
        payload.encode(),
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400
    assert b"The request could not be understood" in response.content


def test_import_upload_over_the_limit_is_refused_with_a_form_error(client, demo):
    client.force_login(User.objects.get(email="coordinator@demo.test"))
    before = project_row_counts()
    upload = SimpleUploadedFile(
        "ngos.csv", b"name;legal_form\n" + b"x" * MAX_UPLOAD_BYTES, content_type="text/csv"
    )
    response = client.post("/en/ngos/import/", {"file": upload})
    assert response.status_code == 200
    text = response.content.decode()
    assert re.search(r"The file is 5\.0\xa0MB; files of at most 5\.0\xa0MB can be imported", text)
    assert project_row_counts() == before


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\x00\x01\x02\xff\xfe" * 1000,
        b"\xff\xfe" + "ad;tür\n".encode("utf-16-le"),
        b"name;legal_form;province\n=cmd|'/C calc'!A0;dernek;25\n" + b"\x00;\x00;\x00\n",
        b"PK\x03\x04 not really a spreadsheet",
        ("ad;hukuki biçim\n" + "a;" * 50_000 + "\n").encode(),
    ],
)
def test_hostile_import_files_never_break_the_upload(client, demo, content):
    client.force_login(User.objects.get(email="coordinator@demo.test"))
    before = project_row_counts()
    response = client.post(
        "/en/ngos/import/", {"file": SimpleUploadedFile("ngos.csv", content, "text/csv")}
    )
    assert response.status_code < 500
    assert project_row_counts() == before
