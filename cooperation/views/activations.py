"""Activations: the list, opening one, its page (the coordination board for the officers, the
call for a called NGO), changing needs and states, closing it and its after-action summary."""

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cooperation.forms.activations import (
    ActivationEditForm,
    ActivationForm,
    ArrivedForm,
    NeedEditForm,
    NeedForm,
    NeedRemoveForm,
    StateForm,
    need_formset,
)
from cooperation.models import Activation, ResponseItem
from cooperation.services.activations import (
    CALL_TRANSITIONS,
    activation_close,
    activation_figures,
    activation_open,
    activation_summary,
    activation_update,
    board_for,
    call_change_state,
    item_record_arrived,
    need_add,
    need_remove,
    need_update,
    summary_details,
    summary_rows,
)
from cooperation.services.maps import board_map
from municipalities.models import Province
from portal import exports
from portal.access import roles_of
from portal.htmx import fragment_only, render_page

BOARD_TEMPLATE = "cooperation/activations/activation_board.html"
LIST_PAGE_SIZE = 50


def visible_activation(request, pk):
    """The activation if the user may see it (a 404 otherwise), with what every page shows."""
    queryset = Activation.objects.visible_to(request.user).select_related(
        "municipality__province", "opened_by", "closed_by"
    )
    return get_object_or_404(
        queryset.prefetch_related(
            Prefetch("provinces", queryset=Province.objects.order_by("name_sort")),
            "districts__province",
        ),
        pk=pk,
    )


def run_activation(request, pk):
    """The activation if the user is one of its officers (403 if they may only see it)."""
    activation = visible_activation(request, pk)
    if not rules.test_rule("cooperation.run_activation", request.user, activation):
        raise PermissionDenied
    return activation


@login_required
@require_GET
def activation_list(request):
    """The activations the user may see, open ones first, a page at a time, under the figures
    of the real ones among them (exercises are never counted)."""
    visible = Activation.objects.visible_to(request.user)
    page = Paginator(visible.with_list_joins().open_first(), LIST_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    can_open = rules.test_rule("cooperation.open_activation", request.user)
    return render(
        request,
        "cooperation/activations/activation_list.html",
        {
            "activations": page.object_list,
            "page": page,
            "figures": activation_figures(visible),
            "can_open": can_open,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def activation_create(request):
    """Open an activation with its needs (municipal managers and coordinators)."""
    if not rules.test_rule("cooperation.open_activation", request.user):
        raise PermissionDenied
    data = request.POST if request.method == "POST" else None
    form = ActivationForm(data, user=request.user)
    needs = need_formset(data)
    if data is not None and form.is_valid() and needs.is_valid():
        new_needs = [f.save(commit=False) for f in needs.forms if f.has_changed()]
        try:
            activation = activation_open(user=request.user, form=form, needs=new_needs)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The activation is open. Now choose whom to call."))
            return redirect("cooperation:propose", pk=activation.pk)
    return render(
        request,
        "cooperation/activations/activation_form.html",
        {"form": form, "needs": needs},
    )


@login_required
@require_GET
def activation_detail(request, pk):
    """The coordination board for the officers (refreshed every 15 s by htmx; a refresh link
    without JavaScript); for a called NGO, its call and answer."""
    activation = visible_activation(request, pk)
    if rules.test_rule("cooperation.view_board", request.user, activation):
        board = board_for(activation)
        context = {
            "activation": activation,
            "board": board,
            # The map is drawn for the page, not for the board's 15-second refreshes.
            "map": None if fragment_only(request) else board_map(activation, board.calls),
            "can_run": rules.test_rule("cooperation.run_activation", request.user, activation),
            "transitions": {state: sorted(after) for state, after in CALL_TRANSITIONS.items()},
        }
        return render_page(request, BOARD_TEMPLATE, context, fragment="board")
    roles = roles_of(request.user)
    calls = list(
        activation.calls.filter(ngo_id__in=roles.ngo_ids)
        .select_related("ngo", "response")
        .order_by("ngo__name_sort")
    )
    needs = list(activation.needs.order_by("priority", "pk"))
    return render(
        request,
        "cooperation/activations/activation_called.html",
        {"activation": activation, "calls": calls, "needs": needs},
    )


@login_required
@require_http_methods(["GET", "POST"])
def need_create(request, pk):
    """Add a need to an open activation."""
    activation = run_activation(request, pk)
    form = NeedForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        try:
            need_add(activation=activation, user=request.user, need=form.save(commit=False))
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The need has been added."))
            return redirect("cooperation:board", pk=activation.pk)
    return render(
        request,
        "cooperation/activations/need_form.html",
        {"activation": activation, "form": form},
    )


@login_required
@require_http_methods(["GET", "POST"])
def need_edit(request, pk, need):
    """Change a need; if another officer changed it meanwhile, nothing is saved and the form
    shows what they saved beside what this officer typed."""
    activation = run_activation(request, pk)
    need = get_object_or_404(activation.needs, pk=need)
    form = NeedEditForm(request.POST if request.method == "POST" else None, instance=need)
    if form.is_bound and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in NeedForm.Meta.fields}
        try:
            need_update(
                need_id=need.pk,
                user=request.user,
                expected_version=form.cleaned_data["version"],
                changes=changes,
            )
        except ValidationError as error:
            form.add_error(None, error)
            need.refresh_from_db()
        else:
            messages.success(request, _("The need has been saved."))
            return redirect("cooperation:board", pk=activation.pk)
    return render(
        request,
        "cooperation/activations/need_form.html",
        {"activation": activation, "form": form, "need": need},
    )


@login_required
@require_POST
def need_delete(request, pk, need):
    """Remove a need nobody has pledged against (a need with pledges is kept, with the reason)."""
    activation = run_activation(request, pk)
    need = get_object_or_404(activation.needs, pk=need)
    form = NeedRemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The form was incomplete: reload the page and try again."))
        return redirect("cooperation:need_edit", pk=activation.pk, need=need.pk)
    try:
        need_remove(
            need_id=need.pk, user=request.user, expected_version=form.cleaned_data["version"]
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("cooperation:need_edit", pk=activation.pk, need=need.pk)
    messages.success(request, _("The need has been removed."))
    return redirect("cooperation:board", pk=activation.pk)


@login_required
@require_http_methods(["GET", "POST"])
def activation_edit(request, pk):
    """Correct the description and severity of an open activation; if another officer changed
    it meanwhile, nothing is saved and the form shows what they saved beside what was typed."""
    activation = run_activation(request, pk)
    data = request.POST if request.method == "POST" else None
    form = ActivationEditForm(data, instance=activation)
    conflict = False
    if form.is_bound and form.is_valid():
        try:
            activation_update(
                activation_id=activation.pk,
                user=request.user,
                expected_version=form.cleaned_data["version"],
                description=form.cleaned_data["description"],
                severity=form.cleaned_data["severity"],
            )
        except ValidationError as error:
            form.add_error(None, error)
            activation.refresh_from_db()
            conflict = getattr(error, "code", None) == "conflict"
        else:
            messages.success(request, _("The activation has been saved."))
            return redirect("cooperation:board", pk=activation.pk)
    return render(
        request,
        "cooperation/activations/activation_edit.html",
        {"activation": activation, "form": form, "conflict": conflict},
    )


@login_required
@require_POST
def call_state(request, pk, call):
    """Move a called NGO to its next state on the ground."""
    activation = run_activation(request, pk)
    call = get_object_or_404(activation.calls.select_related("ngo"), pk=call)
    form = StateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the new state."))
    else:
        try:
            call_change_state(
                call_id=call.pk,
                user=request.user,
                from_state=form.cleaned_data["from_state"],
                to_state=form.cleaned_data["to_state"],
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(ngo)s: state changed.") % {"ngo": call.ngo.name})
    return redirect("cooperation:board", pk=activation.pk)


@login_required
@require_POST
def item_arrived(request, pk, item):
    """Record how much of an NGO's pledged item has arrived."""
    activation = run_activation(request, pk)
    item = get_object_or_404(ResponseItem.objects.filter(need__activation=activation), pk=item)
    form = ArrivedForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("arrived", [])))
    else:
        try:
            item_record_arrived(
                item_id=item.pk, user=request.user, arrived=form.cleaned_data["arrived"]
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The arrived quantity has been recorded."))
    return redirect("cooperation:board", pk=activation.pk)


@login_required
@require_http_methods(["GET", "POST"])
def activation_close_view(request, pk):
    """Close the activation (confirmation page); the after-action summary is written."""
    activation = run_activation(request, pk)
    if request.method == "POST":
        try:
            activation_close(activation_id=activation.pk, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The activation is closed; its summary is ready."))
        return redirect("cooperation:summary", pk=activation.pk)
    return render(
        request,
        "cooperation/activations/activation_close.html",
        {"activation": activation, "summary": activation_summary(activation)},
    )


def _summary_activation(request, pk):
    activation = visible_activation(request, pk)
    if not rules.test_rule("cooperation.view_board", request.user, activation):
        raise PermissionDenied
    return activation


@login_required
@require_GET
def activation_summary_view(request, pk):
    """The after-action summary (figures so far while open), ready to print."""
    activation = _summary_activation(request, pk)
    return render(
        request,
        "cooperation/activations/activation_summary.html",
        {"activation": activation, "summary": activation_summary(activation)},
    )


@login_required
@require_GET
def activation_summary_export(request, pk, fmt):
    """The after-action summary as CSV or XLSX."""
    activation = _summary_activation(request, pk)
    summary = activation_summary(activation)
    content = {
        "title": _("After-action summary: %(title)s") % {"title": activation.title},
        "details": summary_details(summary),
        # The summary has two tables, each with its heading row among the rows.
        "columns": [],
        "rows": list(summary_rows(summary)),
    }
    filename = f"etkinlestirme-{activation.pk}-ozet.{fmt}"
    if fmt == "csv":
        return exports.csv_response(filename, **content)
    return exports.xlsx_response(filename, sheet_title=_("Summary"), **content)
