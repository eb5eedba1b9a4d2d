"""Each list endpoint makes the same number of queries whatever the data size (1 and 3 rows of
what it lists)."""

import pytest
from django.utils import timezone

from municipalities.models import Municipality
from tests.events.factories import AgendaItemFactory, EventFactory, SpeakerFactory
from tests.factories import (
    ActivityFieldFactory,
    CapabilityFactory,
    MunicipalStaffFactory,
    NGOFactory,
    UserFactory,
)
from tests.surveys.factories import CampaignFactory, ExpectationFactory, SubmissionFactory

pytestmark = pytest.mark.django_db


def _ngos(n):
    field = ActivityFieldFactory()
    for _i in range(n):
        NGOFactory().activity_fields.add(field)


def _capabilities(n):
    for kind in ["shelter", "first_aid", "logistics"][:n]:
        CapabilityFactory(kind=kind)


def _programmes(n):
    for _i in range(n):
        event = EventFactory()
        speaker = SpeakerFactory(event=event)
        AgendaItemFactory(event=event, speakers=[speaker])


def _campaigns(n):
    for _i in range(n):
        CampaignFactory()


PUBLIC = [
    # (url, make n rows, queries)
    ("/api/v1/ngos/", _ngos, 2),
    ("/api/v1/capabilities/", _capabilities, 1),
    ("/api/v1/programmes/", _programmes, 4),
    ("/api/v1/campaigns/", _campaigns, 2),
]


@pytest.mark.parametrize(("url", "make", "queries"), PUBLIC)
@pytest.mark.parametrize("size", [1, 3])
def test_public_list_query_count(client, django_assert_num_queries, url, make, queries, size):
    make(size)
    with django_assert_num_queries(queries):
        response = client.get(url)
    data = response.json()
    assert len(data["results"] if isinstance(data, dict) else data) == size


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/api/v1/municipalities/?province=34&limit=1", 1),
        ("/api/v1/municipalities/?province=34&limit=3", 1),
        ("/api/v1/districts/?province=34&limit=1", 1),
        ("/api/v1/districts/?province=34&limit=3", 1),
        ("/api/v1/provinces/?subregion=14", 1),
        ("/api/v1/provinces/?subregion=01", 1),
    ],
)
def test_reference_lists_query_count(client, django_assert_num_queries, url, queries):
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("size", [1, 3])
def test_cases_query_count(client, bearer, django_assert_num_queries, size):
    erzurum = Municipality.objects.get(province=25, kind="metropolitan")
    for n in range(size):
        submission = SubmissionFactory(
            status="submitted", receipt_number=f"Q-{n}", submitted_at=timezone.now()
        )
        ExpectationFactory(submission=submission, municipality=erzurum)
    user = UserFactory()
    MunicipalStaffFactory(user=user, municipality=erzurum)
    headers = bearer(user)
    client.get("/api/v1/regions/", **headers)  # the token's use of this minute is recorded
    # The token, the user's roles (coordinator assignments, NGO and municipal roles), the page.
    with django_assert_num_queries(5):
        response = client.get("/api/v1/cases/", **headers)
    assert len(response.json()["results"]) == size
