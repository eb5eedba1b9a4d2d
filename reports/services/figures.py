"""Report figures, all computed in SQL with a fixed number of queries whatever the data size.

A report has a campaign, a scope (the nation, a sub-region or a province) and optional filters
(NGO legal form, field of activity, municipality kind, category theme, hazard). What NGOs expect
is counted by where the NGO is; how municipalities respond, by where the municipality is.

The cases are counted from ``reports.CaseFact`` (one narrow row per case, rebuilt by the task
worker: reports/services/facts.py); each aggregate first makes sure the campaign's copy is
current (``facts.current``). Participation and capabilities count NGOs, from their own tables.
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.db import connections
from django.db.models import (
    Count,
    Exists,
    F,
    OuterRef,
    Q,
    Sum,
    Window,
)
from django.db.models.functions import RowNumber
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cooperation.models import Protocol
from municipalities.models import Municipality, Province
from ngos.models import NGO, Capability
from reports.models import CaseFact
from reports.services import facts
from surveys.models import Category, Expectation, ExpectationStatus, Submission

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

    def fact_q(self, side):
        """Filter ``CaseFact`` rows on the place of their NGO or municipality (``side``)."""
        if self.province:
            return Q(**{f"{side}_province": self.province.pk})
        if self.subregion:
            return Q(**{f"{side}_subregion": self.subregion.pk})
        return Q()


@dataclass(frozen=True)
class Filters:
    legal_form: str = ""
    activity_field: object = None
    municipality_kind: str = ""
    theme: object = None
    hazard: str = ""

    def expectation_q(self):
        q = self.ngo_q("submission__ngo__")
        if self.municipality_kind:
            q &= Q(municipality__kind=self.municipality_kind)
        if self.theme:
            q &= Q(category__theme=self.theme.pk)
        if self.hazard:
            q &= Q(hazard=self.hazard) | Q(hazard="", category__hazard=self.hazard)
        return q

    def fact_q(self):
        """The filters on ``CaseFact`` rows (``expectation_q``'s conditions on the copies)."""
        q = Q()
        if self.legal_form:
            q &= Q(ngo_legal_form=self.legal_form)
        if self.activity_field:
            q &= self._in_activity_field("ngo_id")
        if self.municipality_kind:
            q &= Q(municipality_kind=self.municipality_kind)
        if self.theme:
            q &= Q(theme=self.theme.pk)
        if self.hazard:
            q &= Q(hazard=self.hazard)
        return q

    def ngo_q(self, prefix=""):
        """The NGO filters (legal form, field of activity) on an NGO reached through ``prefix``
        ("ngo__", …); the other filters concern expectations and do not apply to NGOs."""
        q = Q()
        if self.legal_form:
            q &= Q(**{f"{prefix}legal_form": self.legal_form})
        if self.activity_field:
            q &= self._in_activity_field(f"{prefix[:-2]}_id" if prefix else "pk")
        return q

    def _in_activity_field(self, ngo_id):
        """The NGO whose id is the outer query's ``ngo_id`` works in the chosen field."""
        return Q(
            Exists(
                NGO.activity_fields.through.objects.filter(
                    ngo_id=OuterRef(ngo_id), activityfield_id=self.activity_field.pk
                )
            )
        )


def expectations(campaign, scope: Scope, filters: Filters):
    """The submitted expectations of verified NGOs in scope (by the NGO's place)."""
    return Expectation.objects.filter(
        Q(submission__campaign=campaign.pk, submission__status=Submission.Status.SUBMITTED)
        & Q(submission__ngo__status=NGO.Status.VERIFIED)
        & scope.ngo_q("submission__ngo__")
        & filters.expectation_q()
    )


def cases(campaign, scope: Scope, filters: Filters, *, side):
    """The campaign's cases (``CaseFact``) in scope by the place of their NGO or municipality
    (``side``) and matching the filters, from a current copy (see reports/services/facts.py)."""
    facts.current(campaign)
    return CaseFact.objects.filter(Q(campaign=campaign.pk) & scope.fact_q(side) & filters.fact_q())


def choices(campaign, scope: Scope, filters: Filters):
    """What ``expectations`` holds, as ``CaseFact`` rows: the cases of verified NGOs in scope by
    the NGO's place. What the top fives, the examples and the hazard shares count."""
    return cases(campaign, scope, filters, side="ngo").filter(ngo_verified=True)


def _categories():
    """{category id: code, names and Turkish sort key}, one query (48 rows)."""
    return {
        row.pop("id"): row
        for row in Category.objects.values("id", "code", "name", "name_en", "name_sort")
    }


# The places ``choice_points`` groups by: a sub-region's code or a province's plate.
PLACES = {"subregion": "ngo_subregion__code", "province": "ngo_province_id"}


def choice_points(campaign, scope, filters=None, *, by=None):
    """The Borda points, mentions and first-rank mentions of the cases of verified NGOs in scope,
    per category and hazard, and per place of the NGO when ``by`` is "subregion" or "province"
    (the row's "place": its code or plate; None without ``by``). One query over the ids; the
    top fives, the leading category of each province and the hazard shares are sums of these
    rows (``ranking``, ``hazard_shares``)."""
    filters = filters or Filters()
    place = PLACES.get(by)
    rows = (
        choices(campaign, scope, filters)
        .values(*([place] if place else []), "category_id", "hazard")
        .annotate(
            score=Sum(BORDA_TOP - F("rank")),
            mentions=Count("pk"),
            first_rank=Count("pk", filter=Q(rank=1)),
        )
        .order_by()
    )
    return [{"place": row.pop(place) if place else None, **row} for row in rows]


def ranking(points, *, by_place=True):
    """{place: every category mentioned there, most points first} from ``choice_points`` rows
    (all places as one, under None, without ``by_place``); the categories' names in one query."""
    totals = {}
    for row in points:
        key = (row["place"] if by_place else None, row["category_id"])
        total = totals.setdefault(key, {"score": 0, "mentions": 0, "first_rank": 0})
        for field in total:
            total[field] += row[field]
    categories = _categories()
    ranked = defaultdict(list)
    for (place, category_id), total in totals.items():
        category = categories.get(category_id, {})
        ranked[place].append(
            {
                "category_id": category_id,
                "category__code": category.get("code"),
                "category__name": category.get("name"),
                "category__name_en": category.get("name_en"),
                **total,
                "_order": (category.get("name_sort") or "", category.get("code") or ""),
            }
        )
    for rows in ranked.values():
        # BORDA_METHOD_NOTE states this order; keep the two together.
        rows.sort(
            key=lambda row: (-row["score"], -row["first_rank"], -row["mentions"], row["_order"])
        )
        for row in rows:
            del row["_order"]
    return dict(ranked)


def borda(campaign, scope, filters=None, *, limit=5, points=None):
    """The top categories by Borda score, ties broken as BORDA_METHOD_NOTE says (every category
    mentioned when ``limit`` is None): the one ranking of every top-five list. From ``points``
    (``choice_points`` rows of the scope) when given, else two queries."""
    if points is None:
        points = choice_points(campaign, scope, filters)
    return ranking(points, by_place=False).get(None, [])[:limit]


def borda_by_subregion(campaign, filters, *, limit=5, points=None):
    """{sub-region code: top categories} for the whole country: from ``points`` (national
    ``choice_points`` rows by sub-region) when given, else two queries."""
    if points is None:
        points = choice_points(campaign, Scope(), filters, by="subregion")
    return {code: rows[:limit] for code, rows in ranking(points).items()}


def borda_leader_by_province(campaign, scope, filters):
    """{plate: {"leader": top category row, "total": Borda points of the province, "share":
    the leader's share of them}} for the provinces in scope, in two queries."""
    result = {}
    for plate, rows in ranking(choice_points(campaign, scope, filters, by="province")).items():
        total = sum(row["score"] for row in rows)
        result[plate] = {
            "leader": rows[0],
            "total": total,
            "share": rows[0]["score"] / total if total else 0.0,
        }
    return result


def borda_examples(campaign, scope, filters, category_ids, *, per_category=3):
    """Example request titles for the given categories (first-ranked ones first): the cases
    picked from the copies, their titles read from the expectations; two queries."""
    cases_in_scope = choices(campaign, scope, filters)
    # A few more rows than needed, since several NGOs may use the same title.
    wanted = per_category * 4
    features = connections[cases_in_scope.db].features
    if category_ids and features.supports_slicing_ordering_in_compound:
        # PostgreSQL: each category's first cases read from the (campaign, category, rank)
        # index, the scan stopping at the wanted number (a window over every case of the top
        # categories took a tenth of a national report's time).
        first, *others = [
            cases_in_scope.filter(category=category_id)
            .order_by("rank", "pk")
            .values_list("category_id", "pk", "rank")[:wanted]
            for category_id in category_ids
        ]
        # A union's rows come in no promised order: each category's, first-ranked first.
        picked = [
            (category_id, pk)
            for category_id, pk, _rank in sorted(
                first.union(*others, all=True), key=lambda row: (row[0], row[2], row[1])
            )
        ]
    else:
        picked = list(
            cases_in_scope.filter(category__in=category_ids)
            .annotate(
                position=Window(
                    RowNumber(),
                    partition_by=[F("category_id")],
                    order_by=[F("rank").asc(), F("pk").asc()],
                )
            )
            .filter(position__lte=wanted)
            .values_list("category_id", "pk")
            .order_by("category_id", "position")
        )
    titles = dict(
        Expectation.objects.filter(pk__in=[pk for _category, pk in picked]).values_list(
            "pk", "title"
        )
    )
    examples = defaultdict(list)
    for category_id, pk in picked:
        chosen = examples[category_id]
        if len(chosen) < per_category and pk in titles and titles[pk] not in chosen:
            chosen.append(titles[pk])
    return dict(examples)


def participation_levels(campaign, scope, filters, levels):
    """{grouping: rows} for each of ``levels`` ("subregion", "province"): verified NGOs in scope,
    those that submitted, and the rate, in the order of the codes. Only sub-regions the campaign
    covers count. Three queries whatever the groupings: the NGOs and their submissions (one per
    NGO and campaign, a database constraint) by province, and the provinces' names; a
    sub-region's figures are the sum of its provinces'."""
    ngos = NGO.objects.verified().filter(scope.ngo_q() & filters.ngo_q())
    submissions = Submission.objects.filter(
        Q(campaign=campaign.pk, ngo__status=NGO.Status.VERIFIED)
        & scope.ngo_q("ngo__")
        & filters.ngo_q("ngo__")
    )
    if not campaign.is_national:
        covered = campaign.subregions.all()
        ngos = ngos.filter(province__subregion__in=covered)
        submissions = submissions.filter(ngo__province__subregion__in=covered)
    counts = dict(
        ngos.values("province").annotate(ngos=Count("id")).values_list("province", "ngos")
    )
    submitted = {
        row.pop("ngo__province"): row
        for row in submissions.values("ngo__province")
        .annotate(
            submitted=Count("id", filter=Q(status=Submission.Status.SUBMITTED)),
            drafts=Count("id", filter=Q(status=Submission.Status.DRAFT)),
        )
        .order_by()
    }
    places = list(
        Province.objects.filter(plate__in=counts).values(
            "plate", "name", "subregion__code", "subregion__name"
        )
    )
    result = {}
    for by in levels:
        groups = {}
        for place in places:
            if by == "subregion":
                key, name = place["subregion__code"], place["subregion__name"]
            else:
                key, name = place["plate"], place["name"]
            row = groups.setdefault(
                key, {"key": key, "name": name, "ngos": 0, "submitted": 0, "drafts": 0}
            )
            row["ngos"] += counts[place["plate"]]
            for field in ("submitted", "drafts"):
                row[field] += submitted.get(place["plate"], {}).get(field, 0)
        result[by] = [groups[key] for key in sorted(groups)]
        for row in result[by]:
            row["rate"] = row["submitted"] / row["ngos"]
    return result


def participation(campaign, scope, filters, *, by="subregion"):
    """``participation_levels`` of one grouping."""
    return participation_levels(campaign, scope, filters, [by])[by]


def hazard_shares(campaign, scope, filters, *, points=None):
    """How many expectations concern each hazard (the item's own, else its category's), and
    the total: from ``points`` (``choice_points`` rows of the scope) when given, else one
    query."""
    if points is None:
        points = choice_points(campaign, scope, filters)
    counts = defaultdict(int)
    for row in points:
        counts[row["hazard"]] += row["mentions"]
    total = sum(counts.values())
    return total, {
        hazard: (counts[hazard], counts[hazard] / total if total else 0.0)
        for hazard in ["earthquake", "flood", "fire", "drought", "other"]
    }


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


_COUNTS = ("received", "answered", "overdue", "completed", "confirmed", "disputed")


def _municipality_places(ids):
    """{municipality id: its name, slug and Turkish sort key, and those of its province and
    sub-region}, one query."""
    rows = Municipality.objects.filter(pk__in=ids).values(
        "pk", "name", "name_sort", "slug", "province_id", "province__name", "province__name_sort",
        "province__subregion_id", "province__subregion__code", "province__subregion__name",
        "province__subregion__name_sort",
    )  # fmt: skip
    return {row["pk"]: row for row in rows}


def _group(by, place, campaign):
    """(group, order, row fields) of a municipality's ``place`` (None: cases addressed to no
    municipality) in the grouping ``by``: the group is the value of facts.GROUP_FIELDS[by]."""
    if by == "total":
        return campaign.pk, "", {"key": campaign.pk, "name": campaign.title}
    if place is None:
        fields = {"key": None, "name": None}
        if by == "municipality":
            fields |= {"slug": None, "province_name": None}
        return None, None, fields
    if by == "municipality":
        fields = {
            "key": place["pk"],
            "name": place["name"],
            "slug": place["slug"],
            "province_name": place["province__name"],
        }
        return place["pk"], place["name_sort"], fields
    if by == "province":
        fields = {"key": place["province_id"], "name": place["province__name"]}
        return place["province_id"], place["province__name_sort"], fields
    fields = {"key": place["province__subregion__code"], "name": place["province__subregion__name"]}
    return place["province__subregion_id"], place["province__subregion__name_sort"], fields


# The groupings from the finest to the whole campaign.
_COARSER = ["municipality", "province", "subregion", "total"]


def _stored_key(by, group, scope, campaign):
    """(level, key) of the stored median of a group of the grouping ``by`` in ``scope``: the
    group's own, unless the grouping is as coarse as the scope or coarser (a province report's
    sub-region, any report's total), whose one group holds the scope's cases."""
    level, key = "total", campaign.pk
    if scope.province:
        level, key = "province", scope.province.pk
    elif scope.subregion:
        level, key = "subregion", scope.subregion.pk
    if _COARSER.index(by) >= _COARSER.index(level):
        return level, key
    return by, group


def responsiveness_levels(campaign, scope, filters, levels, *, now=None):
    """{grouping: rows} for each of ``levels`` ("municipality", "province", "subregion",
    "total", by the municipality's place): cases received, answered share, median days to the
    first answer, overdue, completed, confirmed, disputed. Most cases first; ties in the Turkish
    order of the names (portal.turkish), so "Çukurova-Hatay" comes after "Batı Karadeniz" and
    "İstanbul" after "Ilgaz", not after "Z".

    The counts are summed here from one query by municipality, whose places are one query. A
    median is not a sum: without filters, the medians of every grouping are read (one query)
    from those the last rebuild of the cases wrote; with filters, they are computed from the
    cases (``facts.median_days_by``: one query on PostgreSQL, one per grouping on SQLite)."""
    now = now or timezone.now()
    received = cases(campaign, scope, filters, side="municipality")
    # Without filters, the medians the last rebuild wrote (reports/services/facts.py).
    stored = computed = None
    if filters == Filters():
        wanted = {_stored_key(by, None, scope, campaign)[0] for by in levels}
        stored = facts.stored_medians(campaign, wanted)
    else:
        fields = [facts.GROUP_FIELDS[by] for by in sorted(levels)]
        computed = facts.median_days_by(received, fields)
    overdue_limit = now - datetime.timedelta(days=settings.REVIEW_OVERDUE_DAYS)
    closed = [ExpectationStatus.COMPLETED, ExpectationStatus.DECLINED]
    counts = list(
        received.values("municipality_id")
        .annotate(
            received=Count("pk"),
            answered=Count("pk", filter=Q(first_answered_at__isnull=False)),
            overdue=Count(
                "pk",
                filter=Q(first_answered_at__isnull=True, submitted_at__lt=overdue_limit)
                & ~Q(status__in=closed),
            ),
            completed=Count("pk", filter=Q(status=ExpectationStatus.COMPLETED)),
            confirmed=Count("pk", filter=Q(confirmed=True)),
            disputed=Count("pk", filter=Q(disputed=True)),
        )
        .order_by()
    )
    places = _municipality_places([row["municipality_id"] for row in counts])
    result = {}
    for by in levels:
        groups = {}
        for count in counts:
            group, order, fields = _group(by, places.get(count["municipality_id"]), campaign)
            if group not in groups:
                groups[group] = (order, {**fields, **dict.fromkeys(_COUNTS, 0)})
            row = groups[group][1]
            for field in _COUNTS:
                row[field] += count[field]
        if stored is not None:
            # The total of a sub-region's or a province's report is that place's.
            medians = {
                group: stored.get(_stored_key(by, group, scope, campaign)) for group in groups
            }
        else:
            medians = computed[facts.GROUP_FIELDS[by]]
        for group, (_order, row) in groups.items():
            row["answered_share"] = row["answered"] / row["received"] if row["received"] else 0.0
            row["median_days"] = medians.get(group)
        ordered = sorted(
            groups.values(),
            key=lambda pair: (
                -pair[1]["received"], pair[0] is None, pair[0] or "", str(pair[1]["key"])
            ),
        )  # fmt: skip
        result[by] = [row for _order, row in ordered]
    return result


def responsiveness(campaign, scope, filters, *, by="province", now=None, limit=None):
    """``responsiveness_levels`` of one grouping (the first ``limit`` rows)."""
    rows = responsiveness_levels(campaign, scope, filters, [by], now=now)[by]
    return rows[:limit]
