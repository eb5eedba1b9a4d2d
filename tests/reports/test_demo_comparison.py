"""The demo data makes the comparison of two survey cycles demonstrable: a closed 2024 campaign
with the same category codes as 2025, so the report's comparison shows real differences."""

import pytest
from django.core.cache import caches

from portal.models import User
from surveys.models import Campaign, Expectation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache(db):
    caches["reports"].clear()
    yield
    caches["reports"].clear()


def test_demo_has_a_closed_2024_campaign_with_the_same_categories(demo):
    previous, current = Campaign.objects.get(code="2024"), Campaign.objects.get(code="2025")
    assert previous.closes_at < current.opens_at
    assert not previous.is_open
    codes = {
        code: set(
            Expectation.objects.filter(
                submission__campaign=campaign, submission__status="submitted"
            ).values_list("category__code", flat=True)
        )
        for code, campaign in [("2024", previous), ("2025", current)]
    }
    assert codes["2024"] and codes["2024"] <= set(
        previous.categories.values_list("code", flat=True)
    )
    assert codes["2024"] & codes["2025"] == codes["2025"]  # every 2025 category also in 2024
    # A closed round leaves nothing open in any inbox.
    assert not Expectation.objects.cases().open().filter(submission__campaign=previous).exists()


def test_comparison_page_shows_non_zero_differences_with_demo_data(client, demo):
    client.force_login(User.objects.get(email="coordinator@demo.test"))

    response = client.get("/en/reports/", {"campaign": "2025", "compare": "2024"})

    tables = response.context["tables"]
    top = tables["top_five"].rows
    assert len(top) == 5
    assert [row["compare_rank"] for row in top] != [1, 2, 3, 4, 5]
    assert any(row["score_delta"] != 0 for row in top)
    assert all(row["compare_rank"] is not None for row in top)
    participation = tables["participation"]
    assert participation.totals["rate_delta"] not in (None, 0)
    assert any(row["rate_delta"] for row in participation.rows)
    html = response.content.decode()
    assert "Rank in 2024 Beş Beklenti Anketi" in html
    assert "Change in score" in html
    assert "Change in rate" in html


def test_seeding_the_2024_campaign_again_changes_nothing(demo):
    from demo.services.erzurum import seed_survey_2024

    before = Expectation.objects.filter(submission__campaign__code="2024").count()
    seed_survey_2024()
    assert Expectation.objects.filter(submission__campaign__code="2024").count() == before > 0
