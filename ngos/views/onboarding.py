"""Registering a new NGO, editing its profile, and asking to join an existing NGO."""

import copy

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ngos.forms.onboarding import (
    JoinRequestDecisionForm,
    JoinRequestForm,
    ngo_with_same_registry_number,
)
from ngos.forms.profile import NGOForm, NGOProfileForm, refreshed_form
from ngos.models import NGO, JoinRequest, NGOIdentityChange
from ngos.services.identity import identity_change_withdraw
from ngos.services.onboarding import (
    join_request_create,
    join_request_decide,
    join_request_withdraw,
    ngo_register_and_notify,
)
from ngos.services.profile import ngo_update_profile
from portal.access import roles_of
from portal.ratelimits import TOO_MANY, action_allowed

# How many already decided requests the administrators' list shows under the pending ones.
RECENTLY_DECIDED = 10


def _base_url(request) -> str:
    return request.build_absolute_uri("/").rstrip("/")


def _ngo_form_page(request, form, ngo=None, identity_change=None):
    context = {
        "form": form,
        "ngo": ngo,
        "same_number_ngo": ngo_with_same_registry_number(form),
        "identity_change": identity_change,
    }
    return render(request, "ngos/ngo_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def ngo_register(request):
    """Register a new NGO: the user becomes its administrator and a coordinator verifies it."""
    if request.method == "GET":
        return _ngo_form_page(request, NGOForm())
    if "refresh" in request.POST:
        return _ngo_form_page(request, refreshed_form(NGOForm, request.POST))
    form = NGOForm(request.POST)
    if not form.is_valid():
        return _ngo_form_page(request, form)
    ngo = ngo_register_and_notify(user=request.user, form=form, base_url=_base_url(request))
    messages.success(
        request,
        _(
            "%(ngo)s has been registered. A coordinator of %(subregion)s will verify it; until "
            "then it is not shown in the public directory."
        )
        % {"ngo": ngo.name, "subregion": ngo.province.subregion.name},
    )
    return redirect(reverse("ngos:detail", args=[ngo.slug]))


def _editable_ngo(request, slug):
    """An NGO the user may edit; anyone else gets a 404: the edit page is no one else's
    business."""
    ngo = get_object_or_404(
        NGO.objects.visible_to(request.user).select_related("province__subregion"), slug=slug
    )
    if not request.user.has_perm("ngos.change_ngo", ngo):
        raise Http404
    return ngo


def _saved_message(saved) -> str:
    if saved.identity_change is None:
        return _("The profile of %(ngo)s has been saved.") % {"ngo": saved.ngo.name}
    return _(
        "The profile of %(ngo)s has been saved. The change of its name, legal form, registry "
        "number or province awaits verification by a coordinator; until then the profile "
        "shows the verified identity."
    ) % {"ngo": saved.ngo.name}


@login_required
@require_http_methods(["GET", "POST"])
def ngo_edit(request, slug):
    """Edit the profile of an NGO the user administers (site administrators: any NGO); a verified
    NGO's new identity waits for a coordinator."""
    ngo = _editable_ngo(request, slug)
    change = NGOIdentityChange.objects.open().with_places().filter(ngo=ngo).first()
    # The form works on a copy: the page's title and links keep the stored name.
    kwargs = {"instance": copy.copy(ngo), "open_change": change}
    if request.method == "GET":
        return _ngo_form_page(request, NGOProfileForm(**kwargs), ngo, change)
    if "refresh" in request.POST:
        form = refreshed_form(NGOProfileForm, request.POST, **kwargs)
        return _ngo_form_page(request, form, ngo, change)
    form = NGOProfileForm(request.POST, **kwargs)
    if form.is_valid():
        try:
            saved = ngo_update_profile(
                ngo=ngo,
                form=form,
                by=request.user,
                base_url=_base_url(request),
                replace_identity_change=form.cleaned_data.get("replace_identity_change", False),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _saved_message(saved))
            # saved.ngo: a new name gives a new address.
            return redirect(reverse("ngos:detail", args=[saved.ngo.slug]))
    return _ngo_form_page(request, form, ngo, change)


@login_required
@require_POST
def identity_change_withdraw_view(request, slug):
    """Withdraw the NGO's change of identity that awaits verification."""
    ngo = _editable_ngo(request, slug)
    try:
        identity_change_withdraw(ngo_id=ngo.pk, by=request.user)
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("The change of identity of %(ngo)s was withdrawn; its profile is unchanged.")
            % {"ngo": ngo.name},
        )
    return redirect(reverse("ngos:edit", args=[ngo.slug]))


def _own_pending_requests(user):
    return (
        JoinRequest.objects.filter(user=user, status=JoinRequest.Status.PENDING)
        .select_related("ngo")
        .order_by("-created_at")
    )


@login_required
@require_http_methods(["GET", "POST"])
def join_request(request, slug):
    """Ask to join a verified NGO, with an optional message to its administrators."""
    ngo = get_object_or_404(NGO.objects.verified().with_place(), slug=slug)
    form = JoinRequestForm(request.POST or None)
    status = 200
    if request.method == "POST" and not action_allowed(request, "join_request"):
        form.is_valid()
        form.add_error(None, TOO_MANY)
        status = 429
    elif request.method == "POST" and form.is_valid():
        try:
            join_request_create(
                user=request.user,
                ngo=ngo,
                message=form.cleaned_data["message"],
                base_url=_base_url(request),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("Your request has been sent to the administrators of %(ngo)s.")
                % {"ngo": ngo.name},
            )
            return redirect(reverse("ngos:detail", args=[ngo.slug]))
    own_pending = list(_own_pending_requests(request.user))
    context = {
        "ngo": ngo,
        "form": form,
        "is_member": ngo.pk in roles_of(request.user).ngo_ids,
        "pending": next((r for r in own_pending if r.ngo_id == ngo.pk), None),
        "own_pending": [r for r in own_pending if r.ngo_id != ngo.pk],
    }
    return render(request, "ngos/joinrequest_form.html", context, status=status)


@login_required
@require_POST
def join_request_withdraw_view(request, slug):
    """Withdraw the user's own pending request to join an NGO."""
    # At most one pending request per user and NGO (a database constraint).
    pending = get_object_or_404(_own_pending_requests(request.user), ngo__slug=slug)
    try:
        join_request_withdraw(join_request_id=pending.pk, user=request.user)
    except ValidationError as error:
        messages.warning(request, " ".join(error.messages))
    else:
        messages.success(
            request, _("Your request to join %(ngo)s was withdrawn.") % {"ngo": pending.ngo.name}
        )
    if pending.ngo.is_verified:
        return redirect(reverse("ngos:join_request", args=[slug]))
    return redirect(reverse("dashboard"))


def _join_requests_context(ngo):
    requests = JoinRequest.objects.filter(ngo=ngo).select_related("user", "decided_by")
    return {
        "ngo": ngo,
        "pending_requests": requests.filter(status=JoinRequest.Status.PENDING).order_by(
            "created_at"
        ),
        "decided_requests": requests.exclude(status=JoinRequest.Status.PENDING).order_by(
            "-decided_at", "-created_at"
        )[:RECENTLY_DECIDED],
    }


@login_required
@require_http_methods(["GET"])
def join_request_list(request, slug):
    """The pending requests to join an NGO, and the last decided ones, for its administrators."""
    ngo = get_object_or_404(NGO.objects.administered_by(request.user), slug=slug)
    return render(request, "ngos/joinrequest_list.html", _join_requests_context(ngo))


@login_required
@require_POST
def join_request_decide_view(request, slug, pk):
    """Approve or refuse a request to join an NGO the user administers."""
    ngo = get_object_or_404(NGO.objects.administered_by(request.user), slug=slug)
    # Any of this NGO's requests: one decided meanwhile by another administrator gets a clear
    # "already decided" message, while another NGO's request stays a 404.
    join_req = get_object_or_404(JoinRequest.objects.filter(ngo=ngo), pk=pk)
    form = JoinRequestDecisionForm(request.POST)
    done, notice = False, _("Choose whether to approve or refuse the request.")
    if form.is_valid():
        try:
            join_request_decide(
                join_request_id=join_req.pk,
                approve=form.approve,
                by=request.user,
                base_url=_base_url(request),
            )
        except ValidationError as error:
            notice = " ".join(error.messages)
        else:
            done = True
            notice = (
                _("%(user)s is now a member of %(ngo)s.")
                if form.approve
                else _("The request of %(user)s was refused.")
            ) % {"user": join_req.user.get_full_name() or join_req.user.email, "ngo": ngo.name}
    if request.htmx:
        level = "success" if done else "warning"
        context = {**_join_requests_context(ngo), "notice": notice, "notice_level": level}
        return render(request, "ngos/joinrequest_list.html#requests", context)
    messages.add_message(request, messages.SUCCESS if done else messages.WARNING, notice)
    return redirect(reverse("ngos:join_requests", args=[ngo.slug]))
