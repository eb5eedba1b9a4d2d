"""Site administrators edit the reference data (TAMP working groups) and may correct a
protocol's text; lifecycle fields and everything that happens in an activation are written by
the services and are read-only here (records of who did what, when)."""

from django.contrib import admin

from cooperation.models import (
    Activation,
    ActivationLogEntry,
    Call,
    Delivery,
    MunicipalCommitment,
    Need,
    NGOCommitment,
    Offer,
    Protocol,
    ProtocolParty,
    Response,
    ResponseItem,
    ServiceGroup,
)
from municipalities.admin import TurkishSearchMixin
from portal.admin import ReadOnlyAdmin


class ReadOnlyInline:
    """An inline shown for reference only (its rows are written by the services)."""

    extra = 0
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ServiceGroup)
class ServiceGroupAdmin(TurkishSearchMixin, admin.ModelAdmin):
    list_display = ["name", "name_en", "code", "order", "is_active"]
    list_editable = ["order", "is_active"]
    list_filter = ["is_active"]


# --- protocols -----------------------------------------------------------------------------------


class ProtocolPartyInline(ReadOnlyInline, admin.TabularInline):
    model = ProtocolParty
    fields = ["ngo", "accepted_at", "accepted_by"]
    readonly_fields = fields


class MunicipalCommitmentInline(admin.TabularInline):
    model = MunicipalCommitment
    fields = ["order", "text"]
    extra = 0


@admin.register(Protocol)
class ProtocolAdmin(admin.ModelAdmin):
    """Text, scope and dates may be corrected; the lifecycle (status and its times, the
    parties' acceptances) only changes through the portal's services."""

    list_display = ["title", "municipality", "status", "starts_on", "ends_on", "created_at"]
    list_filter = ["status", "service_group", "municipality__province__subregion"]
    list_select_related = ["municipality"]
    search_fields = ["title", "municipality__name"]
    autocomplete_fields = ["municipality", "districts"]
    raw_id_fields = ["expectation"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "status",
        "proposed_at",
        "activated_at",
        "ended_at",
        "termination_reason",
        "terminated_by",
        "expiry_reminder_sent_at",
        "created_by",
        "created_at",
        "updated_at",
        "version",
    ]
    inlines = [ProtocolPartyInline, MunicipalCommitmentInline]

    def save_model(self, request, obj, form, change):
        # An admin's correction is an edit like any other: a form open elsewhere must notice it.
        if change:
            obj.version += 1
        super().save_model(request, obj, form, change)


class NGOCommitmentInline(ReadOnlyInline, admin.TabularInline):
    model = NGOCommitment
    fields = ["kind", "quantity", "unit", "people", "capability", "note"]
    readonly_fields = fields


@admin.register(ProtocolParty)
class ProtocolPartyAdmin(ReadOnlyAdmin):
    list_display = ["protocol", "ngo", "accepted_at"]
    list_select_related = ["protocol", "ngo"]
    search_fields = ["protocol__title", "ngo__name"]
    inlines = [NGOCommitmentInline]


# --- activations ---------------------------------------------------------------------------------


class NeedInline(ReadOnlyInline, admin.TabularInline):
    model = Need
    fields = ["kind", "quantity", "unit", "place", "district", "priority"]
    readonly_fields = fields


class CallInline(ReadOnlyInline, admin.TabularInline):
    model = Call
    fields = ["ngo", "state", "sent_at", "responded_at"]
    readonly_fields = fields


class OfferInline(ReadOnlyInline, admin.TabularInline):
    model = Offer
    fields = ["ngo", "status", "created_at", "decided_at"]
    readonly_fields = fields


@admin.register(Activation)
class ActivationAdmin(ReadOnlyAdmin):
    """Activations are operational records: readable here, run from the portal."""

    list_display = ["title", "hazard", "municipality", "is_exercise", "status", "started_at"]
    list_filter = ["status", "is_exercise", "hazard", "severity"]
    list_select_related = ["municipality"]
    search_fields = ["title", "municipality__name"]
    date_hierarchy = "started_at"
    inlines = [NeedInline, CallInline, OfferInline]


class DeliveryInline(ReadOnlyInline, admin.TabularInline):
    model = Delivery
    fields = ["recipient", "channel", "state", "attempts", "sent_at", "last_error"]
    readonly_fields = fields


@admin.register(Call)
class CallAdmin(ReadOnlyAdmin):
    list_display = ["activation", "ngo", "state", "sent_at", "responded_at"]
    list_filter = ["state"]
    list_select_related = ["activation", "ngo"]
    search_fields = ["activation__title", "ngo__name"]
    inlines = [DeliveryInline]


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdmin):
    """Delivery states show what reached whom; failures carry their last error."""

    list_display = ["call", "recipient", "channel", "state", "attempts", "sent_at"]
    list_filter = ["state", "channel"]
    list_select_related = ["call__activation", "call__ngo", "recipient"]
    search_fields = ["recipient__email", "call__ngo__name"]


class ResponseItemInline(ReadOnlyInline, admin.TabularInline):
    model = ResponseItem
    fields = ["need", "pledged", "arrived"]
    readonly_fields = fields


@admin.register(Response)
class ResponseAdmin(ReadOnlyAdmin):
    list_display = ["call", "availability", "people", "vehicles", "eta", "updated_at"]
    list_filter = ["availability"]
    list_select_related = ["call__activation", "call__ngo"]
    search_fields = ["call__ngo__name", "call__activation__title"]
    inlines = [ResponseItemInline]


@admin.register(Offer)
class OfferAdmin(ReadOnlyAdmin):
    list_display = ["activation", "ngo", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    list_select_related = ["activation", "ngo"]
    search_fields = ["activation__title", "ngo__name"]


@admin.register(ActivationLogEntry)
class ActivationLogEntryAdmin(ReadOnlyAdmin):
    """The activation log is evidence: read, never added to, edited or deleted here."""

    list_display = ["at", "activation", "verb", "actor"]
    list_filter = ["verb"]
    list_select_related = ["activation", "actor"]
    search_fields = ["activation__title", "actor__email"]
    date_hierarchy = "at"
    deletable = False
