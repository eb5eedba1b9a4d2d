"""The public statistics (transparency) page: participation and the top five categories of
a survey campaign, nationally and per sub-region. Aggregates only: no names, no free text, and
no figure about a group of fewer than MIN_GROUP NGOs, neither shown nor derivable by
subtracting the shown sub-regions from the national figure.
"""

from django.http import Http404
from django.shortcuts import render
from django.template.defaultfilters import floatformat
from django.utils import timezone
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal import charts
from reports.forms.statistics import CampaignChoiceForm
from reports.services.statistics import MIN_GROUP, cached_statistics
from surveys.models import Campaign

TEMPLATE = "reports/statistics.html"


def _label_categories(figures):
    """Category names in the page's language (the cached figures hold both)."""
    english = get_language() == "en"
    for group in [figures["national"], *figures["subregions"]]:
        for category in group["top"]:
            category["label"] = (category["name_en"] if english else "") or category["name"]


def _chart(rows):
    """The participation chart: a bar per sub-region, "not shown" for hidden ones."""
    bars = [
        (
            row["name"],
            row["percent"] / 100 if row["shown"] else None,
            pgettext("percentage", "%(value)s%%") % {"value": floatformat(row["percent"], 1)}
            if row["shown"]
            else _("not shown"),
        )
        for row in rows
    ]
    return charts.bar_chart(
        chart_id="participation-chart",
        title=_("Participation rate by sub-region"),
        description=_(
            "The share of verified NGOs that submitted their five expectations, per "
            "sub-region. The same figures are in the table below."
        ),
        bars=bars,
        maximum=1,
    )


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
