"""Real-browser journeys: Playwright driving the system Chromium against pytest-django's live
server, with an axe-core check and a full-page screenshot of every step.

The live server runs in a thread of this process and shares the test database; Playwright's sync
API runs an event loop in the main thread, so Django must allow ORM calls from test code there.
"""

import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings

os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

# Debian's Chromium headless shell (package chromium-headless-shell: the same engine without the
# desktop browser around it) runs the journeys in four fifths of the full browser's time on this
# 2-core machine (tests/e2e on PostgreSQL: 98 -> 77 s); the full browser where only it is there.
HEADLESS_SHELL = Path("/usr/lib/chromium/chromium-headless-shell")
CHROMIUM = HEADLESS_SHELL if HEADLESS_SHELL.exists() else Path("/usr/bin/chromium")
# Every browser module's marks: the e2e marker, and skipped where no browser is installed.
BROWSER_MARKS = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason=f"{CHROMIUM} is missing (apt-get install chromium-headless-shell fonts-dejavu-core)",
    ),
]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(settings.BASE_DIR) / "artifacts" / "e2e"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
PASSWORD = "demo-pass-2025"  # noqa: S105 (the published demo password)
TIMEOUT_MS = 15_000


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole session."""
    sync_api = pytest.importorskip("playwright.sync_api")
    playwright = sync_api.sync_playwright().start()
    chromium = playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture(scope="session")
def axe_page(browser):
    """A JavaScript-enabled page on which axe-core checks the HTML of pages that were visited
    with JavaScript disabled (axe cannot run where scripts are off)."""
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    yield page
    context.close()


def axe_violations(page, *, axe_page, javascript):
    """Serious and critical WCAG 2.1 A/AA violations on the page, as (id, impact, targets)."""
    from axe_playwright_python.sync_playwright import Axe

    target = page
    if not javascript:
        html, url = page.content(), page.url

        def serve_snapshot(route):
            if route.request.resource_type == "document":
                route.fulfill(body=html, content_type="text/html; charset=utf-8")
            else:
                route.continue_()

        axe_page.route("**/*", serve_snapshot)
        try:
            axe_page.goto(url, wait_until="load")
        finally:
            axe_page.unroute("**/*", serve_snapshot)
        target = axe_page
    options = {"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]}
    results = Axe().run(target, options=options)
    return [
        (violation["id"], violation["impact"], [node["target"] for node in violation["nodes"]])
        for violation in results.response["violations"]
        if violation.get("impact") in BLOCKING_IMPACTS
    ]


@dataclass
class Journey:
    """One journey: browser contexts that share its step counter, screenshots and axe checks."""

    name: str
    base_url: str
    browser: object
    axe_page: object
    contexts: list = field(default_factory=list)
    step: int = 0

    def __post_init__(self):
        self.folder = ARTIFACTS / self.name
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True, exist_ok=True)

    def new_page(self, *, javascript=True, width=None):
        """A page in a new browser context; ``width`` (px) for a phone-sized window."""
        options = {"viewport": {"width": width, "height": 844}} if width else {}
        context = self.browser.new_context(
            java_script_enabled=javascript, locale="en-GB", accept_downloads=True, **options
        )
        self.contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        page.javascript = javascript
        return page

    def url(self, path):
        return self.base_url + path

    def visit(self, page, path, step):
        page.goto(self.url(path))
        self.check(page, step)

    def check(self, page, step):
        """Screenshot the page and assert it has no serious or critical WCAG 2.1 violation."""
        page.wait_for_load_state("load")
        self.step += 1
        slug = re.sub(r"[^a-z0-9]+", "-", step.lower()).strip("-")
        page.screenshot(path=str(self.folder / f"{self.step:02d}-{slug}.png"), full_page=True)
        violations = axe_violations(page, axe_page=self.axe_page, javascript=page.javascript)
        assert not violations, f"axe on {page.url} ({step}): " + "; ".join(
            f"{rule} [{impact}] at {targets}" for rule, impact, targets in violations
        )

    def log_in(self, page, email, password=PASSWORD):
        page.goto(self.url("/en/accounts/login/"))
        page.fill("input[name=login]", email)
        page.fill("input[name=password]", password)
        page.locator("main form button[type=submit]").last.click()
        page.wait_for_url(re.compile(r".*/dashboard/.*|.*/en/(?!accounts/login).*"))

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def journey(request, live_server, browser, axe_page):
    """Factory of journeys against the live server; every browser context is closed afterwards."""
    from django.core.cache import caches

    # allauth's rate limits count log-ins per address in the cache, and report figures are kept
    # in a cache table the flush between tests does not empty: each test starts afresh.
    caches["default"].clear()
    caches["reports"].clear()
    made = []

    def make(name):
        made.append(Journey(name, live_server.url, browser, axe_page))
        return made[-1]

    yield make
    for item in made:
        item.close()
