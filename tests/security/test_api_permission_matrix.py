"""The API's permission matrix: every operation of the OpenAPI schema × every role of the
portal's matrix (each with a personal access token), anonymous, and an expired token.
(The main matrix, test_permission_matrix.py, leaves the "api" namespace to this file.)

Public endpoints answer everyone (an expired token is a 401 wherever it is sent); the token
holders' endpoints give each role exactly its scope, and a 404 for anything outside it."""

import datetime

import pytest
from django.utils import timezone

from api.api import api
from api.services.tokens import token_create
from tests.security.conftest import ROLES

pytestmark = pytest.mark.django_db

EXPIRED = "expired_token"
ALL = (*ROLES, EXPIRED)


def outcomes(default, **overrides):
    return {role: overrides.get(role, default) for role in ALL}


PUBLIC = outcomes(200, **{EXPIRED: 401})
# Cases: municipal staff and coordinators (their scope); NGO people have no cases here.
CASES = outcomes(
    200,
    anonymous=401,
    ngo_member=404,
    ngo_admin=404,
    other_ngo_member=404,
    **{EXPIRED: 401},
)
# The case of Erzurum Büyükşehir Belediyesi (sub-region 14).
CASE = {**CASES, "other_municipal_staff": 404, "other_coordinator": 404}
NATION = outcomes(404, anonymous=401, national_coordinator=200, site_admin=200, **{EXPIRED: 401})
OF_14 = {**NATION, "regional_coordinator": 200}

MATRIX = {
    "/api/v1/regions/": (PUBLIC, {}),
    "/api/v1/subregions/": (PUBLIC, {}),
    "/api/v1/provinces/": (PUBLIC, {}),
    "/api/v1/provinces/{plate}/": (PUBLIC, {"plate": lambda w: 25}),
    "/api/v1/districts/": (PUBLIC, {}),
    "/api/v1/municipalities/": (PUBLIC, {}),
    "/api/v1/municipalities/{id}/": (PUBLIC, {"id": lambda w: w.municipality.pk}),
    "/api/v1/ngos/": (PUBLIC, {}),
    "/api/v1/ngos/{id}/": (PUBLIC, {"id": lambda w: w.ngo.pk}),
    "/api/v1/capabilities/": (PUBLIC, {}),
    "/api/v1/programmes/": (PUBLIC, {}),
    "/api/v1/programmes/{id}/": (PUBLIC, {"id": lambda w: w.event.pk}),
    "/api/v1/campaigns/": (PUBLIC, {}),
    "/api/v1/campaigns/{code}/": (PUBLIC, {"code": lambda w: w.campaign.code}),
    "/api/v1/categories/": (PUBLIC, {}),
    "/api/v1/statistics/": (PUBLIC, {}),
    "/api/v1/cases/": (CASES, {}),
    "/api/v1/cases/{id}/": (CASE, {"id": lambda w: w.case.pk}),
    "/api/v1/reports/nation/": (NATION, {}),
    "/api/v1/reports/subregions/{code}/": (OF_14, {"code": lambda w: "14"}),
    "/api/v1/reports/provinces/{plate}/": (OF_14, {"plate": lambda w: 25}),
}


def test_matrix_covers_every_operation_of_the_schema():
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    operations = {path for path, methods in schema["paths"].items() if "get" in methods}
    assert operations == set(MATRIX)
    assert all(set(methods) == {"get"} for methods in schema["paths"].values())


def _headers(world, role):
    if role == "anonymous":
        return {}
    user = world.users["ngo_member" if role == EXPIRED else role]
    token, raw = token_create(user=user, name=f"matrix {role}", days=30)
    if role == EXPIRED:
        type(token).objects.filter(pk=token.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=60),
            expires_at=timezone.now() - datetime.timedelta(days=1),
        )
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


@pytest.mark.parametrize("path", sorted(MATRIX))
def test_api_permission_matrix(path, world, client):
    expect, params = MATRIX[path]
    url = path.format(**{name: value(world) for name, value in params.items()})
    mismatches = []
    for role in ALL:
        response = client.get(url, **_headers(world, role))
        assert response["Content-Type"].startswith("application/json"), (url, role)
        if response.status_code != expect[role]:
            mismatches.append(
                f"{url} as {role}: expected {expect[role]}, got {response.status_code}"
            )
    assert not mismatches, "\n".join(mismatches)


def test_case_of_the_world_is_shown_in_scope_only(world, client):
    """What a 200 holds: the case appears in the list of those in scope, and only theirs."""
    for role, shown in [
        ("municipal_staff", True),
        ("other_municipal_staff", False),
        ("regional_coordinator", True),
        ("other_coordinator", False),
        ("national_coordinator", True),
    ]:
        rows = client.get("/api/v1/cases/?limit=200", **_headers(world, role)).json()["results"]
        assert (world.case.pk in {row["id"] for row in rows}) is shown, role
