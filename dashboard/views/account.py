"""KVKK: the download of one's own data, and the deletion of one's account."""

import json

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from dashboard.forms import AccountDeleteForm
from dashboard.services import account_delete, personal_data_download
from portal.ratelimits import TOO_MANY, action_allowed


@login_required
@require_GET
def my_data(request):
    """A JSON file of everything the portal keeps about the logged-in user."""
    data = personal_data_download(user=request.user)
    response = HttpResponse(
        json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2),
        content_type="application/json; charset=utf-8",
    )
    filename = f"my-data-{timezone.localdate():%Y-%m-%d}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def account_delete_view(request):
    """Confirm with the password, then anonymise the account and log out."""
    form = AccountDeleteForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and not action_allowed(request, "account_delete"):
        # Refused before the password is checked: a guesser learns nothing more.
        messages.error(request, TOO_MANY)
        context = {"form": AccountDeleteForm(user=request.user)}
        return render(request, "dashboard/account_delete.html", context, status=429)
    if request.method == "POST" and form.is_valid():
        try:
            account_delete(user=request.user)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            logout(request)
            messages.success(request, _("Your account has been deleted."))
            return redirect("home")
    return render(request, "dashboard/account_delete.html", {"form": form})
