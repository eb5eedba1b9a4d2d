"""The portal's own pages: profile, privacy notice, language switch, health and readiness checks."""

from urllib.parse import urlencode, urlsplit

from allauth.account.views import SignupView as AllauthSignupView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import UpdateView

from portal.adapters import invited_email
from portal.duties import acknowledge_privacy_notice, safe_next
from portal.forms.account import PrivacyAcknowledgementForm, ProfileForm
from portal.health import readiness


def privacy_notice_context() -> dict:
    """What the privacy notice quotes from the settings: its version, contact and the retention
    periods that the nightly purge applies."""
    return {
        "version": settings.PRIVACY_NOTICE_VERSION,
        "contact": settings.PRIVACY_CONTACT_EMAIL,
        "retention": settings.RETENTION_DAYS,
        "session_hours": settings.SESSION_COOKIE_AGE // 3600,
    }


@require_GET
def privacy(request):
    """The privacy notice under KVKK (art. 10): controller, purposes and legal grounds,
    recipients, collection, retention and the rights of art. 11."""
    return render(request, "portal/privacy.html", {"notice": privacy_notice_context()})


@login_required
def privacy_acknowledge(request):
    """Asks a signed-in person to acknowledge the current version of the privacy notice."""
    fallback = reverse("dashboard")
    form = PrivacyAcknowledgementForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        acknowledge_privacy_notice(request.user, request=request)
        return redirect(safe_next(request, fallback))
    previous = request.user.privacy_acknowledgements.values_list("version", flat=True).first()
    return render(
        request,
        "portal/privacy_acknowledge.html",
        {
            "form": form,
            "notice": privacy_notice_context(),
            "next": safe_next(request, fallback),
            "previous_version": previous,
        },
    )


class SignupView(AllauthSignupView):
    """allauth's sign-up, starting with the address of the invitation the visitor opened."""

    def get_initial(self):
        initial = super().get_initial()
        if not initial.get("email") and invited_email(self.request):
            initial["email"] = invited_email(self.request)
        return initial


class ProfileView(LoginRequiredMixin, UpdateView):
    """The user's own name and preferred language."""

    form_class = ProfileForm
    template_name = "portal/profile.html"

    def get_object(self, queryset=None):
        return self.request.user

    def get_success_url(self):
        with translation.override(self.object.preferred_language):
            return reverse("profile")

    def form_valid(self, form):
        messages.success(self.request, _("Your profile has been saved."))
        return super().form_valid(form)


@require_POST
def set_language(request):
    """Switch language and stay on the same page; remember the choice for a logged-in user.

    Django's own view resolves ``next`` in the language of this (unprefixed) URL, Turkish, so it
    cannot translate an English ``/en/…`` address back; resolving it in its own language can.
    """
    next_path = urlsplit(request.POST.get("next", "")).path
    language = translation.get_language_from_path(next_path) or settings.LANGUAGE_CODE
    chosen = request.POST.get("language")
    if request.user.is_authenticated and chosen in dict(settings.LANGUAGES):
        request.user.preferred_language = chosen
        request.user.save(update_fields=["preferred_language"])
    with translation.override(language):
        return i18n.set_language(request)


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers a query, 503 otherwise (for load balancers and probes)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    return JsonResponse({"status": "ok", "database": "up"})


@never_cache
@require_GET
def readyz(request):
    """200 when the database, Redis and a worker (its heartbeat at most a minute old) answer;
    503 naming the part that does not. Without REDIS_URL tasks run in the web process: only the
    database is checked."""
    ready, parts = readiness()
    return JsonResponse(
        {"status": "ok" if ready else "unavailable", **parts}, status=200 if ready else 503
    )


def admin_login(request, extra_context=None):
    """The administration site's log-in page is the portal's own (allauth: its rate limits apply
    to administrators too): anonymous visitors are sent there and come back afterwards; a
    signed-in administrator goes on; anyone else signed in is refused (403), never sent round in
    a loop between the two log-ins."""
    next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("admin:index")
    if request.user.is_authenticated:
        if request.user.is_active and request.user.is_staff:
            return redirect(next_url)
        raise PermissionDenied
    return redirect(f"{reverse('account_login')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}")
