"""The coordinators' follow-through of the programmes: planned vs held per sub-region, with
registrations and attendance, and its CSV export."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from events.services.follow_through import (
    follow_through,
    follow_through_csv,
    follow_through_export_log,
    follow_through_rows,
)


def _require_follow_through(request):
    if not request.user.has_perm("events.view_follow_through"):
        raise PermissionDenied


@login_required
@require_GET
def follow_through_page(request):
    """Every sub-region the coordinator follows (all 17 nationally): programmes planned,
    awaiting minutes, held and cancelled, registrations and check-ins; then each programme."""
    _require_follow_through(request)
    rows, total, programmes = follow_through(request.user)
    context = {"rows": rows, "total": total, "programmes": programmes}
    return render(request, "events/follow_through.html", context)


@login_required
@require_GET
def follow_through_export(request):
    """The sub-regions' figures as CSV; recorded before it is returned."""
    _require_follow_through(request)
    rows, _total, _programmes = follow_through(request.user)
    lines = follow_through_rows(rows)
    follow_through_export_log(user=request.user, row_count=len(lines))
    return follow_through_csv(f"programme-follow-through-{timezone.localdate()}.csv", lines)
