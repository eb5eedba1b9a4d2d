import re

import pytest
from allauth.account.models import EmailAddress
from django.conf import settings
from django.core import mail
from django.urls import reverse

from demo.services.accounts import DEMO_PASSWORD
from portal.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")


def log_in(client, email, password=DEMO_PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


def test_turkish_login_lands_on_the_turkish_dashboard(client, demo):
    assert log_in(client, "ngo@demo.test")["Location"] == "/dashboard/"


def test_wrong_password_is_refused_with_a_message(client, demo):
    response = log_in(client, "ngo@demo.test", "wrong-password")
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert response.context["form"].errors


def test_signup_requires_email_verification(client):
    response = client.post(
        reverse("account_signup"),
        {
            "full_name": "  Elif   Yılmaz ",
            "email": "elif@example.test",
            "password1": "kış-güneşi-2025",
            "password2": "kış-güneşi-2025",
            "preferred_language": "tr",
            "privacy_notice": "on",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="elif@example.test")
    assert user.full_name == "Elif Yılmaz"
    assert not EmailAddress.objects.get(user=user).verified
    # The privacy notice was acknowledged with the form: this version, now.
    assert list(user.privacy_acknowledgements.values_list("version", flat=True)) == [
        settings.PRIVACY_NOTICE_VERSION
    ]
    assert "_auth_user_id" not in client.session
    assert len(mail.outbox) == 1
    link = re.search(r"https?://testserver(\S+)", mail.outbox[0].body).group(1)

    # Until the address is verified, logging in only re-sends the verification.
    response = log_in(client, "elif@example.test", "kış-güneşi-2025")
    assert "_auth_user_id" not in client.session

    client.post(link)
    assert EmailAddress.objects.get(user=user).verified
    assert client.session["_auth_user_id"] == str(user.pk)


def test_signup_errors_keep_what_was_typed(client):
    response = client.post(
        reverse("account_signup"),
        {"full_name": "Elif Yılmaz", "email": "not-an-email", "password1": "x", "password2": "y"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Elif Yılmaz"' in html
    assert 'value="not-an-email"' in html
    assert not User.objects.filter(full_name="Elif Yılmaz").exists()


def test_password_reset_sends_a_link(client, demo):
    client.post(reverse("account_reset_password"), {"email": "ngo@demo.test"})
    assert len(mail.outbox) == 1
    assert "ngo@demo.test" in mail.outbox[0].to


def test_profile_changes_name_and_language(client):
    user = UserFactory(full_name="Eski Ad")
    client.force_login(user)
    response = client.post(reverse("profile"), {"full_name": "Yeni Ad", "preferred_language": "en"})
    assert response["Location"] == "/en/accounts/profile/"
    user.refresh_from_db()
    assert (user.full_name, user.preferred_language) == ("Yeni Ad", "en")


def test_profile_refuses_an_unknown_language_and_keeps_the_name(client):
    user = UserFactory(full_name="Eski Ad")
    client.force_login(user)
    response = client.post(reverse("profile"), {"full_name": "Yeni Ad", "preferred_language": "xx"})
    assert response.status_code == 200
    assert 'value="Yeni Ad"' in response.content.decode()
    user.refresh_from_db()
    assert user.full_name == "Eski Ad"


def test_factory_password_logs_in(client):
    user = UserFactory()
    log_in(client, user.email, PASSWORD)
    assert client.session["_auth_user_id"] == str(user.pk)
