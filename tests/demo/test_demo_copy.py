"""The copy of the demo that tests on a transactional database put back instead of seeding it
again (tests/database_copy.py) is the demo as seeded: every table's rows with their keys, and the
stored files; new rows get new keys afterwards."""

import pytest
from django.core.management.color import no_style
from django.db import connection, transaction

from demo.services.erzurum import seed_demo
from portal.models import Attachment, User
from surveys.models import CaseMessage, Expectation
from tests.database_copy import DatabaseCopy

pytestmark = pytest.mark.django_db(transaction=True)


def _rows(copy):
    """Each table's rows in a comparable order (the text lines of PostgreSQL's COPY, or the
    tuples SQLite gave)."""
    rows = {}
    for table, content in copy.tables.items():
        if isinstance(content, bytes):
            rows[table] = sorted(content.split(b"\n"))
        else:
            columns, values = content
            rows[table] = (columns, sorted(values, key=repr))
    return rows


def test_a_copy_put_back_is_the_seeded_demo_with_its_files_and_keys_go_on():
    seed_demo(log=lambda *args: None)
    copy = DatabaseCopy()
    seeded = _rows(copy)
    assert User.objects.count() > 5 and Attachment.objects.exists()
    attachment = Attachment.objects.order_by("pk").first()
    stored = attachment.file.read()
    attachment.file.close()
    highest_user = User.objects.order_by("-pk").values_list("pk", flat=True).first()

    # A test changes the world: new rows, changed rows, deleted rows and a deleted file.
    User.objects.create_user(email="yeni@ornek.test", password="Uzun-bir-parola-2025")
    case = Expectation.objects.cases().order_by("pk").first()
    Expectation.objects.filter(pk=case.pk).update(title="Değiştirildi")
    CaseMessage.objects.all().delete()
    attachment.file.storage.delete(attachment.file.name)
    # And the database is emptied, its key sequences started again (a flush that resets them).
    with transaction.atomic(), connection.cursor() as cursor:
        for statement in connection.ops.sql_flush(
            no_style(), list(copy.tables), reset_sequences=True
        ):
            cursor.execute(statement)

    copy.put_back()

    assert _rows(DatabaseCopy()) == seeded
    assert not User.objects.filter(email="yeni@ornek.test").exists()
    assert Expectation.objects.get(pk=case.pk).title == case.title
    assert CaseMessage.objects.exists()
    restored = Attachment.objects.get(pk=attachment.pk)
    assert restored.file.read() == stored
    restored.file.close()
    # The keys go on after the copy's: a new row does not collide with a restored one.
    newcomer = User.objects.create_user(email="sonra@ornek.test", password="Uzun-bir-parola-2025")
    assert newcomer.pk > highest_user
