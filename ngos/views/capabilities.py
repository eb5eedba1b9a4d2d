"""Disaster capabilities: an NGO's administrators keep them; municipal staff and coordinators
search them by place and export them."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from municipalities.models import MunicipalStaff, Province
from ngos.forms.capabilities import CapabilityForm, CapabilitySearchForm
from ngos.models import NGO
from ngos.services.capabilities import (
    capabilities_confirm,
    capabilities_csv_rows,
    capabilities_export_log,
    capabilities_near,
    capability_create,
    capability_delete,
    capability_export_columns,
    capability_update,
    distance_label,
)
from portal import exports
from portal.access import roles_of
from portal.htmx import render_page

PAGE_SIZE = 25
SEARCH_TEMPLATE = "ngos/capability_search.html"


def _administered_ngo(request, slug):
    """The NGO if the user administers it (site administrators: any NGO); a 404 for everyone
    else."""
    ngo = get_object_or_404(NGO.objects.visible_to(request.user), slug=slug)
    if not request.user.has_perm("ngos.manage_capabilities", ngo):
        raise Http404
    return ngo


@login_required
@require_http_methods(["GET", "POST"])
def capability_list(request, slug):
    """The NGO's capabilities, with a form to add one."""
    ngo = _administered_ngo(request, slug)
    form = CapabilityForm(request.POST if request.method == "POST" else None, ngo=ngo)
    if form.is_bound and form.is_valid():
        try:
            capability = capability_create(ngo=ngo, form=form)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("“%(capability)s” has been added.")
                % {"capability": capability.get_kind_display()},
            )
            return redirect("ngos:capabilities", slug=ngo.slug)
    capabilities = list(
        ngo.capabilities.order_by("kind", "hazard").prefetch_related(
            Prefetch("provinces", queryset=Province.objects.order_by("name_sort"))
        )
    )
    context = {
        "ngo": ngo,
        "form": form,
        "capabilities": capabilities,
        "stale_count": sum(capability.is_stale for capability in capabilities),
        "province_total": Province.objects.count(),
    }
    return render(request, "ngos/capability_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def capability_edit(request, slug, pk):
    """Change one capability; saving confirms it as of today."""
    ngo = _administered_ngo(request, slug)
    capability = get_object_or_404(ngo.capabilities, pk=pk)
    data = request.POST if request.method == "POST" else None
    form = CapabilityForm(data, instance=capability, ngo=ngo)
    if form.is_bound and form.is_valid():
        try:
            capability_update(capability=capability, form=form)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The capability has been saved and confirmed."))
            return redirect("ngos:capabilities", slug=ngo.slug)
    return render(
        request, "ngos/capability_form.html", {"ngo": ngo, "capability": capability, "form": form}
    )


@login_required
@require_POST
def capability_delete_view(request, slug, pk):
    """Remove one capability."""
    ngo = _administered_ngo(request, slug)
    capability = get_object_or_404(ngo.capabilities, pk=pk)
    capability_delete(capability=capability)
    messages.success(
        request,
        _("“%(capability)s” has been removed.") % {"capability": capability.get_kind_display()},
    )
    return redirect("ngos:capabilities", slug=ngo.slug)


@login_required
@require_POST
def capabilities_confirm_view(request, slug):
    """“Everything is still correct”: confirm all of the NGO's capabilities as of today."""
    ngo = _administered_ngo(request, slug)
    count = capabilities_confirm(ngo=ngo)
    if count:
        message = ngettext(
            "Your capability is confirmed as of today.",
            "All %(count)d capabilities are confirmed as of today.",
            count,
        ) % {"count": count}
        messages.success(request, message)
    else:
        messages.info(request, _("Your NGO has no capability to confirm yet."))
    return redirect("ngos:capabilities", slug=ngo.slug)


def _require_search_permission(request):
    if not request.user.has_perm("ngos.search_capabilities"):
        raise PermissionDenied


def _search_form(request):
    """The search form bound to the query string. Municipal staff start from the province of
    their (first) municipality, and its district when it lies in the chosen province."""
    data = request.GET.copy()
    data.pop("page", None)
    home = None
    if roles_of(request.user).is_municipal_staff and not (
        "province" in data and "district" in data
    ):
        staff = (
            MunicipalStaff.objects.filter(user=request.user)
            .select_related("municipality")
            .order_by("pk")
            .first()
        )
        home = staff.municipality if staff else None
    if home is not None:
        data.setdefault("province", str(home.province_id))
        if home.district_id and data.get("province") == str(home.province_id):
            data.setdefault("district", str(home.district_id))
    return CapabilitySearchForm(data if "province" in data else None)


def _search_results(form):
    if not form.is_bound or not form.is_valid():
        return None
    cleaned = form.cleaned_data
    return capabilities_near(
        province=cleaned["province"],
        district=cleaned["district"],
        kind=cleaned["kind"],
        hazard=cleaned["hazard"],
    )


@login_required
@require_GET
def capability_search(request):
    """Who can provide a capability for a hazard in a province, nearest NGOs first."""
    _require_search_permission(request)
    form = _search_form(request)
    if request.htmx and request.htmx.trigger_name == "province":
        return render(request, SEARCH_TEMPLATE + "#district-options", {"form": form})
    results = _search_results(form)
    context = {"form": form, "page": None, "query": ""}
    if results is not None:
        context["page"] = page = Paginator(results, PAGE_SIZE).get_page(request.GET.get("page"))
        for capability in page:
            capability.distance = distance_label(capability.rank)
        context["query"] = urlencode({k: v for k, v in form.filter_values().items() if v})
    return render_page(request, SEARCH_TEMPLATE, context)


@login_required
@require_GET
def capability_export(request):
    """The search results as CSV, streamed; every export is recorded before it starts."""
    _require_search_permission(request)
    form = _search_form(request)
    results = _search_results(form)
    if results is None:
        messages.error(request, _("Choose a province and check the filters before exporting."))
        query = request.GET.urlencode()
        return redirect(reverse("ngos:capability_search") + (f"?{query}" if query else ""))
    capabilities_export_log(
        user=request.user, filters=form.filter_values(), row_count=results.count()
    )
    rows = capabilities_csv_rows(
        results, ngo_url=lambda ngo: request.build_absolute_uri(ngo.get_absolute_url())
    )
    province = form.cleaned_data["province"]
    filename = f"ngo-capabilities-{province.slug}-{timezone.localdate()}.csv"
    return exports.csv_response(
        filename,
        title=_("NGO capabilities for %(province)s") % {"province": province.name},
        details=[
            (_("Province where help is needed"), province.name),
            (_("Exported at (Türkiye time)"), f"{timezone.localtime():%Y-%m-%d %H:%M}"),
        ],
        columns=capability_export_columns(),
        rows=rows,
    )
