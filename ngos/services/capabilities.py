"""Disaster capabilities: the NGO keeps them; municipalities and coordinators search and export
them."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ngos.models import Capability
from portal.audit import audit_export
from portal.choices import HazardScope
from portal.models import ExportLog

EXPORT_KIND = "ngo_capabilities"
DUPLICATE_MESSAGE = gettext_lazy(
    "Your NGO already lists this capability for this hazard; change that entry instead."
)

# How near the NGO is to the place in need; the search ranks by this number.
SAME_DISTRICT, SAME_PROVINCE, SAME_SUBREGION, FURTHER_AWAY = 0, 1, 2, 3
DISTANCE_LABELS = {
    SAME_DISTRICT: gettext_lazy("Same district"),
    SAME_PROVINCE: gettext_lazy("Same province"),
    SAME_SUBREGION: gettext_lazy("Same sub-region"),
    FURTHER_AWAY: gettext_lazy("Further away"),
}


def _save(capability, form):
    # A concurrent request may have added the same kind and hazard after the form checked;
    # the unique constraint catches it and the user sees the form's error, not a crash.
    try:
        with transaction.atomic():
            capability.save()
    except IntegrityError as error:
        raise ValidationError({"kind": DUPLICATE_MESSAGE}) from error
    form.save_m2m()
    return capability


@transaction.atomic
def capability_create(*, ngo, form) -> Capability:
    """Add a capability to the NGO from a valid CapabilityForm, confirmed today.

    Side effects: inserts the Capability and its provinces. Raises ValidationError when the NGO
    already has this kind and hazard.
    """
    capability = form.save(commit=False)
    capability.ngo = ngo
    capability.last_confirmed = timezone.localdate()
    return _save(capability, form)


@transaction.atomic
def capability_update(*, capability, form) -> Capability:
    """Save an edited capability; saving it confirms it as of today.

    Side effects: updates the Capability and replaces its provinces. Raises ValidationError when
    the NGO already has the new kind and hazard.
    """
    capability = form.save(commit=False)
    capability.last_confirmed = timezone.localdate()
    return _save(capability, form)


@transaction.atomic
def capability_delete(*, capability) -> None:
    """Remove a capability. Side effects: deletes it and its province links."""
    capability.delete()


@transaction.atomic
def capabilities_confirm(*, ngo) -> int:
    """Mark every capability of the NGO as still correct today; returns how many.

    Side effects: one UPDATE of last_confirmed (and updated_at) on the NGO's capabilities.
    """
    return ngo.capabilities.update(last_confirmed=timezone.localdate(), updated_at=timezone.now())


def capabilities_near(*, province, district=None, kind="", hazard=""):
    """Capabilities of verified NGOs that serve the province, nearest NGO first.

    ``rank`` is annotated in SQL (see DISTANCE_LABELS); then larger capacity first, then the
    NGO's name in Turkish order. A capability for "any" hazard matches every hazard.
    """
    nearness = [When(ngo__province=province, then=Value(SAME_PROVINCE))]
    if district is not None:
        nearness.insert(0, When(ngo__district=district, then=Value(SAME_DISTRICT)))
    nearness.append(
        When(ngo__province__subregion_id=province.subregion_id, then=Value(SAME_SUBREGION))
    )
    queryset = (
        Capability.objects.searchable()
        .filter(provinces=province)
        .select_related("ngo__province__subregion", "ngo__district")
        .annotate(rank=Case(*nearness, default=Value(FURTHER_AWAY), output_field=IntegerField()))
        .order_by("rank", "-quantity", "ngo__name_sort", "ngo_id", "pk")
    )
    if kind:
        queryset = queryset.filter(kind=kind)
    if hazard:
        queryset = queryset.filter(hazard__in=[hazard, HazardScope.ANY])
    return queryset


def distance_label(rank) -> str:
    """The words shown for a ``rank`` annotated by capabilities_near."""
    return str(DISTANCE_LABELS[rank])


def capability_labels() -> dict[str, dict[str, str]]:
    """The labels of capability kinds, units and hazards in the current language, read once
    for a page or a file of many capabilities (instead of get_FOO_display on each)."""
    return {
        name: {value: str(label) for value, label in Capability._meta.get_field(name).flatchoices}
        for name in ("kind", "unit", "hazard")
    }


def capability_text(kind, quantity, unit, hazard, labels) -> str:
    """One capability as a line of text: "Shelter: 40 tents (Earthquake)"."""
    return _("%(kind)s: %(quantity)s %(unit)s (%(hazard)s)") % {
        "kind": labels["kind"].get(kind, kind),
        "quantity": quantity,
        "unit": labels["unit"].get(unit, unit),
        "hazard": labels["hazard"].get(hazard, hazard),
    }


@transaction.atomic
def capabilities_export_log(*, user, filters, row_count) -> ExportLog:
    """Record an export of NGO contacts. Side effects: inserts an ExportLog and an AuditEntry."""
    return audit_export(user=user, kind=EXPORT_KIND, filters=filters, row_count=row_count)


def capability_export_columns() -> list[str]:
    """The column headings of the capability export."""
    return [
        _("Distance"),
        _("NGO"),
        _("NGO province"),
        _("NGO district"),
        _("NGO sub-region"),
        _("Capability"),
        _("Hazard"),
        _("Capacity"),
        _("Unit"),
        _("Notes"),
        _("Last confirmed"),
        _("Needs confirmation"),
        _("Email"),
        _("Phone"),
        _("Website"),
        _("NGO page"),
    ]


def capabilities_csv_rows(queryset, *, ngo_url):
    """The data rows of a CSV export (see portal/exports.py for the header above them): one
    row per capability. ``ngo_url(ngo)`` gives the address of an NGO's page.

    Rows are read in chunks without prefetching; provinces served are left out because listing
    them would cost a query per row.
    """
    # The lines are produced while the response streams, after the view has returned: keep the
    # request's language for the choice labels.
    language = translation.get_language()

    def lines():
        with translation.override(language):
            yes, no = _("yes"), _("no")
            for capability in queryset.iterator(chunk_size=2000):
                ngo = capability.ngo
                yield [
                    distance_label(capability.rank),
                    ngo.name,
                    ngo.province.name,
                    ngo.district.name if ngo.district_id else "",
                    ngo.province.subregion.name,
                    capability.get_kind_display(),
                    capability.get_hazard_display(),
                    capability.quantity,
                    capability.get_unit_display(),
                    capability.notes,
                    capability.last_confirmed,
                    yes if capability.is_stale else no,
                    ngo.email,
                    ngo.phone,
                    ngo.website,
                    ngo_url(ngo),
                ]

    return lines()
