"""What a signed-in person must do first: acknowledge the privacy notice (KVKK) and, in the roles
that require it, set up two-factor sign-in (issue 15)."""

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import (
    TOTP,
    format_hotp_value,
    generate_totp_secret,
    hotp_value,
    yield_hotp_counters_from_time,
)
from django.urls import reverse

from municipalities.models import MunicipalStaff
from portal.models import AuditEntry, PrivacyAcknowledgement
from tests.factories import (
    PASSWORD,
    CoordinatorAssignmentFactory,
    MembershipFactory,
    MunicipalStaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")
DASHBOARD = reverse("dashboard")
ACKNOWLEDGE = reverse("privacy_acknowledge")
MFA_INDEX = reverse("mfa_index")


def log_in(client, user):
    return client.post(LOGIN, {"login": user.email, "password": PASSWORD})


def reauthenticate(client):
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


def current_code(secret: str) -> str:
    return format_hotp_value(hotp_value(secret, next(yield_hotp_counters_from_time())))


# --- privacy notice ------------------------------------------------------------------------------


def test_duties_a_new_notice_version_is_asked_for_before_anything_else(client, settings):
    user = UserFactory()
    settings.PRIVACY_NOTICE_VERSION = "2027-01"
    log_in(client, user)

    response = client.get(reverse("notifications"))

    assert response.status_code == 302
    assert response["Location"] == f"{ACKNOWLEDGE}?next=%2Fnotifications%2F"
    page = client.get(response["Location"])
    assert "The privacy notice has changed" in page.content.decode() or (
        "Aydınlatma metni" in page.content.decode()
    )
    assert page.context["notice"]["version"] == "2027-01"
    # The notice page itself and log-out stay reachable.
    assert client.get(reverse("privacy")).status_code == 200


def test_duties_the_notice_must_be_ticked_and_is_then_recorded(client, settings):
    user = UserFactory()
    settings.PRIVACY_NOTICE_VERSION = "2027-01"
    log_in(client, user)

    refused = client.post(ACKNOWLEDGE, {"next": "/notifications/"})
    assert refused.status_code == 200
    assert refused.context["form"].errors["acknowledged"]
    assert not user.privacy_acknowledgements.filter(version="2027-01").exists()

    response = client.post(ACKNOWLEDGE, {"acknowledged": "on", "next": "/notifications/"})

    assert response["Location"] == "/notifications/"
    acknowledgement = user.privacy_acknowledgements.get(version="2027-01")
    assert acknowledgement.acknowledged_at is not None
    entry = AuditEntry.objects.get(action=AuditEntry.Action.PRIVACY_NOTICE, actor=user)
    assert entry.details == {"version": "2027-01"}
    assert client.get(reverse("notifications")).status_code == 200
    # Acknowledging twice keeps one record.
    client.post(ACKNOWLEDGE, {"acknowledged": "on"})
    assert user.privacy_acknowledgements.filter(version="2027-01").count() == 1


def test_duties_a_version_change_during_a_session_asks_at_the_next_request(client, settings):
    user = UserFactory()
    log_in(client, user)
    assert client.get(DASHBOARD).status_code == 200

    settings.PRIVACY_NOTICE_VERSION = "2027-02"

    assert client.get(DASHBOARD)["Location"].startswith(ACKNOWLEDGE)


def test_duties_a_foreign_next_is_not_followed(client, settings):
    user = UserFactory()
    settings.PRIVACY_NOTICE_VERSION = "2027-01"
    log_in(client, user)
    response = client.post(ACKNOWLEDGE, {"acknowledged": "on", "next": "https://evil.example/"})
    assert response["Location"] == DASHBOARD


def test_duties_htmx_requests_are_led_with_a_client_redirect(client, settings):
    user = UserFactory()
    settings.PRIVACY_NOTICE_VERSION = "2027-01"
    log_in(client, user)
    response = client.get(reverse("notifications"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"] == ACKNOWLEDGE


def test_duties_signup_without_the_notice_keeps_what_was_typed(client):
    response = client.post(
        reverse("account_signup"),
        {
            "full_name": "Elif Yılmaz",
            "email": "elif@example.test",
            "password1": "kış-güneşi-2025",
            "password2": "kış-güneşi-2025",
            "preferred_language": "tr",
        },
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "privacy_notice" in form.errors
    assert form["email"].value() == "elif@example.test"
    assert form["full_name"].value() == "Elif Yılmaz"
    assert not PrivacyAcknowledgement.objects.filter(user__email="elif@example.test").exists()


def test_duties_the_notice_quotes_the_retention_settings(client, settings):
    settings.RETENTION_DAYS = {**settings.RETENTION_DAYS, "audit": 1234, "notifications": 77}
    body = client.get("/en/privacy/").content.decode()
    assert "Security records: deleted after 1234 days." in body
    assert "Notifications: deleted after 77 days." in body
    for heading in ("Data controller", "legal ground", "Who receives it", "How it is collected"):
        assert heading in body
    assert "article 7" in body  # the rights of art. 11, all of them


# --- two-factor sign-in --------------------------------------------------------------------------


@pytest.fixture
def required(settings):
    settings.PORTAL_REQUIRE_2FA = True


def _manager():
    staff = MunicipalStaffFactory(role=MunicipalStaff.Role.MANAGER)
    return staff.user


@pytest.mark.parametrize(
    "make_user",
    [
        lambda: CoordinatorAssignmentFactory().user,
        _manager,
        lambda: UserFactory(is_staff=True),
    ],
    ids=["coordinator", "municipal_manager", "site_admin"],
)
def test_duties_these_roles_must_set_up_a_second_factor_first(client, required, make_user):
    user = make_user()
    log_in(client, user)

    for url in (DASHBOARD, reverse("notifications"), reverse("profile")):
        assert client.get(url)["Location"] == MFA_INDEX
    assert client.get(MFA_INDEX).status_code == 200
    # Setting it up asks for the password again first; both pages stay open.
    activate = reverse("mfa_activate_totp")
    asked = client.get(activate)
    assert asked["Location"].startswith(reverse("account_reauthenticate"))
    reauthenticate(client)
    assert client.get(activate).status_code == 200


def test_duties_others_need_no_second_factor(client, required):
    member = MembershipFactory().user
    log_in(client, member)
    assert client.get(DASHBOARD).status_code == 200


def test_duties_not_required_when_the_setting_is_off(client, settings):
    settings.PORTAL_REQUIRE_2FA = False
    log_in(client, CoordinatorAssignmentFactory().user)
    assert client.get(DASHBOARD).status_code == 200


def test_duties_activating_an_authenticator_app_opens_the_portal(
    client, required, django_capture_on_commit_callbacks
):
    user = CoordinatorAssignmentFactory().user
    log_in(client, user)
    reauthenticate(client)
    client.get(reverse("mfa_activate_totp"))
    secret = client.session["mfa.totp.secret"]

    wrong = client.post(reverse("mfa_activate_totp"), {"code": "000000"})
    assert wrong.status_code == 200
    assert wrong.context["form"].errors
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})

    assert response.status_code == 302
    assert Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get(DASHBOARD).status_code == 200
    changes = AuditEntry.objects.filter(action=AuditEntry.Action.SECOND_FACTOR, actor=user)
    assert {entry.details["type"] for entry in changes} >= {"totp"}
    assert all(entry.details["change"] == "added" for entry in changes)


def test_duties_log_in_with_an_authenticator_asks_for_the_code(client, required):
    user = CoordinatorAssignmentFactory().user
    secret = generate_totp_secret()
    TOTP.activate(user, secret)

    response = log_in(client, user)

    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
    wrong = client.post(reverse("mfa_authenticate"), {"code": "123456"})
    assert "_auth_user_id" not in client.session
    assert wrong.context["form"].errors
    client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert client.session["_auth_user_id"] == str(user.pk)
    assert client.get(DASHBOARD).status_code == 200


def test_duties_a_recovery_code_signs_in_and_is_audited(client, required):
    user = CoordinatorAssignmentFactory().user
    TOTP.activate(user, generate_totp_secret())
    codes = RecoveryCodes.activate(user)
    code = codes.get_unused_codes()[0]
    log_in(client, user)

    client.post(reverse("mfa_authenticate"), {"code": code})

    assert client.session["_auth_user_id"] == str(user.pk)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.RECOVERY_CODE, actor=user)
    assert entry.details == {"unused_codes_left": len(codes.get_unused_codes()) - 1}
    # The code is spent: a second log-in cannot use it again.
    client.logout()
    log_in(client, user)
    client.post(reverse("mfa_authenticate"), {"code": code})
    assert "_auth_user_id" not in client.session


def test_duties_the_admin_log_in_asks_for_the_second_factor_too(client, required):
    admin = UserFactory(is_staff=True, is_superuser=True)
    TOTP.activate(admin, generate_totp_secret())
    response = client.get("/admin/", follow=True)
    login_page = response.redirect_chain[-1][0]
    assert login_page.startswith(LOGIN)

    response = client.post(login_page, {"login": admin.email, "password": PASSWORD})

    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session


def test_duties_removing_the_only_second_factor_leads_back_to_setting_one_up(
    client, required, django_capture_on_commit_callbacks
):
    user = CoordinatorAssignmentFactory().user
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    log_in(client, user)
    client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert client.get(DASHBOARD).status_code == 200
    reauthenticate(client)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("mfa_deactivate_totp"))

    assert not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists()
    assert client.get(DASHBOARD)["Location"] == MFA_INDEX
    removed = AuditEntry.objects.filter(action=AuditEntry.Action.SECOND_FACTOR, actor=user)
    assert {"type": "totp", "change": "removed"} in [entry.details for entry in removed]
