"""The coordinators' verification queue: check newly registered NGOs and decide on them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ngos.filters import VerificationFilter
from ngos.forms.verification import NGOStatusForm
from ngos.models import NGO, Membership, VerificationStatus
from ngos.services.verification import (
    REASON_ACTIONS,
    allowed_actions,
    ngo_set_status,
    ngo_shared_contacts,
    ngo_similar_names,
)
from portal.htmx import render_page

PAGE_SIZE = 25


def _require_verifier(request):
    if not request.user.has_perm("ngos.view_verification_queue"):
        raise PermissionDenied


def _scoped_ngo(request, slug):
    """The NGO if it lies in the user's sub-regions; another sub-region's NGO is a 404."""
    return get_object_or_404(
        NGO.objects.coordinated_by(request.user).select_related(
            "province__subregion", "district", "municipality", "status_changed_by"
        ),
        slug=slug,
    )


def _status_tabs(filterset, current):
    """One tab per status with its count, each keeping the other filters (one query)."""
    base = filterset.without_status() if filterset.is_valid() else filterset.queryset
    counts = base.aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in VerificationStatus.values}
    )
    query = filterset.data.copy()
    query.pop("page", None)
    tabs = []
    for status, label in VerificationStatus.choices:
        query["status"] = status
        tabs.append(
            {
                "label": label,
                "count": counts[status],
                "query": query.urlencode(),
                "active": status == current,
            }
        )
    return tabs


@login_required
@require_GET
def verification_queue(request):
    """NGOs of the user's sub-regions by status, oldest first; pending ones by default."""
    _require_verifier(request)
    filterset = VerificationFilter(
        request.GET,
        queryset=NGO.objects.coordinated_by(request.user).with_place().order_by("created_at", "pk"),
        request=request,
    )
    queryset = filterset.qs if filterset.is_valid() else NGO.objects.none()
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = filterset.data.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page": page,
        "query": query.urlencode(),
        "tabs": _status_tabs(filterset, filterset.data.get("status")),
    }
    return render_page(request, "ngos/verification_queue.html", context)


def _render_detail(request, ngo, submitted=None):
    """The NGO's data, its administrators, duplicate hints and one form per allowed action.

    After a refused decision, the submitted form (with its errors) takes its action's place
    and the typed reason is offered again in every form that asks for one.
    """
    typed_reason = submitted.data.get("reason", "") if submitted is not None else ""
    action_forms = []
    for action in allowed_actions(ngo.status):
        if submitted is not None and submitted.action_value == action:
            action_forms.append(submitted)
            continue
        initial = {"current_status": ngo.status}
        if action in REASON_ACTIONS and typed_reason:
            initial["reason"] = typed_reason
        action_forms.append(NGOStatusForm(action=action, initial=initial))
    visible = NGO.objects.visible_to(request.user)
    context = {
        "ngo": ngo,
        "activity_fields": ngo.activity_fields.order_by("order", "name_sort"),
        "admins": Membership.objects.filter(ngo=ngo, role=Membership.Role.ADMIN)
        .select_related("user")
        .order_by("user__full_name", "pk"),
        "similar": ngo_similar_names(ngo=ngo, among=visible),
        "shared_contacts": ngo_shared_contacts(ngo=ngo, among=visible),
        "action_forms": action_forms,
        "submitted": submitted,
    }
    return render(request, "ngos/verification_detail.html", context)


@login_required
@require_GET
def verification_detail(request, slug):
    """Everything a coordinator checks before verifying an NGO, and the decision forms."""
    _require_verifier(request)
    return _render_detail(request, _scoped_ngo(request, slug))


@require_POST
@login_required
def verification_decide(request, slug):
    """Verify, reject, suspend, reinstate or reopen an NGO; a stale page is refused."""
    _require_verifier(request)
    ngo = _scoped_ngo(request, slug)
    if not request.user.has_perm("ngos.verify_ngo", ngo):
        raise PermissionDenied
    form = NGOStatusForm(request.POST)
    if form.is_valid():
        try:
            ngo = ngo_set_status(
                ngo_id=ngo.pk,
                action=form.cleaned_data["action"],
                reason=form.cleaned_data["reason"],
                expected_status=form.cleaned_data["current_status"],
                by=request.user,
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            form.add_error(None, error)
            ngo = _scoped_ngo(request, slug)  # show the status as it is now
        else:
            messages.success(
                request,
                _("The status of %(ngo)s is now “%(status)s”.")
                % {"ngo": ngo.name, "status": ngo.get_status_display()},
            )
            return redirect("ngos:verification_queue")
    # Resubmitting the form decides on the status now shown, keeping what was typed.
    form.data = form.data.copy()
    form.data["current_status"] = ngo.status
    return _render_detail(request, ngo, submitted=form)
