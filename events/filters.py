"""Filters of the public list of regional programmes."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from events.models import Event
from municipalities.filters import province_filter, subregion_filter

UPCOMING, PAST = "upcoming", "past"


class EventFilter(django_filters.FilterSet):
    """Upcoming (the default) or past programmes, by sub-region and host province."""

    when = django_filters.ChoiceFilter(
        label=_("When"),
        choices=[(UPCOMING, _("Upcoming")), (PAST, _("Past"))],
        method="filter_when",
        empty_label=None,
        widget=forms.HiddenInput,
    )
    subregion = subregion_filter(field_name="subregion")
    province = province_filter(field_name="host_province", label=_("Host province"))

    class Meta:
        model = Event
        fields = ["when", "subregion", "province"]

    def __init__(self, data=None, *args, **kwargs):
        if data is not None and not data.get("when"):
            data = data.copy()
            data["when"] = UPCOMING
        super().__init__(data, *args, **kwargs)

    @property
    def tab(self):
        """The chosen tab, "upcoming" unless "past" was asked for."""
        return PAST if self.data.get("when") == PAST else UPCOMING

    def filter_when(self, queryset, name, value):
        if value == PAST:
            return queryset.past().order_by("-starts_at", "-pk")
        return queryset.upcoming().order_by("starts_at", "pk")
