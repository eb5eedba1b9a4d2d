"""Cooperation protocols: the lists (a municipality's, an NGO's, everyone's in the user's reach),
the protocol page with every action of its lifecycle, and the draft's form.

Who: a protocol is looked up through ``Protocol.objects.visible_to(user)`` (its municipality's
staff, the coordinators of its area, and its NGO parties once it is proposed): anyone else gets
a 404. A visible protocol the user may not act on is a 403 (cooperation/rules.py).
"""

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cooperation.filters import ProtocolFilter
from cooperation.forms.protocols import (
    CommitmentForm,
    DecisionForm,
    PartyAddForm,
    ProtocolForm,
    TerminateForm,
    VersionedForm,
)
from cooperation.models import NGOCommitment, Protocol, ProtocolParty, ProtocolStatus
from cooperation.services import protocols as services
from cooperation.services.protocols import ProtocolConflict
from municipalities.models import Municipality
from ngos.models import NGO, Capability
from portal.access import roles_of
from portal.filters import int_or_none
from portal.htmx import render_page

PAGE_SIZE = 25
LIST_TEMPLATE = "cooperation/protocols/protocol_list.html"
DETAIL_TEMPLATE = "cooperation/protocols/protocol_detail.html"
FORM_TEMPLATE = "cooperation/protocols/protocol_form.html"
NGO_SEARCH_LIMIT = 10


def _base_url(request):
    return request.build_absolute_uri("/")


# --- lists -------------------------------------------------------------------------------------


def _list_queryset(user):
    """Protocols the user may see, with what a list shows beside each (fixed queries)."""
    parties = ProtocolParty.objects.select_related("ngo").order_by("pk")
    return (
        Protocol.objects.visible_to(user)
        .select_related("municipality__province__subregion", "service_group")
        .prefetch_related(Prefetch("parties", queryset=parties))
    )


def _render_list(request, queryset, *, heading, intro="", base_url=None, owner=None):
    filterset = ProtocolFilter(request.GET, queryset=queryset)
    rows = filterset.qs if filterset.is_valid() else queryset.none()
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "filter": filterset,
        "page": page,
        "query": query.urlencode(),
        "heading": heading,
        "intro": intro,
        "list_url": base_url or request.path,
        "owner": owner,
        # The role, not has_perm: the model backend would add two permission queries.
        "can_create": roles_of(request.user).is_municipal_staff,
    }
    return render_page(request, LIST_TEMPLATE, context)


@login_required
@require_GET
def protocol_list(request):
    """Every protocol within the user's reach, filterable by place, status and hazard."""
    roles = roles_of(request.user)
    if roles.is_national_coordinator or roles.is_site_admin:
        intro = _("Every protocol in Türkiye.")
    elif roles.is_coordinator:
        intro = _("The protocols of the municipalities in the sub-regions you coordinate.")
    else:
        intro = _("The protocols of your municipalities and those your NGOs are party to.")
    return _render_list(
        request, _list_queryset(request.user), heading=_("Cooperation protocols"), intro=intro
    )


@login_required
@require_GET
def municipality_protocols(request, slug):
    """A municipality's protocols: for its staff and the coordinators of its area."""
    municipality = get_object_or_404(Municipality, slug=slug)
    roles = roles_of(request.user)
    if not (
        municipality.pk in roles.municipality_ids
        or roles.is_site_admin
        or roles.coordinates_subregion(municipality.province.subregion_id)
    ):
        raise Http404
    return _render_list(
        request,
        _list_queryset(request.user).filter(municipality=municipality),
        heading=_("Protocols of %(municipality)s") % {"municipality": municipality.name},
        owner=municipality,
    )


@login_required
@require_GET
def ngo_protocols(request, slug):
    """An NGO's protocols: for its members (proposed ones onwards) and the coordinators."""
    ngo = get_object_or_404(NGO.objects.select_related("province"), slug=slug)
    roles = roles_of(request.user)
    if not (
        ngo.pk in roles.ngo_ids
        or roles.is_site_admin
        or roles.coordinates_subregion(ngo.province.subregion_id)
    ):
        raise Http404
    return _render_list(
        request,
        _list_queryset(request.user).of_ngo(ngo),
        heading=_("Protocols of %(ngo)s") % {"ngo": ngo.name},
        owner=ngo,
    )


# --- the protocol page ---------------------------------------------------------------------------


def _detail_queryset(user):
    capabilities = Capability.objects.order_by("kind", "hazard")
    parties = (
        ProtocolParty.objects.select_related("ngo__province", "accepted_by")
        .prefetch_related(
            Prefetch("commitments", queryset=NGOCommitment.objects.order_by("pk")),
            Prefetch("ngo__capabilities", queryset=capabilities),
        )
        .order_by("pk")
    )
    return (
        Protocol.objects.visible_to(user)
        .select_related(
            "municipality__province__subregion",
            "service_group",
            "terminated_by",
            "created_by",
            "expectation__submission__ngo",
        )
        .prefetch_related(
            Prefetch("parties", queryset=parties),
            "municipal_commitments",
            "districts",
            "attachments",
        )
    )


def _visible(request, pk) -> Protocol:
    return get_object_or_404(_detail_queryset(request.user), pk=pk)


def _may(user, perm, protocol=None) -> bool:
    """The rule itself (cooperation/rules.py), not ``user.has_perm``: Django's model backend
    grants superusers every permission, and site administrators do not act for municipalities
    or NGOs."""
    return rules.has_perm(perm, user, protocol)


def _require(request, perm, protocol):
    if not _may(request.user, perm, protocol):
        raise PermissionDenied


def _decision_ngos(user, protocol):
    """The user's NGOs (as administrator) that are parties to the protocol."""
    admin_ids = roles_of(user).ngo_admin_ids
    return [party.ngo for party in protocol.parties.all() if party.ngo_id in admin_ids]


def _ngo_search(request, protocol):
    """Verified NGOs matching ``?ngo_q=`` that are not parties yet (for adding a party)."""
    query = (request.GET.get("ngo_q") or "").strip()
    if not query:
        return query, []
    party_ids = [party.ngo_id for party in protocol.parties.all()]
    found = (
        NGO.objects.verified()
        .search(query)
        .exclude(pk__in=party_ids)
        .select_related("province", "district")
        .alphabetical()[:NGO_SEARCH_LIMIT]
    )
    return query, list(found)


def _render_detail(request, protocol, *, bound=None, conflict=None):
    """The protocol page; after a refused action, ``bound`` holds that form with what was
    typed (by form name: "party", "decision", "terminate" or a party's "commitment_<pk>")."""
    user = request.user
    bound = bound or {}
    can_change = _may(user, "cooperation.change_protocol", protocol)
    can_manage = _may(user, "cooperation.propose_protocol", protocol)
    decision_ngos = _decision_ngos(user, protocol)
    is_draft = protocol.status == ProtocolStatus.DRAFT
    context = {
        "protocol": protocol,
        "parties": list(protocol.parties.all()),
        "conflict": conflict,
        "can_change": can_change and is_draft,
        "can_manage": can_manage,
        "version_form": VersionedForm(protocol=protocol),
        "show_case": protocol.expectation_id
        and (protocol.municipality_id in roles_of(user).municipality_ids),
        "show_case_to_ngo": protocol.expectation_id
        and protocol.expectation.submission.ngo_id in roles_of(user).ngo_ids,
    }
    if can_change and is_draft:
        context["ngo_query"], context["ngo_results"] = _ngo_search(request, protocol)
        context["party_form"] = bound.get("party") or PartyAddForm(protocol=protocol)
        context["proposal_problems"] = services.proposal_problems(protocol)
        for party in context["parties"]:
            party.form = bound.get(f"commitment_{party.pk}") or CommitmentForm(
                protocol=protocol, party=party
            )
    if decision_ngos and protocol.status == ProtocolStatus.PROPOSED:
        pending = [
            p.ngo for p in context["parties"] if p.ngo in decision_ngos and p.accepted_at is None
        ]
        if pending or "decision" in bound:
            context["decision_form"] = bound.get("decision") or DecisionForm(
                protocol=protocol, ngos=pending
            )
    if can_manage and protocol.status == ProtocolStatus.ACTIVE:
        context["terminate_form"] = bound.get("terminate") or TerminateForm(protocol=protocol)
    return render(request, DETAIL_TEMPLATE, context)


@login_required
@require_GET
def protocol_detail(request, pk):
    """A protocol: its content, parties and commitments, and the actions the user may take."""
    return _render_detail(request, _visible(request, pk))


@login_required
@require_GET
def protocol_document(request, pk):
    """The signed document: the address of earlier links, sending on to its attachment (whose
    download view checks access again)."""
    document = _visible(request, pk).document
    if document is None:
        raise Http404
    return redirect(document.get_absolute_url())


def _act(request, protocol, run, *, form=None, name=None, success):
    """Run a service for an action of the protocol page: redirect with ``success`` after it;
    after a conflict, show the protocol as it is now with what was typed kept; after another
    refusal, show the error at the form (or as a message when the action has no text)."""
    try:
        run()
    except ProtocolConflict as conflict:
        current = _visible(request, protocol.pk)
        bound = {name: form.for_current(current)} if form is not None and name else {}
        return _render_detail(request, current, bound=bound, conflict=conflict)
    except ValidationError as error:
        if form is not None and name:
            if hasattr(error, "error_dict"):
                for field, errors in error.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, error)
            return _render_detail(request, protocol, bound={name: form})
        messages.error(request, " ".join(error.messages))
        return redirect("cooperation:protocol_detail", pk=protocol.pk)
    messages.success(request, success)
    return redirect("cooperation:protocol_detail", pk=protocol.pk)


def _version(request, protocol):
    form = VersionedForm(request.POST, protocol=protocol)
    form.is_valid()
    return form.cleaned_data.get("version", 0)


@login_required
@require_POST
def protocol_propose(request, pk):
    """A manager proposes the draft to its NGO parties."""
    protocol = _visible(request, pk)
    _require(request, "cooperation.propose_protocol", protocol)
    return _act(
        request,
        protocol,
        lambda: services.protocol_propose(
            protocol_id=protocol.pk,
            expected_version=_version(request, protocol),
            user=request.user,
            base_url=_base_url(request),
        ),
        success=_("The protocol was proposed; the NGO parties were told."),
    )


@login_required
@require_POST
def protocol_withdraw(request, pk):
    """A manager takes the proposal back to draft to change it."""
    protocol = _visible(request, pk)
    _require(request, "cooperation.propose_protocol", protocol)
    return _act(
        request,
        protocol,
        lambda: services.protocol_withdraw(
            protocol_id=protocol.pk,
            expected_version=_version(request, protocol),
            user=request.user,
            base_url=_base_url(request),
        ),
        success=_("The protocol is a draft again; the parties will have to accept it again."),
    )


def _decide(request, pk, *, accept):
    protocol = _visible(request, pk)
    _require(request, "cooperation.respond_to_protocol", protocol)
    form = DecisionForm(
        request.POST, protocol=protocol, ngos=_decision_ngos(request.user, protocol)
    )
    if not form.is_valid():
        return _render_detail(request, protocol, bound={"decision": form})
    data = form.cleaned_data
    if accept:

        def run():
            return services.protocol_accept(
                protocol_id=protocol.pk,
                expected_version=data["version"],
                user=request.user,
                ngo=data["ngo"],
                base_url=_base_url(request),
            )

        success = _("You accepted the protocol for %(ngo)s.") % {"ngo": data["ngo"].name}
    else:

        def run():
            return services.protocol_decline(
                protocol_id=protocol.pk,
                expected_version=data["version"],
                user=request.user,
                ngo=data["ngo"],
                reason=data["reason"],
                base_url=_base_url(request),
            )

        success = _("You declined the protocol; it went back to the municipality as a draft.")
    response = _act(request, protocol, run, form=form, name="decision", success=success)
    if not accept and response.status_code == 302 and not _visible_or_none(request, pk):
        # A draft is the municipality's alone: the NGO cannot open it any more.
        return redirect("cooperation:protocol_list")
    return response


def _visible_or_none(request, pk):
    return Protocol.objects.visible_to(request.user).filter(pk=pk).exists()


@login_required
@require_POST
def protocol_accept(request, pk):
    """An NGO administrator accepts the proposal for their NGO."""
    return _decide(request, pk, accept=True)


@login_required
@require_POST
def protocol_decline(request, pk):
    """An NGO administrator declines the proposal, with a reason: it goes back to draft."""
    return _decide(request, pk, accept=False)


@login_required
@require_POST
def protocol_terminate(request, pk):
    """A manager ends a protocol in force, with a reason."""
    protocol = _visible(request, pk)
    _require(request, "cooperation.terminate_protocol", protocol)
    form = TerminateForm(request.POST, protocol=protocol)
    if not form.is_valid():
        return _render_detail(request, protocol, bound={"terminate": form})
    return _act(
        request,
        protocol,
        lambda: services.protocol_terminate(
            protocol_id=protocol.pk,
            expected_version=form.cleaned_data["version"],
            user=request.user,
            reason=form.cleaned_data["reason"],
            base_url=_base_url(request),
        ),
        form=form,
        name="terminate",
        success=_("The protocol was terminated; the NGO parties were told."),
    )


# --- the draft: content, parties, commitments ----------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def protocol_create(request):
    """A new draft for one of the user's municipalities; ``?expectation=<case>`` starts it
    from an accepted case (its NGO becomes the first party)."""
    if not _may(request.user, "cooperation.add_protocol"):
        raise PermissionDenied
    case_id = int_or_none(request.POST.get("expectation") or request.GET.get("expectation"))
    case = None
    if case_id is not None:
        case = services.startable_expectation(request.user, case_id)
        if case is None:
            raise Http404
    initial = services.initial_from_expectation(case) if case else {}
    form = ProtocolForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            protocol = services.protocol_create(
                user=request.user,
                municipality=data["municipality"],
                title=data["title"],
                subject=data["subject"],
                hazards=data["hazards"],
                phases=data["phases"],
                districts=data["districts"],
                service_group=data["service_group"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                document=data["document"],
                municipal_commitments=form.commitment_lines(),
                expectation=case,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("The draft was saved. Add the NGO parties and their commitments.")
            )
            return redirect("cooperation:protocol_detail", pk=protocol.pk)
    return render(request, FORM_TEMPLATE, {"form": form, "case": case})


@login_required
@require_http_methods(["GET", "POST"])
def protocol_edit(request, pk):
    """Change a draft (a stale form is refused with what was typed kept)."""
    protocol = _visible(request, pk)
    _require(request, "cooperation.change_protocol", protocol)
    if protocol.status != ProtocolStatus.DRAFT:
        messages.error(request, _("Only a draft can be changed; take the proposal back first."))
        return redirect("cooperation:protocol_detail", pk=protocol.pk)
    form = ProtocolForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        protocol=protocol,
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.protocol_update(
                protocol_id=protocol.pk,
                expected_version=data["version"],
                user=request.user,
                title=data["title"],
                subject=data["subject"],
                hazards=data["hazards"],
                phases=data["phases"],
                districts=data["districts"],
                service_group=data["service_group"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                document=data["document"],
                remove_document=data.get("remove_document", False),
                municipal_commitments=form.commitment_lines(),
            )
        except ProtocolConflict as error:
            conflict = error
            protocol = _visible(request, pk)
            form = form.for_current(protocol)
            form.is_valid()
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The draft was saved."))
            return redirect("cooperation:protocol_detail", pk=protocol.pk)
    context = {"form": form, "protocol": protocol, "conflict": conflict}
    return render(request, FORM_TEMPLATE, context)


@login_required
@require_POST
def protocol_party_add(request, pk):
    """Add a verified NGO to the draft as a party."""
    protocol = _visible(request, pk)
    _require(request, "cooperation.change_protocol", protocol)
    form = PartyAddForm(request.POST, protocol=protocol)
    if not form.is_valid():
        messages.error(request, _("Choose an NGO from the search results."))
        return redirect("cooperation:protocol_detail", pk=protocol.pk)
    ngo = form.cleaned_data["ngo"]
    return _act(
        request,
        protocol,
        lambda: services.protocol_party_add(
            protocol_id=protocol.pk,
            expected_version=form.cleaned_data["version"],
            user=request.user,
            ngo=ngo,
        ),
        success=_("%(ngo)s is a party now; write what it commits to.") % {"ngo": ngo.name},
    )


@login_required
@require_POST
def protocol_party_remove(request, pk, party_pk):
    """Remove a party (and its commitments) from the draft."""
    protocol = _visible(request, pk)
    _require(request, "cooperation.change_protocol", protocol)
    return _act(
        request,
        protocol,
        lambda: services.protocol_party_remove(
            protocol_id=protocol.pk,
            expected_version=_version(request, protocol),
            user=request.user,
            party_id=party_pk,
        ),
        success=_("The NGO is no longer a party to the draft."),
    )


@login_required
@require_POST
def protocol_commitment_add(request, pk, party_pk):
    """Add what one NGO party commits to the draft."""
    protocol = _visible(request, pk)
    _require(request, "cooperation.change_protocol", protocol)
    party = next((p for p in protocol.parties.all() if p.pk == party_pk), None)
    if party is None:
        raise Http404
    form = CommitmentForm(request.POST, protocol=protocol, party=party)
    name = f"commitment_{party.pk}"
    if not form.is_valid():
        return _render_detail(request, protocol, bound={name: form})
    data = form.cleaned_data
    return _act(
        request,
        protocol,
        lambda: services.protocol_commitment_add(
            protocol_id=protocol.pk,
            expected_version=data["version"],
            user=request.user,
            party_id=party.pk,
            capability=data["capability"],
            kind=data["kind"],
            quantity=data["quantity"],
            unit=data["unit"],
            people=data["people"],
            note=data["note"],
        ),
        form=form,
        name=name,
        success=_("The commitment of %(ngo)s was added.") % {"ngo": party.ngo.name},
    )


@login_required
@require_POST
def protocol_commitment_remove(request, pk, commitment_pk):
    """Remove one NGO commitment from the draft."""
    protocol = _visible(request, pk)
    _require(request, "cooperation.change_protocol", protocol)
    return _act(
        request,
        protocol,
        lambda: services.protocol_commitment_remove(
            protocol_id=protocol.pk,
            expected_version=_version(request, protocol),
            user=request.user,
            commitment_id=commitment_pk,
        ),
        success=_("The commitment was removed."),
    )
