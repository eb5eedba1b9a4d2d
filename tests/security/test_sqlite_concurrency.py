"""Many writers at once on the embedded SQLite file (issue 15, finding 1): with the project's
SQLite settings they wait their turn (0 "database is locked"), and every write they were told
succeeded is in the file; with Django's defaults the same workload fails.

Each run starts separate processes (tests/security/sqlite_writers.py) on a file of its own: it
is about the SQLite configuration, not the database the suite runs on, and is skipped when that
is PostgreSQL (the settings then hold no SQLite options to prove).
"""

import pytest
from django.conf import settings

from tests.security.sqlite_writers import run

pytestmark = pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3",
    reason="SQLite configuration; the suite runs on another database",
)
WORKERS = 6
SECONDS = 1.0


def test_sqlite_settings_wait_for_the_lock_and_use_wal():
    options = settings.DATABASES["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert options["timeout"] >= 10
    assert "journal_mode=WAL" in options["init_command"].replace(" ", "")


def test_concurrent_read_then_write_transactions_all_succeed(tmp_path):
    outcome = run(tmp_path / "portal.sqlite3", mode="configured", workers=WORKERS, seconds=SECONDS)
    assert outcome.locked == 0
    assert outcome.errors == []
    assert len(outcome.written) > WORKERS  # every writer got through, more than once
    assert outcome.stored == set(outcome.written)
    assert outcome.journal_mode == "wal"


def test_the_same_writers_fail_with_djangos_sqlite_defaults(tmp_path):
    outcome = run(
        tmp_path / "portal.sqlite3", mode="django-defaults", workers=WORKERS, seconds=SECONDS
    )
    assert outcome.locked > 0
    assert outcome.journal_mode == "delete"
    assert outcome.stored == set(outcome.written)
