"""Every journey page on a 390 × 844 phone (Playwright + Debian Chromium): nothing wider than the
window outside a deliberately scrolling region, chart text at least 12 CSS px, targets at least
24 × 24 CSS px (axe-core's WCAG 2.2 target-size rule), filter panels behind one button; each page
screenshotted under artifacts/e2e/phone-<role>/ and checked with axe-core like the journeys."""

import pytest
from django.urls import reverse
from django.utils import translation
from playwright.sync_api import expect

from demo.services.erzurum import ERZURUM
from tests.e2e.conftest import BROWSER_MARKS

pytestmark = BROWSER_MARKS

PHONE = 390
MIN_CHART_TEXT_PX = 12

# Run in the page: what overflows the window, which scrolling boxes are not deliberate regions,
# and the rendered size of every text of a chart (font size times the SVG's scale on screen).
STRICT_TARGETS = ", ".join(
    [
        "main input[type=checkbox]",
        "main input[type=radio]",
        "main th a",
        "main a.badge",
        "main .tap-links a",
        "main a.tap-link",
        "main .dashboard-figures a",
    ]
)
LAYOUT_PROBE = """
() => {
  const STRICT_TARGETS = '__STRICT_TARGETS__';
  const width = window.innerWidth;
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.className && typeof el.className === 'string'
      ? '.' + el.className.trim().split(/\\s+/).slice(0, 3).join('.') : '') +
    ' "' + (el.textContent || '').trim().slice(0, 40) + '"';
  const scrolls = (el) => ['auto', 'scroll'].includes(getComputedStyle(el).overflowX);
  const deliberate = (el) => el.getAttribute('role') === 'region' &&
    el.getAttribute('tabindex') === '0' &&
    !!(el.getAttribute('aria-label') || el.getAttribute('aria-labelledby'));
  // An SVG clips its drawing (a zoomed map leaves the other provinces outside its frame).
  const clips = (el) => el instanceof SVGSVGElement && getComputedStyle(el).overflow !== 'visible';
  const insideScroller = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (scrolls(p) || clips(p)) return true;
    }
    return false;
  };
  const visible = (el) => {
    const s = getComputedStyle(el);
    if (s.visibility === 'hidden' || s.display === 'none') return false;
    const r = el.getBoundingClientRect();
    return r.width > 1 && r.height > 1;
  };
  const wide = [];
  const undeliberate = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (!visible(el)) continue;
    if (scrolls(el) && el.scrollWidth > el.clientWidth + 1 && !deliberate(el)) {
      undeliberate.push(describe(el));
    }
    const r = el.getBoundingClientRect();
    if ((r.right > width + 1 || r.left < -1) && !insideScroller(el)) wide.push(describe(el));
  }
  const chartText = [];
  for (const text of document.querySelectorAll('svg text')) {
    if (!visible(text)) continue;
    const ctm = text.getScreenCTM();
    const scale = ctm ? Math.hypot(ctm.a, ctm.b) : 1;
    const px = parseFloat(getComputedStyle(text).fontSize) * scale;
    chartText.push([Math.round(px * 10) / 10, (text.textContent || '').trim().slice(0, 30)]);
  }
  // The targets the issue names, held to 24 × 24 px themselves (axe's rule lets small targets
  // pass when they are spaced apart): check boxes and radio buttons, the dashboard's links and
  // figures, links in table headers, linked badges.
  const small = [];
  for (const el of document.querySelectorAll(STRICT_TARGETS)) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.width < 23.5 || r.height < 23.5) {
      small.push(describe(el) + ' ' + Math.round(r.width) + '×' + Math.round(r.height));
    }
  }
  return {
    pageWidth: document.documentElement.scrollWidth, width, wide: wide.slice(0, 8),
    undeliberate, chartText, small: small.slice(0, 8),
  };
}
""".replace("__STRICT_TARGETS__", STRICT_TARGETS)


def target_size_violations(page):
    """axe-core's WCAG 2.2 target-size rule (24 × 24 CSS px, or spaced enough) on the page."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "rule", "values": ["target-size"]}}
    results = Axe().run(page, options=options)
    return [
        node["target"]
        for violation in results.response["violations"]
        for node in violation["nodes"]
    ]


def phone_problems(page, name):
    """What fails on the page at 390 px: sideways scrolling, an element past the window's edge
    outside a deliberately scrolling region, an undeclared scrolling box, chart text under
    12 px, targets under 24 × 24 px. Returns (problems, the probe's figures)."""
    probe = page.evaluate(LAYOUT_PROBE)
    problems = []
    if probe["pageWidth"] > probe["width"]:
        problems.append(f"{name}: the page is {probe['pageWidth']} px wide")
    if probe["wide"]:
        problems.append(f"{name}: wider than the window: {probe['wide']}")
    if probe["undeliberate"]:
        problems.append(f"{name}: scrolling boxes not focusable regions: {probe['undeliberate']}")
    small = [text for text in probe["chartText"] if text[0] < MIN_CHART_TEXT_PX]
    if small:
        problems.append(f"{name}: chart text under {MIN_CHART_TEXT_PX} px: {small[:5]}")
    if probe["small"]:
        problems.append(f"{name}: targets under 24 × 24 px: {probe['small']}")
    targets = target_size_violations(page)
    if targets:
        problems.append(f"{name}: targets under 24 × 24 px: {targets[:8]}")
    return problems, probe


@pytest.fixture
def demo_data(transactional_db, demo):
    """The demo accounts and data (the live server needs a transactional database)."""


def _pages():
    """The journey pages of each role, from the demo data: (role's e-mail or None, name, path)."""
    from cooperation.models import Activation, Protocol
    from demo.services.cooperation_activations import FLOOD_TITLE
    from events.models import Event
    from municipalities.models import Municipality
    from ngos.models import NGO
    from surveys.models import Expectation

    ngo = NGO.objects.get(memberships__user__email="ngo@demo.test", memberships__role="admin")
    town_hall = Municipality.objects.get(province=ERZURUM, kind=Municipality.Kind.METROPOLITAN)
    event = Event.objects.order_by("starts_at").first()
    case = Expectation.objects.cases().filter(municipality=town_hall).order_by("pk").first()
    own = Expectation.objects.cases().filter(submission__ngo=ngo).order_by("rank").first()
    protocol = (
        Protocol.objects.filter(municipality=town_hall, parties__ngo=ngo).order_by("pk").first()
    )
    flood = Activation.objects.get(title=FLOOD_TITLE)
    call = flood.calls.get(ngo=ngo)

    # The demo's conversation on a case, with a photo and a PDF (issue 18).
    from surveys.models import CaseMessage

    talk = CaseMessage.objects.filter(author__email="ngo@demo.test").first().expectation

    def en(name, *args, query=""):
        with translation.override("en"):
            return reverse(name, args=args) + query

    return [
        (None, "home", "/en/"),
        (None, "log-in", "/en/accounts/login/"),
        (None, "NGO directory", "/en/ngos/"),
        (None, "NGO page", f"/en/ngos/{ngo.slug}/"),
        (None, "municipality directory", "/en/municipalities/"),
        (None, "municipality page", town_hall.get_absolute_url()),
        (None, "programmes", "/en/events/?when=past"),
        (None, "programme page", event.get_absolute_url()),
        (None, "public statistics", "/en/surveys/statistics/"),
        (None, "campaigns", "/en/surveys/"),
        (None, "open activations", en("cooperation:public_list")),
        ("ngo@demo.test", "dashboard", "/en/dashboard/"),
        ("ngo@demo.test", "my expectations", "/en/surveys/my-expectations/"),
        ("ngo@demo.test", "my expectation", f"/en/surveys/my-expectations/{own.pk}/"),
        ("ngo@demo.test", "submission", f"/en/surveys/2025/ngo/{ngo.slug}/"),
        ("ngo@demo.test", "submission summary", f"/en/surveys/2025/ngo/{ngo.slug}/summary/"),
        ("ngo@demo.test", "members", f"/en/ngos/{ngo.slug}/members/"),
        ("ngo@demo.test", "capabilities", f"/en/ngos/{ngo.slug}/capabilities/"),
        ("ngo@demo.test", "notifications", "/en/notifications/"),
        ("ngo@demo.test", "NGO's protocols", en("cooperation:ngo_protocols", ngo.slug)),
        ("ngo@demo.test", "protocol", en("cooperation:protocol_detail", protocol.pk)),
        ("ngo@demo.test", "call for support", en("cooperation:respond", flood.pk, call.pk)),
        ("ngo@demo.test", "NGO documents", en("ngos:documents", ngo.slug)),
        ("ngo@demo.test", "conversation", en("surveys:my_expectation", talk.pk) + "#conversation"),
        ("ngo@demo.test", "conversation page", en("surveys:case_conversation", talk.pk)),
        ("municipality@demo.test", "dashboard", "/en/dashboard/"),
        ("municipality@demo.test", "inbox", "/en/surveys/inbox/"),
        ("municipality@demo.test", "case", f"/en/surveys/cases/{case.pk}/"),
        ("municipality@demo.test", "case with conversation", en("surveys:case", talk.pk)),
        (
            "municipality@demo.test",
            "capability search",
            f"/en/ngos/capabilities/?province={ERZURUM}",
        ),
        ("municipality@demo.test", "colleagues", f"/en/municipalities/{town_hall.slug}/staff/"),
        ("municipality@demo.test", "answer templates", "/en/surveys/answer-templates/"),
        ("municipality@demo.test", "referred cases", en("surveys:referred_cases")),
        (
            "municipality@demo.test",
            "municipality's protocols",
            en("cooperation:municipality_protocols", town_hall.slug),
        ),
        ("municipality@demo.test", "protocol", en("cooperation:protocol_detail", protocol.pk)),
        ("coordinator@demo.test", "dashboard", "/en/dashboard/"),
        ("coordinator@demo.test", "national report", "/en/reports/"),
        ("coordinator@demo.test", "sub-region report", "/en/reports/subregions/14/"),
        ("coordinator@demo.test", "province report", f"/en/reports/provinces/{ERZURUM}/"),
        ("coordinator@demo.test", "cases", "/en/surveys/cases/"),
        ("coordinator@demo.test", "campaign progress", "/en/surveys/2025/"),
        ("coordinator@demo.test", "verification queue", "/en/ngos/verification/"),
        ("coordinator@demo.test", "programme check-in", f"/en/events/{event.slug}/checkin/"),
        ("coordinator@demo.test", "programme minutes", en("events:minutes", event.slug)),
        ("coordinator@demo.test", "programme follow-through", en("events:follow_through")),
        (
            "coordinator@demo.test",
            "messages to registrants",
            en("events:messages", "trabzon-programi"),
        ),
        ("regional@demo.test", "dashboard", "/en/dashboard/"),
        ("regional@demo.test", "protocols", en("cooperation:protocol_list")),
        ("regional@demo.test", "protocol", en("cooperation:protocol_detail", protocol.pk)),
        (
            "regional@demo.test",
            "contact sheet",
            en("cooperation:contact_sheet", query=f"?province={ERZURUM}"),
        ),
        ("regional@demo.test", "activations", en("cooperation:activations")),
        ("regional@demo.test", "activation board", en("cooperation:board", flood.pk)),
        ("admin@demo.test", "dashboard", "/en/dashboard/"),
    ]


# The roles whose journey pages are checked, one test each; the public pages and the reports
# draw charts.
PHONE_ROLES = ["public", "ngo", "municipality", "coordinator", "regional", "admin"]
ROLES_WITH_CHARTS = {"public", "coordinator"}


@pytest.mark.parametrize("role", PHONE_ROLES)
def test_every_journey_page_fits_a_phone(journey, demo_data, role):
    pages = [
        (email, name, path)
        for email, name, path in _pages()
        if (email or "public").split("@")[0] == role
    ]
    assert pages
    trip = journey(f"phone-{role}")
    page = trip.new_page(width=PHONE)
    if pages[0][0]:
        trip.log_in(page, pages[0][0])
    charts_seen = 0
    problems = []
    for _email, name, path in pages:
        page.goto(trip.url(path))
        found, probe = phone_problems(page, f"{role} {name} ({path})")
        problems += found
        try:
            trip.check(page, name)
        except AssertionError as error:
            problems.append(str(error).splitlines()[0])
        # Beside the full page, what the phone shows first.
        page.screenshot(path=str(trip.folder / f"{trip.step:02d}-first-screen.png"))
        for index, chart in enumerate(page.locator("svg.report-chart").all()):
            chart.screenshot(path=str(trip.folder / f"{trip.step:02d}-chart-{index + 1}.png"))
        charts_seen += len(probe["chartText"])
    assert not problems, "\n".join(problems)
    # The reports and the statistics drew their charts (their texts all checked above).
    if role in ROLES_WITH_CHARTS:
        assert charts_seen > 20
    else:
        assert charts_seen == 0


def test_filter_panel_is_one_button_on_a_phone_and_open_on_a_desktop(journey, demo_data):
    trip = journey("phone-filters")
    for javascript in (True, False):
        phone = trip.new_page(width=PHONE, javascript=javascript)
        trip.visit(phone, "/en/ngos/", f"directory, filters closed (javascript {javascript})")
        form = phone.locator("main form[role=search]")
        expect(form).to_be_hidden()
        # The results come before any filter field.
        assert phone.locator("#results tbody tr").first.is_visible()
        phone.locator("details.filter-panel > summary").click()
        expect(form).to_be_visible()
        trip.check(phone, f"directory, filters opened (javascript {javascript})")

        filtered = trip.new_page(width=PHONE, javascript=javascript)
        trip.visit(filtered, f"/en/ngos/?province={ERZURUM}", "directory, a filter active")
        expect(filtered.locator("main form[role=search]")).to_be_visible()
        expect(filtered.locator("details.filter-panel > summary")).to_contain_text("1 active")

        desktop = trip.new_page(width=1280, javascript=javascript)
        trip.visit(desktop, "/en/ngos/", f"directory on a desktop (javascript {javascript})")
        expect(desktop.locator("main form[role=search]")).to_be_visible()
        expect(desktop.locator("details.filter-panel > summary")).to_be_hidden()


def test_capability_search_on_a_phone_puts_the_phone_number_first(journey, demo_data):
    """In an emergency the officer sees each NGO's capacity and taps its phone number."""
    trip = journey("phone-capabilities")
    page = trip.new_page(width=PHONE)
    trip.log_in(page, "municipality@demo.test")
    trip.visit(page, f"/en/ngos/capabilities/?province={ERZURUM}", "capability search")
    card = page.locator("#results tbody tr").first
    call = card.locator("a[href^='tel:']").first
    expect(call).to_be_visible()
    expect(card.locator("a[href^='mailto:']").first).to_be_visible()
    box, window = call.bounding_box(), page.viewport_size
    assert box["x"] + box["width"] <= window["width"]
    assert box["height"] >= 24
    # The name, then the capability, the capacity and the contacts; the place comes after.
    contacts = card.locator("td[data-label='Contacts']").bounding_box()
    place = card.locator("td[data-label='NGO location']").bounding_box()
    assert contacts["y"] < place["y"]


def test_menu_fits_a_desktop_window_for_the_roles_with_most_entries(journey, demo_data):
    """The menu wraps rather than running off the window, in Turkish and in English."""
    trip = journey("desktop-menu")
    last_entry = {
        "coordinator@demo.test": "Raporlar",
        "admin@demo.test": "Yönetim",
        "municipality@demo.test": "İnceleme kutusu",
    }
    for email, last in last_entry.items():
        for width in (1024, 1280):
            page = trip.new_page(width=width)
            trip.log_in(page, email)
            for path in ("/en/dashboard/", "/dashboard/"):
                page.goto(trip.url(path))
                overflow = page.evaluate(
                    """() => [...document.querySelectorAll('header nav *')]
                      .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 1)
                      .map((el) => el.textContent.trim().slice(0, 30))"""
                )
                assert not overflow, f"{email} at {width} px on {path}: {overflow}"
            expect(page.locator("header").get_by_role("link", name=last)).to_be_visible()
