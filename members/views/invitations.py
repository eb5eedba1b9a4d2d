"""The page an invitation email links to: see what is offered, log in if needed, accept.

The token in the address is the secret, so anyone holding it may see what is offered; only the
account with the invited (verified) email address may accept.
"""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from members.models import Invitation
from members.services.invitations import invitation_accept as accept
from members.services.invitations import invitation_problem, invitation_role_label
from portal.adapters import remember_invited_email


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """Show an invitation (GET) and accept it for the logged-in user (POST)."""
    invitation = get_object_or_404(
        Invitation.objects.select_related("ngo", "municipality", "invited_by"), token=token
    )
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            accept(token=token, user=request.user)
        except ValidationError as error:
            problem = error
        else:
            organisation = invitation.organisation
            messages.success(
                request,
                _("Welcome! You now act for %(organisation)s.") % {"organisation": organisation},
            )
            if invitation.ngo_id is not None:
                return redirect("dashboard")
            return redirect("members:staff", slug=organisation.slug)
    else:
        problem = invitation_problem(invitation, request.user)
        if problem is None and not request.user.is_authenticated:
            # Signing up from here starts with the invited address (only a usable invitation's).
            remember_invited_email(request, invitation.email)
    context = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "role_label": invitation_role_label(invitation),
        "problem": problem,
    }
    return render(request, "members/invitation_accept.html", context)
