"""The coordinators' follow-through: per sub-region programmes planned, awaiting minutes, held and
cancelled, registrations and check-ins (national coordinators see all 17 sub-regions, regional
ones their own), its CSV export, and a fixed number of queries."""

import csv
import io

import pytest

from events.models import Event, Registration
from events.services.follow_through import follow_through
from municipalities.models import Province, SubRegion
from portal.models import ExportLog
from tests.events.factories import EventFactory, RegistrationFactory
from tests.events.test_programmes import days_from_now
from tests.factories import CoordinatorAssignmentFactory, UserFactory
from tests.helpers import en

pytestmark = pytest.mark.django_db

Status = Registration.Status


@pytest.fixture
def national():
    user = UserFactory(email="ulusal@example.test")
    CoordinatorAssignmentFactory(user=user, subregion=None)
    return user


@pytest.fixture
def regional():
    user = UserFactory(email="bolge@example.test")
    CoordinatorAssignmentFactory(user=user, subregion=SubRegion.objects.get(code="14"))
    return user


def held(**kwargs):
    return EventFactory(
        starts_at=days_from_now(-20),
        ends_at=days_from_now(-20, 16),
        registration_deadline=days_from_now(-22),
        state=Event.State.HELD,
        **kwargs,
    )


def checked_in(event, count):
    for _ in range(count):
        RegistrationFactory(event=event, status=Status.ATTENDED, checked_in_at=event.starts_at)


@pytest.fixture
def erzurum_kars():
    """Sub-region 14: one held programme (3 seats: 2 checked in, 1 no-show, 1 cancelled),
    one planned with 2 registrations and 1 waiting, one over but never recorded, one
    cancelled. Sub-region 12: one planned programme."""
    first = held()
    checked_in(first, 2)
    RegistrationFactory(event=first, status=Status.REGISTERED)
    RegistrationFactory(event=first, status=Status.CANCELLED)
    planned = EventFactory(starts_at=days_from_now(15), ends_at=days_from_now(15, 16))
    RegistrationFactory.create_batch(2, event=planned)
    RegistrationFactory(event=planned, status=Status.WAITLISTED, waitlist_position=1)
    EventFactory(
        starts_at=days_from_now(-2),
        ends_at=days_from_now(-2, 16),
        registration_deadline=days_from_now(-4),
    )
    EventFactory(state=Event.State.CANCELLED)
    EventFactory(
        subregion=SubRegion.objects.get(code="12"), host_province=Province.objects.get(plate=55)
    )
    return planned


def row_of(rows, code):
    [row] = [r for r in rows if r.subregion.code == code]
    return row


def test_figures_per_subregion(national, erzurum_kars):
    rows, total, programmes = follow_through(national)

    assert [r.subregion.code for r in rows] == [f"{n:02d}" for n in range(1, 18)]
    row = row_of(rows, "14")
    assert (row.planned, row.awaiting_minutes, row.held, row.cancelled) == (1, 1, 1, 1)
    # 4 in the held programme less the cancelled one, 3 in the planned one (1 waiting).
    assert row.registrations == 6
    assert (row.held_seated, row.attended, row.attendance_percent) == (3, 2, 66.7)
    assert row.next_start == erzurum_kars.starts_at
    assert row_of(rows, "12").planned == 1 and row_of(rows, "12").has_programme
    assert not row_of(rows, "01").has_programme
    assert (total.planned, total.held, total.attended) == (2, 1, 2)
    assert len(programmes) == 5


def test_national_coordinator_sees_all_17_subregions_on_the_page(client, national, erzurum_kars):
    client.force_login(national)

    response = client.get(en("events:follow_through"))

    html = " ".join(response.content.decode().split())
    assert len(response.context["rows"]) == 17
    assert "14 — Erzurum-Kars" in html
    assert "%66.7" not in html and "66.7%" in html
    assert "No programme planned or held yet." in html


def test_regional_coordinator_sees_only_their_subregion(client, regional, erzurum_kars):
    client.force_login(regional)

    response = client.get(en("events:follow_through"))

    assert [r.subregion.code for r in response.context["rows"]] == ["14"]
    assert {e.subregion_id for e in response.context["programmes"]} == {
        SubRegion.objects.get(code="14").pk
    }


def test_others_are_refused(client):
    client.force_login(UserFactory())
    assert client.get(en("events:follow_through")).status_code == 403
    assert client.get(en("events:follow_through_csv")).status_code == 403


def test_csv_export_lists_the_subregions_and_is_recorded(client, regional, erzurum_kars):
    client.force_login(regional)

    response = client.get(en("events:follow_through_csv"))

    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    header = next(i for i, r in enumerate(rows) if r and r[0] == "Code")
    [data] = rows[header + 1 :]
    assert data[:8] == ["14", "Erzurum-Kars", "Erzurum", "1", "1", "1", "1", "6"]
    assert data[8:] == ["3", "2", "66.7"]
    log = ExportLog.objects.get()
    assert (log.user, log.kind, log.row_count) == (regional, "event_follow_through", 1)


def test_the_coordinators_list_and_dashboard_link_the_follow_through(client, regional):
    client.force_login(regional)
    for page in ("events:list", "dashboard"):
        html = client.get(en(page)).content.decode()
        assert f'href="{en("events:follow_through")}"' in html


@pytest.mark.parametrize("size", [1, 4])
def test_follow_through_query_count_does_not_grow(
    client, national, size, django_assert_num_queries
):
    for index in range(size):
        event = held() if index % 2 else EventFactory()
        checked_in(event, size)
        RegistrationFactory.create_batch(size, event=event)
    client.force_login(national)
    client.get(en("events:follow_through"))

    with django_assert_num_queries(9):
        response = client.get(en("events:follow_through"))
    assert len(response.context["programmes"]) == size
