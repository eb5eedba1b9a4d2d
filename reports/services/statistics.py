"""The figures of the public statistics page: participation and the top five categories of a
survey campaign, nationally and per sub-region. Aggregates only: no names, no free text, and
no figure about a group of fewer than MIN_GROUP NGOs, neither shown nor derivable by
subtracting the shown sub-regions from the national figure.
"""

from municipalities.models import SubRegion
from reports.services import facts
from reports.services import figures as aggregates
from reports.services.figures_cache import cached_figures, figures_kind, store_figures
from surveys.models import Campaign

# No figure is shown about fewer NGOs than this (verified NGOs for participation, NGOs that
# submitted for the top five), so that no single NGO's answers can be read off the page.
MIN_GROUP = 5
TOP = 5
CACHE_SECONDS = 5 * 60


def suppressed(sizes, hidden=()):
    """The groups whose figures are not shown: those of fewer than MIN_GROUP NGOs (and any in
    ``hidden``), then, smallest first, as many others as it takes so that what subtraction from
    the national figure reveals — the hidden groups pooled — is about at least MIN_GROUP NGOs of
    at least two groups (complementary suppression). ``sizes`` maps each group to its number of
    NGOs; groups without any NGO reveal nothing and need no cover.
    """
    hidden = set(hidden) | {key for key, size in sizes.items() if size < MIN_GROUP}
    candidates = sorted((size, key) for key, size in sizes.items() if key not in hidden)

    def revealing():
        occupied = [key for key in hidden if sizes[key] > 0]
        return bool(occupied) and (
            len(occupied) < 2 or sum(sizes[key] for key in occupied) < MIN_GROUP
        )

    while candidates and revealing():
        hidden.add(candidates.pop(0)[1])
    return hidden


def _group(ngos, submitted, top, *, shown=True, top_shown=True):
    """A group's figures, with what may not be shown left out (not merely hidden)."""
    shown = shown and ngos >= MIN_GROUP
    top_shown = shown and top_shown and submitted >= MIN_GROUP
    return {
        "shown": shown,
        "ngos": ngos if shown else None,
        "submitted": submitted if shown else None,
        "percent": 100 * submitted / ngos if shown else None,
        "top_shown": top_shown,
        "top": [
            {
                "code": row["category__code"],
                "name": row["category__name"],
                "name_en": row["category__name_en"],
                "score": row["score"],
                "mentions": row["mentions"],
            }
            for row in top
        ]
        if top_shown
        else [],
    }


def statistics_figures(campaign):
    """The page's figures for a campaign, computed in a fixed number of queries whatever the
    data size: the campaign's sub-regions, participation by sub-region, and the Borda points by
    sub-region (the national top five and every sub-region's are sums of them). A sub-region's
    participation is shown when it and the other hidden ones pooled are about at least
    MIN_GROUP NGOs (see ``suppressed``); its top five likewise by the NGOs that submitted."""
    with facts.one_computation():
        return _statistics_figures(campaign)


def _statistics_figures(campaign):
    facts_at = facts.current(campaign)
    subregions = SubRegion.objects.order_by("code")
    if not campaign.is_national:
        subregions = subregions.filter(campaigns=campaign.pk)
    nation, everything = aggregates.Scope(), aggregates.Filters()
    participation = {
        row["key"]: row for row in aggregates.participation(campaign, nation, everything)
    }
    points = aggregates.choice_points(campaign, nation, everything, by="subregion")
    tops = aggregates.borda_by_subregion(campaign, everything, limit=TOP, points=points)
    national_top = aggregates.borda(campaign, nation, everything, limit=TOP, points=points)
    names = dict(subregions.values_list("code", "name"))
    counts = {code: participation.get(code, {"ngos": 0, "submitted": 0}) for code in names}
    # Participation in sub-regions outside the list (none for a well-formed campaign) is part
    # of the national figure, so it counts for the pooling too.
    counts |= {code: row for code, row in participation.items() if code not in names}
    hidden = suppressed({code: row["ngos"] for code, row in counts.items()})
    top_hidden = suppressed({code: row["submitted"] for code, row in counts.items()}, hidden)
    rows = [
        {
            "code": code,
            "name": name,
            **_group(
                counts[code]["ngos"],
                counts[code]["submitted"],
                tops.get(code, []),
                shown=code not in hidden,
                top_shown=code not in top_hidden,
            ),
        }
        for code, name in names.items()
    ]
    national = _group(
        sum(row["ngos"] for row in participation.values()),
        sum(row["submitted"] for row in participation.values()),
        national_top,
    )
    return {"national": national, "subregions": rows, "facts_at": facts_at}


def cached_statistics(campaign, *, refresh=False):
    """The figures of ``statistics_figures`` from the reports cache (computed again when more
    than CACHE_SECONDS old); computed and stored now when ``refresh``."""
    key = f"surveys:statistics:{campaign.pk}"
    if refresh:
        return store_figures(key, lambda: statistics_figures(campaign))
    return cached_figures(
        key,
        lambda: statistics_figures(campaign),
        fresh_seconds=CACHE_SECONDS,
        kind="statistics",
        params={"campaign": campaign.pk},
    )


@figures_kind("statistics")
def _statistics_from_params(*, campaign):
    """``statistics_figures`` for the parameters ``cached_statistics`` gives a task."""
    return statistics_figures(Campaign.objects.get(pk=campaign))
