"""What a signed-in person must do before anything else in the portal.

- **Acknowledge the current privacy notice** (KVKK): sign-up records it; when
  ``settings.PRIVACY_NOTICE_VERSION`` changes, everyone is asked again at their next request.
- **Set up a second factor** (an authenticator app or a security key), for coordinators,
  municipal managers and site administrators when ``settings.PORTAL_REQUIRE_2FA`` is on.

The duties are worked out when the person logs in and kept in the session with the notice version
they were worked out for: a person with none open costs no query per page; one with a duty open
is checked again at each request; removing an authenticator works them out again. Until they are
done, every page leads to the one that does them; log-out, the notice, the language switch and
allauth's two-factor pages stay open. Roles granted during a session apply from the next log-in.

Side effects of the receivers: the audit log records two-factor changes, recovery-code use and
acknowledgements of the notice.
"""

from urllib.parse import urlencode

from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect

from portal.access import roles_of
from portal.audit import audit
from portal.models import AuditEntry, PrivacyAcknowledgement

SESSION_KEY = "portal_duties"
PRIVACY = "privacy_notice"
SECOND_FACTOR = "second_factor"
SECOND_FACTOR_TYPES = (Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN)

# Pages a person with open duties may still reach (URL names; allauth's "mfa_" pages as well).
OPEN_PAGES = {
    "account_logout",
    "account_reauthenticate",
    "privacy",
    "privacy_acknowledge",
    "set_language",
    "healthz",
    "readyz",
    "javascript-catalog",
}


def second_factor_required(user) -> bool:
    if not settings.PORTAL_REQUIRE_2FA:
        return False
    roles = roles_of(user)
    return (
        roles.is_coordinator
        or roles.is_municipal_manager
        or roles.is_site_admin
        or user.is_superuser
    )


def has_second_factor(user) -> bool:
    return Authenticator.objects.filter(user=user, type__in=SECOND_FACTOR_TYPES).exists()


def open_duties(user) -> list[str]:
    """The duties ``user`` has not done yet, in the order they are asked for."""
    duties = []
    if not PrivacyAcknowledgement.objects.filter(
        user=user, version=settings.PRIVACY_NOTICE_VERSION
    ).exists():
        duties.append(PRIVACY)
    if second_factor_required(user) and not has_second_factor(user):
        duties.append(SECOND_FACTOR)
    return duties


def remember_duties(request, user) -> list[str]:
    duties = open_duties(user)
    request.session[SESSION_KEY] = {
        "version": settings.PRIVACY_NOTICE_VERSION,
        "open": duties,
    }
    return duties


def duties_of(request) -> list[str]:
    """The open duties of the signed-in person of ``request`` (from the session when current)."""
    stored = request.session.get(SESSION_KEY)
    # Open duties are checked again on every request (a person with one only reaches the pages
    # that do it), so a duty done by any means is seen at once; none open costs no query.
    if not stored or stored.get("version") != settings.PRIVACY_NOTICE_VERSION or stored["open"]:
        return remember_duties(request, request.user)
    return stored["open"]


def acknowledge_privacy_notice(user, *, request=None) -> PrivacyAcknowledgement:
    """Record that ``user`` acknowledged the current notice (once per version; audited)."""
    with transaction.atomic():
        acknowledgement, created = PrivacyAcknowledgement.objects.get_or_create(
            user=user, version=settings.PRIVACY_NOTICE_VERSION
        )
        if created:
            audit(
                AuditEntry.Action.PRIVACY_NOTICE,
                actor=user,
                target=f"portal.User #{user.pk}",
                details={"version": acknowledgement.version},
                request=request,
            )
    if request is not None and hasattr(request, "session") and request.user == user:
        remember_duties(request, user)
    return acknowledgement


def safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


class AccountDutiesMiddleware:
    """Leads a signed-in person with open duties to the page that does the first of them."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            duties = duties_of(request)
            if duties and not self._open_page(request):
                return self._lead(request, duties[0])
        return self.get_response(request)

    @staticmethod
    def _open_page(request) -> bool:
        try:
            name = resolve(request.path_info).url_name or ""
        except Resolver404:
            return True  # a 404 stays a 404
        return name in OPEN_PAGES or name.startswith("mfa_")

    @staticmethod
    def _lead(request, duty):
        if duty == PRIVACY:
            target = reverse("privacy_acknowledge")
            if request.method == "GET" and not request.htmx:
                target += "?" + urlencode({"next": request.get_full_path()})
        else:
            target = reverse("mfa_index")
            messages.info(
                request,
                _(
                    "Your role in the portal requires two-factor sign-in. Set up an authenticator "
                    "app or a security key to continue."
                ),
                fail_silently=True,
            )
        if request.htmx:
            return HttpResponseClientRedirect(target)
        return redirect(target)


@receiver(user_logged_in, dispatch_uid="duties_on_login")
def _on_login(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        remember_duties(request, user)


def _on_authenticator_change(change):
    def receiver_(sender, request, user, authenticator, **kwargs):
        audit(
            AuditEntry.Action.SECOND_FACTOR,
            actor=user,
            target=f"portal.User #{user.pk}",
            details={"type": authenticator.type, "change": change},
            request=request,
        )
        if request is not None and hasattr(request, "session"):
            remember_duties(request, user)

    return receiver_


_added = _on_authenticator_change("added")
_removed = _on_authenticator_change("removed")
_reset = _on_authenticator_change("reset")
mfa_signals.authenticator_added.connect(_added, dispatch_uid="duties_mfa_added")
mfa_signals.authenticator_removed.connect(_removed, dispatch_uid="duties_mfa_removed")
mfa_signals.authenticator_reset.connect(_reset, dispatch_uid="duties_mfa_reset")


def _fresh(authenticator):
    return Authenticator.objects.get(pk=authenticator.pk)


@receiver(mfa_signals.authenticator_used, dispatch_uid="duties_recovery_code_used")
def _on_authenticator_used(sender, request, user, authenticator, **kwargs):
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        audit(
            AuditEntry.Action.RECOVERY_CODE,
            actor=user,
            target=f"portal.User #{user.pk}",
            details={"unused_codes_left": len(_fresh(authenticator).wrap().get_unused_codes())},
            request=request,
        )
