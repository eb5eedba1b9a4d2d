"""The coordinators' check-in list, sign-in sheet and attendee exports of a programme."""

import codecs
import csv
import datetime
import io

import pytest
import time_machine
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from events.models import Event, Registration
from municipalities.models import Municipality, SubRegion
from ngos.models import NGO
from portal.models import ExportLog
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import (
    CoordinatorAssignmentFactory,
    MembershipFactory,
    MunicipalStaffFactory,
    NGOFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

STARTS = datetime.datetime(2030, 5, 12, 7, 0, tzinfo=datetime.UTC)


def url(name, event, **kwargs):
    with translation.override("en"):
        return reverse(f"events:{name}", kwargs={"slug": event.slug, **kwargs})


@pytest.fixture
def event(db):
    return EventFactory(
        title="Erzurum Programı",
        capacity=10,
        starts_at=STARTS,
        ends_at=STARTS + datetime.timedelta(hours=6),
        registration_deadline=STARTS - datetime.timedelta(days=1),
    )


@pytest.fixture
def coordinator(db):
    """A coordinator of Erzurum-Kars, the programme's sub-region."""
    return CoordinatorAssignmentFactory(subregion=SubRegion.objects.get(code="14")).user


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


def seated(event, name, organisation="Palandöken Derneği", **kwargs):
    """A registration holding a seat (keeps the event's seat count right)."""
    ngo = NGO.objects.filter(name=organisation).first() or NGOFactory(name=organisation)
    registration = RegistrationFactory(
        event=event, user=UserFactory(full_name=name), ngo=ngo, **kwargs
    )
    Event.objects.filter(pk=event.pk).update(
        seats_taken=event.registrations.exclude(status__in=["waitlisted", "cancelled"]).count()
    )
    return registration


def waiting(event, name, position):
    return RegistrationFactory(
        event=event,
        user=UserFactory(full_name=name),
        status=Registration.Status.WAITLISTED,
        waitlist_position=position,
    )


def text(response):
    return " ".join(response.content.decode().split())


# --- Who may see the pages -----------------------------------------------------------------


def test_coordinator_of_another_subregion_gets_404_everywhere(client, event):
    other = CoordinatorAssignmentFactory(subregion=SubRegion.objects.exclude(code="14").first())
    registration = seated(event, "Ali Veli")
    client.force_login(other.user)
    for name in ("checkin", "signin_sheet", "export_csv", "export_xlsx"):
        assert client.get(url(name, event)).status_code == 404, name
    response = client.post(url("checkin_mark", event, pk=registration.pk), {"action": "attend"})
    assert response.status_code == 404
    registration.refresh_from_db()
    assert registration.status == "registered"
    assert not ExportLog.objects.exists()


def test_ngo_member_gets_403_for_check_in_and_404_for_exports(client, event):
    registration = seated(event, "Ali Veli")
    member = MembershipFactory().user
    client.force_login(member)
    assert client.get(url("checkin", event)).status_code == 403
    assert client.get(url("signin_sheet", event)).status_code == 403
    response = client.post(url("checkin_mark", event, pk=registration.pk), {"action": "attend"})
    assert response.status_code == 403
    registration.refresh_from_db()
    assert registration.status == "registered"
    assert client.get(url("export_csv", event)).status_code == 404
    assert client.get(url("export_xlsx", event)).status_code == 404
    assert not ExportLog.objects.exists()


def test_municipal_staff_get_403_for_check_in(client, event):
    client.force_login(MunicipalStaffFactory().user)
    assert client.get(url("checkin", event)).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, event):
    registration = seated(event, "Ali Veli")
    for name in ("checkin", "signin_sheet", "export_csv", "export_xlsx"):
        response = client.get(url(name, event))
        assert response.status_code == 302
        assert response.url.startswith("/en/accounts/login/?next=")
    response = client.post(url("checkin_mark", event, pk=registration.pk), {"action": "attend"})
    assert response.url.startswith("/en/accounts/login/?next=")


def test_national_coordinator_sees_every_check_in_list(client, event):
    seated(event, "Ali Veli")
    client.force_login(CoordinatorAssignmentFactory(subregion=None).user)
    assert "Ali Veli" in text(client.get(url("checkin", event)))


def test_get_on_the_mark_url_is_405(coordinator_client, event):
    registration = seated(event, "Ali Veli")
    response = coordinator_client.get(url("checkin_mark", event, pk=registration.pk))
    assert response.status_code == 405
    registration.refresh_from_db()
    assert registration.status == "registered"


def test_a_registration_of_another_programme_is_404(coordinator_client, event):
    other = seated(EventFactory(), "Ali Veli")
    response = coordinator_client.post(
        url("checkin_mark", event, pk=other.pk), {"action": "attend"}
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == "registered"


# --- The list ----------------------------------------------------------------------------


def test_check_in_list_shows_seats_and_the_waiting_list_apart(coordinator_client, event):
    seated(event, "Zeynep Kaya", organisation="Oltu Derneği")
    seated(event, "Ahmet Demir", status=Registration.Status.ATTENDED)
    waiting(event, "Bekleyen Kişi", 1)
    RegistrationFactory(
        event=event, user=UserFactory(full_name="Vazgeçen Kişi"), status="cancelled"
    )
    response = coordinator_client.get(url("checkin", event))
    html = text(response)
    assert [r.user.full_name for r in response.context["seated"]] == ["Ahmet Demir", "Zeynep Kaya"]
    assert [r.user.full_name for r in response.context["waiting"]] == ["Bekleyen Kişi"]
    assert "Oltu Derneği" in html
    assert "Seats taken: 2 of 10" in html
    assert "Checked in: 1" in html
    assert "On the waiting list: 1" in html
    assert "Vazgeçen Kişi" not in html
    assert html.index("Zeynep Kaya") < html.index("Waiting list") < html.index("Bekleyen Kişi")


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("sahin", "Mehmet Şahin"),
        ("ŞAHİN", "Mehmet Şahin"),
        ("igdir", "Ayşe Işık"),
        ("IĞDIR", "Ayşe Işık"),
        ("isik", "Ayşe Işık"),
    ],
)
def test_search_is_turkish_aware(coordinator_client, event, typed, found):
    seated(event, "Mehmet Şahin")
    seated(event, "Ayşe Işık", organisation="Iğdır Kadın Kooperatifi Derneği")
    seated(event, "Can Öztürk", organisation="Kars Derneği")
    response = coordinator_client.get(url("checkin", event), {"q": typed})
    assert [r.user.full_name for r in response.context["seated"]] == [found]


def test_search_also_finds_people_on_the_waiting_list(coordinator_client, event):
    seated(event, "Mehmet Şahin")
    waiting(event, "Şahin Yıldız", 1)
    response = coordinator_client.get(url("checkin", event), {"q": "sahin"})
    assert [r.user.full_name for r in response.context["waiting"]] == ["Şahin Yıldız"]
    response = coordinator_client.get(url("checkin", event), {"q": "nobody-like-this"})
    html = text(response)
    assert "Nobody with a seat matches this search." in html
    assert "Nobody on the waiting list matches this search." in html


def test_htmx_search_returns_only_the_lists(coordinator_client, event):
    seated(event, "Mehmet Şahin")
    response = coordinator_client.get(
        url("checkin", event), {"q": "sahin"}, headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="lists"')
    assert "<html" not in html
    assert "Mehmet Şahin" in html


def test_the_lists_refresh_brings_the_counts_up_to_date(coordinator_client, coordinator, event):
    registration = seated(event, "Mehmet Şahin")
    seated(event, "Ayşe Kaya")
    with time_machine.travel(STARTS, tick=False):
        coordinator_client.force_login(coordinator)
        coordinator_client.post(
            url("checkin_mark", event, pk=registration.pk), {"action": "attend"}
        )
        fragment = coordinator_client.get(url("checkin", event), headers={"HX-Request": "true"})
        page = coordinator_client.get(url("checkin", event))
    html = fragment.content.decode()
    counts = html[
        html.index('id="checkin-counts"') : html.index("</ul>", html.index('id="checkin-counts"'))
    ]
    assert 'data-hx-swap-oob="true"' in counts
    assert "Checked in: 1" in " ".join(counts.split())
    # The full page has the counts once, not swapped out of band.
    assert page.content.decode().count('id="checkin-counts"') == 1
    assert 'data-hx-swap-oob="true"' not in page.content.decode()


def test_mark_attended_and_undo_without_javascript(coordinator_client, coordinator, event):
    registration = seated(event, "Mehmet Şahin")
    with time_machine.travel(STARTS + datetime.timedelta(minutes=5), tick=False):
        coordinator_client.force_login(coordinator)
        response = coordinator_client.post(
            url("checkin_mark", event, pk=registration.pk), {"action": "attend", "q": "şahin"}
        )
    assert response.status_code == 302
    assert response.url == url("checkin", event) + "?q=%C5%9Fahin"
    registration.refresh_from_db()
    assert registration.status == "attended"
    assert registration.checked_in_at == STARTS + datetime.timedelta(minutes=5)
    assert registration.checked_in_by == coordinator

    response = coordinator_client.post(
        url("checkin_mark", event, pk=registration.pk), {"action": "undo"}
    )
    assert response.url == url("checkin", event)
    registration.refresh_from_db()
    assert registration.status == "registered"
    assert registration.checked_in_at is None
    assert registration.checked_in_by is None
    event.refresh_from_db()
    assert event.seats_taken == 1


def test_htmx_mark_returns_only_the_row(coordinator_client, coordinator, event):
    registration = seated(event, "Mehmet Şahin")
    with time_machine.travel(STARTS, tick=False):
        coordinator_client.force_login(coordinator)
        response = coordinator_client.post(
            url("checkin_mark", event, pk=registration.pk),
            {"action": "attend"},
            headers={"HX-Request": "true"},
        )
    html = response.content.decode().strip()
    assert html.startswith(f'<tr id="registration-{registration.pk}">')
    assert html.endswith("</tr>")
    assert "<html" not in html
    assert "Attended" in html
    assert 'value="undo"' in html
    registration.refresh_from_db()
    assert registration.status == "attended"


# --- The check-in window: 3 hours before the start to the end of the last day ------------------

# The programme runs 10:00–16:00 Türkiye time on 12 May 2030 (07:00–13:00 UTC).
OPENS = STARTS - datetime.timedelta(hours=3)
LAST_DAY_ENDS = datetime.datetime(2030, 5, 12, 21, 0, tzinfo=datetime.UTC)  # midnight in Türkiye


def mark_at(client, coordinator, registration, moment, action="attend"):
    with time_machine.travel(moment, tick=False):
        client.force_login(coordinator)
        return client.post(
            url("checkin_mark", registration.event, pk=registration.pk),
            {"action": action},
            headers={"HX-Request": "true"},
        )


@pytest.mark.parametrize(
    ("moment", "allowed"),
    [
        (OPENS - datetime.timedelta(minutes=1), False),
        (OPENS, True),
        (STARTS + datetime.timedelta(hours=8), True),  # after the end, on the same day
        (LAST_DAY_ENDS - datetime.timedelta(minutes=1), True),
        (LAST_DAY_ENDS, False),
        (LAST_DAY_ENDS + datetime.timedelta(days=30), False),
    ],
)
def test_check_in_only_within_its_window(coordinator_client, coordinator, event, moment, allowed):
    registration = seated(event, "Mehmet Şahin")

    response = mark_at(coordinator_client, coordinator, registration, moment)

    registration.refresh_from_db()
    assert (registration.status == "attended") is allowed
    html = response.content.decode()
    if not allowed:
        assert ("The check-in opens on" in html) or (
            "The check-in closed at the end of the programme&#x27;s last day" in html
        )


def test_too_early_says_when_the_check_in_opens(coordinator_client, coordinator, event):
    registration = seated(event, "Mehmet Şahin")
    with time_machine.travel(STARTS - datetime.timedelta(days=1), tick=False):
        coordinator_client.force_login(coordinator)
        page = text(coordinator_client.get(url("checkin", event)))
        response = coordinator_client.post(
            url("checkin_mark", event, pk=registration.pk), {"action": "attend"}, follow=True
        )
    assert "The check-in opens on" in page
    assert "3 hours before the programme starts" in page
    assert 'value="attend"' not in page  # no button that could only fail
    assert "3 hours before the programme starts" in text(response)
    registration.refresh_from_db()
    assert registration.status == "registered"


def test_after_the_last_day_a_check_in_can_still_be_undone(coordinator_client, coordinator, event):
    registration = seated(event, "Mehmet Şahin", status=Registration.Status.ATTENDED)

    response = mark_at(coordinator_client, coordinator, registration, LAST_DAY_ENDS, action="undo")

    registration.refresh_from_db()
    assert registration.status == "registered"
    html = response.content.decode()
    assert 'value="attend"' not in html
    assert "closed" not in html  # the row shows no error


def test_a_programme_over_several_days_checks_in_until_its_last_day(
    coordinator_client, coordinator
):
    event = EventFactory(
        starts_at=STARTS,
        ends_at=STARTS + datetime.timedelta(days=1, hours=6),
        registration_deadline=STARTS - datetime.timedelta(days=1),
    )
    registration = seated(event, "Mehmet Şahin")

    mark_at(
        coordinator_client, coordinator, registration, LAST_DAY_ENDS + datetime.timedelta(hours=20)
    )

    registration.refresh_from_db()
    assert registration.status == "attended"


@override_settings(EVENT_CHECKIN_OPENS_HOURS_BEFORE=1)
def test_the_opening_hours_come_from_the_setting(coordinator_client, coordinator, event):
    registration = seated(event, "Mehmet Şahin")

    response = mark_at(coordinator_client, coordinator, registration, OPENS)

    registration.refresh_from_db()
    assert registration.status == "registered"
    assert "1 hour before the programme starts" in response.content.decode()


def test_waitlisted_people_cannot_be_checked_in(coordinator_client, event):
    registration = waiting(event, "Bekleyen Kişi", 1)
    response = coordinator_client.post(
        url("checkin_mark", event, pk=registration.pk),
        {"action": "attend"},
        headers={"HX-Request": "true"},
    )
    assert "Only people with a seat can be checked in." in response.content.decode()
    registration.refresh_from_db()
    assert registration.status == "waitlisted"


def test_unknown_action_changes_nothing(coordinator_client, event):
    registration = seated(event, "Mehmet Şahin")
    response = coordinator_client.post(
        url("checkin_mark", event, pk=registration.pk), {"action": "delete"}, follow=True
    )
    assert "Choose whether the person attended." in text(response)
    registration.refresh_from_db()
    assert registration.status == "registered"


def count_checkin_queries(client, event):
    address = url("checkin", event)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address)
    return len(queries), len(response.context["seated"]) + len(response.context["waiting"])


def test_check_in_list_query_count_does_not_grow(coordinator_client, event):
    large = EventFactory(title="Kars Programı")
    seated(event, "Tek Kişi")
    for n in range(4):
        seated(large, f"Kişi {n}")
    municipality = Municipality.objects.get(slug="erzurum-bb")
    RegistrationFactory(event=large, ngo=None, municipality=municipality)
    waiting(large, "Bekleyen", 1)
    small_count, small_rows = count_checkin_queries(coordinator_client, event)
    large_count, large_rows = count_checkin_queries(coordinator_client, large)
    assert (small_rows, large_rows) == (1, 6)
    # session, user, the three role queries, the programme, the registrations, notifications
    assert small_count == large_count == 8


# --- Sign-in sheet -------------------------------------------------------------------------


def test_sign_in_sheet_is_in_turkish_alphabetical_order(coordinator_client, event):
    for name in ["Şule Ak", "Sezer Ak", "Çiğdem Ak", "Cem Ak", "İnci Ak", "Ilgaz Ak", "Ömer Ak"]:
        seated(event, name)
    seated(event, "Işık Ak", status=Registration.Status.ATTENDED)
    waiting(event, "Aaa Bekleyen", 1)
    response = coordinator_client.get(url("signin_sheet", event))
    names = [r.user.full_name for r in response.context["rows"]]
    assert names == [
        "Cem Ak",
        "Çiğdem Ak",
        "Ilgaz Ak",
        "Işık Ak",
        "İnci Ak",
        "Ömer Ak",
        "Sezer Ak",
        "Şule Ak",
    ]
    html = text(response)
    assert "Sign-in sheet" in html
    assert "Signature" in html
    assert "Aaa Bekleyen" not in html
    assert html.index("Ilgaz Ak") < html.index("Işık Ak") < html.index("İnci Ak")


# --- Exports ---------------------------------------------------------------------------------


def export_fixture(event):
    seated(event, "Mehmet Şahin", organisation="Iğdır Dayanışma Derneği")
    municipality = Municipality.objects.get(slug="erzurum-bb")
    RegistrationFactory(
        event=event,
        user=UserFactory(full_name="Gülşen Öztürk", email="gulsen@erzurum.example"),
        ngo=None,
        municipality=municipality,
        status=Registration.Status.ATTENDED,
        checked_in_at=STARTS + datetime.timedelta(minutes=30),
    )
    waiting(event, "Bekleyen Kişi", 1)
    seated(EventFactory(title="Başka Program"), "Başka Programdaki Kişi")


def test_csv_export_has_the_attendees_of_this_programme_only(
    coordinator_client, coordinator, event
):
    export_fixture(event)
    with time_machine.travel(datetime.datetime(2030, 5, 13, 9, 0, tzinfo=datetime.UTC)):
        coordinator_client.force_login(coordinator)
        response = coordinator_client.get(url("export_csv", event))
        body = b"".join(response.streaming_content)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert f'filename="{event.slug}-attendees-2030-05-13.csv"' in response["Content-Disposition"]
    assert body.startswith(codecs.BOM_UTF8)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    # The header of every export (portal/exports.py): title, details, an empty line.
    assert rows[0] == ["Erzurum Programı"]
    assert rows[1] == ["Exported at", "13 May 2030, 12:00"]
    assert rows[2] == []
    rows = rows[3:]
    assert rows[0] == [
        "Name",
        "Email",
        "Organisation",
        "Organisation type",
        "Province",
        "Status",
        "Registered at",
        "Checked in at",
    ]
    assert [row[0] for row in rows[1:]] == ["Gülşen Öztürk", "Mehmet Şahin", "Bekleyen Kişi"]
    gulsen = rows[1]
    assert gulsen[1:6] == [
        "gulsen@erzurum.example",
        "Erzurum Büyükşehir Belediyesi",
        "Municipality",
        "Erzurum",
        "Attended",
    ]
    assert gulsen[7] == "2030-05-12 10:30"
    assert rows[2][2:4] == ["Iğdır Dayanışma Derneği", "NGO"]
    assert rows[3][5] == "Waitlisted #1"
    log = ExportLog.objects.get()
    assert (log.user, log.kind) == (coordinator, "event_attendees")
    assert log.filters == {"event": event.slug, "format": "csv"}
    assert log.row_count == 3


def test_xlsx_export_has_a_title_row_headers_and_turkish_letters(
    coordinator_client, coordinator, event
):
    export_fixture(event)
    response = coordinator_client.get(url("export_xlsx", event))
    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[0][0] == "Erzurum Programı"
    assert rows[1][0] == "Exported at"
    assert rows[3][:3] == ["Name", "Email", "Organisation"]
    # The header row is frozen and filtered; the times are date cells.
    assert sheet.freeze_panes == "A5"
    assert sheet.auto_filter.ref == "A4:H7"
    assert sheet.title == "Attendees"
    assert [row[0] for row in rows[4:]] == ["Gülşen Öztürk", "Mehmet Şahin", "Bekleyen Kişi"]
    # Spreadsheets have no time zones: Türkiye time, as a date cell.
    assert rows[4][7] == datetime.datetime.fromisoformat("2030-05-12T10:30")
    assert sheet.cell(row=5, column=8).number_format == "yyyy-mm-dd hh:mm"
    assert rows[5][2] == "Iğdır Dayanışma Derneği"
    log = ExportLog.objects.get()
    assert (log.user, log.kind, log.row_count) == (coordinator, "event_attendees", 3)
    assert log.filters == {"event": event.slug, "format": "xlsx"}


def test_export_cells_cannot_run_formulas(coordinator_client, event):
    seated(event, "=HYPERLINK(1)")
    body = b"".join(coordinator_client.get(url("export_csv", event)).streaming_content)
    assert "'=HYPERLINK(1)" in body.decode("utf-8-sig")
