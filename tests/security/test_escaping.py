"""Every free-text field that users type is rendered escaped, on every page that shows it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from events.models import Event
from municipalities.models import MunicipalStaff
from ngos.models import Membership
from portal.models import Notification
from surveys.models import AnswerTemplate, ReviewEntry
from tests.events.factories import AgendaItemFactory, EventFactory, SpeakerFactory
from tests.factories import (
    CapabilityFactory,
    CoordinatorAssignmentFactory,
    JoinRequestFactory,
    MembershipFactory,
    MunicipalStaffFactory,
    NGOFactory,
    UserFactory,
)
from tests.security.pages import submitted_case
from tests.surveys.factories import CampaignFactory

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ATTRIBUTE = '"><img src=x onerror=alert(1)>'
RAW_FRAGMENTS = ["<script>alert(1)", "<img src=x onerror"]


def hostile(label: str) -> str:
    """A value that starts harmlessly (so it can be found) and carries both payloads."""
    return f"{label} {SCRIPT} {ATTRIBUTE}"


def _en(name, *args):
    with translation.override("en"):
        return reverse(name, args=args)


@pytest.fixture
def hostile_world(db):
    """One NGO, one municipality, one case, one event: every free-text field is hostile."""
    w = {}
    w["ngo_user"] = UserFactory(full_name=hostile("NgoPerson"))
    ngo = NGOFactory(
        name=hostile("NgoName"),
        description=hostile("NgoDescription"),
        address=hostile("NgoAddress"),
        contacts_public=True,
    )
    w["ngo"] = ngo
    MembershipFactory(user=w["ngo_user"], ngo=ngo, role=Membership.Role.ADMIN)
    CapabilityFactory(ngo=ngo, notes=hostile("CapabilityNotes"))
    w["requester"] = UserFactory(full_name=hostile("Requester"))
    JoinRequestFactory(user=w["requester"], ngo=ngo, message=hostile("JoinMessage"))
    w["staff_user"] = UserFactory(full_name=hostile("StaffPerson"))
    staff = MunicipalStaffFactory(user=w["staff_user"], role=MunicipalStaff.Role.MANAGER)
    campaign = CampaignFactory(title=hostile("CampaignTitle"))
    case = submitted_case(
        ngo=ngo,
        municipality=staff.municipality,
        submission__campaign=campaign,
        title=hostile("ExpTitle"),
        description=hostile("ExpDescription"),
        offer=hostile("ExpOffer"),
        assigned_to=w["staff_user"],
    )
    w["case"] = case
    for kind in ("answer", "note", "dispute"):
        ReviewEntry.objects.create(
            expectation=case,
            kind=kind,
            actor=w["staff_user"] if kind != "dispute" else w["ngo_user"],
            municipality=staff.municipality,
            text=hostile(f"Entry{kind}"),
        )
    AnswerTemplate.objects.create(
        municipality=staff.municipality,
        title=hostile("TemplateTitle"),
        body=hostile("TemplateBody"),
        created_by=w["staff_user"],
    )
    event = EventFactory(
        title=hostile("EventTitle"),
        description=hostile("EventDescription"),
        venue=hostile("EventVenue"),
    )
    speaker = SpeakerFactory(event=event, name=hostile("SpeakerName"))
    AgendaItemFactory(event=event, title=hostile("AgendaTitle"), speakers=[speaker])
    w["event"] = event
    past = timezone.now() - datetime.timedelta(days=10)
    w["held"] = EventFactory(
        title=hostile("HeldTitle"),
        starts_at=past,
        ends_at=past + datetime.timedelta(hours=5),
        registration_deadline=past - datetime.timedelta(days=1),
        state=Event.State.HELD,
        minutes_summary=hostile("MinutesSummary"),
        minutes_organisations=hostile("MinutesOrganisation"),
    )
    Notification.objects.create(
        user=w["ngo_user"], kind="answer", message=hostile("NotificationMessage"), url="/"
    )
    w["coordinator"] = CoordinatorAssignmentFactory().user
    return w


def _assert_safe(client, url, *labels, htmx=False):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client.get(url, **headers)
    assert response.status_code == 200, (url, response.status_code)
    html = response.content.decode()
    for fragment in RAW_FRAGMENTS:
        assert fragment not in html, (url, fragment)
    for label in labels:
        assert escape(hostile(label)) in html, (url, label)
    return html


def test_escaping_public_pages(client, hostile_world):
    w = hostile_world
    _assert_safe(client, _en("ngos:list"), "NgoName")
    _assert_safe(client, _en("ngos:list") + "?q=NgoName", "NgoName", htmx=True)
    _assert_safe(
        client, _en("ngos:detail", w["ngo"].slug), "NgoName", "NgoDescription", "NgoAddress"
    )
    _assert_safe(client, _en("events:list"), "EventTitle")
    _assert_safe(
        client,
        _en("events:detail", w["event"].slug),
        "EventTitle",
        "EventDescription",
        "EventVenue",
        "SpeakerName",
        "AgendaTitle",
    )
    _assert_safe(client, _en("events:detail", w["held"].slug), "HeldTitle", "MinutesSummary")


def test_escaping_ngo_member_pages(client, hostile_world):
    w = hostile_world
    client.force_login(w["ngo_user"])
    _assert_safe(client, _en("profile"), "NgoPerson")
    _assert_safe(client, _en("dashboard"), "NgoPerson", "NgoName")
    _assert_safe(client, _en("notifications"), "NotificationMessage")
    _assert_safe(client, _en("members:members", w["ngo"].slug), "NgoPerson")
    _assert_safe(client, _en("ngos:join_requests", w["ngo"].slug), "Requester", "JoinMessage")
    _assert_safe(client, _en("ngos:capabilities", w["ngo"].slug), "CapabilityNotes")
    _assert_safe(client, _en("surveys:my_expectations"), "ExpTitle")
    _assert_safe(
        client,
        _en("surveys:my_expectation", w["case"].pk),
        "ExpTitle",
        "ExpDescription",
        "Entryanswer",
        "Entrydispute",
    )


def test_escaping_municipal_pages(client, hostile_world):
    w = hostile_world
    client.force_login(w["staff_user"])
    _assert_safe(client, _en("dashboard"), "StaffPerson")
    _assert_safe(client, _en("surveys:inbox"), "ExpTitle", "NgoName")
    _assert_safe(
        client,
        _en("surveys:case", w["case"].pk),
        "ExpTitle",
        "ExpDescription",
        "ExpOffer",
        "NgoName",
        "Entryanswer",
        "Entrynote",
        "Entrydispute",
        "TemplateTitle",
    )
    _assert_safe(client, _en("surveys:answer_templates"), "TemplateTitle", "TemplateBody")


def test_escaping_coordinator_pages(client, hostile_world):
    w = hostile_world
    client.force_login(w["coordinator"])
    _assert_safe(client, _en("dashboard"))
    _assert_safe(client, _en("reports:index"), "CampaignTitle")
    _assert_safe(client, _en("reports:province", 25), "CampaignTitle", "ExpTitle")
    _assert_safe(client, _en("surveys:coordinator_cases"), "ExpTitle")
    _assert_safe(client, _en("events:checkin", w["event"].slug), "EventTitle")
