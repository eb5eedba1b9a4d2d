"""Real-browser journeys of every role (Playwright + Debian Chromium), each page checked with
axe-core and screenshotted under artifacts/e2e/<journey>/; the pages that must work without
JavaScript are also driven with scripts disabled."""

import datetime
import re

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from demo.services.erzurum import ERZURUM
from municipalities.models import Municipality
from ngos.models import NGO
from portal.models import User
from tests.e2e.conftest import BROWSER_MARKS

pytestmark = BROWSER_MARKS

NEW_PASSWORD = "Kestane-Kebabi-2025"  # noqa: S105 (a test account's password)


@pytest.fixture
def demo_data(transactional_db, demo):
    """The demo accounts and data (the live server needs a transactional database)."""


def _erzurum_bb():
    return Municipality.objects.get(province=ERZURUM, kind=Municipality.Kind.METROPOLITAN)


def _answer_template():
    from surveys.models import AnswerTemplate

    return AnswerTemplate.objects.create(
        municipality=_erzurum_bb(),
        title="Thanks, under study",
        body="Thank you: the department concerned is studying your expectation.",
        created_by=User.objects.get(email="municipality@demo.test"),
    )


def _item(page, index, *, category, title, description):
    page.select_option(f"#id_form-{index}-category", str(category.pk))
    page.fill(f"#id_form-{index}-title", title)
    page.fill(f"#id_form-{index}-description", description)


def _five_categories():
    from surveys.models import Campaign

    return list(Campaign.objects.get(code="2025").categories.order_by("pk")[:5])


def test_ngo_journey_sign_up_register_verify_and_submit(journey, demo_data):
    from surveys.models import Submission

    trip = journey("ngo")
    page = trip.new_page()
    email = "secretary@kardelen.example"

    trip.visit(page, "/en/accounts/signup/", "sign-up form")
    page.fill("input[name=full_name]", "Elif Karaca")
    page.fill("input[name=email]", email)
    page.fill("input[name=password1]", NEW_PASSWORD)
    page.fill("input[name=password2]", NEW_PASSWORD)
    page.check("input[name=privacy_notice]")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r".*/accounts/confirm-email/$"))
    trip.check(page, "verification sent")

    message = next(m for m in mail.outbox if email in m.to)
    link = re.search(r"https?://\S+/accounts/confirm-email/[-:\w]+/", message.body).group(0)
    page.goto(link)
    trip.check(page, "confirm email")
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state("load")
    assert User.objects.get(email=email).emailaddress_set.get().verified

    page.context.clear_cookies()
    trip.log_in(page, email, NEW_PASSWORD)
    trip.check(page, "dashboard")

    trip.visit(page, "/en/ngos/register/", "register the NGO")
    # htmx updates the lists: the no-JavaScript "update the lists" button is hidden.
    expect(page.locator("button[name=refresh]")).to_be_hidden()
    page.fill("#id_name", "Erzurum Kardelen Gönüllüleri Derneği")
    page.select_option("#id_legal_form", "dernek")
    page.fill("#id_registry_number", "25-099-001")
    page.select_option("#id_province", str(ERZURUM))
    # htmx fills the district and municipality lists of the chosen province.
    page.locator("#id_district option", has_text="Yakutiye").wait_for(state="attached")
    page.select_option("#id_district", label="Yakutiye")
    page.select_option("#id_municipality", label="Yakutiye Belediyesi")
    page.locator("input[name=activity_fields]").first.check()
    page.fill("#id_email", "bilgi@kardelen.example")
    page.locator("main form button[type=submit]:not([name=refresh])").last.click()
    page.wait_for_url(re.compile(r".*/en/ngos/erzurum-kardelen[^/]*/$"))
    ngo = NGO.objects.get(registry_number="25-099-001")
    assert ngo.status == NGO.Status.PENDING
    trip.check(page, "NGO registered")

    coordinator = trip.new_page()
    trip.log_in(coordinator, "coordinator@demo.test")
    trip.visit(coordinator, "/en/ngos/verification/", "verification queue")
    coordinator.get_by_role("link", name=ngo.name).click()
    coordinator.wait_for_url(re.compile(rf".*/verification/{ngo.slug}/$"))
    trip.check(coordinator, "verification detail")
    coordinator.get_by_role("button", name=re.compile("^Verify")).click()
    coordinator.wait_for_load_state("load")
    trip.check(coordinator, "NGO verified")
    ngo.refresh_from_db()
    assert ngo.status == NGO.Status.VERIFIED

    editor = f"/en/surveys/2025/ngo/{ngo.slug}/"
    trip.visit(page, editor, "empty submission")
    categories = _five_categories()
    titles = [f"Expectation number {n}" for n in range(1, 6)]
    for index in range(2):
        _item(page, index, category=categories[index], title=titles[index], description="Why.")
    page.get_by_role("button", name="Save draft", exact=True).last.click()
    page.get_by_text("Draft saved.").wait_for()
    trip.check(page, "draft saved")
    submission = Submission.objects.get(ngo=ngo)
    assert [i.title for i in submission.items.order_by("rank")] == titles[:2]

    for index in range(2, 5):
        _item(page, index, category=categories[index], title=titles[index], description="Why.")
    page.get_by_role("button", name="Move down (expectation 1)").click()
    page.get_by_text("The new order has been saved as a draft.").wait_for()
    # htmx scrolls to the item moved (HX-Reswap show:), now the second.
    expect(page.locator("#expectation-2")).to_be_in_viewport()
    trip.check(page, "reordered")
    order = [titles[1], titles[0], *titles[2:]]
    assert [i.title for i in submission.items.order_by("rank")] == order

    page.get_by_role("button", name="Submit the five expectations").click()
    page.wait_for_url(re.compile(r".*/summary/$"))
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED
    page.get_by_text(submission.receipt_number).first.wait_for()
    trip.check(page, "confirmation")


def _inbox_case(status, *, exclude=()):
    from surveys.models import Expectation

    return (
        Expectation.objects.cases()
        .filter(municipality=_erzurum_bb(), status=status)
        .exclude(pk__in=exclude)
        .order_by("pk")
        .first()
    )


def test_municipality_journey_filter_answer_refer_and_bulk_assign(journey, demo_data):
    from surveys.models import Expectation, ReviewEntry

    template = _answer_template()
    trip = journey("municipality")
    page = trip.new_page()
    trip.log_in(page, "municipality@demo.test")
    trip.visit(page, "/en/surveys/inbox/", "inbox")

    page.locator("#results nav a", has_text="New").first.click()
    page.wait_for_url(re.compile(r".*status=new.*"))
    page.locator("#results tbody tr").first.wait_for()
    trip.check(page, "inbox filtered by status")

    answered = _inbox_case("new")
    trip.visit(page, f"/en/surveys/cases/{answered.pk}/", "case")
    page.select_option("#answer-template", str(template.pk))
    page.get_by_role("button", name="Insert").click()
    # No wait_for_function: a string predicate is evaluated with eval(), which the CSP forbids.
    expect(page.locator("#answer-form textarea")).to_have_value(
        re.compile("department concerned"), timeout=10_000
    )
    trip.check(page, "template inserted")
    page.get_by_role("button", name="Send the answer").click()
    page.wait_for_load_state("load")
    trip.check(page, "answer sent")
    assert ReviewEntry.objects.filter(expectation=answered, text=template.body).exists()

    referred = _inbox_case("new", exclude=[answered.pk])
    trip.visit(page, f"/en/surveys/cases/{referred.pk}/#refer", "case to refer")
    page.select_option("#id_refer_to_municipality", index=1)
    page.fill("#id_refer_text", "This belongs to the district municipality.")
    page.get_by_role("button", name="Refer the case").click()
    page.wait_for_load_state("load")
    trip.check(page, "case referred")
    referred.refresh_from_db()
    assert referred.municipality_id != _erzurum_bb().pk

    trip.visit(page, "/en/surveys/inbox/?status=new", "inbox for bulk action")
    boxes = page.locator("#bulk-form input[name=ids]")
    picked = [int(boxes.nth(n).get_attribute("value")) for n in range(2)]
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.select_option("#bulk-form select[name=action]", "assign")
    page.select_option("#bulk-form select[name=assignee]", label="Şükrü Doğan")
    page.get_by_role("button", name="Apply to the selected cases").click()
    page.wait_for_load_state("load")
    trip.check(page, "bulk assigned")
    colleague = User.objects.get(email="colleague@demo.test")
    assert set(Expectation.objects.filter(pk__in=picked).values_list("assigned_to", flat=True)) == {
        colleague.pk
    }


def test_ngo_journey_sees_answer_and_confirms_completion(journey, demo_data):
    from surveys.models import Expectation
    from surveys.services import review

    ngo_admin = User.objects.get(email="ngo@demo.test")
    staff = User.objects.get(email="municipality@demo.test")
    own = Expectation.objects.cases().filter(
        submission__ngo__memberships__user=ngo_admin, municipality=_erzurum_bb()
    )
    case = own.filter(status="new").order_by("rank").first()
    review.expectation_answer(
        expectation_id=case.pk, expected_version=None, user=staff, text="We will pave it in May."
    )
    for status, text in (("accepted", ""), ("completed", "Paved and opened.")):
        review.expectation_change_status(
            expectation_id=case.pk, expected_version=None, user=staff, to_status=status, text=text
        )

    trip = journey("ngo-again")
    page = trip.new_page()
    trip.log_in(page, "ngo@demo.test")
    trip.visit(page, "/en/surveys/my-expectations/", "my expectations")
    page.get_by_role("link", name=case.title).first.click()
    page.get_by_text("We will pave it in May.").wait_for()
    trip.check(page, "answer and completion")
    page.get_by_role("button", name="Confirm it is done").click()
    page.wait_for_load_state("load")
    trip.check(page, "completion confirmed")
    case.refresh_from_db()
    assert case.ngo_confirmed_at is not None


def test_coordinator_journey_reports_exports_map_and_checkin(journey, demo_data):
    from events.models import Event, Registration

    trip = journey("coordinator")
    page = trip.new_page()
    trip.log_in(page, "coordinator@demo.test")
    trip.visit(page, "/en/reports/", "national report and map")
    assert page.locator("svg.report-map path").count() == 81

    page.locator("a[href*='/reports/subregions/14/']").first.click()
    page.wait_for_url(re.compile(r".*/reports/subregions/14/.*"))
    page.get_by_role("heading", level=1).wait_for()
    trip.check(page, "sub-region report")
    for fmt in ("csv", "xlsx"):
        with page.expect_download() as download:
            page.locator(f"a[href*='.{fmt}']").first.click()
        assert download.value.suggested_filename.endswith(f".{fmt}")
        assert download.value.path().stat().st_size > 0

    event = Event.objects.get(slug="sanliurfa-bb")
    for email in ("ngo@demo.test", "akut@demo.test"):
        member = trip.new_page()
        trip.log_in(member, email)
        trip.visit(member, f"/en/events/{event.slug}/", f"programme for {email}")
        member.locator("form[action$='/register/'] button[type=submit]").click()
        member.wait_for_load_state("load")
        trip.check(member, f"registered {email}")
    seated = Registration.objects.filter(
        event=event, user__email__in=["ngo@demo.test", "akut@demo.test"]
    )
    assert seated.filter(status="registered").count() == 2

    # The check-in opens a few hours before the start: the programme begins within the hour.
    now = timezone.now()
    Event.objects.filter(pk=event.pk).update(
        starts_at=now + datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=5),
        registration_deadline=now,
    )
    trip.visit(page, f"/en/events/{event.slug}/checkin/", "check-in list")
    for registration in seated:
        row = page.locator(f"#registration-{registration.pk}")
        row.get_by_role("button", name=re.compile("^Mark attended")).click()
        page.locator(f"#registration-{registration.pk}", has_text="Undo").wait_for()
    trip.check(page, "checked in")
    assert seated.filter(status="attended").count() == 2


def test_journeys_without_javascript(journey, demo_data):
    from surveys.models import Expectation, ReviewEntry, Submission

    trip = journey("no-javascript")
    page = trip.new_page(javascript=False)

    trip.visit(page, "/en/ngos/", "directory")
    page.select_option("#id_province", str(ERZURUM))
    page.locator("main form[role=search] button[type=submit]").click()
    page.wait_for_url(re.compile(rf".*province={ERZURUM}.*"))
    trip.check(page, "directory filtered")
    assert page.get_by_text("Palandöken Arama Kurtarma Derneği").count() >= 1

    ngo = NGO.objects.get(name="Palandöken Arama Kurtarma Derneği")
    Submission.objects.filter(ngo=ngo).delete()
    trip.log_in(page, "akut@demo.test")
    trip.visit(page, "/en/ngos/register/", "register form without JavaScript")
    expect(page.locator("button[name=refresh]")).to_be_visible()
    trip.visit(page, f"/en/surveys/2025/ngo/{ngo.slug}/", "submission editor")
    categories = _five_categories()
    for index in range(2):
        _item(page, index, category=categories[index], title=f"Item {index + 1}", description=".")
    page.get_by_role("button", name="Save draft", exact=True).last.click()
    page.get_by_text("Draft saved.").wait_for()
    trip.check(page, "draft saved")
    page.get_by_role("button", name="Move down (expectation 1)").click()
    page.get_by_text("The new order has been saved as a draft.").wait_for()
    assert page.url.endswith("#expectation-2")  # back at the item moved
    trip.check(page, "reordered")
    submission = Submission.objects.get(ngo=ngo)
    assert [i.title for i in submission.items.order_by("rank")] == ["Item 2", "Item 1"]

    template = _answer_template()
    page.context.clear_cookies()
    trip.log_in(page, "municipality@demo.test")
    trip.visit(page, "/en/surveys/inbox/", "inbox")
    page.locator("#results nav a", has_text="New").first.click()
    page.wait_for_url(re.compile(r".*status=new.*"))
    page.select_option("#id_rank", "1")
    page.locator("main form[role=search] button[type=submit]").click()
    page.wait_for_url(re.compile(r".*rank=1.*"))
    trip.check(page, "inbox filtered")
    assert "status=new" in page.url

    case = Expectation.objects.cases().filter(municipality=_erzurum_bb(), status="new").first()
    trip.visit(page, f"/en/surveys/cases/{case.pk}/", "case")
    page.select_option("#answer-template", str(template.pk))
    page.get_by_role("button", name="Insert").click()
    # A POST that sends nothing: the page comes back at the answer box with the template added.
    page.wait_for_url(re.compile(r".*/answer/#answer$"))
    assert "department concerned" in page.input_value("#answer-form textarea")
    trip.check(page, "template inserted")
    page.get_by_role("button", name="Send the answer").click()
    page.wait_for_load_state("load")
    trip.check(page, "answer sent")
    assert ReviewEntry.objects.filter(expectation=case, text=template.body).exists()


PHONE = 390


def _fits(page):
    """Nothing on the page is wider than the window (no sideways scrolling)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_identity_change_journey_on_a_phone(journey, demo_data):
    """A verified NGO's administrator renames it on a 390 px phone: the public page keeps the
    verified name until the coordinator, also on a phone, compares and approves."""
    from ngos.models import NGOIdentityChange

    trip = journey("identity-change")
    ngo = NGO.objects.get(memberships__user__email="ngo@demo.test", memberships__role="admin")
    assert ngo.status == NGO.Status.VERIFIED
    old_name, new_name = ngo.name, "Erzurum Dadaşlar Yardımlaşma Derneği"

    page = trip.new_page(width=PHONE)
    trip.log_in(page, "ngo@demo.test")
    trip.visit(page, f"/en/ngos/{ngo.slug}/edit/", "profile form")
    page.fill("#id_name", new_name)
    page.get_by_role("button", name="Save the profile").click()
    page.wait_for_url(re.compile(rf".*/en/ngos/{ngo.slug}/$"))
    expect(page.locator("main")).to_contain_text("awaits verification by a coordinator")
    trip.check(page, "identity held for verification")
    trip.visit(page, f"/en/ngos/{ngo.slug}/edit/", "the change shown on the form")
    expect(page.locator("table.identity-comparison")).to_contain_text(new_name)
    assert _fits(page)

    public = trip.new_page(width=PHONE)
    trip.visit(public, f"/en/ngos/{ngo.slug}/", "public page keeps the verified name")
    expect(public.locator("main h1")).to_have_text(old_name)

    coordinator = trip.new_page(width=PHONE)
    trip.log_in(coordinator, "regional@demo.test")
    trip.visit(coordinator, "/en/ngos/verification/?status=identity_change", "changes to verify")
    coordinator.get_by_role("link", name=old_name).click()
    coordinator.wait_for_url(re.compile(rf".*/verification/{ngo.slug}/$"))
    expect(coordinator.locator("table.identity-comparison")).to_contain_text(new_name)
    trip.check(coordinator, "before and after")
    assert _fits(coordinator)
    coordinator.get_by_role("button", name="Approve the change").click()
    coordinator.wait_for_url(re.compile(r".*/verification/\?status=identity_change$"))
    trip.check(coordinator, "approved")
    assert NGOIdentityChange.objects.get(ngo=ngo).status == "approved"

    trip.visit(public, f"/en/ngos/{ngo.slug}/", "public page shows the new name")
    expect(public.locator("main h1")).to_have_text(new_name)


def test_privacy_notice_and_two_factor_journey_on_a_phone(journey, demo_data, settings):
    """A coordinator after a new privacy notice, in a deployment that requires two-factor
    sign-in: acknowledges the notice, sets up an authenticator app, then logs in with a
    recovery code (issue 15)."""
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import (
        format_hotp_value,
        hotp_value,
        yield_hotp_counters_from_time,
    )

    from demo.services.accounts import DEMO_PASSWORD

    settings.PORTAL_REQUIRE_2FA = True
    settings.PRIVACY_NOTICE_VERSION = "2099-01"
    trip = journey("two-factor")
    page = trip.new_page(width=390)

    User.objects.filter(email="regional@demo.test").update(preferred_language="en")
    page.goto(trip.url("/en/accounts/login/"))
    page.fill("input[name=login]", "regional@demo.test")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r".*/en/privacy/acknowledge/.*"))
    trip.check(page, "privacy notice asked again")
    # Unticked, the browser itself refuses to send the form (the server refuses it too).
    expect(page.locator("input[name=acknowledged]")).to_have_attribute("required", "")
    page.check("input[name=acknowledged]")
    page.locator("main form button[type=submit]").first.click()

    page.wait_for_url(re.compile(r".*/en/accounts/2fa/$"))
    trip.check(page, "second factor required")
    expect(page.get_by_text("requires two-factor sign-in")).to_be_visible()
    page.goto(trip.url("/en/accounts/2fa/totp/activate/"))
    page.wait_for_url(re.compile(r".*/en/accounts/reauthenticate/.*"))
    trip.check(page, "password asked again")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r".*/en/accounts/2fa/totp/activate/$"))
    trip.check(page, "authenticator app")
    secret = page.input_value("#authenticator_secret")
    code = format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))
    page.fill("input[name=code]", code)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state("load")
    page.goto(trip.url("/en/dashboard/"))
    assert page.url.endswith("/en/dashboard/")
    trip.check(page, "dashboard after setting up")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390

    user = User.objects.get(email="regional@demo.test")
    recovery = Authenticator.objects.get(user=user, type=Authenticator.Type.RECOVERY_CODES)
    page.context.clear_cookies()
    page.goto(trip.url("/en/accounts/login/"))
    page.fill("input[name=login]", "regional@demo.test")
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r".*/en/accounts/2fa/authenticate/$"))
    trip.check(page, "code asked at log-in")
    page.fill("input[name=code]", recovery.wrap().get_unused_codes()[0])
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url(re.compile(r".*/en/dashboard/$"))
    trip.check(page, "signed in with a recovery code")


# --- activations (issue 16) ----------------------------------------------------------------------


def _fits_a_phone(trip, page, step):
    """At 390×844 the page has no sideways scrolling and passes axe."""
    size = page.viewport_size
    page.set_viewport_size({"width": 390, "height": 844})
    try:
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, f"{page.url} is {width}px wide at 390px ({step})"
        trip.check(page, f"{step} (390 px)")
    finally:
        page.set_viewport_size(size)


def test_activation_journey_open_call_answer_and_board(journey, demo_data):
    from cooperation.models import Activation, Call, Delivery, Response

    trip = journey("activation")
    officer = trip.new_page()
    trip.log_in(officer, "municipality@demo.test")
    trip.visit(officer, "/en/cooperation/activations/new/", "open an activation")
    _fits_a_phone(trip, officer, "open an activation")
    officer.select_option("#id_hazard", "flood")
    officer.fill("#id_title", "Tortum Çayı taşkını")
    officer.select_option("#id_provinces", str(ERZURUM))
    officer.select_option("#id_needs-0-kind", "food_water")
    officer.fill("#id_needs-0-quantity", "400")
    officer.select_option("#id_needs-0-unit", "meals_per_day")
    officer.fill("#id_needs-0-place", "Tortum, spor salonu")
    officer.select_option("#id_needs-0-priority", "1")
    officer.get_by_role("button", name="Open the activation").click()
    officer.wait_for_url(re.compile(r".*/cooperation/activations/\d+/propose/$"))
    activation = Activation.objects.get(title="Tortum Çayı taşkını")
    trip.check(officer, "whom to call")
    _fits_a_phone(trip, officer, "whom to call")

    # Erzurum's protocol partners come ticked; this journey calls one NGO only.
    ticked = officer.locator("input[name=ngos]:checked")
    while ticked.count():
        ticked.first.uncheck()
    officer.get_by_label("Erzurum Dadaşlar Dayanışma Derneği").check()
    officer.get_by_role("button", name="Send the call for support").click()
    officer.wait_for_url(re.compile(rf".*/cooperation/activations/{activation.pk}/$"))
    trip.check(officer, "board after the call")
    call = Call.objects.get(activation=activation)
    assert call.ngo.name == "Erzurum Dadaşlar Dayanışma Derneği"
    assert not Delivery.objects.filter(call=call).exclude(state="sent").exists()

    ngo = trip.new_page()
    trip.log_in(ngo, "ngo@demo.test")
    trip.visit(ngo, "/en/dashboard/", "NGO dashboard")
    ngo.get_by_role("link", name="Tortum Çayı taşkını").click()
    ngo.wait_for_url(re.compile(rf".*/cooperation/activations/{activation.pk}/$"))
    trip.check(ngo, "the call")
    ngo.get_by_role("link", name=re.compile("^Answer the call")).click()
    ngo.wait_for_url(re.compile(r".*/respond/$"))
    trip.check(ngo, "answer form")
    _fits_a_phone(trip, ngo, "answer form")
    ngo.get_by_label("Partly available").check()
    ngo.fill("#id_people", "6")
    ngo.fill("#id_vehicles", "1")
    need = activation.needs.get()
    ngo.fill(f"#id_need_{need.pk}", "250")
    ngo.fill("#id_contact_name", "Zeynep Aydın")
    ngo.get_by_role("button", name="Send the answer").click()
    ngo.wait_for_url(re.compile(rf".*/cooperation/activations/{activation.pk}/$"))
    trip.check(ngo, "answer sent")
    assert Response.objects.get(call=call).availability == "partly"

    officer.get_by_role("link", name="Refresh now").click()
    officer.wait_for_load_state("load")
    board = officer.locator("#board")
    expect(board).to_contain_text("Partly available")
    expect(board).to_contain_text("Zeynep Aydın")
    expect(board.locator("tbody tr").first).to_contain_text("250")
    trip.check(officer, "board shows the answer")
    _fits_a_phone(trip, officer, "board shows the answer")

    # The board also works without JavaScript: the refresh link reloads it.
    plain = trip.new_page(javascript=False)
    trip.log_in(plain, "regional@demo.test")
    trip.visit(plain, f"/en/cooperation/activations/{activation.pk}/", "board without JavaScript")
    expect(plain.locator("#board")).to_contain_text("Partly available")


# --- protocols and the emergency contact sheet (issue 16) ---------------------------------------

PROTOCOL_TITLE = "Tortum deprem barınma iş birliği"
DADASLAR = "Erzurum Dadaşlar Dayanışma Derneği"


def test_protocol_journey_draft_propose_accept_and_coordinators_list(journey, demo_data):
    from cooperation.models import Protocol

    trip = journey("protocol")
    officer = trip.new_page()
    trip.log_in(officer, "municipality@demo.test")
    trip.visit(officer, "/en/cooperation/protocols/new/", "new protocol")
    _fits_a_phone(trip, officer, "new protocol")
    officer.fill("#id_content_title", PROTOCOL_TITLE)
    officer.fill("#id_content_subject", "Deprem sonrası ilk 72 saatte çadır kent kurulumu.")
    officer.get_by_label("Earthquake", exact=True).check()
    officer.get_by_label("Response", exact=True).check()
    today = timezone.localdate()
    officer.fill("#id_content_starts_on", today.isoformat())
    officer.fill("#id_content_ends_on", (today + datetime.timedelta(days=730)).isoformat())
    officer.fill("#id_content_municipal_commitments", "Çadır alanı ve su\nUlaşım desteği")
    officer.get_by_role("button", name="Save the draft").click()
    officer.wait_for_url(re.compile(r".*/cooperation/protocols/\d+/$"))
    protocol = Protocol.objects.get(title=PROTOCOL_TITLE)
    assert protocol.status == "draft"
    trip.check(officer, "draft saved")

    officer.fill("#ngo-q", "Dadaşlar")
    officer.get_by_role("button", name="Search", exact=True).click()
    officer.wait_for_url(re.compile(r".*ngo_q=.*"))
    trip.check(officer, "NGO found")
    officer.locator("#add-party li", has_text=DADASLAR).get_by_role(
        "button", name=re.compile("^Add as a party")
    ).click()
    officer.wait_for_load_state("load")
    party = protocol.parties.get()
    officer.get_by_text(f"Add a commitment of {DADASLAR}").click()
    capability = officer.locator(f"#id_commitment_{party.pk}_capability option").nth(1)
    officer.select_option(
        f"#id_commitment_{party.pk}_capability", capability.get_attribute("value")
    )
    officer.fill(f"#id_commitment_{party.pk}_people", "12")
    trip.check(officer, "commitment typed")
    _fits_a_phone(trip, officer, "commitment typed")
    officer.get_by_role("button", name="Add the commitment").click()
    officer.wait_for_load_state("load")
    expect(officer.get_by_text("The draft is ready to be proposed")).to_be_visible()
    officer.get_by_role("button", name="Propose to the NGO parties").click()
    officer.wait_for_load_state("load")
    protocol.refresh_from_db()
    assert protocol.status == "proposed"
    trip.check(officer, "proposed")

    ngo = trip.new_page()
    trip.log_in(ngo, "ngo@demo.test")
    trip.visit(ngo, f"/en/cooperation/protocols/{protocol.pk}/", "NGO reads the proposal")
    _fits_a_phone(trip, ngo, "NGO reads the proposal")
    ngo.get_by_role("button", name="Accept the protocol").click()
    ngo.wait_for_load_state("load")
    protocol.refresh_from_db()
    assert protocol.status == "active" and protocol.activated_at is not None
    expect(ngo.locator("main")).to_contain_text("You accepted the protocol")
    trip.check(ngo, "accepted, in force")

    regional = trip.new_page()
    trip.log_in(regional, "regional@demo.test")
    trip.visit(regional, "/en/cooperation/protocols/?status=active", "coordinators' list")
    card = regional.locator(".protocol-list li", has_text=PROTOCOL_TITLE)
    expect(card).to_contain_text(DADASLAR)
    expect(card).to_contain_text("Erzurum Büyükşehir Belediyesi")
    _fits_a_phone(trip, regional, "coordinators' list")
    card.get_by_role("link", name=PROTOCOL_TITLE).click()
    regional.wait_for_url(re.compile(rf".*/cooperation/protocols/{protocol.pk}/$"))
    trip.check(regional, "coordinator reads it")
    _fits_a_phone(trip, regional, "coordinator reads it")


# A4 with the portal's 15 mm print margins (static/css/portal.css): 180 mm of content, in CSS px.
A4_CONTENT_PX = 180 / 25.4 * 96


def test_contact_sheet_print_page_fits_a4(journey, demo_data):
    trip = journey("contact-sheet")
    page = trip.new_page(width=round(A4_CONTENT_PX))
    trip.log_in(page, "municipality@demo.test")
    page.emulate_media(media="print")
    trip.visit(page, "/en/cooperation/protocols/contacts/?province=25", "printed, Erzurum")
    expect(page.locator("h1")).to_contain_text("Erzurum")
    tables = page.locator("table.contact-table")
    assert tables.count() == 2
    # On paper it stays a table with its header row (the phone's stacked cards are for screens).
    assert tables.first.evaluate("t => getComputedStyle(t.tHead).display") == "table-header-group"
    for index in range(tables.count()):
        box = tables.nth(index).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= A4_CONTENT_PX + 0.5, box
        overflow = tables.nth(index).evaluate("t => t.scrollWidth - t.clientWidth")
        assert overflow <= 0, f"table {index} overflows by {overflow}px"
    assert page.evaluate("document.documentElement.scrollWidth") <= A4_CONTENT_PX + 0.5
    # The print layout itself: Chromium's A4 PDF of the page, with a sane number of pages.
    pdf = page.pdf(format="A4", path=str(trip.folder / "contact-sheet.pdf"))
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf))
    assert 1 <= pages <= 6, pages
