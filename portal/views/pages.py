"""The portal's own pages: profile, privacy notice, language switch, health and readiness checks."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import DatabaseError, connection
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import UpdateView

from portal.forms.account import ProfileForm
from portal.health import readiness


@require_GET
def privacy(request):
    """The privacy notice under KVKK: what is kept, who sees it, for how long, and your rights."""
    return render(request, "portal/privacy.html")


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
