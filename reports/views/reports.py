"""The coordinators' reports at /reports/: the nation, a sub-region or a province, for a campaign
(optionally compared with another), with filters; every table exports to CSV and XLSX, and a
print page collects them all.

Who: national coordinators and site administrators see everything; a regional coordinator sees
only their sub-regions and the provinces in them (the national level sends them to their
sub-region, another sub-region or its provinces are a 404); everyone else gets a 403, and
anonymous users are sent to log in.
"""

import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from ngos.models import ActivityField
from portal import charts
from portal.access import roles_of
from portal.duties import safe_next
from portal.htmx import render_page
from reports.forms.report import MEASURES, ReportForm
from reports.services import pdf
from reports.services.figures import Scope
from reports.services.reminders import last_reminders, overdue_reminder_send
from reports.services.scopes import (
    nationwide,
    readable_municipalities,
    readable_provinces,
    readable_subregions,
)
from reports.services.table_exports import csv_response, report_export_log, xlsx_response
from reports.services.tables import (
    CACHE_SECONDS,
    MEASURE_KINDS,
    TABLE_SLUGS,
    build_tables,
    category_label,
    display_value,
    in_scope_plates,
    report_figures,
)
from surveys.models import Campaign, Theme

PAGE_TEMPLATE = "reports/report.html"
PRINT_TEMPLATE = "reports/report_print.html"
CHOICE_TEMPLATE = "reports/subregion_choice.html"
PDF_MISSING_TEMPLATE = "reports/pdf_unavailable.html"
FORMATS = {"csv", "xlsx"}


# --- Who sees what ---------------------------------------------------------------------------


def _roles(request):
    """The user's roles if they may read reports (coordinators, site administrators); 403."""
    roles = roles_of(request.user)
    if not (roles.is_coordinator or roles.is_site_admin):
        raise PermissionDenied
    return roles


def _may_open(roles, subregion_id):
    return nationwide(roles) or subregion_id in roles.subregion_ids


def _scope_from_param(value, roles):
    """The scope named by an export's or print page's ``scope`` parameter (nation,
    subregion:<code>, province:<plate>); a 404 outside the user's scope."""
    kind, _sep, ident = (value or "nation").partition(":")
    if kind == "nation" and not ident and nationwide(roles):
        return Scope()
    if kind == "subregion":
        return Scope(subregion=get_object_or_404(readable_subregions(roles), code=ident))
    if kind == "province" and ident.isdigit():
        province = get_object_or_404(readable_provinces(roles), plate=int(ident))
        return Scope(subregion=province.subregion, province=province)
    raise Http404


def scope_param(scope):
    if scope.province:
        return f"province:{scope.province.pk}"
    if scope.subregion:
        return f"subregion:{scope.subregion.code}"
    return "nation"


def _scope_label(scope):
    if scope.province:
        return _("Province of %(province)s (%(subregion)s)") % {
            "province": scope.province.name,
            "subregion": scope.subregion.name,
        }
    if scope.subregion:
        return _("Sub-region %(code)s %(name)s") % {
            "code": scope.subregion.code,
            "name": scope.subregion.name,
        }
    return _("Türkiye (national)")


def _scope_filename(scope):
    if scope.province:
        return f"province-{scope.province.pk:02d}"
    if scope.subregion:
        return f"subregion-{scope.subregion.code}"
    return "national"


# --- Building a report -----------------------------------------------------------------------


def report_form(data):
    """The bound and validated report form; its choice lists cost three queries."""
    campaigns = list(
        Campaign.objects.filter(opens_at__lte=timezone.now()).order_by("-opens_at", "-pk")
    )
    activity_fields = list(
        ActivityField.objects.filter(is_active=True).order_by("order", "name_sort")
    )
    themes = list(Theme.objects.filter(is_active=True).order_by("order", "name_sort"))
    form = ReportForm(data, campaigns=campaigns, activity_fields=activity_fields, themes=themes)
    form.is_valid()
    return form


def _form(request):
    return report_form(request.GET)


def _with_query(url, query):
    return f"{url}?{query}" if query else url


def _links(roles, figures, query):
    """The drill-down pages the user may open, keeping the campaign and filters."""
    subregion_links, province_links = {}, {}
    for province in figures["provinces"]:
        if _may_open(roles, province["subregion_id"]):
            code = province["subregion__code"]
            subregion_links[code] = _with_query(
                reverse("reports:subregion", kwargs={"code": code}), query
            )
            province_links[province["plate"]] = _with_query(
                reverse("reports:province", kwargs={"plate": province["plate"]}), query
            )
    return {"subregion": subregion_links, "province": province_links}


def _charts(tables):
    top = tables["top-five"]
    top_chart = charts.bar_chart(
        chart_id="chart-top-five",
        title=_("The five top expectations by Borda score"),
        description=_(
            "A bar for each category, longest for the highest score, with the score written "
            "beside it; the table that follows gives the same figures."
        ),
        bars=[
            (
                row["category"],
                row["score"],
                _("%(score)s points") % {"score": display_value("int", row["score"])},
            )
            for row in top.rows
        ],
    )
    participation_chart = charts.bar_chart(
        chart_id="chart-participation",
        title=_("Participation rate"),
        description=_(
            "A bar for each place, as long as the share of its verified NGOs that submitted, "
            "with the rate and the counts written beside it; the table that follows gives the "
            "same figures."
        ),
        bars=[
            (
                row["name"],
                row["rate"] or 0,
                _("%(rate)s (%(submitted)s of %(ngos)s)")
                % {
                    "rate": display_value("share", row["rate"]),
                    "submitted": row["submitted"],
                    "ngos": row["ngos"],
                },
            )
            for row in tables["participation"].rows
        ],
        maximum=1,
    )
    return {"top": top_chart, "participation": participation_chart}


def _legend_format(kind):
    """How the legend writes a class bound: a share as a whole percentage (without the sign,
    which the label adds), a count as the page writes it."""
    if kind == "share":
        return lambda value: display_value("int", round(value * 100))
    return lambda value: display_value(kind, value)


def _map(scope, figures, tables, measure, measure_label, province_links):
    """The SVG map with its legend: provinces in scope coloured in 5 classes by the measure,
    the others grey without their values; each linked to the drill-down the user may open."""
    kind = MEASURE_KINDS[measure]
    in_scope = in_scope_plates(figures, scope)
    values = {row["_key"]: row["value"] for row in tables["map"].rows}
    breaks = charts.class_breaks(kind, values.values())
    provinces = []
    for province in figures["provinces"]:
        plate = province["plate"]
        value = values.get(plate)
        if plate not in in_scope:
            fill, text = charts.OUT_OF_SCOPE, _("outside the scope of this report")
        elif value is None:
            fill, text = charts.NO_DATA, _("no data")
        else:
            fill = charts.PALETTE[charts.class_of(value, breaks)]
            text = display_value(kind, value)
            leader = figures["map_leaders"].get(plate)
            if leader:
                text = _("%(value)s (%(category)s)") % {
                    "value": text,
                    "category": category_label(leader),
                }
        provinces.append(
            {
                "plate": plate,
                "name": province["name"],
                "fill": fill,
                "value_text": text,
                # Outside the scope a zoomed map leaves the province out of view: a link there
                # would take the keyboard's focus where nobody sees it.
                "href": province_links.get(plate) if plate in in_scope else None,
            }
        )
    svg = charts.province_map(
        title=_("Map of the 81 provinces: %(measure)s") % {"measure": measure_label},
        description=_(
            "Provinces in the scope are shaded from light (low) to dark blue (high) in five "
            "classes; provinces without data are hatched, provinces outside the scope are "
            "grey. The table beside the map gives the value of each province."
        ),
        provinces=provinces,
        # A sub-region's or a province's report zooms to its provinces.
        view_box=charts.view_box_of(sorted(in_scope) if scope.subregion else []),
    )
    legend = charts.legend_entries(kind, breaks, _legend_format(kind))
    return {"svg": svg, "legend": legend}


def _report(roles, scope, form):
    """The figures, tables, charts and map of a valid form, as template context."""
    campaign, compare = form.selected_campaign, form.compare_campaign
    measure = form.selected_measure
    measure_label = str(dict(MEASURES)[measure])
    figures = report_figures(
        campaign=campaign,
        compare=compare,
        scope=scope,
        filters=form.report_filters(),
        measure=measure,
    )
    query = urlencode(form.query())
    links = _links(roles, figures, query)
    tables = build_tables(
        figures,
        scope=scope,
        compare=compare,
        measure=measure,
        measure_label=measure_label,
        links=links,
    )
    report_map = _map(scope, figures, tables, measure, measure_label, links["province"])
    return {
        "overdue_rows": _overdue_rows(tables["overdue"], last_reminders(campaign, scope)),
        "league_minimum": settings.REPORT_LEAGUE_MIN_CASES,
        "overdue_days": settings.REVIEW_OVERDUE_DAYS,
        "reminder_hours": settings.REPORT_REMINDER_INTERVAL_HOURS,
        "campaign": campaign,
        "compare": compare,
        "measure_label": measure_label,
        "tables": {slug.replace("-", "_"): table for slug, table in tables.items()},
        "charts": _charts(tables),
        "map": report_map,
        "query": query,
        "export_query": urlencode({**form.query(), "scope": scope_param(scope)}),
        "described_filters": form.described_filters(),
        "cache_minutes": CACHE_SECONDS // 60,
        "computed_at": figures["computed_at"],
    }


def _overdue_rows(table, reminders):
    """The overdue list's rows as the page shows them, with the latest reminder of each
    municipality and whether another may be sent yet."""
    interval = datetime.timedelta(hours=settings.REPORT_REMINDER_INTERVAL_HOURS)
    now = timezone.now()
    rows = []
    for row, cells in zip(table.page_rows, table.display_rows(), strict=True):
        reminded_at = reminders.get(row["_key"])
        rows.append(
            {
                "municipality_id": row["_key"],
                "cells": cells,
                "reminded_at": reminded_at,
                "may_remind": reminded_at is None or now - reminded_at >= interval,
            }
        )
    return rows


def _page_context(request, roles, scope):
    form = _form(request)
    context = {
        "form": form,
        "scope": scope,
        "level": scope.level,
        "scope_label": _scope_label(scope),
        "nationwide": nationwide(roles),
        "may_open_subregion": scope.subregion is not None and _may_open(roles, scope.subregion.pk),
        "generated_at": timezone.localtime(),
        "pdf_available": pdf.pdf_available(),
    }
    if form.is_valid() and form.selected_campaign:
        context.update(_report(roles, scope, form))
    return context


def _render_page(request, roles, scope):
    context = _page_context(request, roles, scope)
    return render_page(request, PAGE_TEMPLATE, context, fragment="report")


# --- Views -----------------------------------------------------------------------------------


@login_required
@require_GET
def report_index(request):
    """The national report; a regional coordinator goes to their sub-region (or picks one)."""
    roles = _roles(request)
    if not nationwide(roles):
        subregions = list(readable_subregions(roles).order_by("code"))
        if len(subregions) == 1:
            url = reverse("reports:subregion", kwargs={"code": subregions[0].code})
            return redirect(_with_query(url, request.GET.urlencode()))
        return render(request, CHOICE_TEMPLATE, {"subregions": subregions})
    return _render_page(request, roles, Scope())


@login_required
@require_GET
def report_subregion(request, code):
    """The report of one sub-region, by province."""
    roles = _roles(request)
    subregion = get_object_or_404(readable_subregions(roles), code=code)
    return _render_page(request, roles, Scope(subregion=subregion))


@login_required
@require_GET
def report_province(request, plate):
    """The report of one province, by municipality."""
    roles = _roles(request)
    province = get_object_or_404(readable_provinces(roles), plate=plate)
    return _render_page(request, roles, Scope(subregion=province.subregion, province=province))


@login_required
@require_GET
def report_print(request):
    """Every table and chart of a scope on one print-ready page (A4, a section per page)."""
    roles = _roles(request)
    scope = _scope_from_param(request.GET.get("scope"), roles)
    context = _page_context(request, roles, scope)
    context["print_mode"] = True
    return render(request, PRINT_TEMPLATE, context)


# The project's partners, named on the cover of every PDF report (their names are proper names,
# the same in every language).
PARTNERS = [
    "T.C. İçişleri Bakanlığı Sivil Toplumla İlişkiler Genel Müdürlüğü",
    "Türkiye Belediye Başkanları Birliği",
]


@login_required
@require_GET
def report_pdf(request):
    """The print page as a PDF file with a cover and page numbers (WeasyPrint); where its system
    libraries are missing, a page that says so and leads to the print page."""
    roles = _roles(request)
    scope = _scope_from_param(request.GET.get("scope"), roles)
    context = _page_context(request, roles, scope)
    if not pdf.pdf_available():
        context["print_query"] = request.GET.urlencode()
        return render(request, PDF_MISSING_TEMPLATE, context, status=503)
    if not context.get("campaign"):
        return HttpResponseBadRequest(
            _("The report parameters are not valid; go back to the report and try again."),
            content_type="text/plain; charset=utf-8",
        )
    context.update(print_mode=True, pdf_mode=True, partners=PARTNERS)
    content = pdf.report_pdf(context, request)
    form = context["form"]
    report_export_log(
        user=request.user,
        table="pdf",
        filters={
            "campaign": form.selected_campaign.code,
            "compare": form.compare_campaign.code if form.compare_campaign else "",
            "scope": scope_param(scope),
            "format": "pdf",
            **form.filter_log(),
        },
        row_count=0,
    )
    filename = f"report-{form.selected_campaign.code}-{_scope_filename(scope)}.pdf"
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_GET
def report_export(request, table, fmt):
    """One table of a scope as CSV (streamed) or XLSX, recorded in the export log."""
    roles = _roles(request)
    if fmt not in FORMATS:
        raise Http404
    scope = _scope_from_param(request.GET.get("scope"), roles)
    if table not in TABLE_SLUGS[scope.level]:
        raise Http404
    form = _form(request)
    if not form.is_valid() or not form.selected_campaign:
        return HttpResponseBadRequest(
            _("The report parameters are not valid; go back to the report and try again."),
            content_type="text/plain; charset=utf-8",
        )
    report = _report(roles, scope, form)
    export = next(t for t in report["tables"].values() if t.slug == table)
    details = _export_details(export, scope, form, report)
    report_export_log(
        user=request.user,
        table=table,
        filters={
            "campaign": form.selected_campaign.code,
            "compare": form.compare_campaign.code if form.compare_campaign else "",
            "scope": scope_param(scope),
            "format": fmt,
            **form.filter_log(),
        },
        row_count=sum(1 for _row in export.export_rows()),
    )
    filename = f"{table}-{form.selected_campaign.code}-{_scope_filename(scope)}.{fmt}"
    respond = csv_response if fmt == "csv" else xlsx_response
    return respond(filename, title=export.title, details=details, table=export)


def _export_details(table, scope, form, report):
    """What an export holds, as (label, value) lines under its title: campaign, comparison,
    scope, filters, measure, date."""
    campaign, compare = form.selected_campaign, form.compare_campaign
    details = [(_("Campaign"), campaign.title)]
    if compare:
        details.append((_("Compared with"), compare.title))
    details.append((_("Scope"), _scope_label(scope)))
    described = "; ".join(f"{label}: {value}" for label, value in form.described_filters())
    details.append((_("Filters"), described or _("none")))
    if table.slug == "map":
        details.append((_("Measure"), report["measure_label"]))
    details.append((_("Date"), date_format(timezone.localtime(), "DATETIME_FORMAT")))
    return details


@login_required
@require_POST
def report_remind(request, municipality_id):
    """Remind a municipality's staff of its overdue cases in a campaign (the report's overdue
    list); refused with a message when it was reminded recently or has nothing overdue."""
    roles = _roles(request)
    municipality = get_object_or_404(readable_municipalities(roles), pk=municipality_id)
    code = request.POST.get("campaign", "")
    if "\x00" in code:  # PostgreSQL refuses NUL in a query's text: no campaign has one
        raise Http404
    campaign = get_object_or_404(Campaign, code=code)
    try:
        reminder = overdue_reminder_send(
            campaign=campaign, municipality=municipality, by=request.user
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext(
                "Reminder of the overdue cases sent to %(count)s person at %(municipality)s.",
                "Reminder of the overdue cases sent to %(count)s people at %(municipality)s.",
                reminder.recipient_count,
            )
            % {"count": reminder.recipient_count, "municipality": municipality.name},
        )
    # The province's key is its plate: no query for the fallback.
    url = reverse("reports:province", kwargs={"plate": municipality.province_id})
    return redirect(safe_next(request, _with_query(url, urlencode({"campaign": campaign.code}))))
