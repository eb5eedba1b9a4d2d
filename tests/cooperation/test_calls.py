"""Delivering calls for support on the task worker: every person and channel gets one Delivery
row whose state, attempts and last error are recorded; a down SMS gateway or mail server loses
nothing (retries with backoff, then "failed", then "send again"); the HTTP gateway backend."""

import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone

from cooperation import tasks
from cooperation.models import Delivery
from cooperation.services import sms
from cooperation.services.calls import (
    calls_send,
    deliveries_retry_failed,
    deliveries_send,
    deliveries_stale,
)
from cooperation.services.sms import HttpGatewayBackend, SmsError, normalise_number
from portal.models import Notification
from tests.factories import (
    ActivationFactory,
    MembershipFactory,
    MunicipalStaffFactory,
    NGOFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


class DownGateway(sms.BaseSmsBackend):
    """An SMS gateway that cannot be reached."""

    def send(self, to, text):
        raise SmsError("gateway unreachable: connection refused")


class FlakyGateway(sms.BaseSmsBackend):
    """Down for the first two messages, then up."""

    calls = 0

    def send(self, to, text):
        FlakyGateway.calls += 1
        if FlakyGateway.calls <= 2:
            raise SmsError("503 from gateway")
        sms.outbox.append((to, text))
        return "ok"


@pytest.fixture(autouse=True)
def _fresh():
    sms.outbox.clear()
    FlakyGateway.calls = 0


@pytest.fixture
def officer():
    return MunicipalStaffFactory(role="manager").user


def ngos_with_people(count, *, phone="+90 532 123 45 67"):
    ngos = []
    for n in range(count):
        ngo = NGOFactory(name=f"Çağrı Derneği {n}", phone=phone)
        MembershipFactory(ngo=ngo, role="admin")
        MembershipFactory(ngo=ngo, role="member")
        ngos.append(ngo)
    return ngos


def test_the_request_only_queues_and_the_worker_delivers_after_commit(
    officer, django_capture_on_commit_callbacks
):
    activation = ActivationFactory()
    ngos = ngos_with_people(3)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        calls = calls_send(activation=activation, ngo_ids=[n.pk for n in ngos], user=officer)
    # Before the commit nothing has been delivered: every row is queued.
    assert len(calls) == 3 and len(callbacks) == 1  # one task for the batch of three calls
    assert set(Delivery.objects.values_list("state", flat=True)) == {"queued"}
    assert Delivery.objects.count() == 3 * (2 * 2 + 1)
    assert not Notification.objects.exists() and not sms.outbox and not mail.outbox

    callbacks[0]()  # the worker runs the task

    assert set(Delivery.objects.values_list("state", "attempts")) == {("sent", 1)}
    assert Notification.objects.filter(kind="activation_call").count() == 6
    assert len(mail.outbox) == 6 and len(sms.outbox) == 3


def test_calls_are_delivered_in_batches_of_tasks(
    officer, settings, django_capture_on_commit_callbacks
):
    settings.CALL_DELIVERY_BATCH = 2
    ngos = ngos_with_people(5)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        calls_send(activation=ActivationFactory(), ngo_ids=[n.pk for n in ngos], user=officer)

    assert len(callbacks) == 3
    assert not Delivery.objects.exclude(state="sent").exists()


def test_a_down_sms_gateway_keeps_the_sms_queued_with_its_error(officer, settings):
    settings.SMS_BACKEND = "tests.cooperation.test_calls.DownGateway"
    activation = ActivationFactory()
    (ngo,) = ngos_with_people(1)
    calls = calls_send(activation=activation, ngo_ids=[ngo.pk], user=officer)

    pending = deliveries_send(call_ids=[calls[0].pk])

    sms_row = Delivery.objects.get(channel="sms")
    assert pending == 1
    assert (sms_row.state, sms_row.attempts) == ("queued", 1)
    assert "connection refused" in sms_row.last_error
    # In-app and e-mail are not held up by the SMS gateway.
    assert set(Delivery.objects.exclude(channel="sms").values_list("state", flat=True)) == {"sent"}


def test_the_task_retries_with_backoff_until_the_gateway_is_back(officer, settings):
    settings.SMS_BACKEND = "tests.cooperation.test_calls.FlakyGateway"
    activation = ActivationFactory()
    (ngo,) = ngos_with_people(1)
    call = calls_send(activation=activation, ngo_ids=[ngo.pk], user=officer)[0]

    assert tasks.deliver_calls.retry_backoff is True and tasks.deliver_calls.max_retries >= 10
    with pytest.raises(tasks.DeliveryPending):
        tasks.deliver_calls.run([call.pk])  # first try: the gateway answers 503
    with pytest.raises(tasks.DeliveryPending):
        tasks.deliver_calls.run([call.pk])  # second try: still down
    assert tasks.deliver_calls.run([call.pk]) == 0  # third try: delivered

    row = Delivery.objects.get(channel="sms")
    assert (row.state, row.attempts, row.last_error) == ("sent", 3, "")
    assert len(sms.outbox) == 1
    # The in-app and e-mail rows were sent once only, on the first try.
    assert set(Delivery.objects.exclude(channel="sms").values_list("attempts", flat=True)) == {1}


def test_after_the_last_retry_the_sms_is_failed_and_can_be_sent_again(
    officer, settings, django_capture_on_commit_callbacks
):
    settings.SMS_BACKEND = "tests.cooperation.test_calls.DownGateway"
    activation = ActivationFactory()
    (ngo,) = ngos_with_people(1)
    call = calls_send(activation=activation, ngo_ids=[ngo.pk], user=officer)[0]

    deliveries_send(call_ids=[call.pk], final=True)

    row = Delivery.objects.get(channel="sms")
    assert (row.state, row.attempts) == ("failed", 1) and row.last_error
    settings.SMS_BACKEND = "cooperation.services.sms.LocmemBackend"
    with django_capture_on_commit_callbacks(execute=True):
        assert deliveries_retry_failed(activation=activation, user=officer) == [call.pk]
    row.refresh_from_db()
    assert (row.state, row.attempts) == ("sent", 2) and len(sms.outbox) == 1


def test_a_down_mail_server_does_not_lose_the_emails(officer, mail_server_down):
    """With the portal's outbox, the e-mails are stored and sent by their own retried task: the
    call's e-mail deliveries are done once the outbox holds them."""
    from portal.models import OutgoingMail

    activation = ActivationFactory()
    (ngo,) = ngos_with_people(1)
    call = calls_send(activation=activation, ngo_ids=[ngo.pk], user=officer)[0]

    deliveries_send(call_ids=[call.pk])

    assert set(Delivery.objects.filter(channel="email").values_list("state", flat=True)) == {"sent"}
    stored = OutgoingMail.objects.filter(subject__contains=activation.title)
    assert stored.count() == 2 and set(stored.values_list("status", flat=True)) == {"queued"}


def test_an_ngo_without_a_mobile_number_gets_no_sms_row(officer):
    (ngo,) = ngos_with_people(1, phone="0442 235 00 00")

    calls_send(activation=ActivationFactory(), ngo_ids=[ngo.pk], user=officer)

    assert not Delivery.objects.filter(channel="sms").exists()


def test_inactive_people_are_not_called(officer):
    (ngo,) = ngos_with_people(1)
    gone = MembershipFactory(ngo=ngo, user=UserFactory(is_active=False)).user

    calls_send(activation=ActivationFactory(), ngo_ids=[ngo.pk], user=officer)

    assert not Delivery.objects.filter(recipient=gone).exists()


def test_the_sweep_finds_deliveries_whose_task_was_lost(officer):
    (ngo,) = ngos_with_people(1)
    call = calls_send(activation=ActivationFactory(), ngo_ids=[ngo.pk], user=officer)[0]
    Delivery.objects.update(created_at=timezone.now() - timezone.timedelta(hours=1))

    assert deliveries_stale() == [call.pk]
    tasks.deliveries_sweep()  # eager: delivers at once

    assert not Delivery.objects.exclude(state="sent").exists()
    assert deliveries_stale() == []


def test_unverified_ngos_cannot_be_called(officer):
    pending = NGOFactory(status="pending")

    with pytest.raises(Exception, match="doğrulanmış"):
        calls_send(activation=ActivationFactory(), ngo_ids=[pending.pk], user=officer)


def test_ngos_called_already_are_named_in_turkish_order(officer):
    activation = ActivationFactory()
    names = ["Çevre Derneği", "Ilgaz Derneği", "İyilik Derneği", "Zafer Derneği"]
    ngos = [NGOFactory(name=name) for name in reversed(names)]
    calls_send(activation=activation, ngo_ids=[n.pk for n in ngos], user=officer)

    with pytest.raises(ValidationError) as refused:
        calls_send(activation=activation, ngo_ids=[n.pk for n in ngos], user=officer)
    assert refused.value.messages == [f"Zaten çağrıldı: {', '.join(names)}."]


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("0532 123 45 67", "+905321234567"),
        ("+90 (532) 123-45-67", "+905321234567"),
        ("5321234567", "+905321234567"),
        ("0442 235 00 00", ""),
        ("", ""),
    ],
)
def test_mobile_numbers_are_normalised(typed, number):
    assert normalise_number(typed) == number


# --- the HTTP gateway backend ----------------------------------------------------------------


class Gateway(BaseHTTPRequestHandler):
    received = []
    status = 200

    def do_POST(self):  # noqa: N802 (the http.server API)
        body = self.rfile.read(int(self.headers["Content-Length"]))
        Gateway.received.append((self.headers["Authorization"], json.loads(body)))
        self.send_response(Gateway.status)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"id": "msg-1"}')

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    Gateway.received, Gateway.status = [], 200
    server = HTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_port}/send"
    settings.SMS_GATEWAY_TOKEN = "secret-token"  # noqa: S105 (a test value)
    settings.SMS_SENDER = "BELEDIYE"
    settings.SMS_GATEWAY_TIMEOUT = 2
    yield server
    server.shutdown()


def test_http_gateway_posts_json_with_the_token(gateway):
    message_id = HttpGatewayBackend().send("+905321234567", "Destek çağrısı")

    assert message_id == "msg-1"
    assert Gateway.received == [
        (
            "Bearer secret-token",
            {"to": "+905321234567", "text": "Destek çağrısı", "sender": "BELEDIYE"},
        )
    ]


@pytest.mark.parametrize(("status", "permanent"), [(400, True), (429, False), (503, False)])
def test_http_gateway_errors_say_whether_to_retry(gateway, status, permanent):
    Gateway.status = status

    with pytest.raises(SmsError) as raised:
        HttpGatewayBackend().send("+905321234567", "x")

    assert raised.value.permanent is permanent


def test_http_gateway_unreachable_is_temporary(settings):
    settings.SMS_GATEWAY_URL = "http://127.0.0.1:9/send"
    settings.SMS_GATEWAY_TIMEOUT = 1

    with pytest.raises(SmsError) as raised:
        HttpGatewayBackend().send("+905321234567", "x")

    assert not raised.value.permanent


def test_without_a_worker_a_down_gateway_never_breaks_the_request(
    officer, settings, django_capture_on_commit_callbacks
):
    """Eager tasks (no REDIS_URL) retry at once: the SMS ends failed with every attempt counted,
    the officer's call stands and the other channels are delivered."""
    settings.SMS_BACKEND = "tests.cooperation.test_calls.DownGateway"
    (ngo,) = ngos_with_people(1)

    with django_capture_on_commit_callbacks(execute=True):
        calls = calls_send(activation=ActivationFactory(), ngo_ids=[ngo.pk], user=officer)

    row = Delivery.objects.get(channel="sms")
    assert len(calls) == 1
    assert (row.state, row.attempts) == ("failed", tasks.CALL_DELIVERY_MAX_RETRIES + 1)
    assert set(Delivery.objects.exclude(channel="sms").values_list("state", flat=True)) == {"sent"}
