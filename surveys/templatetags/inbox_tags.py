"""The rows of the review inbox written in Python: a page of 50 cases through the template's
loop was the largest part of the page's time (docs/performance.md). templates/surveys/inbox.html
calls it; the markup is the one the template wrote."""

from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from portal.links import link_maker

register = template.Library()

# The status badge's colours.
BADGES = {
    "new": "text-bg-primary",
    "under_review": "text-bg-info",
    "referred": "text-bg-info",
    "completed": "text-bg-success",
    "declined": "text-bg-secondary",
}


@register.simple_tag(takes_context=True)
def inbox_rows(context, cases):
    """One <tr> per case: the selection box (unless ``read_only``), rank, title with its link and
    campaign, category, hazard, NGO and its place, municipality (``several_municipalities``),
    status with the overdue badge, assignee and submission date; the phone layout's labels
    translated once."""
    read_only = context.get("read_only")
    several = context.get("several_municipalities")
    selected = context.get("selected") or set()
    labels = {
        "rank": gettext("Rank"),
        "category": gettext("Category"),
        "hazard": gettext("Hazard"),
        "ngo": gettext("NGO"),
        "municipality": gettext("Municipality"),
        "status": gettext("Status"),
        "assigned": gettext("Assigned to"),
        "submitted": gettext("Submitted"),
    }
    overdue = format_html(' <span class="badge text-bg-danger">{}</span>', gettext("Overdue"))
    case_url = link_maker("surveys:case", "pk")
    now = timezone.now()
    rows = []
    for case in cases:
        cells = []
        if not read_only:
            checked = " checked" if str(case.pk) in selected else ""
            cells.append(
                format_html(
                    '<td class="card-lead"><input class="form-check-input" type="checkbox" '
                    'name="ids" value="{pk}" id="case-{pk}"{checked}>'
                    '<label class="visually-hidden" for="case-{pk}">{select}</label></td>',
                    pk=case.pk,
                    checked=mark_safe(checked),  # noqa: S308 - a constant
                    select=gettext("Select “%(title)s”") % {"title": case.title},
                )
            )
        cells.append(format_html('<td data-label="{}">{}</td>', labels["rank"], case.rank))
        submission = case.submission
        cells.append(
            format_html(
                '<td class="card-key"><a href="{}">{}</a>'
                '<div class="small text-body-secondary fw-normal">{}</div></td>',
                case_url(case.pk),
                case.title,
                submission.campaign.title,
            )
        )
        category = case.category
        if category:
            cells.append(
                format_html(
                    '<td data-label="{}"><abbr title="{}">{}</abbr>'
                    '<span class="d-md-none"> {}</span></td>',
                    labels["category"],
                    category.label,
                    category.code,
                    category.label,
                )
            )
        else:
            cells.append(format_html('<td data-label="{}">—</td>', labels["category"]))
        cells.append(
            format_html(
                '<td data-label="{}">{}</td>', labels["hazard"], case.get_hazard_display() or "—"
            )
        )
        ngo = submission.ngo
        place = ngo.province.name
        if ngo.district_id:
            place = f"{ngo.district.name}, {place}"
        cells.append(
            format_html(
                '<td class="order-first" data-label="{}">{}'
                '<div class="small text-body-secondary">{}</div></td>',
                labels["ngo"],
                ngo.name,
                place,
            )
        )
        if several:
            municipality = case.municipality.name if case.municipality_id else ""
            cells.append(
                format_html('<td data-label="{}">{}</td>', labels["municipality"], municipality)
            )
        cells.append(
            format_html(
                '<td class="order-first" data-label="{}"><span class="badge {}">{}</span>{}</td>',
                labels["status"],
                BADGES.get(case.status, "text-bg-light border"),
                case.get_status_display(),
                overdue if case.is_overdue(now) else "",
            )
        )
        cells.append(
            format_html('<td data-label="{}">{}</td>', labels["assigned"], case.assigned_to or "—")
        )
        submitted = submission.submitted_at
        cells.append(
            format_html(
                '<td data-label="{}">{}</td>',
                labels["submitted"],
                formats.date_format(timezone.localtime(submitted), "SHORT_DATE_FORMAT")
                if submitted
                else "",
            )
        )
        rows.append("<tr>" + "".join(cells) + "</tr>")
    return mark_safe("".join(rows))  # noqa: S308 - every value above is escaped
