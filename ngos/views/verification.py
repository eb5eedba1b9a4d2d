"""The coordinators' verification queue: check newly registered NGOs and decide on them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ngos.filters import IDENTITY_CHANGE, QUEUE_TABS, VerificationFilter, queue_tab_condition
from ngos.forms.verification import IdentityChangeDecisionForm, NGOStatusForm
from ngos.models import NGO, Membership, NGOIdentityChange
from ngos.services.identity import identity_change_decide
from ngos.services.verification import (
    REASON_ACTIONS,
    allowed_actions,
    ngo_set_status,
    ngo_shared_contacts,
    ngo_similar_names,
)
from portal.htmx import render_page
from portal.models import person_sort_key

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
    """One tab per status, and one for changes of identity, with its count, each keeping the
    other filters (one query)."""
    base = filterset.without_status() if filterset.is_valid() else filterset.queryset
    counts = base.aggregate(
        **{tab: Count("pk", filter=queue_tab_condition(tab)) for tab, _ in QUEUE_TABS}
    )
    query = filterset.data.copy()
    query.pop("page", None)
    tabs = []
    for tab, label in QUEUE_TABS:
        query["status"] = tab
        tabs.append(
            {
                "label": label,
                "count": counts[tab],
                "query": query.urlencode(),
                "active": tab == current,
            }
        )
    return tabs


def _open_identity_changes():
    """Each NGO's change of identity awaiting verification, as ``open_identity_changes``."""
    return Prefetch(
        "identity_changes",
        queryset=NGOIdentityChange.objects.open().with_places(),
        to_attr="open_identity_changes",
    )


@login_required
@require_GET
def verification_queue(request):
    """NGOs of the user's sub-regions by status, oldest first; pending ones by default."""
    _require_verifier(request)
    filterset = VerificationFilter(
        request.GET,
        queryset=NGO.objects.coordinated_by(request.user)
        .with_place()
        .prefetch_related(_open_identity_changes())
        .order_by("created_at", "pk"),
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


def _proposed_identity(ngo, change):
    """An unsaved copy of the NGO with the proposed name and province, for duplicate hints."""
    proposed = NGO(pk=ngo.pk, name=change.name, province=change.province)
    proposed.set_name_keys()
    return proposed


def _identity_change_context(ngo, visible, submitted):
    """The open change of identity, what it resembles, and the form to decide on it."""
    change = NGOIdentityChange.objects.open().with_places().filter(ngo=ngo).first()
    if change is None:
        return {"identity_change": None, "identity_form": submitted}
    number_taken = None
    if change.registry_number and change.registry_number != ngo.registry_number:
        number_taken = (
            visible.filter(registry_number=change.registry_number).exclude(pk=ngo.pk).first()
        )
    return {
        "identity_change": change,
        "identity_form": submitted or IdentityChangeDecisionForm(),
        "identity_similar": ngo_similar_names(ngo=_proposed_identity(ngo, change), among=visible),
        "identity_number_taken": number_taken,
    }


def _render_detail(request, ngo, submitted=None, identity_submitted=None):
    """The NGO's data, its administrators, duplicate hints, one form per allowed action and,
    when a change of its identity awaits verification, the comparison and its decision form.

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
        "admins": sorted(
            Membership.objects.filter(ngo=ngo, role=Membership.Role.ADMIN).select_related("user"),
            key=lambda membership: person_sort_key(membership.user),
        ),
        "similar": ngo_similar_names(ngo=ngo, among=visible),
        "shared_contacts": ngo_shared_contacts(ngo=ngo, among=visible),
        "action_forms": action_forms,
        "submitted": submitted,
        **_identity_change_context(ngo, visible, identity_submitted),
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


@require_POST
@login_required
def verification_identity_change_decide(request, slug, pk):
    """Approve or reject an NGO's change of identity; one decided or replaced meanwhile, or one
    the coordinator asked for themselves, is refused."""
    _require_verifier(request)
    ngo = _scoped_ngo(request, slug)
    if not request.user.has_perm("ngos.verify_ngo", ngo):
        raise PermissionDenied
    change = get_object_or_404(NGOIdentityChange.objects.filter(ngo=ngo), pk=pk)
    form = IdentityChangeDecisionForm(request.POST)
    if form.is_valid():
        try:
            change = identity_change_decide(
                change_id=change.pk,
                approve=form.approve,
                reason=form.cleaned_data["reason"],
                by=request.user,
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if form.approve:
                text = _("%(ngo)s now has its new identity.") % {"ngo": change.ngo.name}
            else:
                text = _(
                    "The change of identity of %(ngo)s was rejected; its profile is unchanged."
                ) % {"ngo": change.ngo.name}
            messages.success(request, text)
            return redirect(f"{reverse('ngos:verification_queue')}?status={IDENTITY_CHANGE}")
    return _render_detail(request, _scoped_ngo(request, slug), identity_submitted=form)
