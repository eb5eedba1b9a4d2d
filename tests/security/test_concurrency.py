"""Concurrent writes on PostgreSQL: threads with their own database connections race for the
same rows, released together by a barrier. No lost update, no overbooking, never no admin."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.utils import timezone

from events.models import Event, Registration
from events.services.registrations import event_register
from members.services.roles import member_change_role
from ngos.models import Membership
from surveys.models import Expectation, ReviewEntry, Submission, SubmissionRevision
from surveys.services.review import ReviewConflict, expectation_change_status
from surveys.services.submission import ItemData, SubmissionConflict, submission_save
from tests.events.factories import EventFactory
from tests.factories import MembershipFactory, MunicipalStaffFactory, NGOFactory, UserFactory
from tests.surveys.factories import ExpectationFactory, SubmissionFactory, erzurum_metropolitan

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]
BASE_URL = "http://testserver"


def race(*calls):
    """Run the calls at the same moment, each in its own thread and connection; return what
    each returned or raised, in order."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            outcomes[index] = call()
        except Exception as error:  # noqa: BLE001 (returned to the test, which asserts on it)
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return outcomes


def items(prefix, category, municipality, count=5):
    return [
        ItemData(
            category=category,
            title=f"{prefix} beklenti {n}",
            description="Toplanma alanlarının işaretlenmesi.",
            municipality=municipality,
        )
        for n in range(1, count + 1)
    ]


def test_simultaneous_submission_edits_with_the_same_version_let_one_win():
    submission = SubmissionFactory()
    first = ExpectationFactory(submission=submission, rank=1)
    ngo = submission.ngo
    users = [MembershipFactory(ngo=ngo, role="admin").user for _ in range(4)]
    category, municipality = first.category, first.municipality

    def edit(user, prefix):
        return lambda: submission_save(
            submission_id=submission.pk,
            items=items(prefix, category, municipality, count=3),
            expected_version=1,
            user=user,
        )

    outcomes = race(*(edit(user, f"Üye{n}") for n, user in enumerate(users)))

    winners = [o for o in outcomes if not isinstance(o, Exception)]
    conflicts = [o for o in outcomes if isinstance(o, SubmissionConflict)]
    assert len(winners) == 1 and len(conflicts) == 3, outcomes
    submission.refresh_from_db()
    assert submission.version == 2
    winner = winners[0].submission.updated_by
    assert submission.updated_by == winner
    prefix = f"Üye{users.index(winner)}"
    # The winner's items are all there, nobody else's: no interleaved half-saves.
    assert list(submission.items.order_by("rank").values_list("title", "rank")) == [
        (f"{prefix} beklenti {n}", n) for n in range(1, 4)
    ]


def test_simultaneous_edits_in_turn_lose_nothing():
    """Each member saves with the version they just read: all saves land, in some order."""
    submission = SubmissionFactory()
    first = ExpectationFactory(submission=submission, rank=1)
    users = [MembershipFactory(ngo=submission.ngo, role="member").user for _ in range(5)]

    def edit(user, prefix):
        def call():
            for _attempt in range(20):
                version = Submission.objects.get(pk=submission.pk).version
                try:
                    return submission_save(
                        submission_id=submission.pk,
                        items=[
                            *items("Ortak", first.category, first.municipality, count=1),
                            *items(prefix, first.category, first.municipality, count=1),
                        ],
                        expected_version=version,
                        user=user,
                    )
                except SubmissionConflict:
                    continue  # read again and retry, as a person would after the message
            raise AssertionError("never saved")

        return call

    outcomes = race(*(edit(user, f"Kişi{n}") for n, user in enumerate(users)))
    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    submission.refresh_from_db()
    assert submission.version == 1 + len(users)


def test_simultaneous_status_changes_on_a_case_let_one_win():
    submission = SubmissionFactory(
        status=Submission.Status.SUBMITTED,
        receipt_number="C-000001",
        submitted_at=timezone.now() - datetime.timedelta(days=1),
    )
    case = ExpectationFactory(submission=submission, rank=1)
    staff = [MunicipalStaffFactory(municipality=erzurum_metropolitan()).user for _ in range(3)]
    targets = ["under_review", "accepted", "declined"]

    def change(user, to_status):
        return lambda: expectation_change_status(
            expectation_id=case.pk,
            expected_version=case.review_version,
            user=user,
            to_status=to_status,
            text="Aynı anda karar verildi.",
        )

    outcomes = race(*(change(user, status) for user, status in zip(staff, targets, strict=True)))

    winners = [o for o in outcomes if isinstance(o, Expectation)]
    assert len(winners) == 1, outcomes
    assert sum(isinstance(o, ReviewConflict) for o in outcomes) == 2
    case.refresh_from_db()
    assert case.status == winners[0].status
    assert case.review_version == winners[0].review_version
    entries = ReviewEntry.objects.filter(expectation=case, kind="status")
    assert list(entries.values_list("to_status", flat=True)) == [case.status]


def test_thirty_people_registering_for_ten_seats_at_once_never_overbook():
    event = EventFactory(capacity=10)
    ngo = NGOFactory()
    people = [MembershipFactory(ngo=ngo).user for _ in range(30)]

    outcomes = race(
        *(
            (
                lambda user=user: event_register(
                    event_id=event.pk, user=user, ngo=ngo, base_url=BASE_URL
                )
            )
            for user in people
        )
    )

    assert not any(isinstance(o, Exception) for o in outcomes), outcomes
    event.refresh_from_db()
    registrations = Registration.objects.filter(event=event)
    assert registrations.count() == 30
    assert registrations.filter(status="registered").count() == 10
    assert event.seats_taken == 10
    positions = list(
        registrations.filter(status="waitlisted")
        .order_by("waitlist_position")
        .values_list("waitlist_position", flat=True)
    )
    assert positions == list(range(1, 21))  # unique, no gaps


def test_the_same_person_registering_twice_at_once_holds_one_place():
    event = EventFactory(capacity=5)
    membership = MembershipFactory()
    register = lambda: event_register(  # noqa: E731
        event_id=event.pk, user=membership.user, ngo=membership.ngo, base_url=BASE_URL
    )

    outcomes = race(register, register, register)

    assert sum(isinstance(o, Registration) for o in outcomes) == 1, outcomes
    assert all(isinstance(o, Registration | ValidationError) for o in outcomes)
    assert Registration.objects.filter(event=event).count() == 1
    assert Event.objects.get(pk=event.pk).seats_taken == 1


def test_simultaneous_last_admin_demotions_keep_one_admin():
    ngo = NGOFactory()
    admins = [MembershipFactory(ngo=ngo, role=Membership.Role.ADMIN) for _ in range(3)]
    bystander = UserFactory()

    outcomes = race(
        *((lambda m=m: member_change_role(member=m, role="member", by=bystander)) for m in admins)
    )

    refused = [o for o in outcomes if isinstance(o, ValidationError)]
    assert len(refused) == 1, outcomes
    assert refused[0].code == "last_admin"
    assert Membership.objects.filter(ngo=ngo, role="admin").count() == 1


def test_a_submission_saved_once_records_one_revision_under_a_race():
    submission = SubmissionFactory()
    first = ExpectationFactory(submission=submission, rank=1)
    users = [MembershipFactory(ngo=submission.ngo, role="admin").user for _ in range(3)]

    def submit(user):
        return lambda: submission_save(
            submission_id=submission.pk,
            items=items(user.email, first.category, first.municipality),
            expected_version=1,
            user=user,
            submit=True,
            base_url=BASE_URL,
        )

    outcomes = race(*(submit(user) for user in users))

    assert sum(not isinstance(o, Exception) for o in outcomes) == 1, outcomes
    submission.refresh_from_db()
    assert submission.status == "submitted" and submission.receipt_number
    assert SubmissionRevision.objects.filter(submission=submission, kind="submitted").count() == 1
    assert submission.items.count() == 5


def test_two_uploads_at_once_cannot_take_a_case_over_its_total(settings):
    """Issue 18: the per-case total of attachments is checked under the case's row lock."""
    from portal.attachments import attachment_check
    from portal.models import Attachment
    from surveys.models import CaseMessage
    from surveys.services.conversation import case_message_post
    from tests.attachment_files import PDF, upload

    settings.ATTACHMENT_CASE_MAX_BYTES = len(PDF) * 3
    submission = SubmissionFactory(
        status=Submission.Status.SUBMITTED,
        receipt_number="C-000002",
        submitted_at=timezone.now() - datetime.timedelta(days=1),
    )
    case = ExpectationFactory(submission=submission, rank=1)
    staff = [MunicipalStaffFactory(municipality=erzurum_metropolitan()).user for _ in range(2)]
    files = [attachment_check(upload(f"{n}.pdf", PDF)) for n in range(2)]

    def write(user):
        return lambda: case_message_post(
            expectation_id=case.pk, user=user, side="municipality", text="Ek", files=files
        )

    outcomes = race(*(write(user) for user in staff))
    assert sum(isinstance(o, CaseMessage) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, ValidationError) for o in outcomes) == 1, outcomes
    assert Attachment.objects.count() == 2
