"""The national-scale generator (demo/services/national.py) at a tiny factor."""

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Max, Min, Q

from demo.services.national import PROGRAMME_SLUG, STAFF_DOMAIN, seed_national
from events.models import Event, Registration
from municipalities.models import MunicipalStaff
from ngos.models import NGO, Membership
from portal.models import User
from portal.turkish import search_key, tr_slugify
from surveys.models import Campaign, Expectation, ReviewEntry, Submission

pytestmark = pytest.mark.django_db

FACTOR = 0.001


def _quiet(*args):
    pass


@pytest.fixture
def national(demo):
    seed_national(seed=7, factor=FACTOR, log=_quiet)


def test_national_counts_scale_with_the_factor(national):
    assert NGO.objects.count() == round(100_000 * FACTOR)
    # The demo's own closed 2024 round (seed_demo) counts towards the 2024 campaign's.
    assert Campaign.objects.get(code="2024").submissions.count() >= round(40_000 * FACTOR)
    # The demo's own 2025 submissions count towards the 2025 campaign's.
    assert Campaign.objects.get(code="2025").submissions.count() >= round(40_000 * FACTOR)
    assert Campaign.objects.get(code="2024").closes_at.year == 2024
    entries = ReviewEntry.objects.count()
    assert round(800_000 * FACTOR) <= entries <= round(800_000 * FACTOR) * 1.25
    assert User.objects.filter(email__endswith=f"@{STAFF_DOMAIN}").exists()
    assert User.objects.count() >= round(10_000 * FACTOR)
    assert Event.objects.filter(slug__startswith=PROGRAMME_SLUG).count() == 1
    assert Registration.objects.filter(event__slug__startswith=PROGRAMME_SLUG).count() == 6


def test_national_ngos_are_mostly_verified_with_keys_slugs_and_unique_registry(national):
    national_ngos = NGO.objects.filter(registry_number__regex=r"^(\d\d|VGM)-\d{6}$")
    assert national_ngos.exists()
    verified = NGO.objects.verified().count() / NGO.objects.count()
    assert 0.8 <= verified <= 1
    for ngo in NGO.objects.all():
        assert ngo.name_search == search_key(ngo.name)
        assert ngo.slug == tr_slugify(ngo.name)[:200]
        assert ngo.municipality.province_id == ngo.province_id
    numbers = list(
        NGO.objects.exclude(registry_number="").values_list("registry_number", flat=True)
    )
    assert len(numbers) == len(set(numbers))
    assert (
        NGO.objects.filter(
            status__in=[NGO.Status.REJECTED, NGO.Status.SUSPENDED], status_reason=""
        ).count()
        == 0
    )


def test_national_submissions_have_ranks_one_to_five_addressed_in_the_ngo_province(national):
    ranks = (
        Submission.objects.filter(campaign__code="2024")
        .annotate(n=Count("items"), low=Min("items__rank"), high=Max("items__rank"))
        .values_list("n", "low", "high")
    )
    assert set(ranks) == {(5, 1, 5)}
    stray = Expectation.objects.filter(submission__campaign__code="2024").exclude(
        municipality__province=F("submission__ngo__province")
    )
    assert not stray.exists()


def test_national_statuses_follow_the_history(national):
    cases = Expectation.objects.filter(submission__campaign__code="2024")
    # Every completed case got there by a status entry; declined ones too.
    for status in ("completed", "declined", "planned", "accepted"):
        for case in cases.filter(status=status):
            assert case.history.filter(kind="status", to_status=status).exists(), case.pk
    # A first answer exactly when there is an answer entry, at its time.
    for case in cases.select_related("submission"):
        answers = case.history.filter(kind="answer").order_by("created_at")
        if answers:
            assert case.first_answered_at == answers[0].created_at
        else:
            assert case.first_answered_at is None
        if case.ngo_confirmed_at is not None:
            assert case.status == "completed"
            assert case.history.filter(kind="confirmation").exists()
        if case.status == "new":
            assert not case.history.filter(kind__in=["status", "referral"]).exists()
        if case.status == "referred":
            referral = case.history.get(kind="referral")
            assert referral.to_municipality_id == case.municipality_id
    drafts = Expectation.objects.filter(submission__status="draft")
    assert not ReviewEntry.objects.filter(expectation__in=drafts).exists()
    assert not ReviewEntry.objects.filter(municipality__isnull=True).exists()
    kinds = set(ReviewEntry.objects.values_list("kind", flat=True))
    assert {"status", "answer", "note", "referral"} <= kinds


def test_national_registrations_never_exceed_capacity(national):
    for event in Event.objects.annotate(
        taken=Count("registrations", filter=Q(registrations__status__in=["registered", "attended"]))
    ):
        assert event.taken == event.seats_taken <= event.capacity
    for registration in Registration.objects.filter(event__slug__startswith=PROGRAMME_SLUG):
        if registration.ngo_id:
            assert Membership.objects.filter(
                user=registration.user_id, ngo=registration.ngo_id
            ).exists()
        else:
            assert MunicipalStaff.objects.filter(
                user=registration.user_id, municipality=registration.municipality_id
            ).exists()


def test_national_is_deterministic_for_a_seed(demo):
    def names():
        return list(NGO.objects.order_by("pk").values_list("name", flat=True))

    with transaction.atomic():
        seed_national(seed=7, factor=FACTOR, log=_quiet)
        first = names()
        transaction.set_rollback(True)
    seed_national(seed=7, factor=FACTOR, log=_quiet)
    assert names() == first


def test_national_is_idempotent(national):
    before = {
        model.__name__: model.objects.count()
        for model in (User, NGO, Submission, Expectation, ReviewEntry, Event, Registration)
    }
    seed_national(seed=7, factor=FACTOR, log=_quiet)
    after = {
        model.__name__: model.objects.count()
        for model in (User, NGO, Submission, Expectation, ReviewEntry, Event, Registration)
    }
    assert after == before


def test_seed_demo_command_runs_the_national_stages(demo, capsys):
    call_command("seed_demo", scale="national", factor=FACTOR, seed=3)
    assert Campaign.objects.filter(code="2024").exists()
    assert NGO.objects.count() == round(100_000 * FACTOR)
    assert "NGOs" in capsys.readouterr().err


def test_seed_demo_skips_the_demo_stages_once_national_data_is_present(national, capsys):
    submissions = Submission.objects.count()
    call_command("seed_demo")
    assert "demo stages are skipped" in capsys.readouterr().out
    assert Submission.objects.count() == submissions


def test_national_items_of_submitted_submissions_and_only_they_are_cases(national):
    cases = set(Expectation.objects.cases().values_list("pk", flat=True))
    submitted = Expectation.objects.filter(submission__status=Submission.Status.SUBMITTED)
    assert cases == set(submitted.values_list("pk", flat=True))
    assert Expectation.objects.filter(submission__status=Submission.Status.DRAFT).exists()


# --- activations (issue 16) ----------------------------------------------------------------------


def test_national_activations_in_proportion_with_capabilities_and_calls(national):
    from cooperation.models import Activation, Call, Response
    from cooperation.services.activations import activation_figures
    from demo.services.cooperation_activations import NATIONAL_ACTIVATIONS, NATIONAL_EXERCISES
    from ngos.models import Capability

    generated = Activation.objects.filter(title__startswith="Ulusal veri: ")
    real = max(1, round(NATIONAL_ACTIVATIONS * FACTOR))
    drills = max(1, round(NATIONAL_EXERCISES * FACTOR))
    assert generated.filter(is_exercise=False).count() == real
    assert generated.filter(is_exercise=True).count() == drills
    assert generated.filter(is_exercise=True, status="open").count() == 0
    assert Capability.objects.filter(ngo__status="verified").count() > 0
    calls = Call.objects.filter(activation__in=generated)
    assert calls.exists()
    assert not calls.filter(state__in=["responded", "on_the_way", "on_site"], responded_at=None)
    assert Response.objects.filter(call__in=calls).exists()
    # The exercises stay out of the figures.
    assert activation_figures(generated)["activations"] == real


def test_national_people_have_acknowledged_the_privacy_notice(national, client):
    """Generated accounts log in straight to their pages (load tests, benchmarks), not to the
    privacy notice: they acknowledged the current version, as everyone does at sign-up."""
    from django.conf import settings

    from demo.services.national import MEMBER_DOMAIN, STAFF_DOMAIN
    from portal.models import PrivacyAcknowledgement, User

    people = User.objects.filter(email__endswith=f"@{STAFF_DOMAIN}") | User.objects.filter(
        email__endswith=f"@{MEMBER_DOMAIN}"
    )
    assert people.exists()
    acknowledged = PrivacyAcknowledgement.objects.filter(
        user__in=people, version=settings.PRIVACY_NOTICE_VERSION
    )
    assert acknowledged.count() == people.count()
    client.force_login(people.order_by("pk").first())
    assert client.get("/en/dashboard/").status_code == 200
