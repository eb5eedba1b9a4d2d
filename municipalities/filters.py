"""Filters of the public municipality directory."""

import django_filters
from django.utils.translation import gettext_lazy as _

from municipalities.models import Municipality, MunicipalityKind, Province, SubRegion
from portal.filters import search_filter


def subregion_filter(*, field_name="province__subregion", queryset=None, empty_label=None):
    """A sub-region select (all 17 in code order, unless ``queryset`` narrows them)."""
    return django_filters.ModelChoiceFilter(
        label=_("Sub-region"),
        field_name=field_name,
        queryset=SubRegion.objects.order_by("code") if queryset is None else queryset,
        empty_label=empty_label or _("All sub-regions"),
    )


def province_filter(*, field_name="province", queryset=None, empty_label=None, label=None):
    """A province select (all 81 in Turkish alphabetical order, unless ``queryset`` narrows
    them)."""
    return django_filters.ModelChoiceFilter(
        label=label or _("Province"),
        field_name=field_name,
        queryset=Province.objects.order_by("name_sort") if queryset is None else queryset,
        empty_label=empty_label or _("All provinces"),
    )


class MunicipalityFilter(django_filters.FilterSet):
    q = search_filter(_("Name of a municipality"))
    subregion = subregion_filter()
    province = province_filter()
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=MunicipalityKind.choices, empty_label=_("All kinds")
    )

    class Meta:
        model = Municipality
        fields = ["q", "subregion", "province", "kind"]

    def filter_search(self, queryset, name, value):
        return queryset.search(value)
