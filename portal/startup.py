"""Checks the app servers make before serving (portal/wsgi.py, portal/asgi.py)."""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


def require_secret_key():
    """Refuse to serve without a secret key (sessions, CSRF and reset links are signed with it).
    Management commands that sign nothing run without one (see portal/settings.py)."""
    try:
        key = settings.SECRET_KEY
    except ImproperlyConfigured:  # Django's own refusal of an empty key
        key = ""
    if not key:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
