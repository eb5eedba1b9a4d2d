"""Each role's dashboard: what it shows, to whom, and at a fixed number of queries."""

import pytest
from django.urls import reverse

from demo.services.accounts import DEMO_PASSWORD
from portal.models import User
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = reverse("account_login")


def log_in(client, email, password=DEMO_PASSWORD):
    return client.post(LOGIN, {"login": email, "password": password})


@pytest.mark.parametrize(
    ("email", "section"),
    [
        ("admin@demo.test", "Site administration"),
        ("coordinator@demo.test", "National coordination"),
        ("regional@demo.test", "Your sub-regions"),
        ("ngo@demo.test", "Your NGOs"),
        ("municipality@demo.test", "Your municipalities"),
    ],
)
def test_each_demo_account_logs_in_and_sees_its_dashboard_section(client, demo, email, section):
    User.objects.filter(email=email).update(preferred_language="en")
    response = log_in(client, email)
    assert response.status_code == 302
    assert response["Location"] == "/en/dashboard/"
    html = client.get(response["Location"]).content.decode()
    assert section in html
    others = {
        "Site administration",
        "National coordination",
        "Your sub-regions",
        "Your NGOs",
        "Your municipalities",
    } - {section}
    assert not [other for other in others if f">{other}<" in html.replace("\n", "")]


def test_demo_dashboards_name_their_organisations(client, demo):
    log_in(client, "ngo@demo.test")
    html = client.get("/dashboard/").content.decode()
    assert "Erzurum Dadaşlar Dayanışma Derneği" in html
    client.logout()
    log_in(client, "municipality@demo.test")
    assert "Erzurum Büyükşehir Belediyesi" in client.get("/dashboard/").content.decode()
    client.logout()
    log_in(client, "regional@demo.test")
    html = client.get("/dashboard/").content.decode()
    assert "Erzurum-Kars" in html
    assert "Dicle" not in html


def test_anonymous_dashboard_redirects_to_login(client):
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == f"{LOGIN}?next=/dashboard/"


def test_user_without_role_is_told_how_to_get_one(client):
    client.force_login(UserFactory())
    html = client.get("/en/dashboard/").content.decode()
    assert "You do not hold a role yet" in html


def test_person_with_two_roles_sees_both_sections(client):
    membership = MembershipFactory()
    from tests.factories import MunicipalStaffFactory

    MunicipalStaffFactory(user=membership.user)
    client.force_login(membership.user)
    html = client.get("/en/dashboard/").content.decode()
    assert "Your NGOs" in html and "Your municipalities" in html
    assert membership.ngo.name in html


def test_ngo_dashboard_shows_the_open_campaign_with_the_submission_state(client, demo):
    from ngos.models import NGO
    from surveys.models import Submission

    log_in(client, "ngo@demo.test")
    ngo = NGO.objects.get(memberships__user__email="ngo@demo.test")
    html = client.get("/en/dashboard/").content.decode()
    assert "2025 Beş Beklenti Anketi" in html
    receipt = Submission.objects.get(ngo=ngo).receipt_number
    assert f"receipt {receipt}" in html
    assert f'href="/en/surveys/2025/ngo/{ngo.slug}/"' in html


def test_dashboard_query_count_does_not_grow_with_memberships(client, demo):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ngos.models import NGO

    user = UserFactory()
    ngos = list(NGO.objects.verified().order_by("pk")[:4])
    MembershipFactory(user=user, ngo=ngos[0])
    client.force_login(user)
    with CaptureQueriesContext(connection) as one:
        client.get("/en/dashboard/")
    for ngo in ngos[1:]:
        MembershipFactory(user=user, ngo=ngo)
    with CaptureQueriesContext(connection) as four:
        html = client.get("/en/dashboard/").content.decode()
    assert html.count("2025 Beş Beklenti Anketi") == 4
    assert len(one) == len(four)
