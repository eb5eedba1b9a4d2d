"""Sending SMS through a pluggable backend (``settings.SMS_BACKEND``), like Django's e-mail
backends: the console in debug, an in-memory outbox in the tests, an HTTP gateway in production.

A backend has one method, ``send(to, text)``; it returns the gateway's message id (or "") and
raises ``SmsError`` when the message was not accepted. ``SmsError.permanent`` says that trying
again cannot help (a malformed number); any other failure is retried by the task worker.

The HTTP gateway (``HttpGatewayBackend``) POSTs one JSON document per message::

    POST settings.SMS_GATEWAY_URL
    Authorization: Bearer settings.SMS_GATEWAY_TOKEN
    Content-Type: application/json

    {"to": "+905321234567", "text": "…", "sender": settings.SMS_SENDER}

and takes any 2xx answer as accepted (its JSON ``id``, if any, is returned). A 4xx answer other
than 408 and 429 is a permanent failure; 408, 429, 5xx, time-outs and network errors are
temporary. Settings: SMS_GATEWAY_URL, SMS_GATEWAY_TOKEN, SMS_SENDER, SMS_GATEWAY_TIMEOUT
(seconds, default 10). Most Turkish SMS providers (İleti Merkezi, Netgsm, …) offer such an
endpoint or sit behind a small adapter that does.
"""

import json
import logging
import re
import sys
import threading
import urllib.error
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

# What the locmem backend has sent, as (to, text) pairs (like django.core.mail.outbox).
outbox: list[tuple[str, str]] = []
_outbox_lock = threading.Lock()

# A Turkish mobile number: 05xx, 5xx, 905xx or +905xx, with spaces, dots or dashes between.
_MOBILE = re.compile(r"^(?:\+?90|0)?(5\d{9})$")


class SmsError(Exception):
    """The gateway did not accept the message."""

    def __init__(self, message, *, permanent=False):
        super().__init__(message)
        self.permanent = permanent


def normalise_number(phone: str) -> str:
    """The number in E.164 form (+905xxxxxxxxx), or "" if it is not a Turkish mobile number
    (a landline cannot receive an SMS)."""
    digits = re.sub(r"[\s().-]", "", phone or "")
    match = _MOBILE.match(digits)
    return f"+90{match.group(1)}" if match else ""


class BaseSmsBackend:
    def send(self, to: str, text: str) -> str:
        raise NotImplementedError


class ConsoleBackend(BaseSmsBackend):
    """Prints each message (debug)."""

    def send(self, to, text):
        sys.stdout.write(f"SMS to {to}: {text}\n")
        sys.stdout.flush()
        return ""


class LocmemBackend(BaseSmsBackend):
    """Keeps each message in ``cooperation.services.sms.outbox`` (tests)."""

    def send(self, to, text):
        with _outbox_lock:
            outbox.append((to, text))
        return str(len(outbox))


class HttpGatewayBackend(BaseSmsBackend):
    """POSTs each message as JSON to the gateway configured in the settings (see the module)."""

    def __init__(self):
        self.url = settings.SMS_GATEWAY_URL
        self.token = settings.SMS_GATEWAY_TOKEN
        self.sender = settings.SMS_SENDER
        self.timeout = settings.SMS_GATEWAY_TIMEOUT

    def send(self, to, text):
        if not self.url:
            raise SmsError("SMS_GATEWAY_URL is not set", permanent=True)
        body = json.dumps({"to": to, "text": text, "sender": self.sender}).encode()
        request = urllib.request.Request(  # noqa: S310 (the URL comes from the settings)
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "Accept": "application/json",
                "Authorization": f"Bearer {self.token}",
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                payload = response.read()
        except urllib.error.HTTPError as error:
            permanent = 400 <= error.code < 500 and error.code not in (408, 429)
            raise SmsError(f"gateway answered {error.code}", permanent=permanent) from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise SmsError(f"gateway unreachable: {error}") from error
        try:
            return str(json.loads(payload or b"{}").get("id", ""))[:100]
        except (ValueError, AttributeError):
            return ""


def get_backend() -> BaseSmsBackend:
    """An instance of ``settings.SMS_BACKEND``."""
    return import_string(settings.SMS_BACKEND)()
