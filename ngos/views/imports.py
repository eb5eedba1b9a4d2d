"""Bulk import of NGOs from a CSV file by coordinators: upload, preview, confirm or cancel."""

import secrets

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from municipalities.models import SubRegion
from ngos.forms.imports import NGOImportUploadForm
from ngos.services.imports import COLUMNS, ngo_import, ngo_import_check
from ngos.tasks import import_ngos
from portal.access import roles_of

SESSION_PREFIX = "ngo-import:"
# Checked files waiting for confirmation in one session; older ones are dropped.
MAX_PENDING = 3
MAX_LISTED_SKIPS = 20


def _pending_remember(session, *, user, file_name, rows) -> str:
    """Keep the checked rows in the session under a new random key; returns the key."""
    # Sessions have keys() but are not iterable.
    pending = [name for name in session.keys() if name.startswith(SESSION_PREFIX)]  # noqa: SIM118
    for name in pending[: max(0, len(pending) - MAX_PENDING + 1)]:
        del session[name]
    key = secrets.token_urlsafe(16)
    session[SESSION_PREFIX + key] = {"user": user.pk, "file_name": file_name, "rows": rows}
    return key


def _pending_take(request):
    """Remove and return the checked rows the posted key stands for (None if there are none)."""
    pending = request.session.pop(SESSION_PREFIX + request.POST.get("key", ""), None)
    if pending is None or pending.get("user") != request.user.pk:
        return None
    return pending


def _report(request, result, file_name):
    """Tell what an import did: created, found registered meanwhile, skipped."""
    created = len(result.created)
    messages.success(
        request,
        ngettext(
            "%(count)s NGO was imported from %(file)s.",
            "%(count)s NGOs were imported from %(file)s.",
            created,
        )
        % {"count": created, "file": file_name},
    )
    if result.unchanged:
        messages.info(
            request,
            ngettext(
                "%(count)s row had been registered in the meantime and was left unchanged.",
                "%(count)s rows had been registered in the meantime and were left unchanged.",
                len(result.unchanged),
            )
            % {"count": len(result.unchanged)},
        )
    if result.skipped:
        lines = result.skipped[:MAX_LISTED_SKIPS]
        more = len(result.skipped) - len(lines)
        if more:
            lines.append(_("and %(count)s more") % {"count": more})
        messages.warning(
            request,
            _("Skipped because they no longer pass the checks: %(rows)s")
            % {"rows": "; ".join(lines)},
        )


@require_http_methods(["GET", "POST"])
@login_required
@permission_required("ngos.import_ngos", raise_exception=True)
def import_upload(request):
    """GET: the upload form. POST: check the file and show what would be imported; writes
    nothing to the database, keeps the rows to create in the session for confirmation."""
    if request.method == "POST":
        form = NGOImportUploadForm(request.POST, request.FILES)
        if form.is_valid():
            check = ngo_import_check(table=form.table, by=request.user)
            file_name = form.cleaned_data["file"].name
            key = None
            if check.new_count:
                key = _pending_remember(
                    request.session, user=request.user, file_name=file_name, rows=check.valid_rows()
                )
            context = {"check": check, "key": key, "file_name": file_name}
            return render(request, "ngos/import_preview.html", context)
    else:
        form = NGOImportUploadForm()
    roles = roles_of(request.user)
    subregions = None
    if not (roles.is_national_coordinator or roles.is_site_admin):
        subregions = SubRegion.objects.filter(pk__in=roles.subregion_ids).order_by("code")
    context = {"form": form, "columns": COLUMNS, "subregions": subregions}
    return render(request, "ngos/import_upload.html", context)


@require_POST
@login_required
@permission_required("ngos.import_ngos", raise_exception=True)
def import_confirm(request):
    """Create the NGOs of a checked file, checking each row again, in one transaction."""
    pending = _pending_take(request)
    if pending is None:
        messages.error(request, _("This import was already done or has expired."))
        return redirect("ngos:import_upload")
    rows, file_name = pending["rows"], pending["file_name"]
    if len(rows) > settings.NGO_IMPORT_ROWS_IN_REQUEST:
        transaction.on_commit(
            lambda: import_ngos.delay(rows=rows, user_id=request.user.pk, file_name=file_name)
        )
        messages.info(
            request,
            _(
                "The %(count)s rows of %(file)s are being imported in the background; the "
                "outcome will appear in your notifications."
            )
            % {"count": len(rows), "file": file_name},
        )
        return redirect("ngos:import_upload")
    try:
        result = ngo_import(rows=rows, by=request.user)
    except IntegrityError:
        messages.error(
            request,
            _(
                "The import was stopped by a conflict in the database and nothing was saved. "
                "Please upload the file again to check it."
            ),
        )
        return redirect("ngos:import_upload")
    _report(request, result, file_name)
    return redirect("ngos:import_upload")


@require_POST
@login_required
@permission_required("ngos.import_ngos", raise_exception=True)
def import_cancel(request):
    """Forget a checked file; nothing is written."""
    _pending_take(request)
    messages.info(request, _("The import was cancelled; nothing was saved."))
    return redirect("ngos:import_upload")
