"""Copies of the test database, put back instead of building its contents again.

- The database as `migrate` left it (with the reference data its post_migrate handlers load):
  after a test on a transactional database, Django empties every table and loads that data
  again through the handlers (0.2–0.5 s per test); putting this copy back gives the same rows
  (with the same keys) faster. See ``fresh_database_after_transactional_tests``.
- The demo world, for tests on a transactional database (live server, concurrency). Such a test
  cannot share the demo of the per-test transactions (tests/conftest.py): its writes are
  committed. Seeding the demo again takes 3–5 s. A copy of every table's rows and of the files
  the demo stored is taken when a process first builds the demo (the shared one, or the first
  such test's); these tests put the copy back: the same rows, with the same keys, as right
  after `seed_demo`.
"""

import datetime
from pathlib import Path

from django.conf import settings
from django.core.management.color import no_style
from django.db import connection, transaction


def _tables():
    """The models' tables and the database cache's (report figures outlive a test otherwise)."""
    tables = set(connection.introspection.django_table_names(only_existing=True))
    existing = set(connection.introspection.table_names())
    for cache in settings.CACHES.values():
        if cache["BACKEND"].endswith("DatabaseCache") and cache["LOCATION"] in existing:
            tables.add(cache["LOCATION"])
    return sorted(tables)


def _keys_go_on(cursor):
    """Key sequences at least past the rows put back, never lower than they were (as after
    Django's flush, which leaves them; SQLite's AUTOINCREMENT does so by itself)."""
    if connection.vendor != "postgresql":
        return
    for sequence in connection.introspection.sequence_list():
        table = connection.ops.quote_name(sequence["table"])
        column = sequence["column"] or "id"
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, %s), GREATEST(COALESCE(MAX("
            + connection.ops.quote_name(column)
            + "), 1), nextval(pg_get_serial_sequence(%s, %s)))) FROM "
            + table,
            [table, column, table, column],
        )


def _media_files():
    root = Path(settings.MEDIA_ROOT)
    return {path.relative_to(root): path.read_bytes() for path in root.rglob("*") if path.is_file()}


def _read(cursor, table):
    name = connection.ops.quote_name(table)
    if connection.vendor == "postgresql":
        # The server's own text form: every type comes back exactly as it went out.
        with cursor.copy(f"COPY {name} TO STDOUT") as copy:
            return b"".join(bytes(block) for block in copy)
    cursor.execute(f"SELECT * FROM {name}")
    # Django's SQLite connection parses dates and times as it reads them and writes them back
    # as the same text; a time of day it does not write back by itself.
    rows = [
        tuple(str(value) if isinstance(value, datetime.time) else value for value in row)
        for row in cursor.fetchall()
    ]
    return [column[0] for column in cursor.description], rows


def _write(cursor, table, rows):
    name = connection.ops.quote_name(table)
    if connection.vendor == "postgresql":
        if rows:
            with cursor.copy(f"COPY {name} FROM STDIN") as copy:
                copy.write(rows)
        return
    columns, values = rows
    if values:
        fields = ", ".join(connection.ops.quote_name(column) for column in columns)
        marks = ", ".join("%s" for _column in columns)
        cursor.executemany(f"INSERT INTO {name} ({fields}) VALUES ({marks})", values)


class DatabaseCopy:
    """Every table's rows and the stored files, as they are when it is taken; ``put_back``
    empties every table and writes the rows back."""

    def __init__(self):
        with connection.cursor() as cursor:
            self.tables = {table: _read(cursor, table) for table in _tables()}
        self.files = _media_files()

    def put_back(self):
        with transaction.atomic(), connection.cursor() as cursor:
            # Foreign keys are checked when the transaction commits (Django declares them
            # deferrable), so the tables can be emptied and filled in any order.
            for statement in connection.ops.sql_flush(no_style(), list(self.tables)):
                cursor.execute(statement)
            for table, rows in self.tables.items():
                _write(cursor, table, rows)
            _keys_go_on(cursor)
        root = Path(settings.MEDIA_ROOT)
        for relative, content in self.files.items():
            path = root / relative
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(content)


_copy = []


def keep_demo():
    """Keep a copy of the demo just seeded, if this process has none yet (the shared demo of
    the per-test transactions is read the same way: its rows are visible inside them)."""
    if not _copy:
        _copy.append(DatabaseCopy())


def demo_world(seed):
    """Seed the demo (the first time in this process) and keep a copy, or put the copy back."""
    if _copy:
        _copy[0].put_back()
    else:
        seed()
        keep_demo()


def fresh_database_after_transactional_tests(fresh):
    """After each test on a transactional database, put back ``fresh`` (the database as migrate
    left it) instead of Django's flush and post_migrate handlers. Tests that flush only some
    apps or roll back to serialized contents keep Django's way."""
    from django.test import TransactionTestCase

    flush = TransactionTestCase._fixture_teardown

    def put_back_fresh(case):
        databases = list(case._databases_names(include_mirrors=False))
        if (
            databases == ["default"]
            and case.available_apps is None
            and not case.serialized_rollback
        ):
            fresh.put_back()
        else:
            flush(case)

    TransactionTestCase._fixture_teardown = put_back_fresh
