"""Every notification of the review names the NGO and the case (issue 17): an administrator of
several NGOs, and municipal staff with a full inbox, know at a glance which case it is."""

import datetime

import pytest
from django.utils import timezone

from portal.models import Notification
from surveys.services.review import (
    expectation_answer,
    expectation_assign,
    expectation_change_status,
    expectation_ngo_dispute,
    expectation_refer,
)
from tests.factories import MembershipFactory, MunicipalStaffFactory, UserFactory
from tests.surveys.factories import ExpectationFactory, SubmissionFactory, erzurum_metropolitan

pytestmark = pytest.mark.django_db

TITLE = "Afet toplanma alanları"


@pytest.fixture
def case(ngo, ngo_admin):
    submission = SubmissionFactory(
        ngo=ngo, status="submitted", receipt_number="B-000001", submitted_at=timezone.now()
    )
    return ExpectationFactory(
        submission=submission, title=TITLE, municipality=erzurum_metropolitan()
    )


def staff_member(municipality, **kwargs):
    user = UserFactory(preferred_language="en", **kwargs)
    MunicipalStaffFactory(user=user, municipality=municipality)
    return user


def messages_of(kind):
    return list(Notification.objects.filter(kind=kind).values_list("message", flat=True))


def assert_names_ngo_and_case(kind, ngo):
    messages = messages_of(kind)
    assert messages, f"no {kind} notification"
    for message in messages:
        assert ngo.name in message, message
        assert TITLE in message, message


def test_status_answer_and_completion_name_the_ngo_and_the_case(case, ngo):
    officer = staff_member(case.municipality)
    expectation_change_status(
        expectation_id=case.pk,
        expected_version=None,
        user=officer,
        to_status="planned",
        target_date=timezone.localdate() + datetime.timedelta(days=30),
    )
    expectation_answer(expectation_id=case.pk, expected_version=None, user=officer, text="Yanıt.")
    for status in ("in_progress", "completed"):
        expectation_change_status(
            expectation_id=case.pk,
            expected_version=None,
            user=officer,
            to_status=status,
            text="Tamamlandı.",
        )

    for kind in ("case_status", "case_answer", "case_completed"):
        assert_names_ngo_and_case(kind, ngo)
    assert messages_of("case_answer") == [
        "Erzurum Büyükşehir Belediyesi answered the expectation “Afet toplanma alanları” of "
        "Palandöken Dayanışma Derneği."
    ]


def test_assignment_referral_and_dispute_name_the_ngo_and_the_case(case, ngo, ngo_admin):
    officer = staff_member(case.municipality)
    colleague = staff_member(case.municipality)
    yakutiye = ngo.municipality
    receiving = staff_member(yakutiye)

    expectation_assign(
        expectation_id=case.pk, expected_version=None, user=officer, assignee=colleague
    )
    expectation_refer(
        expectation_id=case.pk,
        expected_version=None,
        user=officer,
        to_municipality=yakutiye,
        text="İlçe belediyesinin işi.",
    )
    for status in ("accepted", "completed"):
        expectation_change_status(
            expectation_id=case.pk,
            expected_version=None,
            user=receiving,
            to_status=status,
            text="Yapıldı.",
        )
    expectation_ngo_dispute(expectation_id=case.pk, user=ngo_admin, text="Yapılmadı.")

    for kind in ("case_assigned", "case_referred", "case_referred_in", "case_disputed"):
        assert_names_ngo_and_case(kind, ngo)


def test_notifications_name_the_ngo_in_turkish_too(case, ngo):
    admin = UserFactory(preferred_language="tr")
    MembershipFactory(user=admin, ngo=ngo, role="admin")
    officer = staff_member(case.municipality)

    expectation_answer(expectation_id=case.pk, expected_version=None, user=officer, text="Yanıt.")

    message = Notification.objects.get(user=admin, kind="case_answer").message
    assert ngo.name in message
    assert TITLE in message
    assert "answered" not in message
