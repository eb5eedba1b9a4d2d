"""The report's tables: the figures of one campaign, scope and set of filters (computed by
reports.services.figures, kept in the "reports" cache), turned into titled tables with typed
columns that the page, the print page and the CSV/XLSX exports all use.

Cached figures hold plain data only (no links, nothing about the user), so one cache entry
serves every coordinator who may see the scope. See reports/services/figures_cache.py for how
long they are kept and how they are computed again.
"""

import hashlib
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import formats
from django.utils.translation import get_language, gettext, gettext_lazy
from django.utils.translation import gettext as _

from municipalities.models import Province, SubRegion
from ngos.models import ActivityField
from portal.choices import HazardScope
from portal.links import link_maker
from portal.turkish import sort_key
from reports.services import facts
from reports.services import figures as aggregates
from reports.services.figures import Filters, Scope
from reports.services.figures_cache import cached_figures, figures_kind, store_figures
from surveys.models import Campaign, Theme

# Figures older than this are computed again (in the background, the old ones served meanwhile).
CACHE_SECONDS = 120
TOP_MUNICIPALITIES = 20
# The league and the overdue list show this many municipalities on the page (a national report
# has hundreds); their CSV and XLSX files list every one.
LIST_ON_PAGE = 50

# What the map can show, and the kind of value it is (see Column.kind).
MEASURE_KINDS = {
    "participation": "share",
    "borda_leader_share": "share",
    "answered_share": "share",
    "overdue": "int",
    "active_protocols": "int",
}
# Measures that count things: a province without any shows 0, not "no data".
COUNT_MEASURES = {"overdue", "active_protocols"}


# The XLSX sheet of each table: whole words, at most 31 characters in either language
# (tests/reports/test_report_exports.py checks both).
SHEET_NAMES = {
    "top-five": gettext_lazy("Top five"),
    "top-five-by-subregion": gettext_lazy("Top five by sub-region"),
    "participation": gettext_lazy("Participation"),
    "hazards": gettext_lazy("Hazards"),
    "capabilities": gettext_lazy("Capabilities"),
    "protocols": gettext_lazy("Protocols in force"),
    "responsiveness": gettext_lazy("Responsiveness"),
    "responsiveness-municipalities": gettext_lazy("Municipalities"),
    "league": gettext_lazy("Responsiveness league"),
    "overdue": gettext_lazy("Overdue cases"),
    "map": gettext_lazy("Map"),
}

# --- Figures ---------------------------------------------------------------------------------


def _cache_key(campaign, compare, scope, filters, measure):
    parts = [
        campaign.pk,
        compare.pk if compare else "",
        scope.subregion.pk if scope.subregion else "",
        scope.province.pk if scope.province else "",
        filters.legal_form,
        filters.activity_field.pk if filters.activity_field else "",
        filters.municipality_kind,
        filters.theme.pk if filters.theme else "",
        filters.hazard,
        measure,
        get_language(),
    ]
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    return f"reports:figures:{digest}"


def report_figures(*, campaign, compare, scope, filters, measure, refresh=False):
    """Every figure of a report page, with ``computed_at`` (see ``cached_figures``); computed
    and stored now whatever the cache holds when ``refresh`` (``manage.py warm_reports``).

    The number of queries depends on the level and on whether a comparison is asked for, never
    on the amount of data.
    """
    key = _cache_key(campaign, compare, scope, filters, measure)

    def compute():
        return _compute(campaign, compare, scope, filters, measure)

    if refresh:
        return store_figures(key, compute)
    params = {
        "campaign": campaign.pk,
        "compare": compare.pk if compare else None,
        "subregion": scope.subregion.pk if scope.subregion else None,
        "province": scope.province.pk if scope.province else None,
        "legal_form": filters.legal_form,
        "activity_field": filters.activity_field.pk if filters.activity_field else None,
        "municipality_kind": filters.municipality_kind,
        "theme": filters.theme.pk if filters.theme else None,
        "hazard": filters.hazard,
        "measure": measure,
    }
    return cached_figures(key, compute, fresh_seconds=CACHE_SECONDS, kind="report", params=params)


@figures_kind("report")
def _compute_from_params(
    *, campaign, compare, subregion, province, legal_form, activity_field, municipality_kind,
    theme, hazard, measure,
):  # fmt: skip
    """``_compute`` for the parameters ``report_figures`` gives a task (ids and plain values)."""

    def get(model, pk):
        return model.objects.get(pk=pk) if pk is not None else None

    scope = Scope(subregion=get(SubRegion, subregion), province=get(Province, province))
    filters = Filters(
        legal_form=legal_form,
        activity_field=get(ActivityField, activity_field),
        municipality_kind=municipality_kind,
        theme=get(Theme, theme),
        hazard=hazard,
    )
    return _compute(get(Campaign, campaign), get(Campaign, compare), scope, filters, measure)


def _places(campaign, scope):
    """The sub-regions (nation) or provinces (sub-region, province) a participation table lists,
    with or without NGOs: only those the campaign covers."""
    if scope.level == "nation":
        places = SubRegion.objects.order_by("code")
        if not campaign.is_national:
            places = places.filter(campaigns=campaign.pk)
        return [{"key": s["code"], "name": s["name"]} for s in places.values("code", "name")]
    provinces = Province.objects.order_by("name_sort", "plate")
    if scope.province:
        provinces = provinces.filter(plate=scope.province.pk)
    else:
        provinces = provinces.filter(subregion=scope.subregion.pk)
    if not campaign.is_national:
        provinces = provinces.filter(subregion__campaigns=campaign.pk)
    return [{"key": p["plate"], "name": p["name"]} for p in provinces.values("plate", "name")]


def _map_values(campaign, scope, filters, measure, *, participation, responsiveness):
    """{plate: value} of the measure for the provinces in scope that have data, and for the
    Borda measure {plate: leading category row}; ``participation`` and ``responsiveness`` are
    the figures' rows by province (computed with the others, for these measures)."""
    if measure == "participation":
        return {row["key"]: row["rate"] for row in participation if row["ngos"]}, {}
    if measure == "borda_leader_share":
        rows = aggregates.borda_leader_by_province(campaign, scope, filters)
        return (
            {plate: entry["share"] for plate, entry in rows.items()},
            {plate: entry["leader"] for plate, entry in rows.items()},
        )
    if measure == "active_protocols":
        # The figures' own per-place counts already hold the provinces below the nation.
        return {str(k): v for k, v in aggregates.active_protocols(scope).items()}, {}
    return {row["key"]: row[measure] for row in responsiveness}, {}


def _compute(campaign, compare, scope, filters, measure):
    with facts.one_computation():
        return _compute_figures(campaign, compare, scope, filters, measure)


def _compute_figures(campaign, compare, scope, filters, measure):
    level = scope.level
    facts_at = facts.current(campaign, compare)
    # One query for the top five, the sub-regions' top fives (nation) and the hazard shares.
    points = aggregates.choice_points(
        campaign, scope, filters, by="subregion" if level == "nation" else None
    )
    top = aggregates.borda(campaign, scope, filters, points=points)
    examples = aggregates.borda_examples(
        campaign, scope, filters, [row["category_id"] for row in top]
    )
    for row in top:
        row["examples"] = examples.get(row["category_id"], [])
    figures = {"level": level, "top": top, "facts_at": facts_at}
    if compare:
        # Every category of the other campaign, to find each of this campaign's top five in it.
        previous = aggregates.borda(compare, scope, filters, limit=None)
        ranks = {row["category_id"]: (index, row) for index, row in enumerate(previous, 1)}
        for row in top:
            rank, other = ranks.get(row["category_id"], (None, None))
            row["compare_rank"] = rank
            row["compare_score"] = other["score"] if other else 0
    if level == "nation":
        figures["by_subregion"] = aggregates.borda_by_subregion(campaign, filters, points=points)
    by = "subregion" if level == "nation" else "province"
    figures["places"] = _places(campaign, scope)
    # The province rows of the map's measure come with the others.
    participation = aggregates.participation_levels(
        campaign, scope, filters, {by, "province"} if measure == "participation" else {by}
    )
    figures["participation"] = participation[by]
    if compare:
        figures["participation_compare"] = aggregates.participation(compare, scope, filters, by=by)
    figures["hazards"] = aggregates.hazard_shares(campaign, scope, filters, points=points)
    figures["capabilities"] = aggregates.capabilities_by_hazard(scope, filters)
    first = {"nation": "subregion", "subregion": "province", "province": "municipality"}[level]
    # Every municipality (most cases first): the nation's table shows the first
    # TOP_MUNICIPALITIES, the league and the overdue list read them all.
    levels = {first, "municipality", "total"}
    if measure in ("answered_share", "overdue"):
        levels.add("province")
    responsiveness = aggregates.responsiveness_levels(campaign, scope, filters, levels)
    figures["responsiveness"] = responsiveness[first]
    if level != "province":
        figures["responsiveness_municipalities"] = responsiveness["municipality"]
    totals = responsiveness["total"]
    figures["responsiveness_total"] = totals[0] if totals else None
    # Cooperation protocols in force, by the municipality's sub-region (nation) or province.
    figures["protocols"] = {
        str(key): count for key, count in aggregates.active_protocols(scope, by=by).items()
    }
    figures["map"], figures["map_leaders"] = _map_values(
        campaign,
        scope,
        filters,
        measure,
        participation=participation.get("province", []),
        responsiveness=responsiveness.get("province", []),
    )
    figures["provinces"] = list(
        Province.objects.order_by("name_sort", "plate").values(
            "plate", "name", "subregion_id", "subregion__code", "subregion__name"
        )
    )
    return figures


# --- Tables ----------------------------------------------------------------------------------


@dataclass
class Column:
    """A column: its key in the rows, its heading, and the kind of value: text, list (of
    texts), int, share (0..1, shown and exported in percent), days, delta (signed whole number)
    or points (signed percentage points, given as a share difference)."""

    key: str
    label: str
    kind: str = "int"

    @property
    def export_label(self):
        label = str(self.label)
        return f"{label} (%)" if self.kind in ("share", "points") else label

    @property
    def numeric(self):
        return self.kind not in ("text", "list")


@dataclass
class Table:
    slug: str
    title: str
    columns: list
    rows: list
    totals: dict | None = None
    empty_text: str = ""
    note: str = ""
    extra: dict = field(default_factory=dict)
    # The column whose cell heads each row (th scope="row") and carries the row's link.
    row_header: int = 0
    # The page shows at most this many rows (None: all); the exports always hold every row.
    page_limit: int | None = None

    def export_rows(self, *, fractions=False):
        """The rows (and the totals) as export values: numbers stay numbers; shares in percent,
        or as fractions (for a spreadsheet's percent format) with ``fractions``."""
        for row in [*self.rows, *([self.totals] if self.totals else [])]:
            yield [
                export_value(column, row.get(column.key), fractions=fractions)
                for column in self.columns
            ]

    @property
    def sheet(self):
        """The name of the table's XLSX sheet: whole words within Excel's 31 characters."""
        return SHEET_NAMES.get(self.slug, self.title)

    @property
    def page_rows(self):
        return self.rows if self.page_limit is None else self.rows[: self.page_limit]

    @property
    def rows_not_shown(self):
        return len(self.rows) - len(self.page_rows)

    def display_rows(self):
        return [_display_row(self.columns, row, self.row_header) for row in self.page_rows]

    def display_totals(self):
        if not self.totals:
            return None
        return _display_row(self.columns, self.totals, self.row_header)


def _display_row(columns, row, row_header):
    cells = []
    for index, column in enumerate(columns):
        value = row.get(column.key)
        cells.append(
            {
                "text": display_value(column.kind, value),
                "items": value if column.kind == "list" else None,
                "href": row.get("_href") if index == row_header else None,
                "numeric": column.numeric,
                "header": index == row_header,
            }
        )
    return cells


def _number(value, decimals):
    # Django's number_format cuts decimals off; round first.
    return formats.number_format(round(value, decimals), decimals, use_l10n=True)


def display_value(kind, value):
    """A value as the page shows it, in the current language's number format."""
    if value is None or value == "":
        return "—"
    if kind == "share":
        return gettext("%(percent)s %%") % {"percent": _number(value * 100, 1)}
    if kind == "points":
        sign = "+" if value > 0 else "−" if value < 0 else "±"
        number = _number(abs(value) * 100, 1)
        return gettext("%(sign)s%(points)s points") % {"sign": sign, "points": number}
    if kind == "delta":
        sign = "+" if value > 0 else "−" if value < 0 else "±"
        return f"{sign}{formats.number_format(abs(value), 0, use_l10n=True, force_grouping=True)}"
    if kind == "days":
        return _number(value, 1)
    if kind == "int":
        return formats.number_format(value, 0, use_l10n=True, force_grouping=True)
    if kind == "list":
        return " | ".join(value)
    return str(value)


def export_value(column, value, *, fractions=False):
    """A value as exports write it: shares and points in percent (one decimal), or as
    fractions (four decimals) with ``fractions``."""
    if value is None:
        return None
    if column.kind in ("share", "points"):
        return round(value, 4) if fractions else round(value * 100, 1)
    if column.kind == "list":
        return " | ".join(value)
    if column.kind == "text":
        return str(value)
    return value


def category_label(row):
    """A category's name in the current language (rows carry both)."""
    if get_language() == "en" and row.get("category__name_en"):
        return row["category__name_en"]
    return row["category__name"]


def _top_five_table(figures, *, compare):
    columns = [
        Column("rank", _("Rank")),
        Column("category", _("Category"), "text"),
        Column("score", _("Borda score")),
        Column("mentions", _("Mentions")),
        Column("first_rank", _("First-rank mentions")),
        Column("examples", _("Example requests"), "list"),
    ]
    if compare:
        columns[5:5] = [
            Column("compare_rank", _("Rank in %(campaign)s") % {"campaign": compare.title}),
            Column("compare_score", _("Score in %(campaign)s") % {"campaign": compare.title}),
            Column("score_delta", _("Change in score"), "delta"),
        ]
    rows = []
    for rank, row in enumerate(figures["top"], 1):
        item = {
            "category": category_label(row),
            "rank": rank,
            "score": row["score"],
            "mentions": row["mentions"],
            "first_rank": row["first_rank"],
            "examples": row["examples"],
        }
        if compare:
            item["compare_rank"] = row["compare_rank"]
            item["compare_score"] = row["compare_score"]
            item["score_delta"] = row["score"] - row["compare_score"]
        rows.append(item)
    return Table(
        "top-five",
        _("The five top expectations"),
        columns,
        rows,
        empty_text=_("No submitted expectation matches this scope and these filters."),
        note=aggregates.BORDA_METHOD_NOTE,
        row_header=1,
    )


def _top_five_by_subregion_table(figures, subregion_names, links):
    columns = [
        Column("subregion", _("Sub-region"), "text"),
        Column("rank", _("Rank")),
        Column("category", _("Category"), "text"),
        Column("score", _("Borda score")),
        Column("mentions", _("Mentions")),
        Column("first_rank", _("First-rank mentions")),
    ]
    rows, grid = [], []
    for code, name in subregion_names:
        table_rows = []
        for rank, row in enumerate(figures["by_subregion"].get(code, []), 1):
            item = {
                "subregion": name,
                "rank": rank,
                "category": category_label(row),
                "score": row["score"],
                "mentions": row["mentions"],
                "first_rank": row["first_rank"],
            }
            rows.append(item)
            table_rows.append(item)
        grid.append({"code": code, "name": name, "href": links.get(code), "rows": table_rows})
    return Table(
        "top-five-by-subregion",
        _("The five top expectations of each sub-region"),
        columns,
        rows,
        empty_text=_("No submitted expectation matches these filters."),
        note=aggregates.BORDA_METHOD_NOTE,
        extra={"grid": grid},
    )


def _participation_table(figures, *, compare, level, links):
    place_label = _("Sub-region") if level == "nation" else _("Province")
    columns = [
        Column("name", place_label, "text"),
        Column("ngos", _("Verified NGOs")),
        Column("submitted", _("Submitted")),
        Column("drafts", _("Drafts")),
        Column("rate", _("Participation rate"), "share"),
    ]
    if compare:
        other_title = {"campaign": compare.title}
        columns += [
            Column("compare_submitted", _("Submitted in %(campaign)s") % other_title),
            Column("compare_rate", _("Rate in %(campaign)s") % other_title, "share"),
            Column("rate_delta", _("Change in rate"), "points"),
        ]
    found = {row["key"]: row for row in figures["participation"]}
    other = {row["key"]: row for row in figures.get("participation_compare", [])}
    rows = []
    for place in figures["places"]:
        row = found.get(place["key"], {})
        item = {
            "_key": place["key"],
            "_href": links.get(place["key"]),
            "name": place["name"],
            "ngos": row.get("ngos", 0),
            "submitted": row.get("submitted", 0),
            "drafts": row.get("drafts", 0),
        }
        item["rate"] = item["submitted"] / item["ngos"] if item["ngos"] else None
        if compare:
            previous = other.get(place["key"], {})
            item["compare_submitted"] = previous.get("submitted", 0)
            item["compare_rate"] = previous.get("rate") if previous.get("ngos") else None
            item["rate_delta"] = (
                item["rate"] - item["compare_rate"]
                if item["rate"] is not None and item["compare_rate"] is not None
                else None
            )
        rows.append(item)
    totals = {
        "name": gettext("Total"),
        "ngos": sum(r["ngos"] for r in rows),
        "submitted": sum(r["submitted"] for r in rows),
        "drafts": sum(r["drafts"] for r in rows),
    }
    totals["rate"] = totals["submitted"] / totals["ngos"] if totals["ngos"] else None
    if compare:
        ngos = sum(r.get("ngos", 0) for r in other.values())
        totals["compare_submitted"] = sum(r["compare_submitted"] for r in rows)
        totals["compare_rate"] = totals["compare_submitted"] / ngos if ngos else None
        totals["rate_delta"] = (
            totals["rate"] - totals["compare_rate"]
            if totals["rate"] is not None and totals["compare_rate"] is not None
            else None
        )
    return Table(
        "participation",
        _("Participation"),
        columns,
        rows,
        totals=totals if rows else None,
        empty_text=_("The campaign does not cover this scope."),
        note=_(
            "Verified NGOs in the scope (by the NGO's province) and those that submitted; the "
            "filters on the legal form and the field of activity apply here, the others do not."
        ),
    )


def _hazards_table(figures):
    total, shares = figures["hazards"]
    labels = dict(HazardScope.choices)
    rows = [
        {"hazard": str(labels[hazard]), "count": count, "share": share if total else None}
        for hazard, (count, share) in shares.items()
    ]
    about = sum(count for count, _share in shares.values())
    rows.append(
        {
            "hazard": gettext("Not about a hazard"),
            "count": total - about,
            "share": (total - about) / total if total else None,
        }
    )
    return Table(
        "hazards",
        _("Expectations about each hazard"),
        [
            Column("hazard", _("Hazard"), "text"),
            Column("count", _("Expectations")),
            Column("share", _("Share of all expectations"), "share"),
        ],
        rows,
        totals={
            "hazard": gettext("All expectations"),
            "count": total,
            "share": 1.0 if total else None,
        },
        note=_("An expectation counts under its own hazard, or else under its category's."),
    )


def _capabilities_table(figures):
    found = figures["capabilities"]
    rows = [
        {
            "hazard": str(label),
            "capabilities": found.get(hazard, {}).get("capabilities", 0),
            "ngos": found.get(hazard, {}).get("ngos", 0),
        }
        for hazard, label in HazardScope.choices
    ]
    return Table(
        "capabilities",
        _("NGO capabilities for each hazard"),
        [
            Column("hazard", _("Hazard"), "text"),
            Column("capabilities", _("Capabilities")),
            Column("ngos", _("NGOs")),
        ],
        rows,
        note=_("Capabilities declared by verified NGOs of the scope."),
    )


def _responsiveness_columns(first_label, *, with_province=False):
    columns = [Column("name", first_label, "text")]
    if with_province:
        columns.append(Column("province_name", _("Province"), "text"))
    return columns + [
        Column("received", _("Cases received")),
        Column("answered_share", _("Answered"), "share"),
        Column("median_days", _("Median days to first answer"), "days"),
        Column("overdue", _("Overdue")),
        Column("completed", _("Completed")),
        Column("confirmed", _("Confirmed by the NGO")),
        Column("disputed", _("Disputed by the NGO")),
    ]


def _responsiveness_rows(rows, links):
    return [{**row, "_href": links.get(row["key"])} for row in rows]


def _municipality_rows(rows):
    """Municipalities link to their public page, which everyone may open."""
    link = link_maker("municipalities:detail", "slug")
    return [{**row, "_href": link(row["slug"])} for row in rows]


def _responsiveness_tables(figures, *, level, links):
    total = figures["responsiveness_total"]
    totals = {**total, "name": gettext("Total")} if total else None
    if level == "province":
        by_municipality = Table(
            "responsiveness",
            _("Responsiveness by municipality"),
            _responsiveness_columns(_("Municipality")),
            _municipality_rows(figures["responsiveness"]),
            totals=totals,
        )
        tables = [by_municipality]
    else:
        first = _("Sub-region") if level == "nation" else _("Province")
        title = (
            _("Responsiveness by sub-region")
            if level == "nation"
            else _("Responsiveness by province")
        )
        tables = [
            Table(
                "responsiveness",
                title,
                _responsiveness_columns(first),
                _responsiveness_rows(figures["responsiveness"], links),
                totals=totals,
            ),
            Table(
                "responsiveness-municipalities",
                _("The %(count)s municipalities with the most cases")
                % {"count": TOP_MUNICIPALITIES}
                if level == "nation"
                else _("Responsiveness by municipality"),
                _responsiveness_columns(_("Municipality"), with_province=True),
                _municipality_rows(
                    figures["responsiveness_municipalities"][:TOP_MUNICIPALITIES]
                    if level == "nation"
                    else figures["responsiveness_municipalities"]
                ),
            ),
        ]
    for table in tables:
        table.empty_text = _("No municipality of this scope has received a case yet.")
        table.note = _(
            "Counted by the municipality's place. Overdue: no public answer %(days)s days after "
            "submission, and not closed."
        ) % {"days": settings.REVIEW_OVERDUE_DAYS}
    return tables


def municipality_rows(figures):
    """Every municipality of the scope with its responsiveness figures."""
    if figures["level"] == "province":
        return figures["responsiveness"]
    return figures["responsiveness_municipalities"]


def _league_key(row):
    # Higher answered share first; then fewer median days (none: nothing answered, last); then
    # more cases; then the Turkish alphabet.
    median = row["median_days"]
    return (
        -row["answered_share"],
        median is None,
        median or 0,
        -row["received"],
        sort_key(row["name"]),
    )


def _league_table(figures):
    """Municipalities with at least REPORT_LEAGUE_MIN_CASES cases, ranked by the share they
    answered, then by the median days to the first answer."""
    minimum = settings.REPORT_LEAGUE_MIN_CASES
    ranked = sorted(
        (row for row in municipality_rows(figures) if row["received"] >= minimum),
        key=_league_key,
    )
    rows = [{**row, "rank": rank} for rank, row in enumerate(ranked, 1)]
    return Table(
        "league",
        _("Responsiveness league of municipalities"),
        [
            Column("rank", _("Rank")),
            Column("name", _("Municipality"), "text"),
            Column("province_name", _("Province"), "text"),
            Column("received", _("Cases received")),
            Column("answered_share", _("Answered"), "share"),
            Column("median_days", _("Median days to first answer"), "days"),
            Column("overdue", _("Overdue")),
        ],
        _municipality_rows(rows),
        empty_text=_("No municipality of this scope has received %(count)s cases yet.")
        % {"count": minimum},
        note=_(
            "Only municipalities with at least %(count)s cases are ranked. Ranked by the share "
            "of cases with a public answer (higher first), then by the median days from "
            "submission to the first public answer (fewer first), then by the number of cases."
        )
        % {"count": minimum},
        row_header=1,
        page_limit=LIST_ON_PAGE,
    )


def _overdue_table(figures):
    """Municipalities with overdue cases, the most first."""
    rows = sorted(
        (row for row in municipality_rows(figures) if row["overdue"]),
        key=lambda row: (-row["overdue"], sort_key(row["name"])),
    )
    return Table(
        "overdue",
        _("Municipalities with overdue cases"),
        [
            Column("name", _("Municipality"), "text"),
            Column("province_name", _("Province"), "text"),
            Column("overdue", _("Overdue")),
            Column("received", _("Cases received")),
            Column("answered_share", _("Answered"), "share"),
        ],
        [{**row, "_key": row["key"]} for row in _municipality_rows(rows)],
        empty_text=_("No municipality of this scope has an overdue case."),
        note=_("Overdue: no public answer %(days)s days after submission, and not closed.")
        % {"days": settings.REVIEW_OVERDUE_DAYS},
        page_limit=LIST_ON_PAGE,
    )


def _map_table(figures, *, measure, measure_label, in_scope, links):
    kind = MEASURE_KINDS[measure]
    columns = [Column("name", _("Province"), "text"), Column("value", measure_label, kind)]
    if measure == "borda_leader_share":
        columns.append(Column("leader", _("Leading category"), "text"))
    rows = []
    for province in figures["provinces"]:
        if province["plate"] not in in_scope:
            continue
        value = figures["map"].get(province["plate"], figures["map"].get(str(province["plate"])))
        if value is None and measure in COUNT_MEASURES:
            value = 0
        leader = figures["map_leaders"].get(province["plate"])
        rows.append(
            {
                "_key": province["plate"],
                "_href": links.get(province["plate"]),
                "name": province["name"],
                "value": value,
                "leader": category_label(leader) if leader else None,
            }
        )
    return Table(
        "map", _("Map: %(measure)s by province") % {"measure": measure_label}, columns, rows
    )


def _protocols_table(figures, *, level, scope, links):
    """Protocols in force per sub-region (nation) or per province of the scope, every place
    listed (0 where there is none)."""
    counts = figures.get("protocols", {})
    if level == "nation":
        places, seen = [], set()
        for province in figures["provinces"]:
            code = province["subregion__code"]
            if code not in seen:
                seen.add(code)
                places.append((code, province["subregion__name"]))
        places.sort()
        label = _("Sub-region")
    else:
        plates = in_scope_plates(figures, scope)
        places = [(p["plate"], p["name"]) for p in figures["provinces"] if p["plate"] in plates]
        label = _("Province")
    rows = [
        {
            "_key": key,
            "_href": links.get(key),
            "name": name,
            "protocols": counts.get(str(key), 0),
        }
        for key, name in places
    ]
    return Table(
        "protocols",
        _("Cooperation protocols in force"),
        [Column("name", label, "text"), Column("protocols", _("Active protocols"))],
        rows,
        totals={"name": gettext("Total"), "protocols": sum(r["protocols"] for r in rows)},
        note=_(
            "Protocols between a municipality and NGOs accepted by every NGO party and neither "
            "expired nor terminated, counted by the municipality's place; drafts and proposals "
            "do not count. Not tied to the campaign or the filters."
        ),
    )


TABLE_SLUGS = {
    "nation": [
        "top-five",
        "top-five-by-subregion",
        "participation",
        "hazards",
        "capabilities",
        "protocols",
        "responsiveness",
        "responsiveness-municipalities",
        "league",
        "overdue",
        "map",
    ],
    "subregion": [
        "top-five",
        "participation",
        "hazards",
        "capabilities",
        "protocols",
        "responsiveness",
        "responsiveness-municipalities",
        "league",
        "overdue",
        "map",
    ],
    "province": [
        "top-five",
        "participation",
        "hazards",
        "capabilities",
        "protocols",
        "responsiveness",
        "league",
        "overdue",
        "map",
    ],
}


def in_scope_plates(figures, scope):
    if scope.province:
        return {scope.province.pk}
    if scope.subregion:
        return {p["plate"] for p in figures["provinces"] if p["subregion_id"] == scope.subregion.pk}
    return {p["plate"] for p in figures["provinces"]}


def build_tables(figures, *, scope: Scope, compare, measure, measure_label, links):
    """{slug: Table} of every table of the level, in page order. ``links`` holds the hrefs the
    user may follow: {"subregion": {code: url}, "province": {plate: url}}."""
    level = scope.level
    province_links = links.get("province", {})
    subregion_links = links.get("subregion", {})
    tables = [_top_five_table(figures, compare=compare)]
    if level == "nation":
        names = [(p["key"], p["name"]) for p in figures["places"]]
        tables.append(_top_five_by_subregion_table(figures, names, subregion_links))
    tables.append(
        _participation_table(
            figures,
            compare=compare,
            level=level,
            links=subregion_links if level == "nation" else province_links,
        )
    )
    tables += [_hazards_table(figures), _capabilities_table(figures)]
    tables.append(
        _protocols_table(
            figures,
            level=level,
            scope=scope,
            links=subregion_links if level == "nation" else province_links,
        )
    )
    tables += _responsiveness_tables(
        figures,
        level=level,
        links=subregion_links if level == "nation" else province_links,
    )
    tables += [_league_table(figures), _overdue_table(figures)]
    tables.append(
        _map_table(
            figures,
            measure=measure,
            measure_label=measure_label,
            in_scope=in_scope_plates(figures, scope),
            links=province_links,
        )
    )
    return {table.slug: table for table in tables}
