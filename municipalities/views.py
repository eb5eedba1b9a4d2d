"""The public municipality directory, and the edit page of a municipality's public contacts."""

import copy

import rules
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from municipalities.filters import MunicipalityFilter
from municipalities.forms import MunicipalityContactsForm
from municipalities.models import District, Municipality
from municipalities.services import municipality_contacts_update
from portal.access import roles_of
from portal.htmx import render_page

PAGE_SIZE = 25


@require_GET
def municipality_list(request):
    """Every municipality, filtered by sub-region, province, kind and a Turkish-aware search."""
    filterset = MunicipalityFilter(
        request.GET, queryset=Municipality.objects.with_place().alphabetical()
    )
    # An invalid filter value shows the form's error and an empty list, never a 500.
    queryset = filterset.qs if filterset.is_valid() else Municipality.objects.none()
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {"filter": filterset, "page": page, "query": query.urlencode()}
    return render_page(request, "municipalities/municipality_list.html", context)


@require_GET
def municipality_detail(request, slug):
    """A municipality's contacts and its place in the hierarchy."""
    municipality = get_object_or_404(
        Municipality.objects.select_related(
            "province__subregion__region", "province__region", "district", "parent"
        ),
        slug=slug,
    )
    neighbours = (
        Municipality.objects.filter(province=municipality.province_id)
        .exclude(pk=municipality.pk)
        .select_related("district")
        .order_by("kind", "name_sort")
    )
    user = request.user
    can_view_staff = user.is_authenticated and user.has_perm(
        "municipalities.view_staff", municipality
    )
    # The rule itself, not user.has_perm: a superuser is no manager of the municipality.
    can_edit_contacts = user.is_authenticated and rules.has_perm(
        "municipalities.change_municipality_contacts", user, municipality
    )
    return render(
        request,
        "municipalities/municipality_detail.html",
        {
            "municipality": municipality,
            "neighbours": neighbours,
            "can_view_staff": can_view_staff,
            "can_edit_contacts": can_edit_contacts,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def municipality_contacts_edit(request, slug):
    """Edit the municipality's public contact details: its managers only; its other staff get a
    403, anyone else a 404."""
    municipality = get_object_or_404(
        Municipality.objects.filter(pk__in=roles_of(request.user).municipality_ids), slug=slug
    )
    if not rules.has_perm(
        "municipalities.change_municipality_contacts", request.user, municipality
    ):
        raise PermissionDenied
    # The form works on a copy: the page's title keeps the stored values until saved.
    form = MunicipalityContactsForm(request.POST or None, instance=copy.copy(municipality))
    if request.method == "POST" and form.is_valid():
        municipality_contacts_update(municipality=municipality, form=form, by=request.user)
        messages.success(
            request,
            _("The contact details of %(municipality)s have been saved.")
            % {"municipality": municipality.name},
        )
        return redirect(municipality.get_absolute_url())
    return render(
        request,
        "municipalities/municipality_contacts_form.html",
        {"municipality": municipality, "form": form},
    )


@require_GET
def place_options(request):
    """The district and municipality options of a province (htmx swaps them into a form)."""
    try:
        province_id = int(request.GET.get("province", ""))
    except ValueError:
        province_id = None
    target = request.GET.get("municipality_target", "id_municipality")
    if not target.replace("_", "").replace("-", "").isalnum():
        target = "id_municipality"
    return render(
        request,
        "municipalities/place_options.html",
        {
            "districts": District.objects.filter(province_id=province_id).order_by("name_sort"),
            "municipalities": Municipality.objects.filter(province_id=province_id).order_by(
                "kind", "name_sort"
            ),
            "municipality_target": target,
        },
    )
