"""The documents of an NGO's profile: its administrators upload and remove them; they and the
coordinators of its area read them; anyone else gets a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from ngos.forms.documents import NGODocumentsForm
from ngos.models import NGO
from ngos.services.documents import ngo_document_remove, ngo_documents_add
from portal.access import roles_of


def _ngo(request, slug):
    """The NGO if the user may read its documents (else a 404) and whether they manage them."""
    ngo = get_object_or_404(NGO.objects.documents_visible_to(request.user), slug=slug)
    return ngo, ngo.pk in roles_of(request.user).ngo_admin_ids


@login_required
@require_http_methods(["GET", "POST"])
def ngo_documents(request, slug):
    """The NGO's documents, and (for its administrators) the upload form."""
    ngo, can_manage = _ngo(request, slug)
    form = None
    if can_manage:
        form = NGODocumentsForm(
            request.POST if request.method == "POST" else None, request.FILES or None
        )
    elif request.method == "POST":
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        try:
            added = ngo_documents_add(
                ngo_id=ngo.pk, user=request.user, files=form.cleaned_data["files"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            count = len(added)
            messages.success(
                request,
                ngettext("%(count)d document added.", "%(count)d documents added.", count)
                % {"count": count},
            )
            return redirect("ngos:documents", slug=ngo.slug)
    context = {
        "ngo": ngo,
        "documents": list(ngo.documents.select_related("uploaded_by").order_by("-created_at")),
        "form": form,
        "can_manage": can_manage,
    }
    return render(request, "ngos/ngo_documents.html", context)


@login_required
@require_POST
def ngo_document_remove_view(request, slug, pk):
    """An administrator removes one of the NGO's documents."""
    ngo, can_manage = _ngo(request, slug)
    if not can_manage:
        raise PermissionDenied
    try:
        ngo_document_remove(ngo_id=ngo.pk, user=request.user, document_id=pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The document was removed."))
    return redirect("ngos:documents", slug=ngo.slug)
