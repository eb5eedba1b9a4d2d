"""Calls for support: the "whom to call" proposal and sending the call (officers), and the
called NGO's answer."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from cooperation.forms.activations import CallForm, ResponseForm
from cooperation.services.calls import Answer, calls_send, deliveries_retry_failed, response_save
from cooperation.services.proposals import proposal_for
from cooperation.views.activations import run_activation, visible_activation
from portal.access import roles_of


@login_required
@require_http_methods(["GET", "POST"])
def proposal(request, pk):
    """Whom to call: protocol partners first, then matching NGOs nearest first; the officer
    ticks NGOs and sends the call."""
    activation = run_activation(request, pk)
    found = proposal_for(activation)
    form = CallForm(request.POST or None, candidates=found.candidates)
    if request.method == "POST" and activation.is_open and form.is_valid():
        try:
            calls = calls_send(
                activation=activation,
                ngo_ids=form.cleaned_data["ngos"],
                user=request.user,
                message=form.cleaned_data["message"],
                base_url=request.build_absolute_uri("/"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                ngettext(
                    "%(count)d NGO has been called; the call is being delivered.",
                    "%(count)d NGOs have been called; the call is being delivered.",
                    len(calls),
                )
                % {"count": len(calls)},
            )
            return redirect("cooperation:board", pk=activation.pk)
    if form.is_bound:
        chosen = {int(pk) for pk in request.POST.getlist("ngos") if pk.isdigit()}
    else:  # protocol partners are ticked to begin with
        chosen = {candidate.ngo.pk for candidate in found.partners}
    return render(
        request,
        "cooperation/activations/proposal.html",
        {"activation": activation, "proposal": found, "form": form, "chosen": chosen},
    )


@login_required
@require_POST
def deliveries_retry(request, pk):
    """Send the activation's failed deliveries again."""
    activation = run_activation(request, pk)
    calls = deliveries_retry_failed(activation=activation, user=request.user)
    messages.success(
        request,
        ngettext(
            "The failed deliveries of %(count)d call are being sent again.",
            "The failed deliveries of %(count)d calls are being sent again.",
            len(calls),
        )
        % {"count": len(calls)},
    )
    return redirect("cooperation:board", pk=activation.pk)


@login_required
@require_http_methods(["GET", "POST"])
def respond(request, pk, call):
    """The called NGO's answer: whether it comes, with whom and what, when; it may change it."""
    activation = visible_activation(request, pk)
    call = get_object_or_404(
        activation.calls.filter(ngo_id__in=roles_of(request.user).ngo_ids).select_related(
            "ngo", "response"
        ),
        pk=call,
    )
    response = getattr(call, "response", None)
    needs = activation.needs.order_by("priority", "pk")
    form = ResponseForm(
        request.POST if request.method == "POST" else None, instance=response, needs=needs
    )
    if form.is_bound and activation.is_open and form.is_valid():
        data = form.cleaned_data
        answer = Answer(
            availability=data["availability"],
            people=data["people"] or 0,
            vehicles=data["vehicles"] or 0,
            eta=data["eta"],
            contact_name=data["contact_name"],
            contact_phone=data["contact_phone"],
            note=data["note"],
            items=form.items(),
        )
        try:
            response_save(
                call_id=call.pk,
                user=request.user,
                answer=answer,
                expected_version=data["version"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your answer has been sent to the officers."))
            return redirect("cooperation:board", pk=activation.pk)
    return render(
        request,
        "cooperation/activations/response_form.html",
        {"activation": activation, "call": call, "form": form, "response": response},
    )
