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


# People in Turkish alphabetical order (C < Ç, I < İ, O < Ö, S < Ş, U < Ü), with a tie broken by
# the e-mail address; a binary or English order puts the accented capitals after Z.
PEOPLE_IN_TURKISH_ORDER = [
    ("Ali Demir", "ali.demir.a@example.org"),
    ("Ali Demir", "ali.demir.b@example.org"),
    ("Cem Ok", "cem@example.org"),
    ("Çağla Er", "cagla@example.org"),
    ("Işıl Ay", "isil@example.org"),
    ("İlker Su", "ilker@example.org"),
    ("Özge Tan", "ozge@example.org"),
    ("Şule Ekin", "sule@example.org"),
    ("Ümit Yurt", "umit@example.org"),
    ("Zafer Ak", "zafer@example.org"),
]


def people_in_mixed_order(make_user):
    """Create the people of PEOPLE_IN_TURKISH_ORDER, newest first, and return them in that order.

    ``make_user(full_name=..., email=...)`` creates one; creating them in reverse makes their
    primary keys disagree with the expected order, so an order by pk cannot pass by chance.
    """
    made = {
        email: make_user(full_name=name, email=email)
        for name, email in PEOPLE_IN_TURKISH_ORDER[::-1]
    }
    return [made[email] for _, email in PEOPLE_IN_TURKISH_ORDER]
