"""The public statistics (transparency) page: participation and the top five categories of
a survey campaign, nationally and per sub-region. Aggregates only: no names, no free text, and
no figure about a group of fewer than MIN_GROUP NGOs, neither shown nor derivable by
subtracting the shown sub-regions from the national figure.
"""

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_GET

from reports.forms.statistics import CampaignChoiceForm
from reports.services.statistics import MIN_GROUP, cached_statistics
from surveys.models import Campaign

TEMPLATE = "reports/statistics.html"

# The participation bar chart (SVG user units).
CHART_WIDTH = 640
CHART_LABEL_WIDTH = 200
CHART_BAR_WIDTH = 360
CHART_ROW_HEIGHT = 28


def _label_categories(figures):
    """Category names in the page's language (the cached figures hold both)."""
    english = get_language() == "en"
    for group in [figures["national"], *figures["subregions"]]:
        for category in group["top"]:
            category["label"] = (category["name_en"] if english else "") or category["name"]


def _chart(rows):
    """The bars of the participation chart: one row per sub-region, none for hidden ones."""
    bars = []
    for index, row in enumerate(rows):
        y = index * CHART_ROW_HEIGHT
        width = round(CHART_BAR_WIDTH * row["percent"] / 100, 1) if row["shown"] else 0
        bars.append(
            {
                "row": row,
                "y": y,
                "text_y": y + CHART_ROW_HEIGHT * 0.65,
                "bar_y": y + 5,
                "width": width,
                "value_x": CHART_LABEL_WIDTH + width + 6,
            }
        )
    return {
        "bars": bars,
        "width": CHART_WIDTH,
        "height": max(len(rows), 1) * CHART_ROW_HEIGHT,
        "label_x": CHART_LABEL_WIDTH - 8,
        "bar_x": CHART_LABEL_WIDTH,
        "bar_height": CHART_ROW_HEIGHT - 10,
    }


@require_GET
def statistics(request):
    """Participation and the top five categories of the chosen campaign (the latest that has
    opened by default), nationally and per sub-region; figures cached for five minutes."""
    campaigns = list(
        Campaign.objects.filter(opens_at__lte=timezone.now())
        .only("pk", "code", "title", "is_national")
        .order_by("-opens_at", "-pk")
    )
    code = request.GET.get("campaign")
    campaign = next((c for c in campaigns if c.code == code), None) if code else None
    if code and campaign is None:
        raise Http404
    campaign = campaign or (campaigns[0] if campaigns else None)
    context = {"campaign": campaign, "min_group": MIN_GROUP}
    if campaign is not None:
        figures = cached_statistics(campaign)
        _label_categories(figures)
        context.update(
            figures=figures,
            chart=_chart(figures["subregions"]),
            form=CampaignChoiceForm(initial={"campaign": campaign.code}, campaigns=campaigns),
        )
    template = TEMPLATE
    if request.htmx and not request.htmx.boosted and campaign is not None:
        template += "#figures"
    return render(request, template, context)
