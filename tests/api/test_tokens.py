"""Personal access tokens: created on the profile's token page and shown once, stored hashed,
expiring and revocable, audited, and reading exactly the person's scope."""

import datetime
import re

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from api.models import PersonalAccessToken
from api.services.tokens import token_create, token_hash
from municipalities.models import Municipality, SubRegion
from portal.models import AuditEntry
from tests.factories import (
    CoordinatorAssignmentFactory,
    MembershipFactory,
    MunicipalStaffFactory,
    UserFactory,
)
from tests.surveys.factories import CampaignFactory, ExpectationFactory, SubmissionFactory

pytestmark = pytest.mark.django_db


def _case(municipality, title="Afet toplanma alanı"):
    submission = SubmissionFactory(
        campaign=CampaignFactory(),
        status="submitted",
        receipt_number=f"R-{title[:8]}-{municipality.pk}",
        submitted_at=timezone.now(),
    )
    return ExpectationFactory(submission=submission, municipality=municipality, title=title)


def test_token_page_shows_the_new_token_once_and_stores_only_its_hash(client):
    user = UserFactory()
    client.force_login(user)
    url = reverse("api_tokens:list")
    response = client.post(url, {"name": "Raporlama betiği", "days": "30"})
    page = response.content.decode()
    raw = re.search(r'value="(bstk_[^"]+)"', page).group(1)
    token = PersonalAccessToken.objects.get(user=user)
    assert token.token_hash == token_hash(raw)
    assert raw not in {token.prefix, token.token_hash, token.name}
    assert token.prefix == raw[:12]
    assert (token.expires_at - token.created_at).days == 30
    assert raw not in client.get(url).content.decode()
    assert "Raporlama betiği" in client.get(url).content.decode()
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.API_TOKEN, actor=user, details__event="created"
    ).exists()


def test_token_form_refuses_a_lifetime_not_offered_and_keeps_the_name(client):
    client.force_login(UserFactory())
    response = client.post(reverse("api_tokens:list"), {"name": "Betik", "days": "5000"})
    assert not PersonalAccessToken.objects.exists()
    assert 'value="Betik"' in response.content.decode()
    assert "is-invalid" in response.content.decode()


def test_profile_page_links_to_the_tokens(client):
    client.force_login(UserFactory())
    assert reverse("api_tokens:list") in client.get(reverse("profile")).content.decode()


def test_revoked_token_is_refused_with_a_json_401(client):
    user = UserFactory()
    MunicipalStaffFactory(user=user)
    token, raw = token_create(user=user, name="betik", days=30)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    assert client.get("/api/v1/cases/", **headers).status_code == 200
    client.force_login(user)
    client.post(reverse("api_tokens:revoke", args=[token.pk]))
    client.logout()
    response = client.get("/api/v1/cases/", **headers)
    assert response.status_code == 401
    assert response.json()["detail"]
    assert AuditEntry.objects.filter(details__event="revoked", actor=user).exists()


def test_another_persons_token_cannot_be_revoked(client):
    token, _raw = token_create(user=UserFactory(), name="betik", days=30)
    client.force_login(UserFactory())
    response = client.post(reverse("api_tokens:revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_expired_token_is_refused(client):
    user = UserFactory()
    MunicipalStaffFactory(user=user)
    _token, raw = token_create(user=user, name="betik", days=30)
    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        response = client.get("/api/v1/cases/", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert response.status_code == 401


def test_a_made_up_token_is_refused_even_on_public_endpoints(client):
    response = client.get("/api/v1/regions/", HTTP_AUTHORIZATION="Bearer bstk_made-up")
    assert response.status_code == 401


def test_token_use_is_audited_once_a_minute(client, bearer):
    user = UserFactory()
    MunicipalStaffFactory(user=user)
    headers = bearer(user)
    for _n in range(3):
        client.get("/api/v1/cases/", **headers)
    used = AuditEntry.objects.filter(actor=user, details__event="used")
    assert used.count() == 1
    assert used.get().details["path"] == "/api/v1/cases/"
    assert PersonalAccessToken.objects.get(user=user).last_used_at is not None


def test_municipal_token_reads_its_own_cases_only(client, bearer):
    erzurum = Municipality.objects.get(province=25, kind="metropolitan")
    kars = Municipality.objects.get(province=36, kind="provincial")
    own, other = _case(erzurum, "Erzurum talebi"), _case(kars, "Kars talebi")
    user = UserFactory()
    MunicipalStaffFactory(user=user, municipality=erzurum)
    headers = bearer(user)
    rows = client.get("/api/v1/cases/", **headers).json()["results"]
    assert [row["id"] for row in rows] == [own.pk]
    assert client.get(f"/api/v1/cases/{other.pk}/", **headers).status_code == 404
    assert client.get(f"/api/v1/cases/{own.pk}/", **headers).json()["title"] == "Erzurum talebi"
    assert client.get("/api/v1/reports/nation/", **headers).status_code == 404


def test_regional_token_reads_its_subregion_and_nothing_else(client, bearer):
    CampaignFactory(code="r2025")
    erzurum = Municipality.objects.get(province=25, kind="metropolitan")
    istanbul = Municipality.objects.get(province=34, kind="metropolitan")
    near, far = _case(erzurum, "Erzurum talebi"), _case(istanbul, "İstanbul talebi")
    user = UserFactory()
    CoordinatorAssignmentFactory(user=user, subregion=SubRegion.objects.get(code="14"))
    headers = bearer(user)
    assert [r["id"] for r in client.get("/api/v1/cases/", **headers).json()["results"]] == [near.pk]
    assert client.get(f"/api/v1/cases/{far.pk}/", **headers).status_code == 404
    report = client.get("/api/v1/reports/subregions/14/", **headers).json()
    assert report["level"] == "subregion" and report["subregion"] == "14"
    assert client.get("/api/v1/reports/provinces/25/", **headers).status_code == 200
    assert client.get("/api/v1/reports/subregions/01/", **headers).status_code == 404
    assert client.get("/api/v1/reports/provinces/34/", **headers).status_code == 404
    assert client.get("/api/v1/reports/nation/", **headers).status_code == 404


def test_ngo_member_token_reaches_nothing_private(client, bearer):
    user = UserFactory()
    MembershipFactory(user=user)
    headers = bearer(user)
    assert client.get("/api/v1/cases/", **headers).status_code == 404
    assert client.get("/api/v1/reports/subregions/14/", **headers).status_code == 404
    assert client.get("/api/v1/regions/", **headers).status_code == 200
