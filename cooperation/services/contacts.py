"""The emergency contact sheet of a province or a district: the verified NGOs based there with
their disaster capabilities and contacts, and the municipalities with theirs, for a print page
(when the network is down) and CSV/XLSX files.

Privacy: municipalities' contacts are public. An NGO's e-mail, phone and address are shown when
the NGO made them public, or to the people ``ngos.view_private_contacts`` allows (municipal
staff, coordinators, site administrators, and the NGO's own members); everyone else finds
"not public" in their place. Exports are recorded in the export and audit logs.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Prefetch
from django.utils import translation
from django.utils.translation import gettext as _

from municipalities.models import Municipality, MunicipalityKind
from ngos.models import NGO, Capability
from ngos.services.capabilities import capability_labels, capability_text
from portal.access import roles_of
from portal.audit import audit_export
from portal.models import ExportLog

EXPORT_KIND = "cooperation:contact_sheet"
# The print page lists at most this many NGOs (a large province is narrowed by district; the
# files hold them all).
PAGE_LIMIT = 400
# The NGO columns the print page reads (``sheet_ngos(…, with_capabilities=False)``).
PAGE_FIELDS = (
    "name",
    "district__name",
    "phone",
    "email",
    "address",
    "contacts_public",
)


@dataclass(frozen=True)
class Area:
    province: object
    district: object = None

    @property
    def label(self):
        if self.district is not None:
            return f"{self.district.name}, {self.province.name}"
        return self.province.name

    @property
    def filename(self):
        name = f"{self.province.pk:02d}-{self.province.slug}"
        return f"{name}-{self.district.pk}" if self.district is not None else name


def sheet_ngos(area: Area, *, with_capabilities=True):
    """Verified NGOs based in the area, in Turkish alphabetical order, with their capabilities
    (two queries whatever their number; one without them, of the print page's columns only)."""
    ngos = NGO.objects.verified().filter(province=area.province)
    if area.district is not None:
        ngos = ngos.filter(district=area.district)
    ngos = ngos.select_related("district").order_by("name_sort", "pk")
    if not with_capabilities:
        # The print page: only what it shows (the NGO rows are hundreds; their descriptions
        # and other long columns were most of the bytes read).
        return ngos.only(*PAGE_FIELDS)
    capabilities = Capability.objects.order_by("kind", "hazard", "pk")
    return ngos.prefetch_related(Prefetch("capabilities", queryset=capabilities))


def capability_lines(ngo_ids) -> dict[int, list[str]]:
    """Each NGO's capabilities as lines of text (``capability_summary``'s), in one query of
    plain values: the print page lists hundreds of NGOs, and building a model instance and
    three choice labels for each capability took a third of its time."""
    labels = capability_labels()
    lines: dict[int, list[str]] = {}
    for ngo_id, *values in (
        Capability.objects.filter(ngo__in=ngo_ids)
        .order_by("kind", "hazard", "pk")
        .values_list("ngo_id", "kind", "quantity", "unit", "hazard")
    ):
        lines.setdefault(ngo_id, []).append(capability_text(*values, labels))
    return lines


def sheet_municipalities(area: Area):
    """The municipalities of the area: the metropolitan or provincial one of the province and,
    for a district, those of the district; for a province, all of them. One query."""
    municipalities = Municipality.objects.filter(province=area.province)
    if area.district is not None:
        municipalities = municipalities.filter(district=area.district) | municipalities.filter(
            kind__in=[MunicipalityKind.METROPOLITAN, MunicipalityKind.PROVINCIAL]
        )
    return municipalities.select_related("district").order_by("kind", "name_sort", "pk")


def contacts_visibility(user):
    """Whether the user may read an NGO's e-mail, phone and address, as a function of the NGO:
    when the NGO made them public, or as ``ngos.view_private_contacts`` allows. For hundreds of
    rows the rule is asked once (the roles that read every NGO's contacts do not depend on the
    NGO) and membership is looked up in the user's roles."""
    everyone = user.has_perm("ngos.view_private_contacts", None)
    own = roles_of(user).ngo_ids
    return lambda ngo: ngo.contacts_public or everyone or ngo.pk in own


def capability_summary(capability, labels=None) -> str:
    return capability_text(
        capability.kind,
        capability.quantity,
        capability.unit,
        capability.hazard,
        labels or capability_labels(),
    )


def export_columns() -> list[str]:
    return [
        _("Type"),
        _("Name"),
        _("District"),
        _("Legal form or kind"),
        _("Disaster capabilities"),
        _("Phone"),
        _("Email"),
        _("Address"),
        _("Website"),
    ]


def export_rows(user, area: Area):
    """The rows of the files: the municipalities first, then the NGOs (read as the file is
    written, in chunks, in the language of the request that asked for it)."""
    return _export_rows(user, area, translation.get_language())


def _export_rows(user, area, language):
    with translation.override(language):
        yield from _rows(user, area)


def _rows(user, area):
    hidden = _("not public")
    for municipality in sheet_municipalities(area):
        yield [
            _("Municipality"),
            municipality.name,
            municipality.district.name if municipality.district else "",
            municipality.get_kind_display(),
            "",
            municipality.phone,
            municipality.email,
            municipality.address,
            municipality.website,
        ]
    contacts_shown = contacts_visibility(user)
    labels = capability_labels()
    for ngo in sheet_ngos(area).iterator(chunk_size=500):
        visible = contacts_shown(ngo)
        yield [
            _("NGO"),
            ngo.name,
            ngo.district.name if ngo.district else "",
            ngo.get_legal_form_display(),
            " | ".join(capability_summary(c, labels) for c in ngo.capabilities.all()),
            ngo.phone if visible else hidden,
            ngo.email if visible else hidden,
            ngo.address if visible else hidden,
            ngo.website,
        ]


@transaction.atomic
def contact_sheet_export_log(*, user, area: Area, fmt, row_count) -> ExportLog:
    """Record an export of the contact sheet. Side effects: an ExportLog and an AuditEntry."""
    filters = {"province": area.province.pk, "format": fmt}
    if area.district is not None:
        filters["district"] = area.district.pk
    return audit_export(user=user, kind=EXPORT_KIND, filters=filters, row_count=row_count)
