"""The responsiveness league and the overdue list of the reports, and the reminder a coordinator
sends a municipality from it (issue 17)."""

import re

import pytest
import time_machine
from django.core import mail
from django.core.cache import caches

from municipalities.models import Municipality
from reports.models import OverdueReminder
from reports.services.tables import _league_table
from tests.factories import MunicipalStaffFactory, UserFactory
from tests.helpers import en
from tests.reports import test_reports
from tests.reports.test_reports import (
    NOW,
    erzurum_bb,
    make_national,
    make_regional,
)

pytestmark = pytest.mark.django_db

cases = test_reports.cases  # the fixture of sub-region 14's cases


@pytest.fixture(autouse=True)
def _empty_cache(db):
    caches["reports"].clear()
    yield
    caches["reports"].clear()


@pytest.fixture
def campaign(db):
    from tests.reports.test_reports import campaign_opened

    return campaign_opened()


def table_rows(html, table_id):
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    body = re.search(r"<tbody>(.*?)</tbody>", table, re.S).group(1)
    return [
        [" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(
            r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S
        )]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]  # fmt: skip


def report(client, user, url="/en/reports/subregions/14/"):
    client.force_login(user)
    with time_machine.travel(NOW, tick=False):
        return client.get(url).content.decode()


# --- The league ---------------------------------------------------------------------------------


def test_league_ranks_municipalities_with_enough_cases_and_states_the_threshold(
    client, campaign, cases, settings
):
    # Kars Belediyesi: 4 of 5 answered (80 %), Erzurum Büyükşehir: 3 of 5 (60 %), Yakutiye:
    # 2 cases only (below the threshold of 5).
    settings.REPORT_LEAGUE_MIN_CASES = 5
    html = report(client, make_regional())

    rows = table_rows(html, "table-league")
    assert [row[:5] for row in rows] == [
        ["1", "Kars Belediyesi", "Kars", "5", "80.0 %"],
        ["2", "Erzurum Büyükşehir Belediyesi", "Erzurum", "5", "60.0 %"],
    ]
    assert "Ranked: municipalities with at least 5 cases." in html
    assert "Overdue: no public answer 30 days after submission, and not closed." in html

    settings.REPORT_LEAGUE_MIN_CASES = 2
    caches["reports"].clear()
    rows = table_rows(report(client, make_national(), "/en/reports/subregions/14/"), "table-league")
    assert [row[1] for row in rows] == [
        "Kars Belediyesi",
        "Erzurum Büyükşehir Belediyesi",
        "Yakutiye Belediyesi",
    ]


def test_league_breaks_equal_answer_rates_by_median_days_then_cases_then_turkish_name(settings):
    settings.REPORT_LEAGUE_MIN_CASES = 1

    def row(name, received, share, median):
        return {
            "key": name,
            "name": name,
            "slug": "x",
            "province_name": "Erzurum",
            "received": received,
            "answered_share": share,
            "median_days": median,
            "overdue": 0,
        }

    figures = {
        "level": "province",
        "responsiveness": [
            row("Zara", 4, 0.5, 9.0),
            row("İspir", 4, 0.5, 2.0),
            row("Çat", 4, 0.5, 2.0),
            row("Aşkale", 2, 0.5, 2.0),
            row("Hınıs", 3, 0.0, None),
            row("Oltu", 3, 1.0, 20.0),
        ],
    }
    table = _league_table(figures)
    assert [(r["rank"], r["name"]) for r in table.rows] == [
        (1, "Oltu"),
        (2, "Çat"),  # Ç before İ in the Turkish alphabet
        (3, "İspir"),
        (4, "Aşkale"),  # fewer cases
        (5, "Zara"),  # slower
        (6, "Hınıs"),  # nothing answered
    ]


def test_overdue_list_names_the_municipalities_with_overdue_cases(client, campaign, cases):
    html = report(client, make_regional())
    rows = table_rows(html, "table-overdue")
    # Erzurum Büyükşehir and Yakutiye have one overdue case each; Kars's newest is 10 days old.
    assert [row[:3] for row in rows] == [
        ["Erzurum Büyükşehir Belediyesi", "Erzurum", "1"],
        ["Yakutiye Belediyesi", "Erzurum", "1"],
    ]
    assert html.count('action="/en/reports/reminders/') == 2
    assert f'action="/en/reports/reminders/{erzurum_bb().pk}/"' in html


def test_league_and_overdue_list_export(client, campaign, cases):
    client.force_login(make_regional())
    with time_machine.travel(NOW, tick=False):
        response = client.get("/en/reports/export/overdue.csv", {"scope": "subregion:14"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Erzurum Büyükşehir Belediyesi" in body
    assert "Yakutiye Belediyesi" in body
    assert "Kars Belediyesi" not in body


# --- Reminders ----------------------------------------------------------------------------------


@pytest.fixture
def erzurum_staff(db):
    turkish = MunicipalStaffFactory(
        user=UserFactory(email="memur@erzurum.example", preferred_language="tr")
    ).user
    english = MunicipalStaffFactory(
        user=UserFactory(email="officer@erzurum.example", preferred_language="en")
    ).user
    MunicipalStaffFactory(user=UserFactory(email="eski@erzurum.example", is_active=False))
    MunicipalStaffFactory(
        user=UserFactory(email="kars@kars.example"),
        municipality=Municipality.objects.get(province=36, name="Kars Belediyesi"),
    )
    return turkish, english


def remind(client, campaign, municipality, **extra):
    with time_machine.travel(NOW, tick=False):
        return client.post(
            en("reports:remind", municipality.pk),
            {"campaign": campaign.code, **extra},
        )


def test_coordinator_reminds_a_municipality_by_queued_mail_and_it_is_recorded(
    client, campaign, cases, erzurum_staff, mail_queue, django_capture_on_commit_callbacks
):
    coordinator = make_regional()
    client.force_login(coordinator)
    back = "/en/reports/subregions/14/?campaign=k2025#overdue"

    with django_capture_on_commit_callbacks(execute=True):
        response = remind(client, campaign, erzurum_bb(), next=back)

    assert response.status_code == 302
    assert response["Location"] == back
    reminder = OverdueReminder.objects.get()
    assert (reminder.municipality, reminder.campaign, reminder.sent_by) == (
        erzurum_bb(),
        campaign,
        coordinator,
    )
    assert (reminder.overdue_count, reminder.recipient_count) == (1, 2)
    assert reminder.sent_at == NOW
    by_address = {message.to[0]: message for message in mail.outbox}
    assert sorted(by_address) == ["memur@erzurum.example", "officer@erzurum.example"]
    assert by_address["officer@erzurum.example"].subject == (
        "Reminder: 1 overdue case of Erzurum Büyükşehir Belediyesi"
    )
    assert "/surveys/inbox/?overdue=on" in by_address["officer@erzurum.example"].body
    # Each recipient reads it in their own language.
    assert "Hatırlatma" in by_address["memur@erzurum.example"].subject

    # The report shows when, and no second button for the next hours.
    html = report(client, coordinator)
    rows = table_rows(html, "table-overdue")
    assert "30 June 2025" in rows[0][5]
    assert "Reminded in the last 72 hours" in rows[0][6]
    assert html.count('action="/en/reports/reminders/') == 1


def test_a_second_reminder_within_the_interval_is_refused(
    client, campaign, cases, erzurum_staff, mail_queue, django_capture_on_commit_callbacks
):
    client.force_login(make_regional())
    with django_capture_on_commit_callbacks(execute=True):
        remind(client, campaign, erzurum_bb())
        response = remind(client, campaign, erzurum_bb())
    assert OverdueReminder.objects.count() == 1
    assert len(mail.outbox) == 2
    page = client.get(response["Location"])
    assert "was reminded less than 72 hours ago" in page.content.decode()
    # Once the interval has passed, another may be sent.
    with (
        time_machine.travel(
            NOW.replace(day=30, hour=12) + __import__("datetime").timedelta(hours=73)
        ),
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post(
            en("reports:remind", erzurum_bb().pk),
            {"campaign": campaign.code},
        )
    assert OverdueReminder.objects.count() == 2


def test_a_municipality_without_overdue_cases_is_not_reminded(
    client, campaign, cases, erzurum_staff, mail_queue
):
    kars = Municipality.objects.get(province=36, name="Kars Belediyesi")
    client.force_login(make_regional())
    response = remind(client, campaign, kars)
    assert OverdueReminder.objects.count() == 0
    assert mail.outbox == []
    # Without a safe "next", back to the province's report.
    assert response["Location"] == "/en/reports/provinces/36/?campaign=k2025"
    assert (
        "has no overdue case in this campaign" in client.get(response["Location"]).content.decode()
    )


def test_reminders_are_for_the_coordinators_of_the_municipality(client, campaign, cases):
    from municipalities.models import SubRegion
    from tests.factories import CoordinatorAssignmentFactory

    other = CoordinatorAssignmentFactory(subregion=SubRegion.objects.get(code="01")).user
    client.force_login(other)
    assert remind(client, campaign, erzurum_bb()).status_code == 404
    kars = Municipality.objects.get(province=36, name="Kars Belediyesi")
    client.force_login(MunicipalStaffFactory(municipality=kars).user)
    assert remind(client, campaign, erzurum_bb()).status_code == 403
    client.force_login(make_national())
    response = remind(client, campaign, erzurum_bb(), next="https://evil.example/")
    assert response["Location"].startswith("/en/reports/provinces/25/")
    assert client.get(en("reports:remind", erzurum_bb().pk)).status_code == 405
    assert OverdueReminder.objects.count() == 0  # no staff to write to


def test_a_long_league_shows_its_first_rows_on_the_page_and_every_row_in_the_files():
    """A national report ranks hundreds of municipalities: the page shows LIST_ON_PAGE of them
    (rendering all made the national report 6× slower in the benchmark), the files all."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from reports.services.tables import LIST_ON_PAGE, Column, Table

    rows = [{"name": f"Belediye {n}", "received": n} for n in range(LIST_ON_PAGE + 7)]
    table = Table(
        "league",
        "League",
        [Column("name", "Municipality", "text"), Column("received", "Cases received")],
        rows,
        page_limit=LIST_ON_PAGE,
    )
    assert len(table.display_rows()) == LIST_ON_PAGE
    assert table.rows_not_shown == 7
    assert len(list(table.export_rows())) == LIST_ON_PAGE + 7
    with translation.override("en"):
        html = render_to_string("reports/rows_not_shown.html", {"table": table})
    assert f"The first {LIST_ON_PAGE} of {LIST_ON_PAGE + 7} are shown here" in html
    short = Table("league", "League", table.columns, rows[:3], page_limit=LIST_ON_PAGE)
    assert short.rows_not_shown == 0
    assert render_to_string("reports/rows_not_shown.html", {"table": short}).strip() == ""
