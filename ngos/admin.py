from django.contrib import admin

from municipalities.admin import TurkishSearchMixin
from ngos.models import NGO, Membership


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(NGO)
class NGOAdmin(TurkishSearchMixin, admin.ModelAdmin):
    list_display = ["name", "legal_form", "province", "status", "created_at"]
    list_filter = ["status", "legal_form", "province__subregion", "province"]
    list_select_related = ["province"]
    autocomplete_fields = ["province", "district", "municipality"]
    inlines = [MembershipInline]
