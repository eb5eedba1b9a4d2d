from django.contrib import admin

from members.models import Invitation


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = [
        "email",
        "ngo",
        "municipality",
        "role",
        "created_at",
        "expires_at",
        "accepted_at",
    ]
    list_filter = ["role"]
    list_select_related = ["ngo", "municipality"]
    search_fields = ["email"]
    readonly_fields = ["token", "accepted_at", "accepted_by", "created_at"]
    autocomplete_fields = ["ngo", "municipality", "invited_by"]
