"""The municipal digest: its content, who gets it, and the send_digests command."""

import datetime
import itertools
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from municipalities.models import Municipality
from portal.models import EmailPreferences, OutgoingMail
from surveys.models import Expectation
from surveys.services.digest import digest_for, digests_send
from tests.factories import MunicipalStaffFactory, NGOFactory, UserFactory
from tests.surveys.factories import ExpectationFactory, SubmissionFactory, erzurum_metropolitan

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)
_receipts = itertools.count(1)


def yakutiye():
    return Municipality.objects.get(province=25, name="Yakutiye Belediyesi")


def make_case(campaign, title, *, submitted_at, ngo_name=None, rank=1, municipality=None, **fields):
    """A submitted expectation (each of its own NGO) addressed to Erzurum BB by default."""
    submission = SubmissionFactory(
        campaign=campaign,
        ngo=NGOFactory(name=ngo_name) if ngo_name else NGOFactory(),
        status="submitted",
        receipt_number=f"DIGEST-{next(_receipts):05d}",
        submitted_at=submitted_at,
    )
    return ExpectationFactory(
        submission=submission,
        rank=rank,
        title=title,
        municipality=municipality or erzurum_metropolitan(),
        **fields,
    )


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def staff(db):
    """An English-speaking officer of Erzurum Büyükşehir Belediyesi."""
    user = UserFactory(
        email="officer@erzurum.example", full_name="Kemal Öztürk", preferred_language="en"
    )
    MunicipalStaffFactory(user=user, municipality=erzurum_metropolitan())
    return user


@pytest.fixture
def known_cases(campaign, now):
    """A new case, an overdue one, and cases that belong in neither list."""
    return {
        "new": make_case(
            campaign,
            "Toplanma alanı tabelaları",
            submitted_at=now - 2 * HOUR,
            ngo_name="Palandöken Dayanışma Derneği",
            rank=2,
        ),
        "overdue": make_case(
            campaign,
            "Afet eğitimi için salon",
            submitted_at=now - 31 * DAY,
            ngo_name="Dadaş Gençlik Derneği",
            rank=1,
        ),
        "answered": make_case(
            campaign,
            "Gençlik merkezi açılması",
            submitted_at=now - 31 * DAY,
            first_answered_at=now - 20 * DAY,
            status="accepted",
        ),
        "declined": make_case(
            campaign,
            "Reddedilen kütüphane talebi",
            submitted_at=now - 40 * DAY,
            status="declined",
        ),
        "waiting": make_case(campaign, "Beş gündür bekleyen talep", submitted_at=now - 5 * DAY),
        "elsewhere": make_case(
            campaign,
            "Yakutiye'ye giden talep",
            submitted_at=now - HOUR,
            municipality=yakutiye(),
        ),
    }


def send(now, **kwargs):
    return digests_send(since=now - 24 * HOUR, now=now, **kwargs)


# --- digest_for ------------------------------------------------------------------------------


def test_digest_lists_the_new_and_the_overdue_cases(staff, known_cases, now):
    digest = digest_for(staff, since=now - 24 * HOUR, now=now)
    assert [d.municipality.name for d in digest.municipalities] == ["Erzurum Büyükşehir Belediyesi"]
    entry = digest.municipalities[0]
    assert (entry.new_count, entry.overdue_count) == (1, 1)
    assert [(c.rank, c.title, c.ngo_name, c.days_waiting) for c in entry.new_cases] == [
        (2, "Toplanma alanı tabelaları", "Palandöken Dayanışma Derneği", 0)
    ]
    assert [(c.rank, c.title, c.ngo_name, c.days_waiting) for c in entry.overdue_cases] == [
        (1, "Afet eğitimi için salon", "Dadaş Gençlik Derneği", 31)
    ]
    assert (digest.new_count, digest.overdue_count) == (1, 1)


def test_digest_counts_a_case_referred_in_as_new(staff, campaign, now):
    referred = make_case(
        campaign,
        "Kars'tan yönlendirilen talep",
        submitted_at=now - 10 * DAY,
        status="referred",
        status_changed_at=now - 3 * HOUR,
    )
    make_case(
        campaign,
        "Eskiden yönlendirilen talep",
        submitted_at=now - 10 * DAY,
        status="referred",
        status_changed_at=now - 3 * DAY,
    )
    entry = digest_for(staff, since=now - 24 * HOUR, now=now).municipalities[0]
    assert [c.pk for c in entry.new_cases] == [referred.pk]
    assert entry.new_cases[0].days_waiting == 10


def test_digest_ignores_drafts(staff, campaign, now):
    draft = SubmissionFactory(campaign=campaign)
    ExpectationFactory(submission=draft, title="Taslak talep")
    assert digest_for(staff, since=now - 24 * HOUR, now=now).is_empty


def test_digest_lists_ten_cases_of_each_kind_and_counts_the_rest(staff, campaign, now):
    for i in range(12):
        make_case(campaign, f"Yeni talep {i:02d}", submitted_at=now - i * HOUR, rank=i % 5 + 1)
    for i in range(11):
        make_case(campaign, f"Geciken talep {i:02d}", submitted_at=now - (31 + i) * DAY)
    entry = digest_for(staff, since=now - 24 * HOUR, now=now).municipalities[0]
    assert (entry.new_count, len(entry.new_cases), entry.new_unlisted) == (12, 10, 2)
    assert (entry.overdue_count, len(entry.overdue_cases), entry.overdue_unlisted) == (11, 10, 1)
    # New cases by rank; overdue ones longest waiting first.
    assert [c.rank for c in entry.new_cases] == sorted(c.rank for c in entry.new_cases)
    assert entry.overdue_cases[0].title == "Geciken talep 10"
    assert entry.overdue_cases[0].days_waiting == 41


def count_digest_queries(user, now):
    with CaptureQueriesContext(connection) as queries:
        digest = digest_for(user, since=now - 24 * HOUR, now=now)
    return len(queries), digest


def test_digest_query_count_does_not_grow_with_cases_or_municipalities(staff, campaign, now):
    make_case(campaign, "Tek yeni talep", submitted_at=now - HOUR)
    small, small_digest = count_digest_queries(staff, now)
    MunicipalStaffFactory(user=staff, municipality=yakutiye())
    for i in range(8):
        make_case(campaign, f"Yeni {i}", submitted_at=now - HOUR, municipality=yakutiye())
        make_case(campaign, f"Geciken {i}", submitted_at=now - 40 * DAY)
    large, large_digest = count_digest_queries(staff, now)
    assert (small_digest.new_count, large_digest.new_count) == (1, 9)
    assert large_digest.overdue_count == 8
    assert small == large == 3  # the municipalities, the new cases, the overdue cases


# --- digests_send ----------------------------------------------------------------------------


def test_digest_email_lists_exact_counts_and_titles(staff, known_cases, now):
    assert send(now) == (1, 0)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["officer@erzurum.example"]
    assert message.subject == "Municipality–NGO Portal: 1 new and 1 overdue case"
    body = message.body
    assert "Hello Kemal Öztürk," in body
    assert "== Erzurum Büyükşehir Belediyesi ==" in body
    assert "1 new case (submitted or referred to you recently):" in body
    assert (
        "- Rank 2: Toplanma alanı tabelaları (Palandöken Dayanışma Derneği), waiting for 0 days"
        in body
    )
    assert "1 overdue case (no public answer 30 days after submission):" in body
    assert "- Rank 1: Afet eğitimi için salon (Dadaş Gençlik Derneği), waiting for 31 days" in body
    for other in ["answered", "declined", "waiting", "elsewhere"]:
        assert known_cases[other].title not in body, other
    assert "http://127.0.0.1:8000/en/surveys/inbox/" in body
    assert "http://127.0.0.1:8000/en/notifications/preferences/" in body


def test_digest_email_uses_the_portal_base_url_and_the_users_language(
    staff, known_cases, now, settings
):
    settings.PORTAL_BASE_URL = "https://portal.example.gov.tr/"
    staff.preferred_language = "tr"
    staff.save()
    send(now)
    body = mail.outbox[0].body
    assert "https://portal.example.gov.tr/surveys/inbox/" in body
    assert "/en/" not in body


def test_digest_subject_counts_several_cases(staff, campaign, now):
    for i in range(3):
        make_case(campaign, f"Yeni {i}", submitted_at=now - HOUR)
    make_case(campaign, "Geciken 1", submitted_at=now - 35 * DAY)
    make_case(campaign, "Geciken 2", submitted_at=now - 36 * DAY)
    send(now)
    assert mail.outbox[0].subject == "Municipality–NGO Portal: 3 new and 2 overdue cases"
    assert "3 new cases (submitted or referred to you recently):" in mail.outbox[0].body


def test_users_who_turned_the_digest_off_get_none(staff, known_cases, now):
    EmailPreferences.objects.create(user=staff, digest=False)
    assert send(now) == (0, 1)
    assert mail.outbox == []


def test_users_who_turned_other_emails_off_still_get_the_digest(staff, known_cases, now):
    EmailPreferences.objects.create(user=staff, answers=False, events=False)
    assert send(now) == (1, 0)


def test_users_with_nothing_new_or_overdue_get_none(staff, campaign, now):
    make_case(campaign, "Beş gündür bekleyen talep", submitted_at=now - 5 * DAY)
    busy_elsewhere = UserFactory(email="yakutiye@example.test")
    MunicipalStaffFactory(user=busy_elsewhere, municipality=yakutiye())
    make_case(
        campaign, "Yakutiye'nin yeni talebi", submitted_at=now - HOUR, municipality=yakutiye()
    )
    assert send(now) == (1, 1)
    assert [m.to for m in mail.outbox] == [["yakutiye@example.test"]]


def test_inactive_staff_and_non_staff_get_none(staff, known_cases, now):
    staff.is_active = False
    staff.save()
    UserFactory(email="citizen@example.test")
    assert send(now) == (0, 0)
    assert mail.outbox == []


def test_one_email_per_user_even_with_two_municipalities(staff, known_cases, campaign, now):
    MunicipalStaffFactory(user=staff, municipality=yakutiye())
    assert send(now) == (1, 0)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Municipality–NGO Portal: 2 new and 1 overdue case"
    body = message.body
    assert "== Erzurum Büyükşehir Belediyesi ==" in body
    assert "== Yakutiye Belediyesi ==" in body
    assert body.index("Toplanma alanı tabelaları") < body.index("== Yakutiye Belediyesi ==")
    assert body.index("== Yakutiye Belediyesi ==") < body.index("Yakutiye'ye giden talep")


def test_each_colleague_gets_their_own_digest(staff, known_cases, now):
    colleague = UserFactory(email="colleague@erzurum.example")
    MunicipalStaffFactory(user=colleague, municipality=erzurum_metropolitan())
    assert send(now) == (2, 0)
    assert sorted(m.to[0] for m in mail.outbox) == [
        "colleague@erzurum.example",
        "officer@erzurum.example",
    ]


def test_digests_of_many_colleagues_go_out_as_one_batch_over_one_connection(
    staff, known_cases, now, mail_queue, django_capture_on_commit_callbacks, monkeypatch
):
    from django.core.mail.backends.locmem import EmailBackend

    for number in range(4):
        colleague = UserFactory(email=f"colleague{number}@erzurum.example")
        MunicipalStaffFactory(user=colleague, municipality=erzurum_metropolitan())
    opened = []
    original_open = EmailBackend.open
    monkeypatch.setattr(
        EmailBackend, "open", lambda self: opened.append(self) or original_open(self)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert send(now) == (5, 0)
    assert OutgoingMail.objects.values("batch").distinct().count() == 1
    assert set(OutgoingMail.objects.values_list("status", flat=True)) == {"sent"}
    assert len(mail.outbox) == 5
    assert len(opened) == 1


def test_dry_run_sends_nothing(staff, known_cases, now):
    assert send(now, dry_run=True) == (1, 0)
    assert mail.outbox == []


def test_a_failing_mail_server_keeps_the_digest_in_the_outbox(
    staff, known_cases, now, mail_server_down, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert send(now) == (1, 0)
    [row] = OutgoingMail.objects.all()
    assert (row.to, row.status) == (["officer@erzurum.example"], "failed")
    assert mail.outbox == []


# --- The command -----------------------------------------------------------------------------


def run(*args):
    out = StringIO()
    call_command("send_digests", *args, stdout=out)
    return out.getvalue()


def test_command_sends_and_prints_a_one_line_summary(staff, known_cases):
    quiet = UserFactory(email="quiet@example.test")
    MunicipalStaffFactory(user=quiet, municipality=Municipality.objects.get(slug="kars"))
    assert run() == "Sent 1 digests, skipped 1\n"
    assert [m.to for m in mail.outbox] == [["officer@erzurum.example"]]


def test_command_dry_run_sends_nothing(staff, known_cases):
    assert run("--dry-run") == "Dry run: would send 1 digests, skipped 0\n"
    assert mail.outbox == []


def test_command_since_hours_sets_what_counts_as_new(staff, campaign, now):
    case = make_case(campaign, "Otuz saatlik talep", submitted_at=now - 30 * HOUR)
    assert run("--since-hours", "24") == "Sent 0 digests, skipped 1\n"
    assert run("--since-hours", "48") == "Sent 1 digests, skipped 0\n"
    assert case.title in mail.outbox[0].body


def test_command_refuses_a_window_that_is_not_positive(staff):
    with pytest.raises(CommandError, match="positive"):
        run("--since-hours", "0")
    assert Expectation.objects.count() == 0
