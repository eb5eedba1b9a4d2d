"""The reminders coordinators sent, readable (not editable) in the admin."""

from django.contrib import admin

from reports.models import OverdueReminder


@admin.register(OverdueReminder)
class OverdueReminderAdmin(admin.ModelAdmin):
    list_display = ["sent_at", "municipality", "campaign", "sent_by", "overdue_count"]
    list_filter = ["campaign"]
    list_select_related = ["municipality", "campaign", "sent_by"]
    date_hierarchy = "sent_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
