"""The people page of an organisation: the members of an NGO, the staff of a municipality.

One set of views for both; what differs (the organisation, its roles, who may see and manage
the page, the words, where to go afterwards) comes from the ``People`` description that the URL
passes in: ``NGO_MEMBERS`` or ``MUNICIPAL_STAFF``.

Who sees what: the organisation's people, coordinators of its sub-region and site administrators
see the page (everyone else gets a 404, so an outsider learns nothing); its administrators
(managers) act on it, and for a municipality the coordinators appoint a manager by invitation
(other viewers get a 403 for an action).
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from members.forms.invitations import InvitationForm
from members.forms.roles import RoleForm
from members.services.invitations import (
    INVITATION_DAYS,
    invitation_create,
    invitation_revoke,
    invitations_pending_for,
)
from members.services.roles import member_change_role, member_remove, membership_leave
from municipalities.models import Municipality, MunicipalStaff
from ngos.models import NGO, Membership
from portal.htmx import render_page
from portal.ratelimits import TOO_MANY, action_allowed
from portal.turkish import sort_key

TEMPLATE = "members/member_list.html"


@dataclass(frozen=True)
class People:
    """What the people page of one kind of organisation needs to know about it."""

    organisation_field: str  # "ngo" or "municipality": the invitation's field, the words' key
    organisations: Callable[[object], QuerySet]  # the organisations a user may look up
    people: str  # the organisation's related name of its membership rows
    roles: type  # the TextChoices of the membership rows
    admin_role: str
    view_perm: str
    manage_perm: str  # invite anyone, change roles, remove, withdraw any invitation
    appoint_perm: str | None  # invite an administrator only, withdraw such invitations
    urls: dict[str, str]  # list, invite, revoke, role, remove, leave (or None): URL names
    row_id: str  # prefix of the ids of each row's role form
    # Words
    title: str  # "Members of %(ngo)s": formatted with the organisation's name
    parent: tuple[str, str]  # the breadcrumb before the organisation: URL name and label
    crumb: str
    intro: str
    caption: str
    remove_question: str  # "Remove %(person)s from the NGO?"
    removed: str  # "%(person)s has been removed from the NGO."
    invite_title: str
    since: str | None = None  # the heading of a "since" column, when there is one
    nobody: str | None = None  # said when nobody is listed
    no_admin: str | None = None  # said when nobody listed is an administrator
    appoint_title: str | None = None
    appoint_text: str | None = None
    # Set when the organisation can be left: removing oneself is leaving it, too.
    left: str | None = None  # "You have left %(ngo)s."
    leave_title: str | None = None
    leave_text: str | None = None

    def words(self, text, organisation=None, **values):
        """``text`` with the organisation's name (under its field's key) and ``values``."""
        if organisation is not None:
            values[self.organisation_field] = organisation.name
        return text % values


NGO_MEMBERS = People(
    organisation_field="ngo",
    organisations=lambda user: NGO.objects.visible_to(user).select_related("province"),
    people="memberships",
    roles=Membership.Role,
    admin_role=Membership.Role.ADMIN,
    view_perm="ngos.view_members",
    manage_perm="ngos.manage_members",
    appoint_perm=None,
    urls={
        "list": "members:members",
        "invite": "members:invite",
        "revoke": "members:invitation_revoke",
        "role": "members:member_role",
        "remove": "members:member_remove",
        "leave": "members:leave",
    },
    row_id="member",
    title=gettext_lazy("Members of %(ngo)s"),
    parent=("dashboard", gettext_lazy("Dashboard")),
    crumb=gettext_lazy("Members"),
    intro=gettext_lazy(
        "The people who act for this organisation in the portal. Administrators keep the profile "
        "up to date and invite or remove members; every NGO keeps at least one administrator."
    ),
    caption=gettext_lazy("Members of the NGO"),
    remove_question=gettext_lazy("Remove %(person)s from the NGO?"),
    removed=gettext_lazy("%(person)s has been removed from the NGO."),
    invite_title=gettext_lazy("Invite someone"),
    since=gettext_lazy("Member since"),
    left=gettext_lazy("You have left %(ngo)s."),
    leave_title=gettext_lazy("Leave this NGO"),
    leave_text=gettext_lazy(
        "You will no longer act for this organisation in the portal. If you are its only "
        "administrator, appoint another administrator first."
    ),
)

MUNICIPAL_STAFF = People(
    organisation_field="municipality",
    organisations=lambda user: Municipality.objects.select_related("province"),
    people="staff",
    roles=MunicipalStaff.Role,
    admin_role=MunicipalStaff.Role.MANAGER,
    view_perm="municipalities.view_staff",
    manage_perm="municipalities.invite_staff",
    appoint_perm="municipalities.appoint_manager",
    urls={
        "list": "members:staff",
        "invite": "members:staff_invite",
        "revoke": "members:staff_invitation_revoke",
        "role": "members:staff_role",
        "remove": "members:staff_remove",
        "leave": None,
    },
    row_id="staff",
    title=gettext_lazy("Staff of %(municipality)s"),
    parent=("municipalities:list", gettext_lazy("Municipalities")),
    crumb=gettext_lazy("Staff"),
    intro=gettext_lazy(
        "The municipality's officers who use the portal. Managers invite colleagues and change "
        "their roles; the project coordinator of the region appoints the first manager."
    ),
    caption=gettext_lazy("Staff of the municipality"),
    remove_question=gettext_lazy("Remove %(person)s from the municipality's staff?"),
    removed=gettext_lazy("%(person)s has been removed from the municipality's staff."),
    invite_title=gettext_lazy("Invite a colleague"),
    nobody=gettext_lazy("No one from this municipality uses the portal yet."),
    no_admin=gettext_lazy("This municipality has no manager yet."),
    appoint_title=gettext_lazy("Appoint a manager"),
    appoint_text=gettext_lazy(
        "As the project coordinator you appoint the municipality's portal manager by invitation; "
        "the manager then invites their colleagues."
    ),
)


def _visible(request, people, slug):
    """The organisation if the user may see its people; a 404 otherwise (never confirm it
    exists)."""
    organisation = get_object_or_404(people.organisations(request.user), slug=slug)
    if not request.user.has_perm(people.view_perm, organisation):
        raise Http404
    return organisation


def _managed(request, people, slug):
    """The organisation if the user manages its people; 403 for other people who see the page."""
    organisation = _visible(request, people, slug)
    if not request.user.has_perm(people.manage_perm, organisation):
        raise PermissionDenied
    return organisation


def _invitable_roles(user, people, organisation):
    """Managers invite to every role; a coordinator appoints an administrator only."""
    if user.has_perm(people.manage_perm, organisation):
        return people.roles.choices
    if people.appoint_perm and user.has_perm(people.appoint_perm, organisation):
        return [(people.admin_role, people.roles(people.admin_role).label)]
    return []


def _may_revoke(user, people, organisation, invitation):
    return user.has_perm(people.manage_perm, organisation) or (
        invitation.role == people.admin_role
        and people.appoint_perm is not None
        and user.has_perm(people.appoint_perm, organisation)
    )


def _render(request, people, organisation, *, invite_form=None):
    can_manage = request.user.has_perm(people.manage_perm, organisation)
    roles = _invitable_roles(request.user, people, organisation)
    members = sorted(
        getattr(organisation, people.people).select_related("user"),
        key=lambda m: (m.role != people.admin_role, sort_key(str(m.user))),
    )
    rows = [
        (
            member,
            RoleForm(
                roles=people.roles.choices,
                person=member.user,
                initial={"role": member.role},
                auto_id=f"id_{people.row_id}{member.pk}_%s",
            )
            if can_manage
            else None,
            people.words(people.remove_question, person=member.user),
        )
        for member in members
    ]
    invitations = invitations_pending_for(**{people.organisation_field: organisation})
    for invitation in invitations:
        invitation.can_revoke = _may_revoke(request.user, people, organisation, invitation)
    if roles and invite_form is None:
        invite_form = InvitationForm(roles=roles)
    appoint_only = bool(roles) and not can_manage
    context = {
        "people": people,
        "organisation": organisation,
        "title": people.words(people.title, organisation),
        "rows": rows,
        "invitations": invitations,
        "invite_form": invite_form if roles else None,
        "invite_title": people.appoint_title if appoint_only else people.invite_title,
        "appoint_only": appoint_only,
        "can_manage": can_manage,
        "may_revoke": bool(roles),
        "has_admin": any(m.role == people.admin_role for m in members),
        "invitation_days": INVITATION_DAYS,
        "my_membership": next((m for m in members if m.user_id == request.user.pk), None),
    }
    return render_page(request, TEMPLATE, context, fragment="people")


def _done(request, people, organisation):
    """After an action: the refreshed list for htmx, a redirect to the page otherwise."""
    if request.htmx and not request.htmx.boosted:
        return _render(request, people, organisation)
    return redirect(people.urls["list"], slug=organisation.slug)


def _to_dashboard(request):
    """After leaving: the dashboard (the page may no longer be visible)."""
    url = reverse("dashboard")
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _refused(request, error):
    messages.error(request, " ".join(error.messages))


@login_required
@require_GET
def member_list(request, slug, people):
    """The organisation's people and pending invitations, with the managers' forms."""
    return _render(request, people, _visible(request, people, slug))


@require_POST
@login_required
def member_invite(request, slug, people):
    """Invite an email address with a role (managers), or appoint a manager by invitation
    (coordinators of a municipality)."""
    organisation = _visible(request, people, slug)
    roles = _invitable_roles(request.user, people, organisation)
    if not roles:
        raise PermissionDenied
    form = InvitationForm(request.POST, roles=roles)
    if not action_allowed(request, "invite"):
        form.is_valid()
        form.add_error(None, TOO_MANY)
        response = _render(request, people, organisation, invite_form=form)
        response.status_code = 429
        return response
    if not form.is_valid():
        return _render(request, people, organisation, invite_form=form)
    try:
        invitation = invitation_create(
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            invited_by=request.user,
            base_url=request.build_absolute_uri("/"),
            **{people.organisation_field: organisation},
        )
    except ValidationError as error:
        form.add_error(None, error)
        return _render(request, people, organisation, invite_form=form)
    messages.success(
        request, _("An invitation has been sent to %(email)s.") % {"email": invitation.email}
    )
    return _done(request, people, organisation)


@require_POST
@login_required
def invitation_revoke_view(request, slug, pk, people):
    """Withdraw a pending invitation to the organisation."""
    organisation = _visible(request, people, slug)
    if not _invitable_roles(request.user, people, organisation):
        raise PermissionDenied
    invitation = get_object_or_404(organisation.invitations.all(), pk=pk)
    if not _may_revoke(request.user, people, organisation, invitation):
        raise PermissionDenied
    try:
        invitation_revoke(invitation=invitation, by=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            _("The invitation for %(email)s has been withdrawn.") % {"email": invitation.email},
        )
    return _done(request, people, organisation)


@require_POST
@login_required
def member_role(request, slug, pk, people):
    """Make someone an administrator (manager), or an administrator a member (staff); never the
    last one."""
    organisation = _managed(request, people, slug)
    member = get_object_or_404(getattr(organisation, people.people).select_related("user"), pk=pk)
    form = RoleForm(request.POST, roles=people.roles.choices)
    try:
        if not form.is_valid():
            raise ValidationError(_("Choose a valid role."))
        member = member_change_role(member=member, role=form.cleaned_data["role"], by=request.user)
    except ValidationError as error:
        _refused(request, error)
    else:
        messages.success(
            request,
            _("%(person)s is now: %(role)s.")
            % {"person": member.user, "role": member.get_role_display()},
        )
    return _done(request, people, organisation)


@require_POST
@login_required
def member_remove_view(request, slug, pk, people):
    """Remove someone from the organisation (not its last administrator or manager)."""
    organisation = _managed(request, people, slug)
    member = get_object_or_404(getattr(organisation, people.people).select_related("user"), pk=pk)
    try:
        member_remove(member=member, by=request.user)
    except ValidationError as error:
        _refused(request, error)
        return _done(request, people, organisation)
    removed_self = member.user_id == request.user.pk
    if removed_self and people.left:
        messages.success(request, people.words(people.left, organisation))
        return _to_dashboard(request)
    messages.success(request, people.words(people.removed, person=member.user))
    if removed_self and not request.user.has_perm(people.view_perm, organisation):
        return _to_dashboard(request)
    return _done(request, people, organisation)


@require_POST
@login_required
def member_leave(request, slug, people):
    """The logged-in member leaves the NGO (not if they are its last administrator)."""
    organisation = _visible(request, people, slug)
    try:
        membership_leave(ngo=organisation, user=request.user)
    except ValidationError as error:
        if error.code == "not_member":
            raise Http404 from error
        _refused(request, error)
        return _done(request, people, organisation)
    messages.success(request, people.words(people.left, organisation))
    return _to_dashboard(request)
