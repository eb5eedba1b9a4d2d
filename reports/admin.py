"""The reminders coordinators sent, readable (not editable) in the admin."""

from django.contrib import admin

from portal.admin import ReadOnlyAdmin
from reports.models import OverdueReminder


@admin.register(OverdueReminder)
class OverdueReminderAdmin(ReadOnlyAdmin):
    list_display = ["sent_at", "municipality", "campaign", "sent_by", "overdue_count"]
    list_filter = ["campaign"]
    list_select_related = ["municipality", "campaign", "sent_by"]
    date_hierarchy = "sent_at"
    deletable = False
