"""The documents of an NGO's profile (the association's certificate, its statute, …), kept as
attachments (portal/attachments.py): uploaded and removed by the NGO's administrators, read by
them and by the coordinators of its area, never public."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ngos.models import NGO
from portal.access import roles_of
from portal.attachments import attachments_store

# An NGO keeps a handful of documents, not an archive.
MAX_DOCUMENTS = 10


def _administered(ngo_id, user) -> NGO:
    ngo = NGO.objects.select_for_update().filter(pk=ngo_id).first()
    if ngo is None or ngo.pk not in roles_of(user).ngo_admin_ids:
        raise ValidationError(_("Only the NGO's administrators manage its documents."))
    return ngo


@transaction.atomic
def ngo_documents_add(*, ngo_id, user, files) -> list:
    """Attach checked files to the NGO (at most ``MAX_DOCUMENTS`` in all). Side effects: writes
    the files and their rows."""
    ngo = _administered(ngo_id, user)
    files = list(files)
    if ngo.documents.count() + len(files) > MAX_DOCUMENTS:
        raise ValidationError(
            _("An NGO keeps at most %(count)d documents; remove one first.")
            % {"count": MAX_DOCUMENTS}
        )
    return attachments_store(owner=ngo, files=files, user=user)


@transaction.atomic
def ngo_document_remove(*, ngo_id, user, document_id) -> None:
    """Remove one of the NGO's documents. Side effects: deletes the row; its file goes after
    the commit."""
    ngo = _administered(ngo_id, user)
    deleted, _rows = ngo.documents.filter(pk=document_id).delete()
    if not deleted:
        raise ValidationError(_("This document is no longer there."))
