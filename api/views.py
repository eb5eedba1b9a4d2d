"""The signed-in person's personal access tokens: list, create (shown once), revoke."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from api.forms import TokenForm
from api.models import PersonalAccessToken
from api.services.tokens import token_create
from api.services.tokens import token_revoke as revoke

TEMPLATE = "api/token_list.html"


@login_required
def token_list(request):
    """The person's tokens and the form for a new one; a created token is shown on the page
    that answers the POST, once, and never again."""
    form = TokenForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, raw = token_create(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            created = {"token": token, "raw": raw}
            form = TokenForm()
    tokens = PersonalAccessToken.objects.filter(user=request.user)
    return render(request, TEMPLATE, {"form": form, "tokens": tokens, "created": created})


@login_required
@require_POST
def token_revoke(request, pk):
    """Revoke one of the person's own tokens (another person's is a 404)."""
    token = get_object_or_404(PersonalAccessToken, pk=pk, user=request.user)
    revoke(token=token, user=request.user)
    messages.success(request, _("The token “%(name)s” has been revoked.") % {"name": token.name})
    return redirect("api_tokens:list")
