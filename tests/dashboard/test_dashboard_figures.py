"""The figures each dashboard opens with, and the links of each role (issue 17, "A way around
for every role"): asserted from fixture data, at a fixed number of queries for two data sizes."""

import datetime
import re
from itertools import count

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events.models import Event
from municipalities.models import Municipality, SubRegion
from surveys.models import Expectation, Submission
from tests.events.factories import EventFactory
from tests.factories import (
    CoordinatorAssignmentFactory,
    MembershipFactory,
    MunicipalStaffFactory,
    NGOFactory,
)
from tests.surveys.factories import CampaignFactory, ExpectationFactory, SubmissionFactory

pytestmark = pytest.mark.django_db

DASHBOARD = "/en/dashboard/"
_receipts = count(1)


def _submitted(ngo, campaign, *, days_ago=1):
    return SubmissionFactory(
        ngo=ngo,
        campaign=campaign,
        status=Submission.Status.SUBMITTED,
        receipt_number=f"TEST-{next(_receipts)}",
        submitted_at=timezone.now() - datetime.timedelta(days=days_ago),
    )


def _cases(submission, *statuses, municipality=None, **fields):
    """One case per status, ranked 1, 2, … in the submission."""
    return [
        ExpectationFactory(
            submission=submission,
            rank=rank,
            status=status,
            target_date=timezone.localdate() if status == "planned" else None,
            **({"municipality": municipality} if municipality else {}),
            **fields,
        )
        for rank, status in enumerate(statuses, start=1)
    ]


def _figure(html, label):
    """The number shown under a figure's label (<div><dt>label</dt><dd>…number…</dd></div>)."""
    match = re.search(
        rf"<dt>{re.escape(label)}</dt><dd[^>]*>(?:<a [^>]*>)?([^<]+)<", html.replace("\n", "")
    )
    assert match, f"no figure {label!r}"
    return match.group(1).strip()


def _get(client, user):
    client.force_login(user)
    return client.get(DASHBOARD).content.decode()


# --- NGO ---------------------------------------------------------------------------------------


def test_ngo_dashboard_opens_with_answers_to_confirm_open_cases_and_the_deadline(client):
    membership = MembershipFactory()
    campaign = CampaignFactory()
    submission = _submitted(membership.ngo, campaign)
    _cases(submission, "new", "under_review", "completed", "completed", "declined")
    Expectation.objects.filter(submission=submission, rank=4).update(
        ngo_confirmed_at=timezone.now()
    )
    other = _submitted(NGOFactory(), campaign)  # another NGO's cases are not counted
    _cases(other, "new", "completed")

    html = _get(client, membership.user)
    assert _figure(html, "Answers awaiting your confirmation") == "1"
    assert _figure(html, "Open cases at municipalities") == "2"
    # The campaign closes in 30 days: its deadline, and how long is left.
    assert re.search(r"Closes [^<]+ \(in 4\xa0weeks", html)
    assert f'href="/en/surveys/my-expectations/#ngo-{membership.ngo.pk}"' in html
    # An NGO member has none of the other roles' figures and links.
    for absent in ("New cases", "Overdue cases by province", "/en/surveys/cases/", "/en/reports/"):
        assert absent not in html


# --- Municipal staff -----------------------------------------------------------------------------


def test_municipal_dashboard_opens_with_new_overdue_and_assigned_counts(client):
    staff = MunicipalStaffFactory()
    campaign = CampaignFactory()
    old = _submitted(NGOFactory(), campaign, days_ago=45)
    recent = _submitted(NGOFactory(), campaign, days_ago=2)
    # Overdue: open, no public answer, submitted more than 30 days ago.
    _cases(old, "new", "under_review", "completed")
    Expectation.objects.filter(submission=old, rank=2).update(assigned_to=staff.user)
    _cases(recent, "new", "new", "accepted")
    Expectation.objects.filter(submission=recent, rank=3).update(assigned_to=staff.user)
    answered = Expectation.objects.get(submission=old, rank=1)
    # Another municipality's cases are not in the inbox.
    yakutiye = Municipality.objects.get(province=25, name="Yakutiye Belediyesi")
    _cases(_submitted(NGOFactory(), campaign, days_ago=60), "new", municipality=yakutiye)

    html = _get(client, staff.user)
    assert _figure(html, "New cases") == "3"
    assert _figure(html, "Overdue cases") == "2"
    assert _figure(html, "Assigned to you") == "2"
    assert "Review inbox: 5 open cases" in html
    assert html.index("New cases") < html.index("When a disaster strikes")
    for link in ("?status=new", "?overdue=on", "?assigned=me"):
        assert f'href="/en/surveys/inbox/{link}"' in html

    answered.first_answered_at = timezone.now()
    answered.save(update_fields=["first_answered_at"])
    assert _figure(_get(client, staff.user), "Overdue cases") == "1"
    for absent in ("Answers awaiting your confirmation", "/en/surveys/cases/", "/en/reports/"):
        assert absent not in html


def test_overdue_links_of_the_dashboard_list_what_the_dashboard_counts(client):
    staff = MunicipalStaffFactory()
    _cases(_submitted(NGOFactory(), CampaignFactory(), days_ago=45), "new", "planned")
    client.force_login(staff.user)
    html = client.get("/en/surveys/inbox/?overdue=on").content.decode()
    assert "2 cases found" in html
    html = client.get("/en/surveys/inbox/?assigned=me").content.decode()
    assert "0 cases found" in html


# --- Coordinators ------------------------------------------------------------------------------


def _regional():
    return CoordinatorAssignmentFactory(subregion=SubRegion.objects.get(code="14")).user


def test_coordinator_dashboard_opens_with_participation_overdue_provinces_and_programmes(client):
    user = _regional()
    campaign = CampaignFactory(title="2025 Beş Beklenti Anketi")
    erzurum_ngos = [NGOFactory() for _ in range(4)]
    NGOFactory(status="pending")  # not verified: not counted
    istanbul = NGOFactory(province_id=34)  # outside the sub-region: not counted
    _submitted(istanbul, campaign)
    for ngo in erzurum_ngos[:3]:
        _submitted(ngo, campaign, days_ago=40)
    for submission in Submission.objects.filter(ngo__in=erzurum_ngos):
        _cases(submission, "new")
    kars = Municipality.objects.get(province=36, kind=Municipality.Kind.PROVINCIAL)
    _cases(_submitted(erzurum_ngos[3], campaign, days_ago=50), "new", municipality=kars)
    EventFactory(title="Erzurum Programı")
    EventFactory(title="Geçmiş Program", starts_at=timezone.now() - datetime.timedelta(days=3))
    EventFactory(title="İstanbul Programı", subregion=SubRegion.objects.get(code="01"))

    html = _get(client, user)
    assert "Participation: 2025 Beş Beklenti Anketi" in html
    assert _figure(html, "NGOs that submitted") == "4"
    assert _figure(html, "Verified NGOs in scope") == "4"
    assert _figure(html, "Participation rate") == "100%"
    section = html[html.index("Overdue cases by province") : html.index("Next programmes")]
    assert re.findall(r'overdue=on">([^<]+)</a>\s*<span class="badge[^"]*">(\d+)', section) == [
        ("Erzurum", "3"),
        ("Kars", "1"),
    ]
    assert 'href="/en/surveys/cases/?province=25&amp;overdue=on"' in section
    programmes = html[html.index("Next programmes") :]
    assert "Erzurum Programı" in programmes
    assert "Geçmiş Program" not in programmes and "İstanbul Programı" not in programmes
    # The coordinator's own figures open the page, before the disaster search.
    assert html.index("Participation: ") < html.index("When a disaster strikes")


@pytest.mark.parametrize("email_role", ["national", "regional"])
def test_coordinator_reaches_campaigns_cases_reports_export_and_programmes(client, email_role):
    if email_role == "national":
        user = CoordinatorAssignmentFactory(subregion=None).user
    else:
        user = _regional()
    campaign = CampaignFactory(code="k2025")
    html = _get(client, user)
    menu = html[html.index("<header>") : html.index("</header>")]
    for link in ("/en/surveys/", "/en/surveys/cases/", "/en/reports/"):
        assert f'href="{link}"' in menu
    main = html[html.index("<main") :]
    for link in (
        "/en/surveys/",
        "/en/surveys/cases/",
        "/en/reports/",
        f"/en/surveys/{campaign.code}/",
        f"/en/surveys/export/expectations.csv?campaign={campaign.code}",
        "/en/events/",
        "/en/events/new/",
    ):
        assert f'href="{link}"' in main, link
    # The sub-region links open the report, not the NGO directory.
    assert 'href="/en/reports/subregions/14/"' in main
    assert "/en/ngos/?subregion=" not in main
    # The export link works for this coordinator.
    response = client.get(f"/en/surveys/export/expectations.csv?campaign={campaign.code}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")


def test_menu_links_of_each_role_are_absent_for_the_others(client):
    staff = MunicipalStaffFactory()
    member = MembershipFactory()
    html = _get(client, staff.user)
    menu = html[html.index("<header>") : html.index("</header>")]
    assert 'href="/en/surveys/inbox/"' in menu
    assert 'href="/en/surveys/cases/"' not in menu and 'href="/en/reports/"' not in menu
    client.logout()
    html = _get(client, member.user)
    menu = html[html.index("<header>") : html.index("</header>")]
    for link in ("/en/surveys/inbox/", "/en/surveys/cases/", "/en/reports/"):
        assert f'href="{link}"' not in menu


# --- Queries -----------------------------------------------------------------------------------


def _queries(client, user):
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        html = client.get(DASHBOARD).content.decode()
    return len(queries), html


def test_coordinator_dashboard_query_count_does_not_grow_with_data(client):
    user = _regional()
    campaign = CampaignFactory()
    _cases(_submitted(NGOFactory(), campaign, days_ago=40), "new")
    EventFactory()
    small, html = _queries(client, user)
    assert html.count("overdue=on") == 1

    kars = Municipality.objects.get(province=36, kind=Municipality.Kind.PROVINCIAL)
    second = CampaignFactory()
    for _ in range(3):
        _cases(
            _submitted(NGOFactory(province_id=36), second, days_ago=40),
            "new",
            "new",
            municipality=kars,
        )
        EventFactory()
    large, html = _queries(client, user)
    assert html.count("overdue=on") == 2
    assert html.count("Participation: ") == 2
    assert Event.objects.count() == 4
    assert small == large


def test_municipal_dashboard_query_count_does_not_grow_with_data(client):
    staff = MunicipalStaffFactory()
    campaign = CampaignFactory()
    _cases(_submitted(NGOFactory(), campaign, days_ago=40), "new")
    small, html = _queries(client, staff.user)
    assert _figure(html, "New cases") == "1"
    for _ in range(3):
        _cases(_submitted(NGOFactory(), campaign, days_ago=40), "new", "accepted", "completed")
    large, html = _queries(client, staff.user)
    assert _figure(html, "New cases") == "4"
    assert _figure(html, "Overdue cases") == "7"
    assert small == large


def test_ngo_dashboard_query_count_does_not_grow_with_cases(client):
    membership = MembershipFactory()
    campaign = CampaignFactory()
    submission = _submitted(membership.ngo, campaign)
    _cases(submission, "completed")
    small, html = _queries(client, membership.user)
    assert _figure(html, "Answers awaiting your confirmation") == "1"
    second = MembershipFactory(user=membership.user)
    _cases(_submitted(second.ngo, campaign), "completed", "completed", "new", "new", "accepted")
    large, html = _queries(client, membership.user)
    assert html.count("Answers awaiting your confirmation") == 2
    assert small == large
