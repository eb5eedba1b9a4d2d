"""The emergency contact sheet of a province or a district: a print page (A4) and CSV/XLSX.

Who: anyone signed in; the NGOs' private contacts only for municipal staff, coordinators, site
administrators and the NGO's own members (cooperation/services/contacts.py).
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cooperation.forms.contacts import ContactSheetForm
from cooperation.services import contacts as sheet
from portal import exports

TEMPLATE = "cooperation/contacts/contact_sheet.html"
FORMATS = {"csv", "xlsx"}


def _area(form):
    return sheet.Area(
        province=form.cleaned_data["province"], district=form.cleaned_data["district"]
    )


@login_required
@require_GET
def contact_sheet(request):
    """The query form and, for a valid area, the sheet itself (print it from the browser)."""
    form = ContactSheetForm(request.GET or None)
    context = {"form": form, "generated_at": timezone.localtime()}
    if form.is_bound and form.is_valid():
        area = _area(form)
        ngos = list(sheet.sheet_ngos(area, with_capabilities=False)[: sheet.PAGE_LIMIT + 1])
        ngos, truncated = ngos[: sheet.PAGE_LIMIT], len(ngos) > sheet.PAGE_LIMIT
        contacts_shown = sheet.contacts_visibility(request.user)
        # Written here, not in the template: hundreds of rows, each with a few capabilities.
        lines = sheet.capability_lines([ngo.pk for ngo in ngos])
        for ngo in ngos:
            ngo.show_contacts = contacts_shown(ngo)
            ngo.capability_lines = lines.get(ngo.pk, [])
        context.update(
            {
                "area": area,
                "ngos": ngos,
                "truncated": truncated,
                "page_limit": sheet.PAGE_LIMIT,
                "municipalities": list(sheet.sheet_municipalities(area)),
                "query": request.GET.urlencode(),
            }
        )
    return render(request, TEMPLATE, context)


@login_required
@require_GET
def contact_sheet_export(request, fmt):
    """The sheet as CSV (streamed) or XLSX; recorded in the export log before it starts."""
    if fmt not in FORMATS:
        raise Http404
    form = ContactSheetForm(request.GET)
    if not form.is_valid():
        context = {"form": form, "generated_at": timezone.localtime()}
        return render(request, TEMPLATE, context)
    area = _area(form)
    row_count = sheet.sheet_ngos(area).count() + sheet.sheet_municipalities(area).count()
    sheet.contact_sheet_export_log(user=request.user, area=area, fmt=fmt, row_count=row_count)
    title = _("Emergency contact sheet: %(area)s") % {"area": area.label}
    details = [(_("Generated on"), timezone.localtime())]
    columns = sheet.export_columns()
    rows = sheet.export_rows(request.user, area)
    filename = f"contact-sheet-{area.filename}.{fmt}"
    if fmt == "csv":
        return exports.csv_response(
            filename, title=title, details=details, columns=columns, rows=rows
        )
    return exports.xlsx_response(
        filename,
        sheet_title=_("Contacts"),
        title=title,
        details=details,
        columns=columns,
        rows=list(rows),
    )
