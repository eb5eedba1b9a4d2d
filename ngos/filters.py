"""Filters of the public NGO directory and of the coordinators' verification queue."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from municipalities.filters import province_filter, subregion_filter
from municipalities.models import District, Province, SubRegion
from ngos.models import (
    NGO,
    ActivityField,
    Capability,
    CapabilityKind,
    LegalForm,
    NGOIdentityChange,
    VerificationStatus,
)
from portal.access import roles_of
from portal.choices import HazardScope
from portal.filters import int_or_none, search_filter


class NGOFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        province, district = cleaned.get("province"), cleaned.get("district")
        # Choosing another province leaves the old district in the query string; it no longer
        # applies (and is not offered in the list any more), so it is dropped, not an error.
        if province and district and district.province_id != province.pk:
            cleaned["district"] = None
        return cleaned


class NGOFilter(django_filters.FilterSet):
    """The public directory's filters. Relations are matched with ``pk__in`` subqueries, so no
    join can repeat an NGO and no DISTINCT is needed."""

    q = search_filter(_("Name of an NGO"))
    subregion = subregion_filter()
    province = province_filter()
    # Any district id is accepted; the select offers only the chosen province's (see ``form``).
    district = django_filters.ModelChoiceFilter(
        label=_("District"),
        queryset=District.objects.all(),
        empty_label=_("All districts"),
    )
    legal_form = django_filters.ChoiceFilter(
        label=_("Legal form"), choices=LegalForm.choices, empty_label=_("All legal forms")
    )
    field = django_filters.ModelChoiceFilter(
        label=_("Field of activity"),
        queryset=ActivityField.objects.filter(is_active=True),
        empty_label=_("All fields"),
        method="filter_field",
    )
    capability = django_filters.ChoiceFilter(
        label=_("Disaster capability"),
        choices=CapabilityKind.choices,
        empty_label=_("Any capability"),
        method="filter_capability",
    )
    hazard = django_filters.ChoiceFilter(
        label=_("Hazard"),
        choices=HazardScope.choices,
        empty_label=_("Any hazard or none"),
        method="filter_hazard",
    )

    class Meta:
        model = NGO
        form = NGOFilterForm
        fields = [
            "q",
            "subregion",
            "province",
            "district",
            "legal_form",
            "field",
            "capability",
            "hazard",
        ]

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            self._limit_district_options(form)
        return self._form

    def _limit_district_options(self, form):
        """Offer the districts of one province only: never a 973-option list."""
        field = form.fields["district"]
        province_id = int_or_none(self.data.get("province"))
        district_id = int_or_none(self.data.get("district"))
        if province_id is not None:
            shown = District.objects.filter(province_id=province_id)
        elif district_id is not None:
            # A link with a district but no province: offer that district's neighbours.
            shown = District.objects.filter(province__districts=district_id)
        else:
            shown = District.objects.none()
            field.help_text = _("Choose a province first.")
        options = field.iterator(field)
        options.queryset = shown.order_by("name_sort")
        field.widget.choices = options

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def filter_field(self, queryset, name, value):
        through = NGO.activity_fields.through.objects.filter(activityfield=value)
        return queryset.filter(pk__in=through.values("ngo_id"))

    def filter_capability(self, queryset, name, value):
        capabilities = Capability.objects.filter(kind=value)
        # With a hazard too, both must hold for the same capability (first aid *for floods*).
        hazard = self.form.cleaned_data.get("hazard")
        if hazard:
            capabilities = capabilities.filter(hazard__in={hazard, HazardScope.ANY})
        return queryset.filter(pk__in=capabilities.values("ngo_id"))

    def filter_hazard(self, queryset, name, value):
        if self.form.cleaned_data.get("capability"):
            return queryset  # applied together with the capability
        capabilities = Capability.objects.filter(hazard__in={value, HazardScope.ANY})
        return queryset.filter(pk__in=capabilities.values("ngo_id"))


def coordinated_subregions(request):
    """The sub-regions the user coordinates (all for national coordinators)."""
    roles = roles_of(request.user if request else None)
    subregions = SubRegion.objects.order_by("code")
    if roles.is_national_coordinator or roles.is_site_admin:
        return subregions
    return subregions.filter(pk__in=roles.subregion_ids)


def coordinated_provinces(request):
    """The provinces of the sub-regions the user coordinates."""
    roles = roles_of(request.user if request else None)
    provinces = Province.objects.order_by("name_sort")
    if roles.is_national_coordinator or roles.is_site_admin:
        return provinces
    return provinces.filter(subregion_id__in=roles.subregion_ids)


# The queue's tab of verified NGOs whose change of identity awaits a coordinator.
IDENTITY_CHANGE = "identity_change"
QUEUE_TABS = [
    (VerificationStatus.PENDING, VerificationStatus.PENDING.label),
    (IDENTITY_CHANGE, _("Change of identity to verify")),
    *[(value, label) for value, label in VerificationStatus.choices if value != "pending"],
]


def queue_tab_condition(tab: str) -> Q:
    """The NGOs of one tab of the verification queue: a status, or an open change of identity."""
    if tab == IDENTITY_CHANGE:
        return Q(pk__in=NGOIdentityChange.objects.open().values("ngo_id"))
    return Q(status=tab)


class VerificationFilter(django_filters.FilterSet):
    """The verification queue's filters; without a status, the pending NGOs are shown."""

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=QUEUE_TABS, empty_label=None, method="filter_status"
    )
    q = search_filter(_("Name of an NGO"))
    subregion = subregion_filter(
        queryset=coordinated_subregions, empty_label=_("All your sub-regions")
    )
    province = province_filter(queryset=coordinated_provinces, empty_label=_("All your provinces"))

    class Meta:
        model = NGO
        fields = ["status", "q", "subregion", "province"]

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else None
        if data is not None and not data.get("status"):
            data["status"] = VerificationStatus.PENDING
        super().__init__(data, *args, **kwargs)

    def filter_status(self, queryset, name, value):
        return queryset.filter(queue_tab_condition(value))

    def filter_search(self, queryset, name, value):
        return queryset.search(value)

    def without_status(self):
        """The queryset with every filter applied except the status (for the status tabs)."""
        queryset = self.queryset
        for name, value in self.form.cleaned_data.items():
            if name != "status":
                queryset = self.filters[name].filter(queryset, value)
        return queryset
