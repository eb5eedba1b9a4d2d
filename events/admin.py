from django.contrib import admin

from events.models import (
    AgendaItem,
    Event,
    ProgrammeChange,
    ProgrammeDecision,
    ProgrammeMessage,
    Registration,
    Speaker,
)
from portal.admin import ReadOnlyAdmin


class SpeakerInline(admin.TabularInline):
    model = Speaker
    fields = ["name", "position", "organisation", "order"]
    extra = 0


class AgendaItemInline(admin.TabularInline):
    model = AgendaItem
    fields = ["starts_at", "title", "speakers", "order"]
    extra = 0

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        # Only the speakers of the programme being edited.
        if db_field.name == "speakers":
            event_id = request.resolver_match.kwargs.get("object_id")
            kwargs["queryset"] = Speaker.objects.filter(event_id=event_id)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "subregion", "host_province", "starts_at", "state", "seats_taken"]
    list_filter = ["state", "subregion"]
    list_select_related = ["subregion", "host_province"]
    search_fields = ["title", "slug", "venue"]
    date_hierarchy = "starts_at"
    autocomplete_fields = ["host_province", "host_municipality", "campaign"]
    # The seat count is kept by the registration services; the admin shows it only.
    readonly_fields = [
        "seats_taken",
        "sequence",
        "revised_at",
        "created_by",
        "created_at",
        "updated_at",
    ]
    inlines = [SpeakerInline, AgendaItemInline]


@admin.register(Registration)
class RegistrationAdmin(ReadOnlyAdmin):
    """Read only: registrations change through the portal's services, which keep the seat
    count and the waitlist consistent."""

    list_display = ["user", "event", "organisation", "status", "waitlist_position", "created_at"]
    list_filter = ["status", "event"]
    list_select_related = ["user", "event", "ngo", "municipality"]
    search_fields = ["user__email", "user__full_name", "ngo__name", "municipality__name"]

    deletable = False


@admin.register(ProgrammeChange)
class ProgrammeChangeAdmin(ReadOnlyAdmin):
    """Read only: the record of what registrants were told about a changed programme."""

    list_display = ["event", "sequence", "kinds", "created_at", "notified_at", "recipients"]
    list_select_related = ["event"]
    search_fields = ["event__title"]
    deletable = False


@admin.register(ProgrammeMessage)
class ProgrammeMessageAdmin(ReadOnlyAdmin):
    """Read only: the coordinators' messages to registrants, as sent."""

    list_display = ["subject", "event", "audience", "sent_by", "created_at", "recipients"]
    list_filter = ["audience"]
    list_select_related = ["event", "sent_by"]
    search_fields = ["subject", "event__title"]
    deletable = False


@admin.register(ProgrammeDecision)
class ProgrammeDecisionAdmin(admin.ModelAdmin):
    list_display = ["text", "event", "order"]
    list_select_related = ["event"]
    search_fields = ["text", "event__title"]
    raw_id_fields = ["cases"]
