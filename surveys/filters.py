"""Filters of the municipal review inbox and of the coordinators' read-only list of cases."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from municipalities.filters import province_filter
from municipalities.models import District, Municipality, Province
from portal.access import roles_of
from portal.choices import Hazard
from portal.filters import int_or_none, search_filter
from portal.turkish import search_key
from surveys.models import Campaign, Category, ExpectationStatus

ASSIGNED_TO_ME, UNASSIGNED, ASSIGNED_TO_ANYONE = "me", "unassigned", "anyone"
RANK_CHOICES = [(rank, str(rank)) for rank in range(1, 6)]

# The order of the list when no sort is chosen: newest submissions first, each NGO's items by
# rank, and the primary key last so that pages never overlap.
DEFAULT_ORDER = ("-submission__submitted_at", "submission_id", "rank", "pk")


def _user_of(request):
    return request.user if request is not None else None


def _inbox_municipalities(request):
    """The municipalities the user works for."""
    ids = roles_of(_user_of(request)).municipality_ids
    return Municipality.objects.filter(pk__in=ids).order_by("name_sort")


def _coordinated_provinces(request):
    """The provinces of the coordinator's sub-regions (all for national coordinators)."""
    roles = roles_of(_user_of(request))
    provinces = Province.objects.order_by("name_sort")
    if roles.is_national_coordinator or roles.is_site_admin:
        return provinces
    return provinces.filter(subregion_id__in=roles.subregion_ids)


class CheckboxFilter(django_filters.BooleanFilter):
    """A checkbox: ticked applies the filter's method, unticked (or absent) passes ``False``."""

    field_class = forms.BooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.CheckboxInput)
        super().__init__(*args, **kwargs)


class CaseOrderingFilter(django_filters.OrderingFilter):
    """Sort by rank, age or NGO; ties keep the default order, so pagination is stable."""

    def filter(self, qs, value):
        ordering = [self.get_ordering_value(param) for param in value or [] if param]
        if not ordering:
            return qs
        return qs.order_by(*ordering, *DEFAULT_ORDER)


class CaseFilter(django_filters.FilterSet):
    """What the inbox and the coordinators' list share. The status is chosen with the tabs;
    ``without_status`` is the list with every other filter applied, for the tabs' counts."""

    q = search_filter(_("Title or NGO name"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=ExpectationStatus.choices, widget=forms.HiddenInput
    )
    campaign = django_filters.ModelChoiceFilter(
        label=_("Campaign"),
        field_name="submission__campaign",
        queryset=Campaign.objects.order_by("-opens_at", "pk"),
        empty_label=_("All campaigns"),
    )
    # Choices are set per request (grouped by theme, named in the request's language).
    category = django_filters.ChoiceFilter(label=_("Category"), empty_label=_("All categories"))
    hazard = django_filters.ChoiceFilter(
        label=_("Hazard"), choices=Hazard.choices, empty_label=_("Any hazard or none")
    )
    rank = django_filters.ChoiceFilter(
        label=_("Rank"), choices=RANK_CHOICES, empty_label=_("Any rank")
    )
    ngo = search_filter(_("Name of an NGO"), method="filter_ngo", label=_("NGO"))
    # Any district of the scope is accepted; the select offers a smaller list (see ``form``).
    district = django_filters.ModelChoiceFilter(
        label=_("NGO's district"),
        field_name="submission__ngo__district",
        queryset=District.objects.none(),
        empty_label=_("All districts"),
    )
    assigned = django_filters.ChoiceFilter(
        label=_("Assigned"),
        choices=[
            (ASSIGNED_TO_ME, _("Assigned to me")),
            (UNASSIGNED, _("Unassigned")),
            (ASSIGNED_TO_ANYONE, _("Assigned to anyone")),
        ],
        empty_label=_("Assigned or not"),
        method="filter_assigned",
    )
    overdue = CheckboxFilter(label=_("Overdue only"), method="filter_overdue")
    o = CaseOrderingFilter(
        label=_("Sort by"),
        fields=[
            ("rank", "rank"),
            ("submission__submitted_at", "age"),
            ("submission__ngo__name_sort", "ngo"),
        ],
        choices=[
            ("rank", _("Rank (1 first)")),
            ("-rank", _("Rank (5 first)")),
            ("age", _("Oldest first")),
            ("-age", _("Newest first")),
            ("ngo", _("NGO (A–Z)")),
            ("-ngo", _("NGO (Z–A)")),
        ],
        empty_label=_("Newest first (default)"),
    )

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        self.filters["category"].extra["choices"] = self._category_choices()
        self.filters["district"].queryset = self.district_scope()

    def _category_choices(self):
        """The categories grouped by theme, in theme order (one query)."""
        categories = Category.objects.select_related("theme").order_by(
            "theme__order", "theme__name_sort", "theme_id", "order", "name_sort"
        )
        groups = {}
        for category in categories:
            groups.setdefault(category.theme, []).append(
                (category.pk, f"{category.code} — {category.label}")
            )
        return [(theme.label, items) for theme, items in groups.items()]

    def district_scope(self):
        """The districts a user may filter by (what validation accepts)."""
        raise NotImplementedError

    def district_options(self):
        """The districts offered in the select (with their province)."""
        return self.district_scope()

    @property
    def form(self):
        if not hasattr(self, "_form"):
            form = super().form
            field = form.fields["district"]
            options = list(self.district_options().select_related("province"))
            several = len({district.province_id for district in options}) > 1
            field.widget.choices = [("", field.empty_label)] + [
                (
                    district.pk,
                    f"{district.name} ({district.province.name})" if several else district.name,
                )
                for district in options
            ]
            if not options:
                field.help_text = _("Choose a province first.")
        return self._form

    def filter_queryset(self, queryset):
        status = self.form.cleaned_data.get("status")
        for name, value in self.form.cleaned_data.items():
            if name != "status":
                queryset = self.filters[name].filter(queryset, value)
        self.without_status = queryset
        return self.filters["status"].filter(queryset, status)

    def filter_search(self, queryset, name, value):
        # Titles, descriptions and NGO names through their stored search keys, folded by Turkish
        # rules: "yagmur", "YAĞMUR" and "Yağmur" find the same cases on SQLite and PostgreSQL.
        key = search_key(value)
        if not key:
            return queryset
        return queryset.filter(
            Q(text_search__contains=key) | Q(submission__ngo__name_search__contains=key)
        )

    def filter_ngo(self, queryset, name, value):
        key = search_key(value)
        return queryset.filter(submission__ngo__name_search__contains=key) if key else queryset

    def filter_assigned(self, queryset, name, value):
        if value == ASSIGNED_TO_ME:
            return queryset.filter(assigned_to=_user_of(self.request))
        if value == UNASSIGNED:
            return queryset.filter(assigned_to__isnull=True)
        return queryset.filter(assigned_to__isnull=False)

    def filter_overdue(self, queryset, name, value):
        # The same conditions as the overdue flag of each row (ExpectationQuerySet.overdue).
        return queryset.overdue() if value else queryset


class InboxFilter(CaseFilter):
    """The municipal staff's inbox: the cases of the municipalities they work for."""

    municipality = django_filters.ModelChoiceFilter(
        label=_("Municipality"),
        queryset=_inbox_municipalities,
        empty_label=_("All your municipalities"),
    )

    def district_scope(self):
        """The districts of the provinces of the user's municipalities."""
        provinces = _inbox_municipalities(self.request).values("province")
        return District.objects.filter(province__in=provinces).order_by(
            "province__name_sort", "name_sort"
        )


class CoordinatorCaseFilter(CaseFilter):
    """The coordinators' read-only list: the cases of the municipalities in their scope."""

    municipality = search_filter(
        _("Name of a municipality"), method="filter_municipality", label=_("Municipality")
    )
    province = province_filter(
        field_name="municipality__province",
        queryset=_coordinated_provinces,
        empty_label=_("All your provinces"),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Coordinators assign nothing: "assigned to me" means nothing to them.
        self.filters["assigned"].extra["choices"] = [
            choice
            for choice in self.filters["assigned"].extra["choices"]
            if choice[0] != ASSIGNED_TO_ME
        ]

    def district_scope(self):
        """The districts of the provinces the user coordinates."""
        return District.objects.filter(province__in=_coordinated_provinces(self.request))

    def district_options(self):
        """Only the chosen province's districts (or, for a link with a district but no
        province, that district's neighbours): never a 973-option list."""
        data = self.data or {}
        province_id = int_or_none(data.get("province"))
        district_id = int_or_none(data.get("district"))
        scope = self.district_scope().order_by("name_sort")
        if province_id is not None:
            return scope.filter(province_id=province_id)
        if district_id is not None:
            return scope.filter(province__districts=district_id)
        return District.objects.none()

    def filter_municipality(self, queryset, name, value):
        key = search_key(value)
        return queryset.filter(municipality__name_search__contains=key) if key else queryset
