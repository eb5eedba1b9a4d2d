"""The coordinators' export of every expectation of a campaign as CSV, streamed in bounded
memory: rows are read as tuples in chunks (no model instances, no prefetching) and written one
line at a time while the response is sent.

What is exported is what the reports count (reports.services.figures.expectations): the
submitted expectations of verified NGOs, by the NGO's place, with the reports' filters.
"""

from dataclasses import dataclass

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from municipalities.models import Province, SubRegion
from ngos.models import LegalForm
from portal.access import roles_of
from portal.audit import audit_export
from portal.choices import Hazard
from portal.models import ExportLog
from reports.services import figures as aggregates
from surveys.models import ExpectationStatus

EXPORT_KIND = "expectations"
CHUNK_SIZE = 2000

# The columns read from the database, in this order (see _row).
FIELDS = [
    "submission__receipt_number",
    "submission__ngo__name",
    "submission__ngo__legal_form",
    "submission__ngo__province__name",
    "submission__ngo__district__name",
    "submission__ngo__province__subregion__name",
    "rank",
    "category__code",
    "category__name",
    "category__name_en",
    "hazard",
    "category__hazard",
    "title",
    "description",
    "municipality__name",
    "status",
    "submission__submitted_at",
    "first_answered_at",
]

# Sub-region, province and NGO, then each submission's items in rank order.
ORDERING = [
    "submission__ngo__province__subregion__code",
    "submission__ngo__province__name_sort",
    "submission__ngo__name_sort",
    "submission_id",
    "rank",
]


@dataclass(frozen=True)
class ExportScope:
    """Where the exported NGOs are: a report Scope, narrowed to a list of sub-regions for a
    regional coordinator who gave no scope; with words for the header and a value for the
    export record."""

    scope: aggregates.Scope
    label: str
    value: str
    subregion_ids: list | None = None


def export_scope_for(user, requested) -> ExportScope:
    """The scope the user asked for, limited to what they coordinate: a sub-region or province
    outside it (or one that does not exist) is a 404, so is the nation for a regional
    coordinator; without a scope, a regional coordinator gets all their sub-regions."""
    roles = roles_of(user)
    nationwide = roles.is_national_coordinator or roles.is_site_admin
    subregions = SubRegion.objects.all()
    provinces = Province.objects.select_related("subregion")
    if not nationwide:
        subregions = subregions.filter(pk__in=roles.subregion_ids)
        provinces = provinces.filter(subregion__in=roles.subregion_ids)
    level, key = requested or (None, None)
    if level == "subregion":
        subregion = subregions.filter(code=key).first()
        if subregion is None:
            raise Http404
        return ExportScope(
            scope=aggregates.Scope(subregion=subregion),
            label=_("Sub-region: %(name)s") % {"name": subregion.name},
            value=f"subregion:{subregion.code}",
        )
    if level == "province":
        province = provinces.filter(plate=key).first()
        if province is None:
            raise Http404
        return ExportScope(
            scope=aggregates.Scope(subregion=province.subregion, province=province),
            label=_("Province: %(name)s") % {"name": province.name},
            value=f"province:{province.plate}",
        )
    if level == "nation" and not nationwide:
        raise Http404
    if nationwide:
        return ExportScope(scope=aggregates.Scope(), label=_("Whole country"), value="nation")
    own = list(subregions.order_by("code").values_list("pk", "code", "name"))
    return ExportScope(
        scope=aggregates.Scope(),
        subregion_ids=[pk for pk, _code, _name in own],
        label=_("Your sub-regions: %(names)s") % {"names": ", ".join(n for _p, _c, n in own)},
        value="subregions:" + ",".join(code for _pk, code, _name in own),
    )


def expectation_export_rows(campaign, where: ExportScope, filters: aggregates.Filters):
    """The exported expectations (a queryset, not yet read)."""
    queryset = aggregates.expectations(campaign, where.scope, filters)
    if where.subregion_ids is not None:
        queryset = queryset.filter(submission__ngo__province__subregion__in=where.subregion_ids)
    return queryset


@transaction.atomic
def expectations_export_log(*, user, filters: dict, row_count: int) -> ExportLog:
    """Record an export of every expectation.

    Side effects: inserts an ExportLog and an AuditEntry.
    """
    return audit_export(user=user, kind=EXPORT_KIND, filters=filters, row_count=row_count)


def column_headers() -> list[str]:
    return [
        _("Receipt number"),
        _("NGO"),
        _("NGO legal form"),
        _("NGO province"),
        _("NGO district"),
        _("Sub-region"),
        _("Rank"),
        _("Category code"),
        _("Category"),
        _("Hazard"),
        _("Title"),
        _("Description"),
        _("Addressed municipality"),
        _("Status"),
        _("Submitted at (Türkiye time)"),
        _("First answered at (Türkiye time)"),
    ]


def export_title() -> str:
    return _("Every expectation of a campaign")


def export_details(*, campaign, where: ExportScope, filter_labels: list[str], now=None):
    """The (label, value) lines under the title: campaign, scope, filters and the date."""
    now = timezone.localtime(now or timezone.now(), timezone.get_default_timezone())
    return [
        (_("Campaign"), f"{campaign.title} ({campaign.code})"),
        (_("Scope"), where.label),
        (_("Filters"), "; ".join(filter_labels) if filter_labels else _("none")),
        (_("Exported at (Türkiye time)"), now.strftime("%Y-%m-%d %H:%M")),
    ]


def expectations_csv_rows(queryset):
    """The data rows of the CSV file (see portal/exports.py for what comes above them): one
    line per expectation, read in chunks as the file is sent.

    Labels are translated now, in the request's language: the lines are produced while the
    response streams, after the view has returned.
    """
    legal_forms = {value: str(label) for value, label in LegalForm.choices}
    hazards = {value: str(label) for value, label in Hazard.choices}
    statuses = {value: str(label) for value, label in ExpectationStatus.choices}
    english = get_language() == "en"
    rows = queryset.order_by(*ORDERING).values_list(*FIELDS).iterator(chunk_size=CHUNK_SIZE)

    def row(values):
        (
            receipt,
            ngo,
            legal_form,
            province,
            district,
            subregion,
            rank,
            category_code,
            category_name,
            category_name_en,
            hazard,
            category_hazard,
            title,
            description,
            municipality,
            status,
            submitted_at,
            first_answered_at,
        ) = values
        return [
            receipt,
            ngo,
            legal_forms.get(legal_form, legal_form),
            province,
            district,
            subregion,
            rank,
            category_code,
            (category_name_en if english and category_name_en else category_name),
            # The item's own hazard, else its category's (as the reports count it).
            hazards.get(hazard or category_hazard or "", ""),
            title,
            description,
            municipality,
            statuses.get(status, status),
            submitted_at,
            first_answered_at,
        ]

    return (row(values) for values in rows)
