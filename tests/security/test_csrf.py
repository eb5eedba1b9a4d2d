"""CSRF is enforced on every POST, including htmx requests, which send the token in a header."""

import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from events.models import Registration
from municipalities.models import MunicipalStaff
from ngos.models import NGO
from portal.models import User
from surveys.models import ReviewEntry
from tests.events.factories import EventFactory
from tests.factories import PASSWORD, MembershipFactory, MunicipalStaffFactory, UserFactory
from tests.security.pages import submitted_case
from tests.surveys.factories import CampaignFactory

pytestmark = pytest.mark.django_db


def _en(name, *args):
    with translation.override("en"):
        return reverse(name, args=args)


def _client(user=None) -> Client:
    client = Client(enforce_csrf_checks=True)
    if user is not None:
        client.force_login(user)
    return client


def _token(client, url) -> str:
    """The token as the page hands it to htmx (data-hx-headers on <body>); also sets the cookie."""
    html = client.get(url).content.decode()
    match = re.search(r"data-hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", html)
    assert match, "base.html must give htmx the CSRF token"
    assert "csrftoken" in client.cookies
    return match.group(1)


def _form_token(html) -> str:
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


def test_csrf_login_without_token_refused():
    UserFactory(email="ayse@example.test")
    client = _client()
    response = client.post(
        _en("account_login"), {"login": "ayse@example.test", "password": PASSWORD}
    )
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_csrf_login_with_form_token_accepted():
    user = UserFactory(email="ayse@example.test")
    client = _client()
    token = _form_token(client.get(_en("account_login")).content.decode())
    response = client.post(
        _en("account_login"),
        {"login": "ayse@example.test", "password": PASSWORD, "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_csrf_signup_without_token_refused():
    client = _client()
    response = client.post(
        _en("account_signup"),
        {
            "full_name": "Ayşe Yılmaz",
            "email": "new@example.test",
            "password1": "a-long-pass-2025",
            "password2": "a-long-pass-2025",
            "preferred_language": "tr",
            "privacy_notice": "on",
        },
    )
    assert response.status_code == 403
    assert not User.objects.filter(email="new@example.test").exists()


@pytest.fixture
def case_and_staff():
    staff = MunicipalStaffFactory(role=MunicipalStaff.Role.MANAGER)
    return submitted_case(municipality=staff.municipality), staff.user


def test_csrf_case_action_without_token_refused(case_and_staff):
    case, staff = case_and_staff
    client = _client(staff)
    response = client.post(_en("surveys:case_note", case.pk), {"text": "Bir not"})
    assert response.status_code == 403
    assert not ReviewEntry.objects.filter(expectation=case).exists()


def test_csrf_htmx_request_without_header_refused(case_and_staff):
    case, staff = case_and_staff
    client = _client(staff)
    _token(client, _en("surveys:case", case.pk))  # the cookie alone is not enough
    response = client.post(
        _en("surveys:case_note", case.pk), {"text": "Bir not"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 403
    assert not ReviewEntry.objects.filter(expectation=case).exists()


def test_csrf_htmx_request_with_header_accepted(case_and_staff):
    case, staff = case_and_staff
    client = _client(staff)
    token = _token(client, _en("surveys:case", case.pk))
    response = client.post(
        _en("surveys:case_note", case.pk),
        {"text": "Bir not"},
        HTTP_HX_REQUEST="true",
        HTTP_X_CSRFTOKEN=token,
    )
    assert response.status_code in (200, 302)
    entry = ReviewEntry.objects.get(expectation=case)
    assert entry.kind == "note"
    assert entry.text == "Bir not"


def test_csrf_submission_save_without_token_refused():
    membership = MembershipFactory(role="admin")
    campaign = CampaignFactory()
    client = _client(membership.user)
    url = _en("surveys:submission_edit", campaign.code, membership.ngo.slug)
    response = client.post(url, {"action": "save"})
    assert response.status_code == 403
    assert not campaign.submissions.exists()


def test_csrf_submission_save_with_header_passes_the_check():
    membership = MembershipFactory(role="admin")
    campaign = CampaignFactory()
    client = _client(membership.user)
    url = _en("surveys:submission_edit", campaign.code, membership.ngo.slug)
    token = _token(client, url)
    response = client.post(url, {"action": "save"}, HTTP_X_CSRFTOKEN=token)
    assert response.status_code in (200, 302)
    assert "CSRF verification failed" not in response.content.decode()
    assert campaign.submissions.filter(ngo=membership.ngo).exists()


def test_csrf_event_registration_without_and_with_token():
    membership = MembershipFactory(ngo__status=NGO.Status.VERIFIED)
    event = EventFactory()
    client = _client(membership.user)
    url = _en("events:register", event.slug)
    html = client.get(event.get_absolute_url()).content.decode()
    organisation = re.search(r'name="organisation" value="([^"]+)"', html).group(1)

    refused = client.post(url, {"organisation": organisation})
    assert refused.status_code == 403
    assert not Registration.objects.filter(event=event).exists()

    accepted = client.post(
        url, {"organisation": organisation, "csrfmiddlewaretoken": _form_token(html)}
    )
    assert accepted.status_code == 302
    assert Registration.objects.get(event=event).user == membership.user
