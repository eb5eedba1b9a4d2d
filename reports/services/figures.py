"""Report figures, all computed in SQL with a fixed number of queries whatever the data size.

A report has a campaign, a scope (the nation, a sub-region or a province) and optional filters
(NGO legal form, field of activity, municipality kind, category theme, hazard). What NGOs expect
is counted by where the NGO is; how municipalities respond, by where the municipality is.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cooperation.models import Protocol
from ngos.models import NGO, Capability
from surveys.models import Expectation, ExpectationStatus, ReviewEntry, Submission

# Borda points: rank 1 = 5 points … rank 5 = 1 point.
BORDA_TOP = 6
# The one method note of every top-five list (the report's, a programme page's panel, the public
# statistics): the ordering below, in words.
BORDA_METHOD_NOTE = _(
    "Borda score: rank 1 gives 5 points, rank 5 gives 1 point. Ties are broken by the number of "
    "first-rank mentions, then by the number of mentions, then by the category's name in Turkish "
    "alphabetical order. Only the submitted answers of verified NGOs count."
)


@dataclass(frozen=True)
class Scope:
    """The nation (both empty), a sub-region, or a province (with its sub-region)."""

    subregion: object = None
    province: object = None

    @property
    def level(self):
        return "province" if self.province else "subregion" if self.subregion else "nation"

    def ngo_q(self, prefix=""):
        """Filter on an NGO's place, reached through ``prefix`` ("submission__ngo__", …)."""
        if self.province:
            return Q(**{f"{prefix}province": self.province.pk})
        if self.subregion:
            return Q(**{f"{prefix}province__subregion": self.subregion.pk})
        return Q()

    def municipality_q(self):
        if self.province:
            return Q(municipality__province=self.province.pk)
        if self.subregion:
            return Q(municipality__province__subregion=self.subregion.pk)
        return Q()


@dataclass(frozen=True)
class Filters:
    legal_form: str = ""
    activity_field: object = None
    municipality_kind: str = ""
    theme: object = None
    hazard: str = ""

    def expectation_q(self):
        q = Q()
        if self.legal_form:
            q &= Q(submission__ngo__legal_form=self.legal_form)
        if self.activity_field:
            q &= Q(
                Exists(
                    NGO.activity_fields.through.objects.filter(
                        ngo_id=OuterRef("submission__ngo_id"),
                        activityfield_id=self.activity_field.pk,
                    )
                )
            )
        if self.municipality_kind:
            q &= Q(municipality__kind=self.municipality_kind)
        if self.theme:
            q &= Q(category__theme=self.theme.pk)
        if self.hazard:
            q &= Q(hazard=self.hazard) | Q(hazard="", category__hazard=self.hazard)
        return q

    def ngo_q(self, prefix=""):
        """The NGO filters (legal form, field of activity) on an NGO reached through ``prefix``
        ("ngo__", …); the other filters concern expectations and do not apply to NGOs."""
        q = Q()
        if self.legal_form:
            q &= Q(**{f"{prefix}legal_form": self.legal_form})
        if self.activity_field:
            outer = f"{prefix[:-2]}_id" if prefix else "pk"
            q &= Q(
                Exists(
                    NGO.activity_fields.through.objects.filter(
                        ngo_id=OuterRef(outer), activityfield_id=self.activity_field.pk
                    )
                )
            )
        return q


def expectations(campaign, scope: Scope, filters: Filters):
    """The submitted expectations of verified NGOs in scope (by the NGO's place)."""
    return Expectation.objects.filter(
        Q(submission__campaign=campaign.pk, submission__status=Submission.Status.SUBMITTED)
        & Q(submission__ngo__status=NGO.Status.VERIFIED)
        & scope.ngo_q("submission__ngo__")
        & filters.expectation_q()
    )


def _borda_values(queryset, *group):
    return (
        queryset.values(
            *group, "category_id", "category__code", "category__name", "category__name_en"
        )
        .annotate(
            score=Sum(BORDA_TOP - F("rank")),
            mentions=Count("id"),
            first_rank=Count("id", filter=Q(rank=1)),
        )
        # BORDA_METHOD_NOTE states this order; keep the two together.
        .order_by(
            *group,
            "-score",
            "-first_rank",
            "-mentions",
            "category__name_sort",
            "category__code",
        )
    )


def borda(campaign, scope, filters=None, *, limit=5):
    """The top categories by Borda score, ties broken as BORDA_METHOD_NOTE says (every category
    mentioned when ``limit`` is None). The one ranking of every top-five list; one query."""
    filters = filters or Filters()
    return list(_borda_values(expectations(campaign, scope, filters))[:limit])


def borda_by_subregion(campaign, filters, *, limit=5):
    """{sub-region code: top categories} for the whole country, in one query."""
    rows = _borda_values(
        expectations(campaign, Scope(), filters), "submission__ngo__province__subregion__code"
    )
    tables = defaultdict(list)
    for row in rows:
        table = tables[row.pop("submission__ngo__province__subregion__code")]
        if len(table) < limit:
            table.append(row)
    return dict(tables)


def borda_leader_by_province(campaign, scope, filters):
    """{plate: {"leader": top category row, "total": Borda points of the province, "share":
    the leader's share of them}} for the provinces in scope, in one query."""
    rows = _borda_values(expectations(campaign, scope, filters), "submission__ngo__province_id")
    result = {}
    for row in rows:
        plate = row.pop("submission__ngo__province_id")
        entry = result.setdefault(plate, {"leader": row, "total": 0})
        entry["total"] += row["score"]
    for entry in result.values():
        entry["share"] = entry["leader"]["score"] / entry["total"] if entry["total"] else 0.0
    return result


def borda_examples(campaign, scope, filters, category_ids, *, per_category=3):
    """Example request titles for the given categories (first-ranked ones first), one query."""
    rows = (
        expectations(campaign, scope, filters)
        .filter(category__in=category_ids)
        .annotate(
            position=Window(
                RowNumber(),
                partition_by=[F("category_id")],
                order_by=[F("rank").asc(), F("pk").asc()],
            )
        )
        # A few more rows than needed, since several NGOs may use the same title.
        .filter(position__lte=per_category * 4)
        .values("category_id", "title")
        .order_by("category_id", "position")
    )
    examples = defaultdict(list)
    for row in rows:
        titles = examples[row["category_id"]]
        if len(titles) < per_category and row["title"] not in titles:
            titles.append(row["title"])
    return dict(examples)


def participation(campaign, scope, filters, *, by="subregion"):
    """Verified NGOs in scope, those that submitted, and the rate, per sub-region or province
    (one query). Only sub-regions the campaign covers count."""
    group = {
        "subregion": ["province__subregion__code", "province__subregion__name"],
        "province": ["province__plate", "province__name"],
    }[by]
    ngos = NGO.objects.verified().filter(scope.ngo_q() & filters.ngo_q())
    if not campaign.is_national:
        ngos = ngos.filter(province__subregion__in=campaign.subregions.all())
    rows = (
        ngos.values(*group)
        .annotate(
            ngos=Count("id", distinct=True),
            submitted=Count(
                "submissions",
                filter=Q(
                    submissions__campaign=campaign.pk,
                    submissions__status=Submission.Status.SUBMITTED,
                ),
                distinct=True,
            ),
            drafts=Count(
                "submissions",
                filter=Q(
                    submissions__campaign=campaign.pk,
                    submissions__status=Submission.Status.DRAFT,
                ),
                distinct=True,
            ),
        )
        .order_by(*group)
    )
    result = []
    for row in rows:
        row["key"], row["name"] = row.pop(group[0]), row.pop(group[1])
        row["rate"] = row["submitted"] / row["ngos"] if row["ngos"] else 0.0
        result.append(row)
    return result


def hazard_shares(campaign, scope, filters):
    """How many expectations concern each hazard (the item's own, else its category's), and
    the total; one query."""
    rows = expectations(campaign, scope, filters).aggregate(
        total=Count("id"),
        **{
            hazard: Count("id", filter=Q(hazard=hazard) | Q(hazard="", category__hazard=hazard))
            for hazard in ["earthquake", "flood", "fire", "drought", "other"]
        },
    )
    total = rows.pop("total")
    return total, {h: (n, n / total if total else 0.0) for h, n in rows.items()}


def capabilities_by_hazard(scope, filters=None):
    """Capabilities of verified NGOs in scope (and matching the NGO filters), per hazard; with
    a hazard filter, that hazard's and the "any hazard" ones only. One query."""
    filters = filters or Filters()
    capabilities = Capability.objects.searchable().filter(
        scope.ngo_q("ngo__") & filters.ngo_q("ngo__")
    )
    if filters.hazard:
        capabilities = capabilities.filter(hazard__in=[filters.hazard, "any"])
    rows = (
        capabilities.values("hazard")
        .annotate(capabilities=Count("id"), ngos=Count("ngo", distinct=True))
        .order_by("hazard")
    )
    return {row["hazard"]: row for row in rows}


def active_protocols(scope, *, by="province"):
    """{sub-region code or plate: protocols in force} by the municipality's place, for the
    places in scope that have any (a protocol in force: accepted by every NGO party, neither
    expired nor terminated; drafts and proposals do not count). One query; not tied to a
    campaign or to the report's filters."""
    group = {
        "subregion": "municipality__province__subregion__code",
        "province": "municipality__province_id",
    }[by]
    rows = (
        Protocol.objects.active()
        .filter(scope.municipality_q())
        .values(group)
        .annotate(protocols=Count("id"))
        .order_by(group)
    )
    return {row[group]: row["protocols"] for row in rows}


# Each grouping: the key and the name of a group, and columns that depend on the key (shown
# beside it, under the names given here).
RESPONSE_GROUPS = {
    "municipality": (
        "municipality_id",
        "municipality__name",
        {"municipality__slug": "slug", "municipality__province__name": "province_name"},
    ),
    "province": ("municipality__province__plate", "municipality__province__name", {}),
    "subregion": (
        "municipality__province__subregion__code",
        "municipality__province__subregion__name",
        {},
    ),
    # Every case of the campaign in one row: the totals of the scope.
    "total": ("submission__campaign_id", "submission__campaign__title", {}),
}
# Ties in the number of cases are ordered by the name's Turkish sort key (portal.turkish), so
# "Çukurova-Hatay" comes after "Batı Karadeniz" and "İstanbul" after "Ilgaz", not after "Z".
RESPONSE_ORDER = {
    "municipality": "municipality__name_sort",
    "province": "municipality__province__name_sort",
    "subregion": "municipality__province__subregion__name_sort",
    "total": "submission__campaign_id",
}


def responsiveness(campaign, scope, filters, *, by="province", now=None, limit=None):
    """Per municipality, province or sub-region (by the municipality's place): cases received,
    answered share, median days to the first answer, overdue, completed, confirmed, disputed.
    Two queries: the counts, and the median rows picked with window functions."""
    now = now or timezone.now()
    key_field, name_field, extras = RESPONSE_GROUPS[by]
    cases = Expectation.objects.filter(
        Q(submission__campaign=campaign.pk, submission__status=Submission.Status.SUBMITTED)
        & scope.municipality_q()
        & filters.expectation_q()
    )
    overdue_limit = now - datetime.timedelta(days=settings.REVIEW_OVERDUE_DAYS)
    closed = [ExpectationStatus.COMPLETED, ExpectationStatus.DECLINED]
    disputed = ReviewEntry.objects.filter(expectation=OuterRef("pk"), kind=ReviewEntry.Kind.DISPUTE)
    rows = (
        cases.annotate(was_disputed=Exists(disputed))
        .values(key_field, name_field, *extras)
        .annotate(
            received=Count("id"),
            answered=Count("id", filter=Q(first_answered_at__isnull=False)),
            overdue=Count(
                "id",
                filter=Q(first_answered_at__isnull=True, submission__submitted_at__lt=overdue_limit)
                & ~Q(status__in=closed),
            ),
            completed=Count("id", filter=Q(status=ExpectationStatus.COMPLETED)),
            confirmed=Count("id", filter=Q(ngo_confirmed_at__isnull=False)),
            disputed=Count("id", filter=Q(was_disputed=True)),
        )
        .order_by("-received", RESPONSE_ORDER[by], key_field)
    )
    if limit:
        rows = rows[:limit]
    result = {}
    for row in rows:
        key = row.pop(key_field)
        row["key"], row["name"] = key, row.pop(name_field)
        for field, alias in extras.items():
            row[alias] = row.pop(field)
        row["answered_share"] = row["answered"] / row["received"] if row["received"] else 0.0
        row["median_days"] = None
        result[key] = row
    for key, days in median_days_to_answer(cases, key_field).items():
        if key in result:
            result[key]["median_days"] = days
    return list(result.values())


def median_days_to_answer(cases, group_field):
    """{group: median days from submission to first public answer}, computed in SQL: each
    group's middle row(s) by delay are picked with ROW_NUMBER and COUNT windows."""
    delay = ExpressionWrapper(
        F("first_answered_at") - F("submission__submitted_at"), output_field=DurationField()
    )
    rows = (
        cases.filter(first_answered_at__isnull=False)
        .annotate(
            group_key=F(group_field),
            delay=delay,
            position=Window(RowNumber(), partition_by=[F(group_field)], order_by=[delay.asc()]),
            size=Window(Count("id"), partition_by=[F(group_field)]),
        )
        .annotate(
            low=ExpressionWrapper((F("size") + Value(1)) / Value(2), output_field=IntegerField()),
            high=ExpressionWrapper((F("size") + Value(2)) / Value(2), output_field=IntegerField()),
        )
        .filter(position__gte=F("low"), position__lte=F("high"))
        .values_list("group_key", "delay")
    )
    middles = defaultdict(list)
    for key, value in rows:
        middles[key].append(value)
    return {
        key: round(sum(v.total_seconds() for v in values) / len(values) / 86400, 1)
        for key, values in middles.items()
    }
