"""The one place attachments are downloaded from: /attachments/<id>/<name>."""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils.cache import patch_cache_control
from django.views.decorators.http import require_GET

from portal.attachments import visible_owner
from portal.models import Attachment


@login_required
@require_GET
def attachment_download(request, pk, name):
    """Stream the file to a user who may see its owner (a 404 for anyone else, as for the owner
    itself). Always offered as a download, never rendered by the browser in the portal's
    origin; the response may be kept by the user's own browser only."""
    attachment = get_object_or_404(Attachment.objects.select_related("content_type"), pk=pk)
    if visible_owner(attachment, request.user) is None:
        raise Http404
    if name != attachment.name:
        return redirect(attachment.get_absolute_url())
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=attachment.name,
        content_type=attachment.media_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["ETag"] = f'"{attachment.sha256}"'
    patch_cache_control(response, private=True, no_cache=True)
    return response
