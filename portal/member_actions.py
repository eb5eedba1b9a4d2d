"""What the members page of an NGO and the staff page of a municipality do alike: invite by
email, withdraw an invitation, change someone's role. Each function runs the service and tells
the user the outcome (the service's refusal, translated, or what was done); the views keep what
differs (who may act, where to go afterwards).
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from ngos.forms.membership import RoleForm
from portal.services import invitation_create, invitation_revoke


def _outcome(request, action, success):
    """Run ``action()``; flash its ValidationError, or ``success(result)``. The result, or None
    when refused."""
    try:
        result = action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return None
    messages.success(request, success(result))
    return result


def send_invitation(request, form, **organisation):
    """Invite the address of a valid ``form`` (an InvitationForm) to the organisation given as
    ``ngo=`` or ``municipality=``. The invitation; or None, with the form invalid and the
    reason (e.g. an address already invited) among its errors."""
    if not form.is_valid():
        return None
    try:
        invitation = invitation_create(
            email=form.cleaned_data["email"],
            role=form.cleaned_data["role"],
            invited_by=request.user,
            base_url=request.build_absolute_uri("/"),
            **organisation,
        )
    except ValidationError as error:
        form.add_error(None, error)
        return None
    messages.success(
        request, _("An invitation has been sent to %(email)s.") % {"email": invitation.email}
    )
    return invitation


def withdraw_invitation(request, invitation):
    """Withdraw a pending invitation (refused once it was used or has expired)."""
    return _outcome(
        request,
        lambda: invitation_revoke(invitation=invitation, by=request.user),
        lambda _result: (
            _("The invitation for %(email)s has been withdrawn.") % {"email": invitation.email}
        ),
    )


def change_role(request, *, roles, change):
    """Give someone the role chosen in the POSTed RoleForm (one of ``roles``): ``change(role)``
    calls the service and returns the changed membership or staff row."""
    form = RoleForm(request.POST, roles=roles)

    def action():
        if not form.is_valid():
            raise ValidationError(_("Choose a valid role."))
        return change(form.cleaned_data["role"])

    return _outcome(
        request,
        action,
        lambda member: (
            _("%(person)s is now: %(role)s.")
            % {"person": member.user, "role": member.get_role_display()}
        ),
    )
