"""Filters of the public municipality directory."""

import django_filters
from django.utils.translation import gettext_lazy as _

from municipalities.models import Municipality, MunicipalityKind, Province, SubRegion
from portal.filters import search_widget


class MunicipalityFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Search"),
        method="filter_search",
        widget=search_widget(_("Name of a municipality")),
    )
    subregion = django_filters.ModelChoiceFilter(
        label=_("Sub-region"),
        field_name="province__subregion",
        queryset=SubRegion.objects.order_by("code"),
        empty_label=_("All sub-regions"),
    )
    province = django_filters.ModelChoiceFilter(
        label=_("Province"),
        queryset=Province.objects.order_by("name_sort"),
        empty_label=_("All provinces"),
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=MunicipalityKind.choices, empty_label=_("All kinds")
    )

    class Meta:
        model = Municipality
        fields = ["q", "subregion", "province", "kind"]

    def filter_search(self, queryset, name, value):
        return queryset.search(value)
