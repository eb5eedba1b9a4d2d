"""Every invariant has a database constraint behind it: bypassing the forms and services with
plain ORM writes is refused by the database itself (IntegrityError), on SQLite and PostgreSQL."""

import datetime
from contextlib import contextmanager

import pytest
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from events.models import Event, Registration
from members.models import Invitation
from municipalities.models import Municipality, MunicipalStaff
from ngos.models import NGO, Capability, JoinRequest, Membership, NGOIdentityChange
from portal.models import CoordinatorAssignment
from surveys.models import Expectation, ReviewEntry, Submission
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import (
    CapabilityFactory,
    InvitationFactory,
    JoinRequestFactory,
    MembershipFactory,
    MunicipalStaffFactory,
    NGOFactory,
    NGOIdentityChangeFactory,
    UserFactory,
)
from tests.surveys.factories import (
    CampaignFactory,
    ExpectationFactory,
    SubmissionFactory,
    erzurum_metropolitan,
)

pytestmark = pytest.mark.django_db


@contextmanager
def refused():
    """The database refuses the write; the savepoint keeps the test's transaction usable."""
    with pytest.raises(IntegrityError), transaction.atomic():
        yield


# --- surveys ----------------------------------------------------------------------------------


def test_second_submission_of_an_ngo_for_the_same_campaign_is_refused():
    submission = SubmissionFactory()
    with refused():
        Submission.objects.create(campaign=submission.campaign, ngo=submission.ngo)
    assert Submission.objects.filter(ngo=submission.ngo).count() == 1
    # Another campaign is fine.
    Submission.objects.create(campaign=CampaignFactory(), ngo=submission.ngo)


def test_two_expectations_with_the_same_rank_in_a_submission_are_refused():
    first = ExpectationFactory(rank=1)
    second = ExpectationFactory(submission=first.submission, rank=2)
    with refused():
        ExpectationFactory(submission=first.submission, rank=1)
    with refused():
        Expectation.objects.filter(pk=second.pk).update(rank=1)
    assert sorted(first.submission.items.values_list("rank", flat=True)) == [1, 2]


@pytest.mark.parametrize("rank", [0, 6, -1])
def test_rank_outside_one_to_five_is_refused(rank):
    submission = SubmissionFactory()
    with refused():
        ExpectationFactory(submission=submission, rank=rank)
    assert not submission.items.exists()


def test_submitted_submission_without_receipt_is_refused():
    submission = SubmissionFactory()
    with refused():
        Submission.objects.filter(pk=submission.pk).update(status="submitted")
    with refused():
        Submission.objects.filter(pk=submission.pk).update(status="withdrawn")
    submission.refresh_from_db()
    assert submission.status == "draft"


def test_two_submissions_with_the_same_receipt_number_are_refused():
    now = timezone.now()
    first = SubmissionFactory()
    second = SubmissionFactory()
    Submission.objects.filter(pk=first.pk).update(
        status="submitted", receipt_number="K2025-000001", submitted_at=now
    )
    with refused():
        Submission.objects.filter(pk=second.pk).update(
            status="submitted", receipt_number="K2025-000001", submitted_at=now
        )


def test_planned_case_without_target_date_is_refused():
    case = ExpectationFactory()
    with refused():
        Expectation.objects.filter(pk=case.pk).update(status="planned", target_date=None)
    Expectation.objects.filter(pk=case.pk).update(
        status="planned", target_date=datetime.date(2030, 1, 1)
    )


def test_unknown_case_status_is_refused():
    case = ExpectationFactory()
    with refused():
        Expectation.objects.filter(pk=case.pk).update(status="approved")


def test_ngo_confirmation_of_a_case_that_is_not_completed_is_refused():
    case = ExpectationFactory()
    with refused():
        Expectation.objects.filter(pk=case.pk).update(ngo_confirmed_at=timezone.now())


def test_referral_entry_without_a_target_municipality_is_refused():
    case = ExpectationFactory()
    with refused():
        ReviewEntry.objects.create(
            expectation=case, kind="referral", municipality=case.municipality, text="Devir."
        )
    ReviewEntry.objects.create(
        expectation=case,
        kind="referral",
        municipality=case.municipality,
        to_municipality=Municipality.objects.get(province=36, kind="provincial"),
    )


@pytest.mark.parametrize("kind", ["answer", "note", "dispute"])
def test_answer_note_or_dispute_without_text_is_refused(kind):
    case = ExpectationFactory()
    with refused():
        ReviewEntry.objects.create(expectation=case, kind=kind, municipality=case.municipality)
    assert not ReviewEntry.objects.filter(expectation=case).exists()


def status_entry(case, to_status, text=""):
    return ReviewEntry.objects.create(
        expectation=case,
        kind="status",
        municipality=case.municipality,
        from_status="new",
        to_status=to_status,
        text=text,
    )


@pytest.mark.parametrize("to_status", ["declined", "completed"])
def test_declining_or_completing_without_a_reason_is_refused(to_status):
    case = ExpectationFactory()
    with refused():
        status_entry(case, to_status)
    status_entry(case, to_status, text="Görev alanımız dışında.")
    status_entry(case, "under_review")  # other status changes need no text
    assert ReviewEntry.objects.filter(expectation=case).count() == 2


def test_campaign_closing_before_it_opens_is_refused():
    campaign = CampaignFactory()
    with refused():
        type(campaign).objects.filter(pk=campaign.pk).update(closes_at=F("opens_at"))


# --- events -----------------------------------------------------------------------------------


def test_taking_more_seats_than_capacity_is_refused():
    event = EventFactory(capacity=2)
    Event.objects.filter(pk=event.pk).update(seats_taken=2)
    with refused():
        Event.objects.filter(pk=event.pk).update(seats_taken=F("seats_taken") + 1)
    with refused():
        Event.objects.filter(pk=event.pk).update(capacity=1)
    event.refresh_from_db()
    assert (event.seats_taken, event.capacity) == (2, 2)


def test_event_without_seats_or_ending_before_it_starts_is_refused():
    event = EventFactory()
    with refused():
        Event.objects.filter(pk=event.pk).update(capacity=0)
    with refused():
        Event.objects.filter(pk=event.pk).update(ends_at=F("starts_at"))
    with refused():
        Event.objects.filter(pk=event.pk).update(
            registration_deadline=F("ends_at") + datetime.timedelta(minutes=1)
        )


def test_second_registration_of_a_person_for_a_programme_is_refused():
    registration = RegistrationFactory()
    with refused():
        RegistrationFactory(event=registration.event, user=registration.user)
    assert Registration.objects.filter(event=registration.event).count() == 1


def test_registration_for_two_organisations_or_none_is_refused():
    event = EventFactory()
    with refused():
        RegistrationFactory(event=event, municipality=erzurum_metropolitan())
    with refused():
        RegistrationFactory(event=event, ngo=None, municipality=None)
    assert not Registration.objects.filter(event=event).exists()


def test_waitlist_position_only_and_always_for_waitlisted_people_is_enforced():
    event = EventFactory()
    with refused():
        RegistrationFactory(event=event, status="waitlisted", waitlist_position=None)
    with refused():
        RegistrationFactory(event=event, status="registered", waitlist_position=3)
    with refused():
        RegistrationFactory(event=event, status="lost")


def test_two_people_in_the_same_place_of_a_waiting_list_are_refused():
    event = EventFactory(capacity=1)
    RegistrationFactory(event=event, status="waitlisted", waitlist_position=1)
    with refused():
        RegistrationFactory(event=event, status="waitlisted", waitlist_position=1)
    # The same place on another programme's list, and any number of people off the list.
    RegistrationFactory(event=EventFactory(), status="waitlisted", waitlist_position=1)
    RegistrationFactory(event=event, status="registered", waitlist_position=None)
    RegistrationFactory(event=event, status="cancelled", waitlist_position=None)
    assert Registration.objects.filter(event=event).count() == 3


# --- NGOs -------------------------------------------------------------------------------------


def test_two_ngos_with_the_same_registry_number_are_refused():
    NGOFactory(registry_number="25-123-456")
    with refused():
        NGOFactory(registry_number="25-123-456")
    # Empty registry numbers (foundations, platforms) may repeat.
    NGOFactory(registry_number="")
    NGOFactory(registry_number="")


def test_second_pending_join_request_of_a_user_for_an_ngo_is_refused():
    request = JoinRequestFactory()
    with refused():
        JoinRequestFactory(user=request.user, ngo=request.ngo)
    JoinRequest.objects.filter(pk=request.pk).update(status="refused")
    JoinRequestFactory(user=request.user, ngo=request.ngo)  # asking again after a refusal
    assert JoinRequest.objects.filter(user=request.user, status="pending").count() == 1


def test_second_membership_or_unknown_role_is_refused():
    membership = MembershipFactory()
    with refused():
        MembershipFactory(user=membership.user, ngo=membership.ngo, role="admin")
    with refused():
        Membership.objects.filter(pk=membership.pk).update(role="owner")


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "rejected", "status_reason": ""},
        {"status": "suspended", "status_reason": ""},
        {"status": "dormant"},
        {"legal_form": "company"},
        {"afad_accredited": True, "afad_group": ""},
        {"afad_accredited": False, "afad_group": "arama-kurtarma"},
        {"founding_year": 1066},
        {"founding_year": 2500},
    ],
)
def test_ngo_rows_breaking_a_rule_are_refused(fields):
    ngo = NGOFactory()
    with refused():
        NGO.objects.filter(pk=ngo.pk).update(**fields)


@pytest.mark.parametrize(
    "fields",
    [{"quantity": 0}, {"quantity": 10_000_001}, {"kind": "magic"}, {"hazard": "meteor"}],
)
def test_capability_rows_breaking_a_rule_are_refused(fields):
    capability = CapabilityFactory()
    with refused():
        Capability.objects.filter(pk=capability.pk).update(**fields)


def test_same_capability_twice_for_a_hazard_is_refused():
    capability = CapabilityFactory()
    with refused():
        CapabilityFactory(ngo=capability.ngo, kind=capability.kind, hazard=capability.hazard)


def test_second_open_change_of_identity_of_an_ngo_is_refused():
    change = NGOIdentityChangeFactory()
    with refused():
        NGOIdentityChangeFactory(ngo=change.ngo)
    NGOIdentityChange.objects.filter(pk=change.pk).update(
        status="withdrawn", decided_at=timezone.now()
    )
    NGOIdentityChangeFactory(ngo=change.ngo)  # asking again once the first is closed
    assert NGOIdentityChange.objects.filter(ngo=change.ngo).count() == 2


@pytest.mark.parametrize(
    "fields",
    [
        {"status": "lost"},
        {"legal_form": "company"},
        {"old_legal_form": "company"},
        {"status": "rejected", "reason": ""},  # a rejection tells the NGO why
        {"status": "approved"},  # closed without a decision time
        {"decided_at": datetime.datetime(2025, 5, 12, tzinfo=datetime.UTC)},  # open, decided
    ],
)
def test_change_of_identity_rows_breaking_a_rule_are_refused(fields):
    change = NGOIdentityChangeFactory()
    if fields.get("status") == "rejected":
        fields["decided_at"] = timezone.now()
    with refused():
        NGOIdentityChange.objects.filter(pk=change.pk).update(**fields)


# --- people, roles and invitations --------------------------------------------------------------


@pytest.mark.parametrize(
    "fields",
    [
        {"ngo": "ngo", "municipality": "municipality", "role": "member"},
        {"ngo": None, "municipality": None, "role": "member"},
        {"ngo": "ngo", "municipality": None, "role": "manager"},
        {"ngo": None, "municipality": "municipality", "role": "admin"},
    ],
)
def test_invitation_to_one_organisation_with_its_role_is_enforced(fields):
    values = {
        "ngo": NGOFactory() if fields["ngo"] else None,
        "municipality": erzurum_metropolitan() if fields["municipality"] else None,
        "role": fields["role"],
    }
    with refused():
        InvitationFactory(**values)
    assert not Invitation.objects.exists()


def test_second_staff_role_at_a_municipality_or_unknown_role_is_refused():
    staff = MunicipalStaffFactory()
    with refused():
        MunicipalStaffFactory(user=staff.user, municipality=staff.municipality)
    with refused():
        MunicipalStaff.objects.filter(pk=staff.pk).update(role="mayor")


def test_a_coordinator_twice_for_a_subregion_or_nation_is_refused():
    user = UserFactory()
    CoordinatorAssignment.objects.create(user=user, subregion=None)
    with refused():
        CoordinatorAssignment.objects.create(user=user, subregion=None)


def test_unknown_preferred_language_is_refused():
    user = UserFactory()
    with refused():
        type(user).objects.filter(pk=user.pk).update(preferred_language="de")


def test_second_top_level_municipality_in_a_province_is_refused():
    metropolitan = erzurum_metropolitan()
    with refused():
        Municipality.objects.create(
            name="İkinci Büyükşehir",
            slug="ikinci-buyuksehir",
            kind="metropolitan",
            province=metropolitan.province,
        )
