"""Filters of the protocol lists (municipalities', NGOs' and coordinators' views)."""

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from cooperation.models import ProtocolParty, ProtocolStatus
from municipalities.filters import province_filter, subregion_filter
from portal.choices import Hazard
from portal.filters import search_filter
from portal.turkish import search_key

ORDERINGS = {
    "newest": ["-created_at", "-pk"],
    "ending": ["ends_on", "pk"],
    "municipality": ["municipality__name_sort", "-created_at", "-pk"],
}


class ProtocolFilter(django_filters.FilterSet):
    """Status, place (by the municipality's province and sub-region), hazard, a search that
    works with or without Turkish letters on the municipality's and the parties' names, and the
    order. Parties are matched with a ``pk__in`` subquery, so no protocol comes twice."""

    q = search_filter(_("Title, municipality or NGO"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ProtocolStatus.choices, empty_label=_("Any status")
    )
    subregion = subregion_filter(field_name="municipality__province__subregion")
    province = province_filter(field_name="municipality__province")
    hazard = django_filters.ChoiceFilter(
        label=_("Hazard"),
        choices=Hazard.choices,
        empty_label=_("Any hazard"),
        method="filter_hazard",
    )
    order = django_filters.ChoiceFilter(
        label=_("Order"),
        choices=[
            ("newest", _("Newest first")),
            ("ending", _("Ending soonest")),
            ("municipality", _("Municipality (A–Z)")),
        ],
        empty_label=None,
        method="filter_order",
    )

    def filter_search(self, queryset, name, value):
        key = search_key(value or "")
        if not key:
            return queryset
        parties = ProtocolParty.objects.filter(ngo__name_search__contains=key)
        return queryset.filter(
            Q(title__icontains=value.strip())
            | Q(municipality__name_search__contains=key)
            | Q(pk__in=parties.values("protocol_id"))
        )

    def filter_hazard(self, queryset, name, value):
        return queryset.for_hazard(value) if value else queryset

    def filter_order(self, queryset, name, value):
        return queryset.order_by(*ORDERINGS.get(value, ORDERINGS["newest"]))
