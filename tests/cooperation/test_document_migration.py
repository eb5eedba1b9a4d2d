"""Migration cooperation 0002: the signed documents move onto portal.Attachment (issue 18)."""

import hashlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from cooperation.models import Protocol
from tests.factories import ProtocolFactory

BEFORE = [("cooperation", "0001_initial")]
SIGNED = b"%PDF-1.4 imzali protokol"


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor


# Migrating needs the schema editor, which SQLite refuses inside the test's transaction.
@pytest.mark.django_db(transaction=True)
def test_existing_signed_documents_become_attachments_and_their_old_files_go():
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    with_document, without = ProtocolFactory(), ProtocolFactory()
    try:
        executor = _migrate(BEFORE)
        OldProtocol = executor.loader.project_state(BEFORE[0]).apps.get_model(
            "cooperation", "Protocol"
        )
        old_name = default_storage.save(
            "cooperation/protocols/2025/05/imza.pdf", ContentFile(SIGNED)
        )
        OldProtocol.objects.filter(pk=with_document.pk).update(document=old_name)
    finally:
        _migrate(latest)

    document = Protocol.objects.get(pk=with_document.pk).document
    assert document is not None
    assert (document.name, document.media_type, document.size) == (
        f"protocol-{with_document.pk}.pdf",
        "application/pdf",
        len(SIGNED),
    )
    assert document.sha256 == hashlib.sha256(SIGNED).hexdigest()
    assert default_storage.open(document.file.name).read() == SIGNED
    assert document.file.name.startswith("attachments/")
    assert not default_storage.exists(old_name)
    assert Protocol.objects.get(pk=without.pk).document is None
