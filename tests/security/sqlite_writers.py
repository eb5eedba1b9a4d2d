"""Writers racing on one SQLite file, each in its own process, through the Django ORM with the
project's settings (portal/settings.py, DATABASE_URL pointing at the file).

Each writer does what a view that reads then writes does: inside ``transaction.atomic`` it reads
(a count), spends a moment as a view would (validating, rendering), then inserts a row of its own
(a session row: a table without foreign keys, so the race is only about the write lock).

Used by tests/security/test_sqlite_concurrency.py, and by hand for the figures:

    .venv/bin/python -m tests.security.sqlite_writers --workers 8 --seconds 10

runs the workload with the project's settings and with Django's SQLite defaults (no OPTIONS:
rollback journal, deferred transactions, a 5 s timeout) and prints what succeeded and failed.
"""

import argparse
import datetime
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# "configured": settings.DATABASES as portal/settings.py builds it for a SQLite file;
# "django-defaults": the same without OPTIONS, i.e. how the portal ran before issue 15.
MODES = ("configured", "django-defaults")
# The moment between a view's read and its write.
WORK_SECONDS = 0.002


@dataclass
class Outcome:
    """What the writers of one run reported, and what the file holds afterwards."""

    written: list[str] = field(default_factory=list)
    locked: int = 0
    errors: list[str] = field(default_factory=list)
    stored: set[str] = field(default_factory=set)
    journal_mode: str = ""

    @property
    def attempts(self) -> int:
        return len(self.written) + self.locked + len(self.errors)


def _write(index: int, seconds: float, create: bool) -> dict:
    """The worker's side: set Django up, report readiness, wait for "go", write for ``seconds``."""
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.sessions.models import Session
    from django.db import OperationalError, connection, transaction

    if create:
        with connection.schema_editor() as editor:
            editor.create_model(Session)
    print("ready", flush=True)
    sys.stdin.readline()
    written, locked, errors = [], 0, []
    expires = datetime.datetime(2030, 1, 1, tzinfo=datetime.UTC)
    deadline = time.monotonic() + seconds
    number = 0
    while time.monotonic() < deadline:
        number += 1
        key = f"w{index}-{number}"
        try:
            with transaction.atomic():
                Session.objects.filter(session_key__startswith=f"w{index}-").count()
                time.sleep(WORK_SECONDS)
                Session.objects.create(session_key=key, session_data="x", expire_date=expires)
        except OperationalError as error:
            if "database is locked" not in str(error):
                errors.append(repr(error))
            else:
                locked += 1
            continue
        except Exception as error:  # noqa: BLE001 (reported to the parent, which asserts on it)
            errors.append(repr(error))
            continue
        written.append(key)
    connection.close()
    options = settings.DATABASES["default"]["OPTIONS"]
    return {"written": written, "locked": locked, "errors": errors, "options": options}


def run(path: Path, *, mode: str, workers: int = 6, seconds: float = 2.0) -> Outcome:
    """Start ``workers`` writer processes on the SQLite file ``path`` (created here), release
    them together, and collect what they report and what the file holds afterwards."""
    assert mode in MODES
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_TESTING": "1",
        "DATABASE_URL": f"sqlite:///{path}",
        "SQLITE_WRITERS_MODE": mode,
    }
    env.pop("DJANGO_DEBUG", None)
    processes = [
        subprocess.Popen(  # noqa: S603 (our own interpreter and module)
            [sys.executable, "-m", "tests.security.sqlite_writers", "--worker", str(index)]
            + ["--seconds", str(seconds)]
            + (["--create"] if index == 0 else []),
            cwd=BASE_DIR,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for index in range(workers)
    ]
    outcome = Outcome()
    try:
        for process in processes:
            assert process.stdout.readline().strip() == "ready"
        for process in processes:
            process.stdin.write("go\n")
            process.stdin.flush()
        for process in processes:
            out, _err = process.communicate(timeout=seconds + 60)
            assert process.returncode == 0, out
            report = json.loads(out.strip().splitlines()[-1])
            outcome.written += report["written"]
            outcome.locked += report["locked"]
            outcome.errors += report["errors"]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    database = sqlite3.connect(path)
    try:
        rows = database.execute("SELECT session_key FROM django_session")
        outcome.stored = {key for (key,) in rows}
        outcome.journal_mode = database.execute("PRAGMA journal_mode").fetchone()[0]
    finally:
        database.close()
    return outcome


def _worker_main(args) -> None:
    if os.environ.get("SQLITE_WRITERS_MODE") == "django-defaults":
        from django.conf import settings

        settings.DATABASES["default"]["OPTIONS"] = {}
    report = _write(args.worker, args.seconds, args.create)
    print(json.dumps(report), flush=True)


def _measure_main(args) -> None:
    for mode in MODES:
        with tempfile.TemporaryDirectory() as directory:
            started = time.monotonic()
            outcome = run(
                Path(directory) / "writers.sqlite3",
                mode=mode,
                workers=args.workers,
                seconds=args.seconds,
            )
            elapsed = time.monotonic() - started
        missing = len(set(outcome.written) - outcome.stored)
        print(
            f"{mode}: {args.workers} writers for {args.seconds} s: {outcome.attempts} "
            f"transactions, {len(outcome.written)} written, {outcome.locked} 'database is locked', "
            f"{len(outcome.errors)} other errors, {missing} successful writes missing "
            f"({elapsed:.1f} s in all)"
        )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--worker", type=int, default=None, help=argparse.SUPPRESS)
    parser.add_argument("--create", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=10.0)
    arguments = parser.parse_args()
    if arguments.worker is None:
        _measure_main(arguments)
    else:
        _worker_main(arguments)
