from django.contrib import admin

from municipalities.admin import TurkishSearchMixin
from ngos.models import NGO, ActivityField, Capability, JoinRequest, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class CapabilityInline(admin.TabularInline):
    model = Capability
    extra = 0
    autocomplete_fields = ["provinces"]


@admin.register(NGO)
class NGOAdmin(TurkishSearchMixin, admin.ModelAdmin):
    list_display = ["name", "legal_form", "registry_number", "province", "status", "created_at"]
    list_filter = ["status", "legal_form", "afad_accredited", "province__subregion", "province"]
    list_select_related = ["province"]
    autocomplete_fields = ["province", "district", "municipality"]
    filter_horizontal = ["activity_fields"]
    readonly_fields = ["slug", "created_at", "updated_at", "status_changed_at", "status_changed_by"]
    inlines = [MembershipInline, CapabilityInline]


@admin.register(ActivityField)
class ActivityFieldAdmin(TurkishSearchMixin, admin.ModelAdmin):
    list_display = ["name", "name_en", "code", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active"]


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "ngo", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["user", "ngo"]
    autocomplete_fields = ["user", "ngo"]


@admin.register(Capability)
class CapabilityAdmin(admin.ModelAdmin):
    list_display = ["ngo", "kind", "hazard", "quantity", "unit", "last_confirmed"]
    list_filter = ["kind", "hazard"]
    list_select_related = ["ngo"]
    autocomplete_fields = ["ngo", "provinces"]
    search_fields = ["ngo__name"]
