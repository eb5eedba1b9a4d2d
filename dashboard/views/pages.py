"""The front page and each role's start page: they gather figures from every app."""

from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import render
from django.views.decorators.http import require_GET

from cooperation.services.activations import dashboard_activations
from cooperation.services.protocols import protocol_counts
from dashboard import figures
from municipalities.models import Municipality, MunicipalStaff, Province, SubRegion
from ngos.models import NGO, JoinRequest, Membership
from portal.access import roles_of
from surveys.models import Campaign, Submission


@require_GET
def home(request):
    """The public front page: what the project is, with figures from the database."""
    counts = {
        "provinces": Province.objects.count(),
        "subregions": SubRegion.objects.count(),
        "municipalities": Municipality.objects.count(),
        "ngos": NGO.objects.verified().count(),
    }
    return render(request, "dashboard/home.html", {"counts": counts})


@login_required
@require_GET
def dashboard(request):
    """Each role's start page: one section per role the user holds, opening with the figures
    its user acts on (dashboard.figures) and the links to the role's pages."""
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
        counts = figures.ngo_case_counts(roles.ngo_ids)
        for membership in memberships:
            membership.cases = counts.get(
                membership.ngo_id, {"open": 0, "awaiting_confirmation": 0}
            )
        context["ngo_memberships"] = memberships
    if roles.is_municipal_staff:
        context["municipal_roles"] = (
            MunicipalStaff.objects.filter(user=request.user)
            .select_related("municipality__province", "municipality__district")
            .order_by("municipality__name_sort")
        )
        context["case_counts"] = figures.municipal_case_counts(request.user)
    if roles.is_coordinator:
        context["coordinated_subregions"] = (
            SubRegion.objects.all()
            if roles.is_national_coordinator
            else SubRegion.objects.filter(pk__in=roles.subregion_ids)
        ).select_related("region", "host_province")
        context["participation"] = figures.campaign_participation(request.user)
        context["overdue_provinces"] = figures.overdue_by_province(request.user)
        context["next_programmes"] = figures.next_programmes(request.user)
    if roles.is_coordinator or roles.is_site_admin:
        context["pending_verifications"] = (
            NGO.objects.coordinated_by(request.user).filter(status=NGO.Status.PENDING).count()
        )
    # --- Protocols (issue 16): cooperation protocols within the user's reach, by status ---
    if roles.has_any_role:
        context["protocol_counts"] = protocol_counts(request.user)
    # --- end of Protocols ---
    # --- activations (issue 16) ---
    context.update(dashboard_activations(request.user))
    # --- end of activations ---
    return render(request, "dashboard/dashboard.html", context)


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
