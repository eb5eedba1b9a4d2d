import contextlib
import socket
from collections import Counter

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.mail import EmailMessage, send_mail
from django.db import transaction
from django.utils import timezone

from portal.models import OutgoingMail
from portal.outbox import outgoing_mail_send, outgoing_mail_store
from portal.tasks import MAIL_MAX_RETRIES, send_queued_mail
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Recorder:
    """An aiosmtpd handler that keeps the Message-ID of each message and the client address of
    each connection that delivered one."""

    def __init__(self):
        self.message_ids, self.connections = [], set()

    async def handle_DATA(self, server, session, envelope):
        text = envelope.content.decode("utf8", errors="replace")
        header = next(line for line in text.splitlines() if line.lower().startswith("message-id:"))
        self.message_ids.append(header.split(":", 1)[1].strip())
        self.connections.add(session.peer)
        return "250 OK"


@pytest.fixture
def smtp(settings, mail_queue):
    """A real SMTP server on loopback (stopped: ``smtp.start()`` starts it) behind the outbox."""
    port = free_port()
    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.recorder = recorder
    settings.PORTAL_EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS, settings.EMAIL_TIMEOUT = False, 5
    yield controller
    with contextlib.suppress(Exception):
        controller.stop()


def messages(count):
    return [
        EmailMessage(f"Message {n}", "Body", None, [f"to{n}@example.test"]) for n in range(count)
    ]


def test_mail_is_stored_in_the_transaction_and_sent_after_commit(
    mail_queue, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        send_mail("Hello", "Body", None, ["a@example.test", "b@example.test"])
        assert mail.outbox == []
        assert OutgoingMail.objects.get().status == "queued"
    assert len(callbacks) == 1
    [message] = mail.outbox
    row = OutgoingMail.objects.get()
    assert message.to == ["a@example.test", "b@example.test"]
    assert message.extra_headers["Message-ID"] == row.headers["Message-ID"]
    assert (row.status, row.attempts) == ("sent", 1)
    assert row.sent_at is not None


def test_a_rolled_back_transaction_sends_nothing(mail_queue, django_capture_on_commit_callbacks):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        contextlib.suppress(RuntimeError),
        transaction.atomic(),
    ):
        send_mail("Hello", "Body", None, ["a@example.test"])
        raise RuntimeError("the action failed")
    assert callbacks == []
    assert mail.outbox == []
    assert not OutgoingMail.objects.exists()


def test_attachments_and_html_survive_the_queue(mail_queue, django_capture_on_commit_callbacks):
    message = mail.EmailMultiAlternatives("Programme", "Text", None, ["a@example.test"])
    message.attach_alternative("<p>HTML</p>", "text/html")
    message.attach("programme.ics", "BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    message.attach("logo.png", b"\x89PNG\x00\xff", "image/png")
    with django_capture_on_commit_callbacks(execute=True):
        message.send()
    [sent] = mail.outbox
    assert sent.alternatives[0][0] == "<p>HTML</p>"
    assert [a[0] for a in sent.attachments] == ["programme.ics", "logo.png"]
    assert sent.attachments[1][1] == b"\x89PNG\x00\xff"


def test_an_outage_keeps_the_mail_queued_and_the_retry_delivers_each_message_once(smtp):
    ids = outgoing_mail_store(messages(3))
    for attempt in (1, 2):
        with pytest.raises(OSError):
            outgoing_mail_send(ids)
        rows = OutgoingMail.objects.filter(pk__in=ids)
        assert {(row.status, row.attempts) for row in rows} == {("queued", attempt)}
        assert all("Connection refused" in row.last_error for row in rows)
    smtp.start()
    assert outgoing_mail_send(ids) == 3
    # A retried or duplicated task finds nothing left to send.
    assert outgoing_mail_send(ids) == 0
    send_queued_mail.apply(args=[ids])
    received = Counter(smtp.recorder.message_ids)
    stored = {row.headers["Message-ID"] for row in OutgoingMail.objects.filter(pk__in=ids)}
    assert set(received) == stored
    assert set(received.values()) == {1}
    rows = OutgoingMail.objects.filter(pk__in=ids)
    assert {(row.status, row.attempts, row.last_error) for row in rows} == {("sent", 3, "")}


def test_after_the_last_retry_the_mail_fails_and_resend_delivers_it_once(
    smtp, client, django_capture_on_commit_callbacks
):
    [pk] = outgoing_mail_store(messages(1))
    send_queued_mail.apply(args=[[pk]])  # eagerly: every retry at once
    row = OutgoingMail.objects.get(pk=pk)
    assert (row.status, row.attempts) == ("failed", MAIL_MAX_RETRIES + 1)
    assert "Connection refused" in row.last_error
    smtp.start()
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/portal/outgoingmail/", {"action": "resend", "_selected_action": [pk]}
        )
    assert response.status_code == 302
    row.refresh_from_db()
    assert row.status == "sent"
    assert smtp.recorder.message_ids == [row.headers["Message-ID"]]


def test_a_batch_is_sent_over_one_connection(smtp, django_capture_on_commit_callbacks):
    smtp.start()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        mail.get_connection().send_messages(messages(20))
    assert len(callbacks) == 1  # one task for the batch
    assert len(smtp.recorder.message_ids) == 20
    assert len(smtp.recorder.connections) == 1
    assert set(OutgoingMail.objects.values_list("status", flat=True)) == {"sent"}


def test_admin_lists_the_outbox_for_site_administrators(client):
    outgoing_mail_store(messages(1))
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    response = client.get("/admin/portal/outgoingmail/?status__exact=queued")
    assert "Message 0" in response.content.decode()
    assert "to0@example.test" in response.content.decode()


def test_mail_sent_inside_a_batch_block_goes_out_as_one_task(
    mail_queue, monkeypatch, django_capture_on_commit_callbacks
):
    from portal import mail as portal_mail

    tasks = []
    monkeypatch.setattr(portal_mail.send_queued_mail, "delay", lambda ids: tasks.append(ids))
    with django_capture_on_commit_callbacks(execute=True), portal_mail.mail_batch():
        for number in range(3):
            send_mail("Konu", "Metin", None, [f"kisi{number}@example.test"])
        with portal_mail.mail_batch():  # a block inside a block joins the outer batch
            send_mail("Konu", "Metin", None, ["icteki@example.test"])
        assert tasks == []
    assert len(tasks) == 1
    assert sorted(tasks[0]) == sorted(OutgoingMail.objects.values_list("pk", flat=True))
    assert len(tasks[0]) == 4


@pytest.mark.django_db(transaction=True)
def test_a_bulk_action_notifies_every_ngo_in_one_batch(mail_queue, monkeypatch):
    from portal import mail as portal_mail
    from surveys.services.review import expectations_bulk
    from tests.factories import MembershipFactory, MunicipalStaffFactory
    from tests.surveys.factories import ExpectationFactory, SubmissionFactory, erzurum_metropolitan

    tasks = []
    monkeypatch.setattr(portal_mail.send_queued_mail, "delay", lambda ids: tasks.append(ids))
    officer = MunicipalStaffFactory(municipality=erzurum_metropolitan()).user
    ids, admins = [], []
    for number in range(3):
        admin = MembershipFactory(role="admin")
        admins.append(admin.user.email)
        submission = SubmissionFactory(
            ngo=admin.ngo,
            status="submitted",
            receipt_number=f"BATCH-{number}",
            submitted_at=timezone.now(),
        )
        ids.append(ExpectationFactory(submission=submission).pk)
    # Each case is its own transaction, committed at once (as in a request).
    result = expectations_bulk(
        expectation_ids=ids, user=officer, action="status", to_status="under_review"
    )
    assert result.done == ids
    assert len(tasks) == 1
    assert len(tasks[0]) == 3
    assert sorted(
        address for to in OutgoingMail.objects.values_list("to", flat=True) for address in to
    ) == sorted(admins)


def test_a_large_batch_is_split_into_tasks_of_task_size_messages(
    mail_queue, monkeypatch, django_capture_on_commit_callbacks
):
    from portal import mail as portal_mail

    tasks = []
    monkeypatch.setattr(portal_mail, "TASK_SIZE", 2)
    monkeypatch.setattr(portal_mail.send_queued_mail, "delay", lambda ids: tasks.append(ids))
    with django_capture_on_commit_callbacks(execute=True), portal_mail.mail_batch():
        for number in range(5):
            send_mail("Konu", "Metin", None, [f"kisi{number}@example.test"])
    assert [len(ids) for ids in tasks] == [2, 2, 1]
    assert sorted(pk for ids in tasks for pk in ids) == sorted(
        OutgoingMail.objects.values_list("pk", flat=True)
    )
