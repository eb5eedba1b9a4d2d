"""allauth's rate limits (settings.ACCOUNT_RATE_LIMITS) on log-in, sign-up and password reset."""

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache

from portal.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

LOGIN = "/en/accounts/login/"
SIGNUP = "/en/accounts/signup/"
RESET = "/en/accounts/password/reset/"


@pytest.fixture(autouse=True)
def fresh_cache():
    """The counters live in the cache: every test starts and ends with an empty one."""
    cache.clear()
    yield
    cache.clear()


def _limit(action: str, suffix: str) -> int:
    """The amount of the rule for ``action`` that ends in ``suffix`` (e.g. "/key")."""
    for rule in settings.ACCOUNT_RATE_LIMITS[action].split(","):
        if rule.endswith(suffix):
            return int(rule.split("/")[0])
    raise AssertionError(f"no {suffix} rule for {action}")


def test_rate_limits_configured_for_login_signup_and_reset():
    for action in ("login", "login_failed", "signup", "reset_password"):
        assert settings.ACCOUNT_RATE_LIMITS[action]
    assert _limit("login_failed", "/key") == 5


def test_rate_limits_failed_logins_lock_the_account(client):
    user = UserFactory(email="ayse@example.test")
    allowed = _limit("login_failed", "/key")
    for _attempt in range(allowed):
        response = client.post(LOGIN, {"login": "ayse@example.test", "password": "wrong-pass-1"})
        assert "Too many failed login attempts" not in response.content.decode()
        assert "_auth_user_id" not in client.session

    # Even the right password is refused now, with a clear message on the form.
    response = client.post(LOGIN, {"login": "ayse@example.test", "password": PASSWORD})

    assert response.status_code == 200
    assert "Too many failed login attempts. Try again later." in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert user.is_active


def test_rate_limits_failed_logins_of_one_account_spare_another(client):
    UserFactory(email="ayse@example.test")
    other = UserFactory(email="mehmet@example.test")
    for _attempt in range(_limit("login_failed", "/key") + 1):
        client.post(LOGIN, {"login": "ayse@example.test", "password": "wrong-pass-1"})
    response = client.post(LOGIN, {"login": "mehmet@example.test", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(other.pk)


def test_rate_limits_signup_refused_with_429(client):
    allowed = _limit("signup", "/ip")
    for number in range(allowed):
        client.post(
            SIGNUP,
            {
                "full_name": f"Kişi {number}",
                "email": f"person{number}@example.test",
                "password1": "a-long-pass-2025",
                "password2": "a-long-pass-2025",
                "preferred_language": "tr",
                "privacy_notice": "on",
            },
        )
        client.logout()
    created = User.objects.count()
    assert created == allowed

    response = client.post(
        SIGNUP,
        {
            "full_name": "Bir Fazla",
            "email": "one-more@example.test",
            "password1": "a-long-pass-2025",
            "password2": "a-long-pass-2025",
            "preferred_language": "tr",
            "privacy_notice": "on",
        },
    )

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert not User.objects.filter(email="one-more@example.test").exists()


def test_rate_limits_password_reset_per_address(client):
    UserFactory(email="ayse@example.test")
    allowed = _limit("reset_password", "/key")
    for _attempt in range(allowed):
        response = client.post(RESET, {"email": "ayse@example.test"})
        assert response.status_code == 302
    assert len(mail.outbox) == allowed

    response = client.post(RESET, {"email": "ayse@example.test"})

    assert response.status_code == 429
    assert "You have tried this too many times" in response.content.decode()
    assert len(mail.outbox) == allowed


def test_rate_limits_password_reset_per_ip_refused_with_429(client):
    allowed = _limit("reset_password", "/ip")
    for number in range(allowed):
        client.post(RESET, {"email": f"nobody{number}@example.test"})
    response = client.post(RESET, {"email": "one-more@example.test"})
    assert response.status_code == 429
    assert "Please wait a few minutes and try again." in response.content.decode()


ADMIN_LOGIN = "/admin/login/"


def test_rate_limits_the_admin_log_in_page_cannot_be_used_to_guess_passwords(client):
    """Found from outside: 40 wrong passwords for a staff account at /admin/login/ in a minute
    were all answered, then the right one worked. The admin's page now signs nobody in: it sends
    to the portal's log-in, whose limits hold."""
    admin = UserFactory(email="yonetici@example.test", is_staff=True, is_superuser=True)
    for _attempt in range(40):
        response = client.post(
            ADMIN_LOGIN, {"username": "yonetici@example.test", "password": "wrong-pass-1"}
        )
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    response = client.post(ADMIN_LOGIN, {"username": "yonetici@example.test", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    # The portal's log-in, where the administrator's wrong passwords count.
    for _attempt in range(_limit("login_failed", "/key")):
        client.post(LOGIN, {"login": "yonetici@example.test", "password": "wrong-pass-1"})
    response = client.post(LOGIN, {"login": "yonetici@example.test", "password": PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert admin.is_staff


def test_rate_limits_an_administrator_signs_in_at_the_portal_and_reaches_the_admin(client):
    UserFactory(email="yonetici@example.test", is_staff=True, is_superuser=True)
    response = client.get("/admin/")
    assert response.status_code == 302
    response = client.get(response["Location"])  # the admin's login page: sent on
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"
    response = client.post(
        "/accounts/login/?next=/admin/",
        {"login": "yonetici@example.test", "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    index = client.get("/admin/")
    assert index.status_code == 200
    assert 'action="/admin/logout/"' in index.content.decode()


def test_rate_limits_someone_signed_in_without_admin_rights_gets_403_not_a_loop(client):
    client.force_login(UserFactory(email="uye@example.test"))
    response = client.get(ADMIN_LOGIN + "?next=/admin/")
    assert response.status_code == 403


def test_rate_limits_the_admin_log_in_never_sends_elsewhere(client):
    response = client.get(ADMIN_LOGIN + "?next=https://evil.example/")
    assert response["Location"] == "/accounts/login/?next=%2Fadmin%2F"


def test_rate_limits_join_requests_of_one_user_are_throttled_and_keep_the_text(client):
    """Found from outside: 138 join requests from one user in a scan, each mailing the NGO's
    administrators with the requester's text."""
    from ngos.models import JoinRequest
    from tests.factories import MembershipFactory, NGOFactory

    client.force_login(UserFactory(email="tarayici@example.test"))
    limit = _limit("join_request", "/user")
    ngos = [NGOFactory(status="verified") for _ in range(limit + 1)]
    for ngo in ngos:
        MembershipFactory(ngo=ngo, role="admin")
    for ngo in ngos[:limit]:
        response = client.post(f"/en/ngos/{ngo.slug}/join/", {"message": "Merhaba"})
        assert response.status_code == 302
    mails = len(mail.outbox)
    response = client.post(f"/en/ngos/{ngos[-1].slug}/join/", {"message": "Son deneme metni"})
    assert response.status_code == 429
    html = response.content.decode()
    assert "Too many attempts in a short time" in html
    assert "Son deneme metni" in html  # what was typed is kept
    assert JoinRequest.objects.count() == limit
    assert len(mail.outbox) == mails


def test_rate_limits_account_deletion_password_checks_are_throttled(client):
    """Found from outside: 15 wrong passwords on the account-deletion form, no limit."""
    user = UserFactory(email="silinecek@example.test")
    client.force_login(user)
    limit = _limit("account_delete", "/user")
    for _attempt in range(limit):
        response = client.post("/en/accounts/delete/", {"password": "wrong-pass-1"})
        assert response.status_code == 200
        assert "The password is not correct." in response.content.decode()
    response = client.post("/en/accounts/delete/", {"password": PASSWORD})
    assert response.status_code == 429
    assert "Too many attempts in a short time" in response.content.decode()
    user.refresh_from_db()
    assert user.is_active and user.email == "silinecek@example.test"


def test_rate_limits_invitations_are_throttled(client):
    from members.models import Invitation
    from tests.factories import MembershipFactory

    admin = MembershipFactory(role="admin")
    client.force_login(admin.user)
    url = f"/en/ngos/{admin.ngo.slug}/members/invite/"
    limit = _limit("invite", "/user")
    for number in range(limit):
        client.post(url, {"email": f"davetli{number}@example.test", "role": "member"})
    assert Invitation.objects.count() == limit
    response = client.post(url, {"email": "fazla@example.test", "role": "member"})
    assert response.status_code == 429
    assert "Too many attempts in a short time" in response.content.decode()
    assert "fazla@example.test" in response.content.decode()
    assert Invitation.objects.count() == limit


ATTACKER = "198.51.100.7"
OWNER = "203.0.113.20"


def _fail(client, email, address):
    return client.post(LOGIN, {"login": email, "password": "wrong-pass-1"}, REMOTE_ADDR=address)


def test_rate_limits_wrong_passwords_from_elsewhere_do_not_lock_the_owner_out(client):
    """Finding 3 of issue 15: ten wrong passwords for someone else's address made their correct
    password fail from another address."""
    owner = UserFactory(email="ayse@example.test")
    for _attempt in range(10):
        _fail(client, "ayse@example.test", ATTACKER)
    # The attacker's address is stopped, even with the right password ...
    response = client.post(
        LOGIN, {"login": "ayse@example.test", "password": PASSWORD}, REMOTE_ADDR=ATTACKER
    )
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
    # ... the owner, at another address, logs in.
    response = client.post(
        LOGIN, {"login": "ayse@example.test", "password": PASSWORD}, REMOTE_ADDR=OWNER
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_rate_limits_an_attack_from_many_addresses_meets_the_account_ceiling(client):
    UserFactory(email="ayse@example.test")
    per_address = _limit("login_failed", "/key")
    ceiling = _limit("login_failed_account", "/key")
    addresses = [f"198.51.100.{number}" for number in range(1, ceiling // per_address + 2)]
    refused_at = None
    for number, address in enumerate(addresses):
        for _attempt in range(per_address):
            response = _fail(client, "ayse@example.test", address)
            if refused_at is None and "Too many failed" in response.content.decode():
                refused_at = number * per_address + _attempt
    assert refused_at == ceiling
    response = client.post(
        LOGIN, {"login": "ayse@example.test", "password": PASSWORD}, REMOTE_ADDR=OWNER
    )
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_rate_limits_a_password_reset_lifts_the_account_ceiling(client, rf):
    from allauth.account.adapter import get_adapter

    UserFactory(email="ayse@example.test")
    ceiling = _limit("login_failed_account", "/key")
    for number in range(ceiling + 1):
        _fail(client, "ayse@example.test", f"198.51.100.{number % 250 + 1}")
    request = rf.post(LOGIN, REMOTE_ADDR=OWNER)
    get_adapter(request)._delete_login_attempts_cached_email(request, email="ayse@example.test")
    response = client.post(
        LOGIN, {"login": "ayse@example.test", "password": PASSWORD}, REMOTE_ADDR=OWNER
    )
    assert response.status_code == 302


def test_rate_limits_the_owner_is_told_of_repeated_failures_once_an_hour(client):
    UserFactory(email="ayse@example.test", full_name="Ayşe Yılmaz", preferred_language="en")
    alert = settings.LOGIN_FAILURE_ALERT
    mail.outbox.clear()
    for number in range(alert - 1):
        _fail(client, "ayse@example.test", f"198.51.100.{number + 1}")
    assert mail.outbox == []

    _fail(client, "AYSE@example.test", "198.51.100.99")

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ayse@example.test"]
    assert "Failed attempts to log in" in message.subject
    assert f"There were {alert} failed attempts" in message.body
    assert "198.51.100.1\n" in message.body and "198.51.100.99" in message.body
    assert "/accounts/password/reset/" in message.body
    # More failures within the hour: no second message.
    for _attempt in range(alert):
        _fail(client, "ayse@example.test", "198.51.100.50")
    assert len(mail.outbox) == 1


def test_rate_limits_failures_for_an_unknown_address_email_nobody(client):
    mail.outbox.clear()
    for number in range(settings.LOGIN_FAILURE_ALERT + 1):
        _fail(client, "nobody@example.test", f"198.51.100.{number + 1}")
    assert mail.outbox == []
