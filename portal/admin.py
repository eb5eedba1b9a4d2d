from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal.mail import mail_enqueue
from portal.models import (
    AuditEntry,
    CoordinatorAssignment,
    ExportLog,
    OutgoingMail,
    PrivacyAcknowledgement,
    User,
)
from portal.outbox import outgoing_mail_requeue


class CoordinatorAssignmentInline(admin.TabularInline):
    model = CoordinatorAssignment
    extra = 0


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows that the portal's services write (records, evidence): site administrators read
    them and never add or change one; ``deletable = False`` forbids deleting too."""

    deletable = True

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return self.deletable and super().has_delete_permission(request, obj)


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ["email"]
    list_display = ["email", "full_name", "preferred_language", "is_staff", "is_active"]
    list_filter = ["is_staff", "is_superuser", "is_active", "preferred_language"]
    search_fields = ["email", "full_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Personal information"), {"fields": ["full_name", "preferred_language"]}),
        (
            _("Permissions"),
            {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]},
        ),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["email", "full_name", "password1", "password2"],
            },
        ),
    ]
    inlines = [CoordinatorAssignmentInline]


@admin.register(CoordinatorAssignment)
class CoordinatorAssignmentAdmin(admin.ModelAdmin):
    list_display = ["user", "subregion", "created_at"]
    list_filter = ["subregion"]
    list_select_related = ["user", "subregion"]
    autocomplete_fields = ["user"]


@admin.register(ExportLog)
class ExportLogAdmin(ReadOnlyAdmin):
    """Exports are evidence: readable by site administrators, never edited."""

    list_display = ["created_at", "user", "kind", "row_count"]
    list_filter = ["kind"]
    list_select_related = ["user"]
    readonly_fields = ["created_at", "user", "kind", "filters", "row_count"]


@admin.register(PrivacyAcknowledgement)
class PrivacyAcknowledgementAdmin(ReadOnlyAdmin):
    """Who acknowledged which version of the privacy notice, when (KVKK): evidence, never edited."""

    list_display = ["acknowledged_at", "user", "version"]
    list_filter = ["version"]
    list_select_related = ["user"]
    search_fields = ["user__email"]
    readonly_fields = ["acknowledged_at", "user", "version"]


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The audit log is evidence: site administrators read it; nobody adds, edits or deletes."""

    list_display = ["created_at", "action", "actor", "target", "ip"]
    list_filter = ["action"]
    list_select_related = ["actor"]
    search_fields = ["target", "actor__email"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at", "actor", "action", "target", "details", "ip"]

    deletable = False

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff


@admin.register(OutgoingMail)
class OutgoingMailAdmin(ReadOnlyAdmin):
    """The outbox: site administrators see what was sent, what waits and what failed, and send
    failed emails again."""

    list_display = ["created_at", "subject", "recipient_list", "status", "attempts", "sent_at"]
    list_filter = ["status"]
    search_fields = ["subject", "to"]
    date_hierarchy = "created_at"
    actions = ["resend"]
    readonly_fields = [
        "status",
        "batch",
        "subject",
        "from_email",
        "to",
        "cc",
        "bcc",
        "reply_to",
        "headers",
        "body",
        "html_body",
        "attachment_names",
        "attempts",
        "last_error",
        "created_at",
        "sent_at",
    ]
    exclude = ["attachments"]

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    @admin.display(description=_("recipients"))
    def recipient_list(self, obj):
        return ", ".join(obj.recipients)

    @admin.display(description=_("attachments"))
    def attachment_names(self, obj):
        return ", ".join(a["filename"] or a["mimetype"] for a in obj.attachments)

    @admin.action(description=_("Send the selected failed emails again"))
    def resend(self, request, queryset):
        ids = outgoing_mail_requeue(queryset)
        if ids:
            mail_enqueue(ids)
        self.message_user(
            request,
            ngettext(
                "%(count)d failed email was queued again.",
                "%(count)d failed emails were queued again.",
                len(ids),
            )
            % {"count": len(ids)},
            messages.SUCCESS if ids else messages.WARNING,
        )
