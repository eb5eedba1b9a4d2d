"""The coordinators' CSV export of every expectation of a campaign, streamed."""

import re

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseBadRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from portal import exports
from reports.forms.export_all import ExpectationExportForm
from reports.services.export_all import (
    column_headers,
    expectation_export_rows,
    expectations_csv_rows,
    expectations_export_log,
    export_details,
    export_scope_for,
    export_title,
)


def _bad_request(form):
    lines = [_("The export could not be made:")]
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        lines += [f"{label}: {error}" if label else str(error) for error in errors]
    return HttpResponseBadRequest("\n".join(lines), content_type="text/plain; charset=utf-8")


@login_required
@require_GET
def export_expectations(request):
    """Every expectation of a campaign in the user's scope, with the reports' filters, as CSV
    (streamed, UTF-8 with BOM); the export is recorded before it starts."""
    if not request.user.has_perm("portal.view_coordination"):
        raise PermissionDenied
    form = ExpectationExportForm(request.GET)
    if not form.is_valid():
        return _bad_request(form)
    campaign = form.cleaned_data["campaign"]
    where = export_scope_for(request.user, form.cleaned_data["scope"])
    queryset = expectation_export_rows(campaign, where, form.report_filters())
    expectations_export_log(
        user=request.user,
        filters={"campaign": campaign.code, "scope": where.value, **form.filter_values()},
        row_count=queryset.count(),
    )
    details = export_details(campaign=campaign, where=where, filter_labels=form.filter_labels())
    place = re.sub(r"[^a-z0-9]+", "-", where.value)
    filename = f"expectations-{campaign.code}-{place}-{timezone.localdate()}.csv"
    return exports.csv_response(
        filename,
        title=export_title(),
        details=details,
        columns=column_headers(),
        rows=expectations_csv_rows(queryset),
    )
