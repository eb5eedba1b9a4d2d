from django import forms
from django.contrib import admin
from django.db.models import Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from municipalities.admin import TurkishSearchMixin
from ngos.models import (
    IDENTITY_FIELDS,
    NGO,
    ActivityField,
    Capability,
    JoinRequest,
    Membership,
    NGOIdentityChange,
    NGOSlugHistory,
)
from ngos.services.addresses import ngo_address_follow_name
from portal.admin import ReadOnlyAdmin
from portal.turkish import search_key, tr_slugify


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


class CapabilityInline(admin.TabularInline):
    model = Capability
    extra = 0
    autocomplete_fields = ["provinces"]


class NGOAdminForm(forms.ModelForm):
    """The district and the municipality must lie in the NGO's province, which is read-only here
    once the NGO is verified: otherwise a district could move it where its identity does not."""

    website = forms.URLField(
        label=_("website"), required=False, max_length=200, assume_scheme="https"
    )

    def clean(self):
        cleaned = super().clean()
        # Read-only (a verified NGO): not in the form, the stored province holds.
        in_form = "province" in self.fields
        province = cleaned.get("province") if in_form else self.instance.province
        for name in ("district", "municipality"):
            value = cleaned.get(name)
            if province is not None and value is not None and value.province_id != province.pk:
                self.add_error(name, _("This is not in the NGO's province."))
        return cleaned


@admin.register(NGO)
class NGOAdmin(TurkishSearchMixin, admin.ModelAdmin):
    """NGOs. The verification status is decided on the portal's verification page (audit log,
    mail to the NGO), never here; a verified NGO's identity changes through its profile page and
    a coordinator's approval, like everyone's: the admin is no way round either."""

    form = NGOAdminForm
    list_display = ["name", "legal_form", "registry_number", "province", "status", "created_at"]
    list_filter = ["status", "legal_form", "afad_accredited", "province__subregion", "province"]
    list_select_related = ["province"]
    autocomplete_fields = ["province", "district", "municipality"]
    filter_horizontal = ["activity_fields"]
    fields = [
        "verification",
        "name",
        "slug",
        "legal_form",
        "registry_number",
        "founding_year",
        "province",
        "district",
        "municipality",
        "activity_fields",
        "members_count",
        "volunteers_count",
        "website",
        "email",
        "phone",
        "address",
        "description",
        "contacts_public",
        "afad_accredited",
        "afad_group",
        "status",
        "status_reason",
        "status_changed_at",
        "status_changed_by",
        "created_at",
        "updated_at",
    ]
    readonly_fields = [
        "verification",
        "slug",
        "status",
        "status_reason",
        "status_changed_at",
        "status_changed_by",
        "created_at",
        "updated_at",
    ]
    inlines = [MembershipInline, CapabilityInline]

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.identity_is_vouched:
            readonly += IDENTITY_FIELDS
        return readonly

    def save_model(self, request, obj, form, change):
        """A new name gives the NGO the address of its new name, as on its profile page; the old
        address is kept and redirects (301)."""
        if change and "name" in form.changed_data:
            # The change view runs in a transaction: lock the row as the profile service does.
            current = NGO.objects.select_for_update().get(pk=obj.pk)
            ngo_address_follow_name(ngo=obj, old_name=current.name)
        super().save_model(request, obj, form, change)

    @admin.display(description=_("verification"))
    def verification(self, obj):
        """Where the status and a verified identity are changed, and the change waiting."""
        if obj is None or obj.pk is None:
            return gettext(
                "A new NGO awaits verification: a coordinator verifies it on the portal's "
                "verification page."
            )
        verification_url = reverse("ngos:verification_detail", args=[obj.slug])
        if not obj.identity_is_vouched:
            return format_html(
                '{} <a href="{}">{}</a>',
                gettext("The status is decided on the portal's verification page."),
                verification_url,
                gettext("Open the verification page"),
            )
        note = format_html(
            '{} <a href="{}">{}</a> · <a href="{}">{}</a>',
            gettext(
                "This NGO's identity is verified: its name, legal form, registry number and "
                "province change through its profile page, and a coordinator approves the change."
            ),
            reverse("ngos:edit", args=[obj.slug]),
            gettext("Edit the profile"),
            verification_url,
            gettext("Open the verification page"),
        )
        change = obj.identity_changes.open().first()
        if change is not None:
            note = format_html(
                "{}<br><strong>{}</strong> {} → {}",
                note,
                gettext("A change of identity awaits verification:"),
                change.old_name,
                change.name,
            )
        return note


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


@admin.register(NGOIdentityChange)
class NGOIdentityChangeAdmin(admin.ModelAdmin):
    """The record of changes of identity: read only (they are decided on the portal)."""

    list_display = ["ngo", "old_name", "name", "status", "requested_by", "requested_at"]
    list_filter = ["status"]
    list_select_related = ["ngo", "requested_by"]
    search_fields = ["name", "old_name", "registry_number", "old_registry_number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(NGOSlugHistory)
class NGOSlugHistoryAdmin(ReadOnlyAdmin):
    """Former web addresses of renamed NGOs (written when a name changes): read only, and kept,
    since deleting one breaks the links that still use it."""

    deletable = False
    list_display = ["slug", "ngo", "created_at"]
    list_select_related = ["ngo"]
    search_fields = ["slug"]
    date_hierarchy = "created_at"

    def get_search_results(self, request, queryset, search_term):
        """An address, or the NGO's name typed with or without Turkish letters."""
        if not search_term:
            return queryset, False
        key = search_key(search_term)
        return queryset.filter(
            Q(slug__contains=tr_slugify(search_term)) | Q(ngo__name_search__contains=key)
        ), False
