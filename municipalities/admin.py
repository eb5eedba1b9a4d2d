from django.contrib import admin

from municipalities.models import (
    District,
    GeographicRegion,
    Municipality,
    MunicipalStaff,
    Province,
    SubRegion,
)


class TurkishSearchMixin:
    """Admin search through the stored Turkish search key, so "sanliurfa" finds Şanlıurfa."""

    search_fields = ["name"]

    def get_search_results(self, request, queryset, search_term):
        if not search_term:
            return queryset, False
        return queryset.search(search_term), False


@admin.register(GeographicRegion)
class GeographicRegionAdmin(TurkishSearchMixin, admin.ModelAdmin):
    list_display = ["name", "code", "order"]


class ProvinceInline(admin.TabularInline):
    model = Province
    fields = ["plate", "name", "is_metropolitan"]
    readonly_fields = ["plate", "name", "is_metropolitan"]
    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(SubRegion)
class SubRegionAdmin(TurkishSearchMixin, admin.ModelAdmin):
    list_display = ["code", "name", "region", "host_province", "is_provisional"]
    list_filter = ["region", "is_provisional"]
    list_select_related = ["region", "host_province"]
    inlines = [ProvinceInline]


@admin.register(Province)
class ProvinceAdmin(TurkishSearchMixin, admin.ModelAdmin):
    list_display = ["plate", "name", "region", "subregion", "nuts3", "is_metropolitan"]
    list_filter = ["region", "subregion", "is_metropolitan"]
    list_select_related = ["region", "subregion"]
    list_editable = ["subregion"]
    ordering = ["plate"]


@admin.register(District)
class DistrictAdmin(TurkishSearchMixin, admin.ModelAdmin):
    list_display = ["name", "province", "is_central", "population", "postal_code"]
    list_filter = ["is_central", "province__region", "province"]
    list_select_related = ["province"]
    autocomplete_fields = ["province"]


@admin.register(Municipality)
class MunicipalityAdmin(TurkishSearchMixin, admin.ModelAdmin):
    list_display = ["name", "kind", "province", "district", "parent"]
    list_filter = ["kind", "province__subregion", "province"]
    list_select_related = ["province", "district", "parent"]
    autocomplete_fields = ["province", "district", "parent"]
    readonly_fields = ["slug"]


@admin.register(MunicipalStaff)
class MunicipalStaffAdmin(admin.ModelAdmin):
    list_display = ["user", "municipality", "role", "created_at"]
    list_filter = ["role"]
    list_select_related = ["user", "municipality"]
    autocomplete_fields = ["user", "municipality"]
    search_fields = ["user__email", "user__full_name", "municipality__name"]
