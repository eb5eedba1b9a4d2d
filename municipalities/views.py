"""The public municipality directory, and the staff page of each municipality."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from municipalities.filters import MunicipalityFilter
from municipalities.models import District, Municipality, MunicipalStaff
from municipalities.services import municipal_staff_change_role, municipal_staff_remove
from ngos.forms.membership import InvitationForm, RoleForm
from portal.htmx import render_page
from portal.member_actions import change_role, send_invitation, withdraw_invitation
from portal.services import INVITATION_DAYS, invitations_pending_for
from portal.turkish import sort_key

PAGE_SIZE = 25


@require_GET
def municipality_list(request):
    """Every municipality, filtered by sub-region, province, kind and a Turkish-aware search."""
    filterset = MunicipalityFilter(
        request.GET, queryset=Municipality.objects.with_place().alphabetical()
    )
    # An invalid filter value shows the form's error and an empty list, never a 500.
    queryset = filterset.qs if filterset.is_valid() else Municipality.objects.none()
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter": filterset, "page": page, "query": query.urlencode()}
    return render_page(request, "municipalities/municipality_list.html", context)


@require_GET
def municipality_detail(request, slug):
    """A municipality's contacts and its place in the hierarchy."""
    municipality = get_object_or_404(
        Municipality.objects.select_related(
            "province__subregion__region", "province__region", "district", "parent"
        ),
        slug=slug,
    )
    neighbours = (
        Municipality.objects.filter(province=municipality.province_id)
        .exclude(pk=municipality.pk)
        .select_related("district")
        .order_by("kind", "name_sort")
    )
    can_view_staff = request.user.is_authenticated and request.user.has_perm(
        "municipalities.view_staff", municipality
    )
    return render(
        request,
        "municipalities/municipality_detail.html",
        {"municipality": municipality, "neighbours": neighbours, "can_view_staff": can_view_staff},
    )


@require_GET
def place_options(request):
    """The district and municipality options of a province (htmx swaps them into a form)."""
    try:
        province_id = int(request.GET.get("province", ""))
    except ValueError:
        province_id = None
    target = request.GET.get("municipality_target", "id_municipality")
    if not target.replace("_", "").replace("-", "").isalnum():
        target = "id_municipality"
    return render(
        request,
        "municipalities/place_options.html",
        {
            "districts": District.objects.filter(province_id=province_id).order_by("name_sort"),
            "municipalities": Municipality.objects.filter(province_id=province_id).order_by(
                "kind", "name_sort"
            ),
            "municipality_target": target,
        },
    )


# --- Staff of a municipality -----------------------------------------------------------------
# Seen by its staff, coordinators of its sub-region and site administrators (others: 404).
# Managers invite colleagues and change roles; coordinators appoint managers by invitation.

STAFF_TEMPLATE = "municipalities/staff_list.html"


def _staff_municipality(request, slug):
    """The municipality if the user may see its staff; a 404 otherwise."""
    municipality = get_object_or_404(Municipality.objects.select_related("province"), slug=slug)
    if not request.user.has_perm("municipalities.view_staff", municipality):
        raise Http404
    return municipality


def _managed_municipality(request, slug):
    """The municipality if the user manages its staff; 403 for other people who see the page."""
    municipality = _staff_municipality(request, slug)
    if not request.user.has_perm("municipalities.invite_staff", municipality):
        raise PermissionDenied
    return municipality


def _invitable_roles(user, municipality):
    """Managers invite staff and managers; coordinators only appoint managers."""
    if user.has_perm("municipalities.invite_staff", municipality):
        return MunicipalStaff.Role.choices
    if user.has_perm("municipalities.appoint_manager", municipality):
        return [(MunicipalStaff.Role.MANAGER, MunicipalStaff.Role.MANAGER.label)]
    return []


def _may_revoke(user, municipality, invitation):
    return user.has_perm("municipalities.invite_staff", municipality) or (
        invitation.role == MunicipalStaff.Role.MANAGER
        and user.has_perm("municipalities.appoint_manager", municipality)
    )


def _render_staff(request, municipality, *, invite_form=None):
    can_manage = request.user.has_perm("municipalities.invite_staff", municipality)
    roles = _invitable_roles(request.user, municipality)
    staff = sorted(
        municipality.staff.select_related("user"),
        key=lambda s: (s.role != MunicipalStaff.Role.MANAGER, sort_key(str(s.user))),
    )
    rows = [
        (
            member,
            RoleForm(
                roles=MunicipalStaff.Role.choices,
                person=member.user,
                initial={"role": member.role},
                auto_id=f"id_staff{member.pk}_%s",
            )
            if can_manage
            else None,
        )
        for member in staff
    ]
    invitations = invitations_pending_for(municipality=municipality)
    for invitation in invitations:
        invitation.can_revoke = _may_revoke(request.user, municipality, invitation)
    if roles and invite_form is None:
        invite_form = InvitationForm(roles=roles)
    context = {
        "municipality": municipality,
        "rows": rows,
        "invitations": invitations,
        "invite_form": invite_form if roles else None,
        "appoint_only": bool(roles) and not can_manage,
        "can_manage": can_manage,
        "has_manager": any(s.role == MunicipalStaff.Role.MANAGER for s in staff),
        "invitation_days": INVITATION_DAYS,
    }
    template = STAFF_TEMPLATE
    if request.htmx and not request.htmx.boosted:
        template += "#people"
    return render(request, template, context)


def _staff_done(request, municipality):
    """After an action: the refreshed list for htmx, a redirect to the page otherwise."""
    if request.htmx and not request.htmx.boosted:
        return _render_staff(request, municipality)
    return redirect("municipalities:staff", slug=municipality.slug)


@login_required
@require_GET
def staff_list(request, slug):
    """The municipality's portal users and pending invitations, with the managers' forms."""
    return _render_staff(request, _staff_municipality(request, slug))


@require_POST
@login_required
def staff_invite(request, slug):
    """Invite a colleague (managers) or appoint a manager by invitation (coordinators)."""
    municipality = _staff_municipality(request, slug)
    roles = _invitable_roles(request.user, municipality)
    if not roles:
        raise PermissionDenied
    form = InvitationForm(request.POST, roles=roles)
    if send_invitation(request, form, municipality=municipality):
        return _staff_done(request, municipality)
    return _render_staff(request, municipality, invite_form=form)


@require_POST
@login_required
def staff_invitation_revoke(request, slug, pk):
    """Withdraw a pending invitation to the municipality."""
    municipality = _staff_municipality(request, slug)
    invitation = get_object_or_404(municipality.invitations.all(), pk=pk)
    if not _may_revoke(request.user, municipality, invitation):
        raise PermissionDenied
    withdraw_invitation(request, invitation)
    return _staff_done(request, municipality)


@require_POST
@login_required
def staff_role(request, slug, pk):
    """Make a staff member a manager, or a manager staff (not the last manager)."""
    municipality = _managed_municipality(request, slug)
    member = get_object_or_404(municipality.staff.select_related("user"), pk=pk)
    change_role(
        request,
        roles=MunicipalStaff.Role.choices,
        change=lambda role: municipal_staff_change_role(staff=member, role=role, by=request.user),
    )
    return _staff_done(request, municipality)


@require_POST
@login_required
def staff_remove(request, slug, pk):
    """Remove someone from the municipality's staff (not its last manager)."""
    municipality = _managed_municipality(request, slug)
    member = get_object_or_404(municipality.staff.select_related("user"), pk=pk)
    try:
        municipal_staff_remove(staff=member, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _staff_done(request, municipality)
    messages.success(
        request,
        _("%(person)s has been removed from the municipality's staff.") % {"person": member.user},
    )
    if member.user_id == request.user.pk and not request.user.has_perm(
        "municipalities.view_staff", municipality
    ):
        return _staff_left(request)
    return _staff_done(request, municipality)


def _staff_left(request):
    """The user removed themselves and may no longer see the page: go to the dashboard."""
    url = reverse("dashboard")
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
