"""The demo's activations (issue 16): who sees what, reached from the dashboard."""

import pytest
from django.urls import reverse

from cooperation.models import Activation, Call, Offer, Response
from cooperation.services.activations import activation_figures
from demo.services.cooperation_activations import EXERCISE_TITLE, FLOOD_TITLE, seed_activations
from portal.models import User

pytestmark = pytest.mark.django_db


def titles_seen(email):
    return set(
        Activation.objects.visible_to(User.objects.get(email=email)).values_list("title", flat=True)
    )


def test_demo_activations_are_seen_by_the_right_people(demo):
    assert titles_seen("municipality@demo.test") == {EXERCISE_TITLE}
    assert FLOOD_TITLE in titles_seen("ngo@demo.test")
    assert titles_seen("regional@demo.test") >= {EXERCISE_TITLE, FLOOD_TITLE}
    assert titles_seen("kars@demo.test") == {FLOOD_TITLE}
    assert titles_seen("ngo-member@demo.test") >= {FLOOD_TITLE}


def test_demo_exercise_is_closed_with_its_summary_and_the_flood_is_answered(demo):
    exercise = Activation.objects.get(title=EXERCISE_TITLE)
    flood = Activation.objects.get(title=FLOOD_TITLE)

    assert exercise.is_exercise and not exercise.is_open
    assert "Medyan yanıt süresi: 0 sa 23 dk" in exercise.after_action_summary
    assert "Karşılanan ihtiyaçlar: 3 ihtiyaçtan 2." in exercise.after_action_summary
    assert not flood.is_exercise and flood.is_open
    answers = dict(
        Response.objects.filter(call__activation=flood).values_list(
            "call__ngo__name", "availability"
        )
    )
    assert answers["Erzurum Dadaşlar Dayanışma Derneği"] == "partly"
    assert set(answers.values()) == {"partly", "available"}
    assert Call.objects.filter(activation=flood, responded_at__isnull=True).count() == 1
    assert Offer.objects.filter(activation=flood, status="pending").count() == 1
    assert not Call.objects.filter(
        activation=flood, ngo__in=Offer.objects.filter(activation=flood).values("ngo")
    ).exists()
    # The exercise is kept out of the statistics.
    assert activation_figures()["activations"] == 1


def test_demo_is_idempotent(demo):
    before = Activation.objects.count(), Call.objects.count()
    seed_activations()
    assert (Activation.objects.count(), Call.objects.count()) == before


@pytest.mark.parametrize(
    ("email", "shown", "hidden"),
    [
        ("municipality@demo.test", [EXERCISE_TITLE], [FLOOD_TITLE]),
        ("ngo@demo.test", [FLOOD_TITLE], []),
        ("regional@demo.test", [EXERCISE_TITLE, FLOOD_TITLE], []),
    ],
)
def test_each_demo_account_reaches_its_activations_from_the_dashboard(
    client, demo, email, shown, hidden
):
    client.force_login(User.objects.get(email=email))

    html = client.get(reverse("dashboard")).content.decode()

    for title in shown:
        activation = Activation.objects.get(title=title)
        assert f'href="{reverse("cooperation:board", kwargs={"pk": activation.pk})}"' in html
    for title in hidden:
        assert title not in html
