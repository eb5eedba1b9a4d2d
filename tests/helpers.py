"""Small helpers shared by the test modules."""

from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import translation


def en(name, *args):
    """The English URL of a view (the Turkish one has no prefix)."""
    with translation.override("en"):
        return reverse(name, args=args)


def messages_of(response):
    """The flash messages the response's request added, as text."""
    return [str(m) for m in get_messages(response.wsgi_request)]


class DownEmailBackend:
    """A mail server that cannot be reached (PORTAL_EMAIL_BACKEND in the ``mail_server_down``
    fixture)."""

    def __init__(self, fail_silently=False, **kwargs):
        pass

    def open(self):
        raise ConnectionRefusedError("mail server down")

    def close(self):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("mail server down")
