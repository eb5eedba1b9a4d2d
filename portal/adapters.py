"""django-allauth adapter: the landing page after log-in, and failed log-ins counted so that an
attacker is slowed down without locking the real owner out.

Failed log-ins (settings.ACCOUNT_RATE_LIMITS, kept in the shared cache):

- ``login_failed``: per address (``/ip``) and per account *from that address* (``/key``, the key
  being the account and the address together). Wrong passwords typed for someone else's account
  from one address do not lock its owner out at another address.
- ``login_failed_account``: a higher ceiling per account over all addresses, for an attack spread
  over many addresses; a password reset lifts it.
- After ``LOGIN_FAILURE_ALERT`` failures for an account within an hour, its owner is told by email
  (at most once an hour), with the addresses the attempts came from.
"""

import hashlib

from allauth.account.adapter import DefaultAccountAdapter
from allauth.core.internal import ratelimit
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

ALERT_WINDOW_SECONDS = 60 * 60
# The address a valid invitation was sent to, kept while its (anonymous) reader signs up.
INVITED_EMAIL_SESSION_KEY = "portal:invited_email"


def remember_invited_email(request, email: str) -> None:
    """Offer ``email`` on the sign-up form of this browser's session. Only for the address of a
    valid invitation the visitor has opened (members.views.invitations): the sign-up form then
    starts with the address the invitation can be accepted with."""
    request.session[INVITED_EMAIL_SESSION_KEY] = email


def invited_email(request) -> str:
    return request.session.get(INVITED_EMAIL_SESSION_KEY, "")


def forget_invited_email(request) -> None:
    request.session.pop(INVITED_EMAIL_SESSION_KEY, None)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class AccountAdapter(DefaultAccountAdapter):
    def get_login_redirect_url(self, request):
        language = getattr(request.user, "preferred_language", None) or translation.get_language()
        with translation.override(language):
            return reverse("dashboard")

    # -- failed log-ins ------------------------------------------------------------------------

    def pre_authenticate(self, request, **credentials):
        account = self._get_login_attempts_cache_key(request, **credentials)
        address = ratelimit.get_ip(request)
        usage = ratelimit.consume(
            request, app="allauth.account", action="login_failed", key=f"{account}|{address}"
        )
        if not usage:
            raise self.validation_error("too_many_login_attempts")
        ceiling = ratelimit.consume(
            request, app="allauth.account", action="login_failed_account", key=account
        )
        if not ceiling:
            usage.rollback()
            raise self.validation_error("too_many_login_attempts")
        # A successful log-in gives both back (allauth rolls this usage back).
        self._login_failed_rl_usage = ratelimit.RateLimitUsage(usage.usage + ceiling.usage)

    def _delete_login_attempts_cached_email(self, request, **credentials):
        # After a password reset the owner may log in at once, from anywhere.
        account = self._get_login_attempts_cache_key(request, **credentials)
        ratelimit.clear(request, app="allauth.account", action="login_failed_account", key=account)
        super()._delete_login_attempts_cached_email(request, **credentials)

    def authentication_failed(self, request, **credentials):
        login = (credentials.get("email") or credentials.get("username") or "").strip().lower()
        if not login:
            return
        key = f"portal:login-failures:{_digest(login)}"
        failures = cache.get(key) or []
        now = timezone.now().timestamp()
        failures = [f for f in failures if f[0] > now - ALERT_WINDOW_SECONDS]
        failures.append((now, ratelimit.get_ip(request)))
        cache.set(key, failures[-100:], ALERT_WINDOW_SECONDS)
        if len(failures) < settings.LOGIN_FAILURE_ALERT:
            return
        if not cache.add(f"portal:login-alert:{_digest(login)}", True, ALERT_WINDOW_SECONDS):
            return
        self._alert_owner(request, login, failures)

    def _alert_owner(self, request, login, failures):
        """Email the owner of ``login`` (if such an active account exists) about the failures."""
        owner = get_user_model().objects.filter(email__iexact=login, is_active=True).first()
        if owner is None:
            return
        addresses = sorted({address for _at, address in failures if address})
        with translation.override(owner.preferred_language or settings.LANGUAGE_CODE):
            context = {
                "recipient": owner,
                "count": len(failures),
                "addresses": addresses,
                "reset_url": request.build_absolute_uri(reverse("account_reset_password")),
            }
            subject = render_to_string("emails/login_failures_subject.txt", context)
            body = render_to_string("emails/login_failures.txt", context)
        send_mail(
            settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split()),
            body,
            None,
            [owner.email],
        )
