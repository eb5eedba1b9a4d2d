"""The public page of open real activations (needs only, no personal data), offers of help from
verified NGOs that were not called, and the officers' decision on them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cooperation.forms.activations import OfferForm
from cooperation.models import Activation, Need
from cooperation.services.activations import needs_with_totals
from cooperation.services.calls import offer_decide, offer_make
from cooperation.views.activations import run_activation
from municipalities.models import Province
from ngos.models import NGO
from portal.access import roles_of


def _public():
    return Activation.objects.public().select_related("municipality")


@require_GET
def public_list(request):
    """Open real activations and what they need (exercises are never listed)."""
    activations = list(
        _public()
        .prefetch_related(
            Prefetch("provinces", queryset=Province.objects.order_by("name_sort")),
            Prefetch("needs", queryset=Need.objects.order_by("priority", "pk")),
        )
        .annotate(called=Count("calls", distinct=True))
        .order_by("-severity", "-started_at", "-pk")[:100]
    )
    return render(request, "cooperation/activations/public_list.html", {"activations": activations})


def _offering_ngos(user, activation):
    """The user's verified NGOs that were neither called nor have offered yet."""
    return (
        NGO.objects.verified()
        .filter(pk__in=roles_of(user).ngo_ids)
        .exclude(activation_calls__activation=activation)
        .exclude(activation_offers__activation=activation)
        .order_by("name_sort")
    )


@require_http_methods(["GET", "POST"])
def public_detail(request, pk):
    """One open real activation's needs, and the offer form for a verified NGO not called."""
    activation = get_object_or_404(
        _public().prefetch_related(
            Prefetch("provinces", queryset=Province.objects.order_by("name_sort")),
            "districts__province",
        ),
        pk=pk,
    )
    ngos = _offering_ngos(request.user, activation) if request.user.is_authenticated else None
    form = None
    if ngos is not None and ngos.exists():
        form = OfferForm(request.POST if request.method == "POST" else None, ngos=ngos)
        if form.is_bound and form.is_valid():
            try:
                offer_make(
                    activation=activation,
                    ngo=form.cleaned_data["ngo"],
                    user=request.user,
                    message=form.cleaned_data["message"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(
                    request, _("Thank you: your offer has been passed to the officers.")
                )
                return redirect("cooperation:public_detail", pk=activation.pk)
    elif request.method == "POST":
        return redirect_to_login_or_page(request, activation)
    return render(
        request,
        "cooperation/activations/public_detail.html",
        {"activation": activation, "needs": needs_with_totals(activation), "form": form},
    )


def redirect_to_login_or_page(request, activation):
    """A POST from someone who may not offer: anonymous visitors log in first."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    messages.error(request, _("Only a verified NGO that was not called may offer help."))
    return redirect("cooperation:public_detail", pk=activation.pk)


@login_required
@require_POST
def offer_decide_view(request, pk, offer):
    """Accept an offer (the NGO is then called) or decline it."""
    activation = run_activation(request, pk)
    offer = get_object_or_404(activation.offers.select_related("ngo"), pk=offer)
    accept = request.POST.get("decision") == "accept"
    try:
        offer_decide(
            offer_id=offer.pk,
            user=request.user,
            accept=accept,
            base_url=request.build_absolute_uri("/"),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        text = _("%(ngo)s has been called.") if accept else _("The offer of %(ngo)s was declined.")
        messages.success(request, text % {"ngo": offer.ngo.name})
    return redirect("cooperation:board", pk=activation.pk)
