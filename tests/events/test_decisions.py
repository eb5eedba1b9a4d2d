"""Decisions in a programme's minutes and the cases they concern: the case numbers a
coordinator may link (only cases they may see), the errors for others, and the programme page
that shows decisions to everyone but links a case only for those who may open it."""

import pytest
from django.utils import timezone

from events.models import Event, ProgrammeDecision
from municipalities.models import Municipality, SubRegion
from surveys.models import Submission
from tests.events.factories import EventFactory
from tests.events.test_programmes import days_from_now
from tests.factories import (
    CoordinatorAssignmentFactory,
    MembershipFactory,
    MunicipalStaffFactory,
    UserFactory,
)
from tests.helpers import en
from tests.surveys.factories import ExpectationFactory, SubmissionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def regional():
    user = UserFactory(email="bolge@example.test")
    CoordinatorAssignmentFactory(user=user, subregion=SubRegion.objects.get(code="14"))
    return user


@pytest.fixture
def national():
    user = UserFactory(email="ulusal@example.test")
    CoordinatorAssignmentFactory(user=user, subregion=None)
    return user


@pytest.fixture
def event():
    return EventFactory(
        starts_at=days_from_now(-1),
        ends_at=days_from_now(-1, 16),
        registration_deadline=days_from_now(-3),
    )


def case(plate=25, title="Toplanma alanları"):
    submission = SubmissionFactory(
        status=Submission.Status.SUBMITTED,
        submitted_at=timezone.now(),
        receipt_number=f"R-{Submission.objects.count() + 1}",
    )
    municipality = Municipality.objects.get(province=plate, kind="metropolitan")
    return ExpectationFactory(submission=submission, municipality=municipality, title=title)


def minutes_data(**decisions):
    data = {
        "minutes_summary": "Kararlar alındı.",
        "minutes_attendees": "12",
        "minutes_organisations": "",
        "decisions-TOTAL_FORMS": "2",
        "decisions-INITIAL_FORMS": "0",
        "decisions-MIN_NUM_FORMS": "0",
        "decisions-MAX_NUM_FORMS": "1000",
    }
    data.update({f"decisions-{k.replace('_', '-', 1)}": v for k, v in decisions.items()})
    return data


def test_coordinator_records_decisions_with_the_cases_they_concern(client, regional, event):
    first, second = case(), case(title="Gençlik merkezi")
    client.force_login(regional)

    response = client.post(
        en("events:minutes", event.slug),
        minutes_data(
            **{
                "0_text": "Toplanma alanları işaretlenecek.",
                "0_case_numbers": f"{first.pk}, #{second.pk}",
                "0_order": "1",
                "1_text": "Bir sonraki toplantı Kars'ta.",
                "1_order": "2",
            }
        ),
    )

    assert response["Location"] == en("events:detail", event.slug)
    event.refresh_from_db()
    assert event.state == Event.State.HELD
    decisions = list(event.decisions.order_by("order"))
    assert [d.text for d in decisions] == [
        "Toplanma alanları işaretlenecek.",
        "Bir sonraki toplantı Kars'ta.",
    ]
    assert set(decisions[0].cases.all()) == {first, second}
    assert not decisions[1].cases.exists()


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("12a", "“12a” is not a case number."),
        ("999999", "There is no case 999999 among the cases you may see."),
    ],
)
def test_invalid_case_numbers_are_form_errors(client, regional, event, typed, error):
    client.force_login(regional)

    response = client.post(
        en("events:minutes", event.slug),
        minutes_data(**{"0_text": "Karar", "0_case_numbers": typed, "0_order": "1"}),
    )

    html = response.content.decode()
    assert error in html.replace("&#x27;", "'")
    assert f'value="{typed}"' in html
    event.refresh_from_db()
    assert event.state == Event.State.PLANNED and not ProgrammeDecision.objects.exists()


def test_cases_the_coordinator_may_not_see_cannot_be_linked(client, regional, event):
    samsun = case(plate=55)
    client.force_login(regional)

    response = client.post(
        en("events:minutes", event.slug),
        minutes_data(**{"0_text": "Karar", "0_case_numbers": str(samsun.pk), "0_order": "1"}),
    )

    assert f"There is no case {samsun.pk} among the cases you may see." in (
        response.content.decode()
    )
    assert not ProgrammeDecision.objects.exists()


def test_links_a_coordinator_cannot_see_are_kept_when_they_edit(client, regional, event):
    own, samsun = case(), case(plate=55)
    decision = ProgrammeDecision.objects.create(event=event, text="Karar", order=1)
    decision.cases.set([own, samsun])
    client.force_login(regional)

    form = client.get(en("events:minutes", event.slug)).context["decisions"].forms[0]
    assert form.initial["case_numbers"] == str(own.pk)
    data = minutes_data(
        **{
            "0_id": str(decision.pk),
            "0_event": str(event.pk),
            "0_text": "Karar (düzeltildi)",
            "0_case_numbers": "",
            "0_order": "1",
        }
    )
    data.update({"decisions-INITIAL_FORMS": "1", "decisions-TOTAL_FORMS": "1"})
    response = client.post(en("events:minutes", event.slug), data)

    assert response["Location"] == en("events:detail", event.slug)
    decision.refresh_from_db()
    assert decision.text == "Karar (düzeltildi)"
    assert list(decision.cases.all()) == [samsun]


@pytest.fixture
def decided(event):
    """A held programme with a decision about an Erzurum case."""
    erzurum = case(title="Gizli beklenti başlığı")
    event.state = Event.State.HELD
    event.minutes_summary = "Özet"
    event.save()
    decision = ProgrammeDecision.objects.create(event=event, text="Alanlar işaretlenecek.")
    decision.cases.set([erzurum])
    return event, erzurum


def test_everyone_sees_the_decision_but_only_readers_see_the_case(client, decided):
    event, erzurum = decided

    html = client.get(en("events:detail", event.slug)).content.decode()
    assert "Alanlar işaretlenecek." in html
    assert "Gizli beklenti başlığı" not in html
    assert f"/cases/{erzurum.pk}/" not in html

    client.force_login(MembershipFactory().user)
    html = client.get(en("events:detail", event.slug)).content.decode()
    assert "Alanlar işaretlenecek." in html and "Gizli beklenti başlığı" not in html


def test_coordinators_staff_and_the_ngo_see_the_case_link(client, regional, decided):
    event, erzurum = decided
    staff = MunicipalStaffFactory(municipality=erzurum.municipality).user
    member = MembershipFactory(ngo=erzurum.submission.ngo).user

    for user, url in [
        (regional, en("surveys:case", erzurum.pk)),
        (staff, en("surveys:case", erzurum.pk)),
        (member, en("surveys:my_expectation", erzurum.pk)),
    ]:
        client.force_login(user)
        html = client.get(en("events:detail", event.slug)).content.decode()
        assert f'href="{url}"' in html
        assert "Gizli beklenti başlığı" in html


@pytest.mark.parametrize("size", [1, 4])
def test_detail_query_count_does_not_grow_with_decisions(
    client, regional, event, size, django_assert_num_queries
):
    event.state = Event.State.HELD
    event.save()
    for n in range(size):
        decision = ProgrammeDecision.objects.create(event=event, text=f"Karar {n}", order=n)
        decision.cases.set([case(), case(plate=55)])
    client.force_login(regional)
    client.get(en("events:detail", event.slug))

    with django_assert_num_queries(13):
        response = client.get(en("events:detail", event.slug))
    assert len(response.context["decisions"]) == size


@pytest.mark.parametrize("size", [1, 4])
def test_minutes_page_query_count_does_not_grow_with_decisions(
    client, regional, event, size, django_assert_num_queries
):
    for n in range(size):
        decision = ProgrammeDecision.objects.create(event=event, text=f"Karar {n}", order=n)
        decision.cases.set([case()])
    client.force_login(regional)
    client.get(en("events:minutes", event.slug))

    with django_assert_num_queries(12):
        response = client.get(en("events:minutes", event.slug))
    assert len(response.context["decisions"].forms) == size + 2
