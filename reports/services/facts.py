"""The cases as the reports count them: ``reports.CaseFact``, rebuilt per campaign from the
expectations, submissions, NGOs, municipalities and categories in one INSERT … SELECT that
writes only the cases whose copy changed (and one DELETE of those no longer cases).

Report figures are aggregates over this narrow table instead of five joined ones: at national
size (400,000 expectations) a report's figures are computed in about a tenth of the time (see
docs/performance.md). The price is freshness: the table is as of its last rebuild. The task
worker rebuilds every campaign's cases every minute (``reports.tasks.refresh_case_facts``, from
beat); whoever reads figures calls ``current`` first, which rebuilds a campaign's cases at once
when they are missing or older than ``REPORT_FACTS_MAX_AGE`` seconds (15 minutes with a worker:
only when the worker has stopped; 0 in the tests, so that every figure reflects what the test
just wrote). Figures cached from the facts carry their age (``facts_at``).

A rebuild is one transaction: readers see the old rows until it commits, and two rebuilds of one
campaign wait for each other (the refresh row is locked). It also writes each municipality's,
province's, sub-region's and the campaign's median time to answer (``CaseMedian``): a median is
not a sum, and sorting every answered case again for each grouping is most of a report's time.
"""

import contextlib
import contextvars
import datetime
import time
from collections import defaultdict

from django.conf import settings
from django.db import connections, router, transaction
from django.db.models import (
    Aggregate,
    BigIntegerField,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    IntegerField,
    Value,
    Window,
)
from django.db.models.functions import Cast, RowNumber
from django.utils import timezone

from municipalities.models import Municipality, Province
from ngos.models import NGO
from reports.models import CaseFact, CaseFactRefresh, CaseMedian
from surveys.models import Campaign, Category, Expectation, ReviewEntry, Submission

_COLUMNS = (
    "expectation_id", "campaign_id", "ngo_id", "ngo_province_id", "ngo_subregion_id",
    "ngo_legal_form", "ngo_verified", "municipality_id", "municipality_province_id",
    "municipality_subregion_id", "municipality_kind", "category_id", "theme_id", "hazard", "rank",
    "submitted_at", "first_answered_at", "status", "confirmed", "disputed",
)  # fmt: skip


# A case's time from its submission to the municipality's first public answer (None until then).
ANSWER_DELAY = ExpressionWrapper(
    F("first_answered_at") - F("submitted_at"), output_field=DurationField()
)
# The field of ``CaseFact`` that is the key of each grouping of the cases by the municipality's
# place (and of CaseMedian.key).
GROUP_FIELDS = {
    CaseMedian.Level.MUNICIPALITY: "municipality_id",
    CaseMedian.Level.PROVINCE: "municipality_province_id",
    CaseMedian.Level.SUBREGION: "municipality_subregion_id",
    # Every case of the campaign in one group.
    CaseMedian.Level.TOTAL: "campaign_id",
}


class MedianDuration(Aggregate):
    """The median of a duration (the mean of the two middle values when their number is even),
    as PostgreSQL's ordered-set aggregate; cases without a value are left out."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def median_days_by(case_rows, fields):
    """{field: {group: median days from submission to the first public answer, to a tenth}}
    of the ``CaseFact`` rows grouped by each of ``fields``, in one query on PostgreSQL: a UNION
    ALL of one ordered-set aggregate per grouping, which PostgreSQL runs side by side in its
    parallel workers (such an aggregate cannot itself be split between workers). SQLite has
    no such aggregate: each group's middle row(s) by delay are picked with ROW_NUMBER and COUNT
    windows, one query per grouping."""
    answered = case_rows.filter(first_answered_at__isnull=False)
    if connections[case_rows.db].vendor != "postgresql":
        return {field: _middle_rows_medians(answered, field) for field in fields}
    first, *others = [
        answered.values(field)
        .annotate(
            grouping=Value(index, output_field=IntegerField()),
            group_key=Cast(field, BigIntegerField()),
            median=MedianDuration(ANSWER_DELAY),
        )
        .order_by()
        .values_list("grouping", "group_key", "median")
        for index, field in enumerate(fields)
    ]
    medians = {field: {} for field in fields}
    for index, key, median in first.union(*others, all=True) if others else first:
        medians[fields[index]][key] = _days([median])
    return medians


def _middle_rows_medians(answered, group_field):
    rows = (
        answered.annotate(
            group_key=F(group_field),
            delay=ANSWER_DELAY,
            position=Window(
                RowNumber(), partition_by=[F(group_field)], order_by=[ANSWER_DELAY.asc()]
            ),
            size=Window(Count("pk"), partition_by=[F(group_field)]),
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
    return {key: _days(values) for key, values in middles.items()}


def _days(durations):
    """The mean of the durations (one, or the two middle ones) in days, to a tenth."""
    return round(sum(d.total_seconds() for d in durations) / len(durations) / 86400, 1)


def stored_medians(campaign, levels):
    """{(level, key): median days} written by the last rebuild, for the given levels; one
    query."""
    rows = CaseMedian.objects.filter(campaign=campaign.pk, level__in=levels)
    return {(level, key): days for level, key, days in rows.values_list("level", "key", "days")}


def _tables():
    return {
        "fact": CaseFact._meta.db_table,
        "expectation": Expectation._meta.db_table,
        "submission": Submission._meta.db_table,
        "ngo": NGO._meta.db_table,
        "province": Province._meta.db_table,
        "municipality": Municipality._meta.db_table,
        "category": Category._meta.db_table,
        "entry": ReviewEntry._meta.db_table,
    }


def _upsert_sql(vendor):
    """INSERT … SELECT of one campaign's cases that writes only what changed: a new case is
    inserted, a case whose copy differs is updated, an unchanged one is left alone (so the
    table stays compact and a rebuild writes little; standard SQL with PostgreSQL's and
    SQLite's upsert). Its parameters: the verified status, the dispute kind, the campaign, the
    submitted status."""
    distinct = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    fact = CaseFact._meta.db_table
    changed = [column for column in _COLUMNS if column != "expectation_id"]
    return """
        INSERT INTO {fact} ({columns})
        SELECT e.id, s.campaign_id, s.ngo_id, n.province_id, np.subregion_id, n.legal_form,
               n.status = %s, e.municipality_id, m.province_id, mp.subregion_id,
               COALESCE(m.kind, ''), e.category_id, c.theme_id,
               CASE WHEN e.hazard <> '' THEN e.hazard ELSE COALESCE(c.hazard, '') END,
               e.rank, s.submitted_at, e.first_answered_at, e.status,
               e.ngo_confirmed_at IS NOT NULL,
               EXISTS (SELECT 1 FROM {entry} r WHERE r.expectation_id = e.id AND r.kind = %s)
        FROM {expectation} e
        JOIN {submission} s ON s.id = e.submission_id
        JOIN {ngo} n ON n.id = s.ngo_id
        JOIN {province} np ON np.plate = n.province_id
        LEFT JOIN {municipality} m ON m.id = e.municipality_id
        LEFT JOIN {province} mp ON mp.plate = m.province_id
        LEFT JOIN {category} c ON c.id = e.category_id
        WHERE s.campaign_id = %s AND s.status = %s AND e.rank IS NOT NULL
        ON CONFLICT (expectation_id) DO UPDATE SET {updates}
        WHERE {differs}
    """.format(
        columns=", ".join(_COLUMNS),
        updates=", ".join(f"{column} = excluded.{column}" for column in changed),
        differs=" OR ".join(f"{fact}.{column} {distinct} excluded.{column}" for column in changed),
        **_tables(),
    )


def _gone_sql():
    """DELETE of the copies of a campaign's cases that are no longer cases (their submission
    withdrawn or deleted); parameters: the campaign twice, the submitted status."""
    return """
        DELETE FROM {fact}
        WHERE campaign_id = %s AND NOT EXISTS (
            SELECT 1 FROM {expectation} e JOIN {submission} s ON s.id = e.submission_id
            WHERE e.id = {fact}.expectation_id AND s.campaign_id = %s AND s.status = %s
                AND e.rank IS NOT NULL
        )
    """.format(**_tables())


def rebuild(campaign_id, *, unless_made_after=None) -> CaseFactRefresh:
    """Copy the campaign's cases into ``CaseFact`` again (one transaction); not when another
    rebuild, waited for, made a copy after ``unless_made_after``."""
    alias = router.db_for_write(CaseFact)
    started = time.perf_counter()
    with transaction.atomic(using=alias):
        refresh, created = CaseFactRefresh.objects.using(alias).get_or_create(
            campaign_id=campaign_id,
            defaults={"refreshed_at": timezone.now(), "cases": 0, "milliseconds": 0},
        )
        # Rebuilds of one campaign, one at a time (PostgreSQL; SQLite has one writer anyway).
        refresh = CaseFactRefresh.objects.using(alias).select_for_update().get(pk=refresh.pk)
        if not created and unless_made_after and refresh.refreshed_at > unless_made_after:
            return refresh
        refreshed_at = timezone.now()
        with connections[alias].cursor() as cursor:
            cursor.execute(_gone_sql(), [campaign_id, campaign_id, Submission.Status.SUBMITTED])
            cursor.execute(
                _upsert_sql(connections[alias].vendor),
                [
                    NGO.Status.VERIFIED,
                    ReviewEntry.Kind.DISPUTE,
                    campaign_id,
                    Submission.Status.SUBMITTED,
                ],
            )
        case_rows = CaseFact.objects.using(alias).filter(campaign=campaign_id)
        refresh.cases = case_rows.count()
        CaseMedian.objects.using(alias).filter(campaign=campaign_id).delete()
        medians = median_days_by(case_rows, list(GROUP_FIELDS.values()))
        CaseMedian.objects.using(alias).bulk_create(
            CaseMedian(campaign_id=campaign_id, level=level, key=key, days=days)
            for level, field in GROUP_FIELDS.items()
            for key, days in medians[field].items()
            # Cases addressed to no municipality have no place to be the median of.
            if key is not None
        )
        refresh.refreshed_at = refreshed_at
        refresh.milliseconds = round((time.perf_counter() - started) * 1000)
        refresh.save(using=alias)
    return refresh


def rebuild_all() -> list[CaseFactRefresh]:
    """Rebuild every campaign's cases (the worker, every minute); cases of deleted campaigns go."""
    alias = router.db_for_write(CaseFact)
    campaigns = list(Campaign.objects.using(alias).order_by("pk").values_list("pk", flat=True))
    CaseFact.objects.using(alias).exclude(campaign__in=campaigns).delete()
    CaseMedian.objects.using(alias).exclude(campaign__in=campaigns).delete()
    return [rebuild(pk) for pk in campaigns]


# Within ``one_computation``: {campaign id: when its copy was made}, checked once.
_checked: contextvars.ContextVar[dict | None] = contextvars.ContextVar("case_facts", default=None)


@contextlib.contextmanager
def one_computation():
    """Within this block, ``current`` checks (and rebuilds) each campaign's copy once: the
    figures of one page are computed from one copy, with one check."""
    token = _checked.set({})
    try:
        yield
    finally:
        _checked.reset(token)


def current(*campaigns):
    """Make sure the campaigns' cases are no older than REPORT_FACTS_MAX_AGE seconds (rebuilding
    those that are, or were never copied) and return when the oldest of them was copied. One
    query, and a rebuild of each campaign whose copy is too old; nothing for campaigns already
    checked in the same ``one_computation``."""
    ids = sorted({campaign.pk for campaign in campaigns if campaign is not None})
    checked = _checked.get()
    known = checked if checked is not None else {}
    missing = [pk for pk in ids if pk not in known]
    if missing:
        alias = router.db_for_write(CaseFact)
        refreshed = dict(
            CaseFactRefresh.objects.using(alias)
            .filter(campaign__in=missing)
            .values_list("campaign_id", "refreshed_at")
        )
        limit = timezone.now() - datetime.timedelta(seconds=settings.REPORT_FACTS_MAX_AGE)
        for pk in missing:
            if pk not in refreshed or refreshed[pk] <= limit:
                # Requests finding the same old copy make it once: the others wait, then use it.
                refreshed[pk] = rebuild(pk, unless_made_after=limit).refreshed_at
        known = {**known, **refreshed}
        if checked is not None:
            checked.update(refreshed)
    return min((known[pk] for pk in ids), default=None)
