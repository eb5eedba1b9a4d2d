"""The signed document of a protocol moves from its own file field onto the attachments
mechanism (portal.Attachment, issue 18): each existing file is copied under the attachments'
naming, recorded with its size and digest, and the old file is deleted once the migration is
committed. Reversible: the files move back the other way."""

import hashlib
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import migrations, transaction
from django.utils import timezone


def _read(name):
    try:
        with default_storage.open(name, "rb") as handle:
            return handle.read()
    except (FileNotFoundError, OSError):
        return None


def _after_commit(schema_editor, names):
    if names:
        transaction.on_commit(
            lambda: [default_storage.delete(name) for name in names],
            using=schema_editor.connection.alias,
        )


def documents_to_attachments(apps, schema_editor):
    Protocol = apps.get_model("cooperation", "Protocol")
    Attachment = apps.get_model("portal", "Attachment")
    ContentType = apps.get_model("contenttypes", "ContentType")
    content_type, _created = ContentType.objects.get_or_create(
        app_label="cooperation", model="protocol"
    )
    moved = []
    for protocol in Protocol.objects.exclude(document="").exclude(document__isnull=True):
        content = _read(protocol.document.name)
        if not content:  # the file is gone: there is nothing to move
            continue
        pk = uuid.uuid4()
        name = default_storage.save(
            f"attachments/{timezone.now():%Y/%m}/{pk}.pdf", ContentFile(content)
        )
        Attachment.objects.create(
            id=pk,
            content_type=content_type,
            object_id=protocol.pk,
            file=name,
            name=f"protocol-{protocol.pk}.pdf",
            media_type="application/pdf",
            size=len(content),
            sha256=hashlib.sha256(content).hexdigest(),
            uploaded_by_id=protocol.created_by_id,
        )
        moved.append(protocol.document.name)
    _after_commit(schema_editor, moved)


def attachments_to_documents(apps, schema_editor):
    Protocol = apps.get_model("cooperation", "Protocol")
    Attachment = apps.get_model("portal", "Attachment")
    attachments = Attachment.objects.filter(
        content_type__app_label="cooperation", content_type__model="protocol"
    ).order_by("created_at")
    moved = []
    for attachment in attachments:
        content = _read(attachment.file.name)
        protocol = Protocol.objects.filter(pk=attachment.object_id).first()
        if content and protocol is not None:
            protocol.document = default_storage.save(
                f"cooperation/protocols/{timezone.now():%Y/%m}/{attachment.name}",
                ContentFile(content),
            )
            protocol.save(update_fields=["document"])
        moved.append(attachment.file.name)
    attachments.delete()
    _after_commit(schema_editor, moved)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("portal", "0010_attachment_and_case_messages_preference"),
        ("cooperation", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(documents_to_attachments, attachments_to_documents),
        migrations.RemoveField(model_name="protocol", name="document"),
    ]
