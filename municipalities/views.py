"""The public municipality directory."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET

from municipalities.filters import MunicipalityFilter
from municipalities.models import District, Municipality
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
    can_view_staff = request.user.is_authenticated and request.user.has_perm(
        "municipalities.view_staff", municipality
    )
    return render(
        request,
        "municipalities/municipality_detail.html",
        {"municipality": municipality, "neighbours": neighbours, "can_view_staff": can_view_staff},
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
