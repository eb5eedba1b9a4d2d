"""The portal's own pages: home, dashboard, profile, health check."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db import DatabaseError, connection
from django.db.models import Count, Q
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import i18n
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.generic import UpdateView

from municipalities.models import Municipality, MunicipalStaff, Province, SubRegion
from ngos.models import NGO, JoinRequest, Membership
from portal.access import roles_of
from portal.forms import ProfileForm
from surveys.models import Campaign, Expectation, Submission


@require_GET
def home(request):
    """The public front page: what the project is, with figures from the database."""
    counts = {
        "provinces": Province.objects.count(),
        "subregions": SubRegion.objects.count(),
        "municipalities": Municipality.objects.count(),
        "ngos": NGO.objects.verified().count(),
    }
    return render(request, "portal/home.html", {"counts": counts})


@login_required
@require_GET
def dashboard(request):
    """Each role's start page: one section per role the user holds."""
    roles = roles_of(request.user)
    context = {"roles": roles}
    if roles.is_ngo_member:
        memberships = list(
            Membership.objects.filter(user=request.user)
            .select_related("ngo__province")
            .annotate(
                pending_join_requests=Count(
                    "ngo__join_requests",
                    filter=Q(ngo__join_requests__status=JoinRequest.Status.PENDING),
                )
            )
            .order_by("ngo__name_sort")
        )
        _attach_open_campaigns(memberships, roles)
        context["ngo_memberships"] = memberships
    if roles.is_municipal_staff:
        context["municipal_roles"] = (
            MunicipalStaff.objects.filter(user=request.user)
            .select_related("municipality__province", "municipality__district")
            .order_by("municipality__name_sort")
        )
        context["open_cases"] = Expectation.objects.in_inbox_of(request.user).open().count()
    if roles.is_coordinator:
        context["coordinated_subregions"] = (
            SubRegion.objects.all()
            if roles.is_national_coordinator
            else SubRegion.objects.filter(pk__in=roles.subregion_ids)
        ).select_related("region", "host_province")
    if roles.is_coordinator or roles.is_site_admin:
        context["pending_verifications"] = (
            NGO.objects.coordinated_by(request.user).filter(status=NGO.Status.PENDING).count()
        )
    return render(request, "portal/dashboard.html", context)


def _attach_open_campaigns(memberships, roles):
    """Give each membership of a verified NGO the open campaigns in its scope, each with the
    NGO's submission (or None): two queries whatever the number of NGOs and campaigns."""
    campaigns = list(Campaign.objects.open_at().prefetch_related("subregions"))
    submissions = {
        (s.campaign_id, s.ngo_id): s
        for s in Submission.objects.filter(ngo__in=roles.ngo_ids, campaign__in=campaigns)
    }
    for membership in memberships:
        ngo = membership.ngo
        membership.open_campaigns = [
            (campaign, submissions.get((campaign.pk, ngo.pk)))
            for campaign in campaigns
            if ngo.is_verified and campaign.covers_subregion(ngo.province.subregion_id)
        ]


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
