from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from municipalities.admin import TurkishSearchMixin
from portal.admin import ReadOnlyAdmin
from surveys.models import Campaign, Category, Expectation, Submission, SubmissionRevision, Theme


class CategoryInline(admin.TabularInline):
    model = Category
    fields = ["code", "name", "name_en", "hazard", "phase", "order", "is_active"]
    extra = 0
    show_change_link = True


@admin.register(Theme)
class ThemeAdmin(TurkishSearchMixin, admin.ModelAdmin):
    list_display = ["code", "name", "name_en", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active"]
    inlines = [CategoryInline]


@admin.register(Category)
class CategoryAdmin(TurkishSearchMixin, admin.ModelAdmin):
    list_display = ["code", "name", "theme", "hazard", "phase", "is_active"]
    list_filter = ["theme", "hazard", "phase", "is_active"]
    list_select_related = ["theme"]
    ordering = ["theme__order", "order", "name_sort"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "code", "is_national", "opens_at", "closes_at", "closed_early_at"]
    list_filter = ["is_national"]
    search_fields = ["title", "code"]
    filter_horizontal = ["subregions", "categories"]
    readonly_fields = ["created_by", "created_at"]
    date_hierarchy = "opens_at"


class ExpectationInline(admin.StackedInline):
    model = Expectation
    fields = [
        "rank",
        "category",
        "title",
        "description",
        "municipality",
        "hazard",
        "offer",
        "status",
    ]
    extra = 0
    autocomplete_fields = ["category", "municipality"]
    show_change_link = True


@admin.register(Submission)
class SubmissionAdmin(admin.ModelAdmin):
    list_display = ["ngo", "campaign", "status", "receipt_number", "submitted_at"]
    list_filter = ["status", "campaign"]
    list_select_related = ["ngo", "campaign"]
    search_fields = ["receipt_number", "ngo__name"]
    autocomplete_fields = ["ngo", "campaign"]
    readonly_fields = [
        "receipt_number",
        "version",
        "submitted_at",
        "submitted_by",
        "entered_by",
        "created_at",
        "updated_at",
        "updated_by",
    ]
    inlines = [ExpectationInline]


@admin.register(Expectation)
class ExpectationAdmin(admin.ModelAdmin):
    list_display = ["title", "rank", "municipality", "status", "submission_ngo"]
    list_filter = ["status", "hazard", "submission__campaign"]
    list_select_related = ["municipality", "submission__ngo"]
    search_fields = ["title", "submission__ngo__name", "submission__receipt_number"]
    raw_id_fields = ["submission"]
    autocomplete_fields = ["category", "municipality"]
    readonly_fields = ["created_at", "updated_at"]

    @admin.display(description=_("NGO"), ordering="submission__ngo__name_sort")
    def submission_ngo(self, obj):
        return obj.submission.ngo


@admin.register(SubmissionRevision)
class SubmissionRevisionAdmin(ReadOnlyAdmin):
    """Revisions are the record of amendments: readable, never edited."""

    list_display = ["submission", "kind", "user", "on_behalf", "created_at"]
    list_filter = ["kind", "on_behalf"]
    list_select_related = ["submission__ngo", "submission__campaign", "user"]
    readonly_fields = ["submission", "kind", "user", "created_at", "changes", "on_behalf"]
