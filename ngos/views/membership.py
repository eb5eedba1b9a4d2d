"""An NGO's members and invitations: the list, inviting, changing roles, removing, leaving.

Who sees what: the NGO's members, coordinators of its sub-region and site administrators see the
page (everyone else gets a 404, so an outsider learns nothing); administrators act on it (other
viewers get a 403 for an action).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from ngos.forms.membership import InvitationForm, RoleForm
from ngos.models import NGO, Membership
from ngos.services.membership import membership_change_role, membership_leave, membership_remove
from portal.member_actions import change_role, send_invitation, withdraw_invitation
from portal.services import INVITATION_DAYS, invitations_pending_for
from portal.turkish import sort_key

TEMPLATE = "ngos/membership_list.html"


def _visible_ngo(request, slug):
    """The NGO if the user may see its members; a 404 otherwise (never confirm it exists)."""
    ngo = get_object_or_404(
        NGO.objects.visible_to(request.user).select_related("province"), slug=slug
    )
    if not request.user.has_perm("ngos.view_members", ngo):
        raise Http404
    return ngo


def _managed_ngo(request, slug):
    """The NGO if the user administers it; 403 for other people who may see the page."""
    ngo = _visible_ngo(request, slug)
    if not request.user.has_perm("ngos.manage_members", ngo):
        raise PermissionDenied
    return ngo


def _render(request, ngo, *, invite_form=None):
    can_manage = request.user.has_perm("ngos.manage_members", ngo)
    memberships = sorted(
        ngo.memberships.select_related("user"),
        key=lambda m: (m.role != Membership.Role.ADMIN, sort_key(str(m.user))),
    )
    rows = [
        (
            membership,
            RoleForm(
                roles=Membership.Role.choices,
                person=membership.user,
                initial={"role": membership.role},
                auto_id=f"id_member{membership.pk}_%s",
            )
            if can_manage
            else None,
        )
        for membership in memberships
    ]
    if can_manage and invite_form is None:
        invite_form = InvitationForm(roles=Membership.Role.choices)
    context = {
        "ngo": ngo,
        "rows": rows,
        "invitations": invitations_pending_for(ngo=ngo),
        "invite_form": invite_form if can_manage else None,
        "can_manage": can_manage,
        "invitation_days": INVITATION_DAYS,
        "my_membership": next((m for m in memberships if m.user_id == request.user.pk), None),
    }
    template = TEMPLATE
    if request.htmx and not request.htmx.boosted:
        template += "#people"
    return render(request, template, context)


def _done(request, ngo):
    """After an action: the refreshed list for htmx, a redirect to the page otherwise."""
    if request.htmx and not request.htmx.boosted:
        return _render(request, ngo)
    return redirect("ngos:members", slug=ngo.slug)


def _to_dashboard(request):
    url = reverse("dashboard")
    if request.htmx:
        return HttpResponseClientRedirect(url)
    return redirect(url)


@login_required
@require_GET
def membership_list(request, slug):
    """The NGO's members and pending invitations, with the administrators' forms."""
    return _render(request, _visible_ngo(request, slug))


@require_POST
@login_required
def member_invite(request, slug):
    """Invite an email address to the NGO as an administrator or a member."""
    ngo = _managed_ngo(request, slug)
    form = InvitationForm(request.POST, roles=Membership.Role.choices)
    if send_invitation(request, form, ngo=ngo):
        return _done(request, ngo)
    return _render(request, ngo, invite_form=form)


@require_POST
@login_required
def invitation_revoke_view(request, slug, pk):
    """Withdraw a pending invitation of the NGO."""
    ngo = _managed_ngo(request, slug)
    withdraw_invitation(request, get_object_or_404(ngo.invitations.all(), pk=pk))
    return _done(request, ngo)


@require_POST
@login_required
def member_role(request, slug, pk):
    """Make a member an administrator, or an administrator a member."""
    ngo = _managed_ngo(request, slug)
    membership = get_object_or_404(ngo.memberships.select_related("user"), pk=pk)
    change_role(
        request,
        roles=Membership.Role.choices,
        change=lambda role: membership_change_role(
            membership=membership, role=role, by=request.user
        ),
    )
    return _done(request, ngo)


@require_POST
@login_required
def member_remove(request, slug, pk):
    """Remove someone from the NGO (not its last administrator)."""
    ngo = _managed_ngo(request, slug)
    membership = get_object_or_404(ngo.memberships.select_related("user"), pk=pk)
    try:
        membership_remove(membership=membership, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return _done(request, ngo)
    if membership.user_id == request.user.pk:
        messages.success(request, _("You have left %(ngo)s.") % {"ngo": ngo.name})
        return _to_dashboard(request)
    messages.success(
        request, _("%(person)s has been removed from the NGO.") % {"person": membership.user}
    )
    return _done(request, ngo)


@require_POST
@login_required
def member_leave(request, slug):
    """The logged-in member leaves the NGO (not if they are its last administrator)."""
    ngo = _visible_ngo(request, slug)
    try:
        membership_leave(ngo=ngo, user=request.user)
    except ValidationError as error:
        if error.code == "not_member":
            raise Http404 from error
        messages.error(request, " ".join(error.messages))
        return _done(request, ngo)
    messages.success(request, _("You have left %(ngo)s.") % {"ngo": ngo.name})
    return _to_dashboard(request)


urlpatterns = [
    path("<slug:slug>/members/", membership_list, name="members"),
    path("<slug:slug>/members/invite/", member_invite, name="invite"),
    path(
        "<slug:slug>/invitations/<int:pk>/revoke/",
        invitation_revoke_view,
        name="invitation_revoke",
    ),
    path("<slug:slug>/members/<int:pk>/role/", member_role, name="member_role"),
    path("<slug:slug>/members/<int:pk>/remove/", member_remove, name="member_remove"),
    path("<slug:slug>/leave/", member_leave, name="leave"),
]
