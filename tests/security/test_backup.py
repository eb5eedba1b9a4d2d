"""scripts/backup.py (`make backup` / `make restore`): a PostgreSQL round trip of the demo data
and a round trip of the SQLite path."""

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.apps import apps
from django.db import connection

from events.models import Event, Registration
from ngos.models import NGO
from portal.models import User
from surveys.models import Expectation, Submission

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "backup.py"
PROJECT_APPS = ["portal", "municipalities", "ngos", "surveys", "cooperation", "events"]


def run_script(*arguments, database_url):
    environment = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [sys.executable, str(SCRIPT), *arguments],
        env=environment,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def row_counts():
    return {
        model._meta.label: model.objects.count()
        for name in PROJECT_APPS
        for model in apps.get_app_config(name).get_models()
    }


def postgres_url():
    settings = connection.settings_dict
    credentials = quote(settings["USER"] or "", safe="")
    if settings["PASSWORD"]:
        credentials += ":" + quote(settings["PASSWORD"], safe="")
    host = settings["HOST"] or "localhost"
    port = f":{settings['PORT']}" if settings["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{settings['NAME']}"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_dump needs PostgreSQL")
@pytest.mark.skipif(shutil.which("pg_dump") is None, reason="pg_dump is not on PATH")
@pytest.mark.django_db(transaction=True)
def test_backup_and_restore_round_trip_the_demo_data(demo, tmp_path):
    before = row_counts()
    assert before["ngos.NGO"] > 0 and before["surveys.Expectation"] > 0
    dump = tmp_path / "portal.dump"

    made = run_script("backup", str(dump), database_url=postgres_url())
    assert made.returncode == 0, made.stderr
    assert dump.stat().st_size > 0
    assert f"to {dump}" in made.stdout

    # Lose and change data after the backup.
    Registration.objects.all().delete()
    Event.objects.all().delete()
    Expectation.objects.all().delete()
    Submission.objects.all().delete()
    NGO.objects.filter(name__icontains="Dadaşlar").update(name="Değiştirildi")
    User.objects.filter(email="ngo@demo.test").update(full_name="Yanlış Ad")
    assert row_counts() != before

    restored = run_script("restore", str(dump), database_url=postgres_url())
    assert restored.returncode == 0, restored.stderr

    assert row_counts() == before
    assert NGO.objects.filter(name="Erzurum Dadaşlar Dayanışma Derneği").exists()
    assert not NGO.objects.filter(name="Değiştirildi").exists()
    assert User.objects.get(email="ngo@demo.test").full_name != "Yanlış Ad"
    assert Event.objects.filter(title__icontains="Erzurum").exists()


def make_sqlite_database(path):
    database = sqlite3.connect(path)
    database.execute("PRAGMA journal_mode=WAL")  # as portal/settings.py opens it
    with database:
        database.execute("CREATE TABLE ngo (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
        database.executemany(
            "INSERT INTO ngo (name) VALUES (?)",
            [("Erzurum Dadaşlar Dayanışma Derneği",), ("Kars Kültür Vakfı",), ("Iğdır Derneği",)],
        )
    database.close()


def sqlite_names(path):
    database = sqlite3.connect(path)
    try:
        return [row[0] for row in database.execute("SELECT name FROM ngo ORDER BY id")]
    finally:
        database.close()


def test_sqlite_backup_and_restore_round_trip(tmp_path):
    live = tmp_path / "portal.sqlite3"
    make_sqlite_database(live)
    url = f"sqlite:///{live}"
    dump = tmp_path / "backups" / "copy.dump"

    made = run_script("backup", str(dump), database_url=url)
    assert made.returncode == 0, made.stderr
    assert dump.read_bytes()[18:20] == b"\x01\x01"  # a rollback journal: one self-contained file
    assert sqlite_names(dump) == [
        "Erzurum Dadaşlar Dayanışma Derneği",
        "Kars Kültür Vakfı",
        "Iğdır Derneği",
    ]

    database = sqlite3.connect(live)
    with database:
        database.execute("DELETE FROM ngo WHERE name LIKE 'Kars%'")
        database.execute("UPDATE ngo SET name = 'Değişti' WHERE id = 1")
        database.execute("INSERT INTO ngo (name) VALUES ('Sonradan eklenen')")
    database.close()

    restored = run_script("restore", str(dump), database_url=url)
    assert restored.returncode == 0, restored.stderr
    assert sorted(path.name for path in dump.parent.iterdir()) == ["copy.dump"]
    assert sqlite_names(live) == [
        "Erzurum Dadaşlar Dayanışma Derneği",
        "Kars Kültür Vakfı",
        "Iğdır Derneği",
    ]


def test_restore_of_a_missing_or_broken_file_is_refused_and_changes_nothing(tmp_path):
    live = tmp_path / "portal.sqlite3"
    make_sqlite_database(live)
    url = f"sqlite:///{live}"

    missing = run_script("restore", str(tmp_path / "nothing.dump"), database_url=url)
    assert missing.returncode == 1
    assert "does not exist" in missing.stderr

    broken = tmp_path / "broken.dump"
    broken.write_bytes(b"this is not a database" * 100)
    refused = run_script("restore", str(broken), database_url=url)
    assert refused.returncode == 1
    assert "not a SQLite database" in refused.stderr
    assert len(sqlite_names(live)) == 3


def test_backup_without_a_file_name_goes_to_a_timestamped_file_in_backups(tmp_path, monkeypatch):
    sys.path.insert(0, str(SCRIPT.parent))
    try:
        import backup as script
    finally:
        sys.path.remove(str(SCRIPT.parent))
    monkeypatch.setattr(script, "BACKUP_DIR", tmp_path / "backups")
    live = tmp_path / "portal.sqlite3"
    make_sqlite_database(live)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{live}")

    assert script.main(["backup"]) == 0
    [made] = (tmp_path / "backups").iterdir()
    assert made.name.startswith("portal-") and made.suffix == ".dump"
    assert script.main(["restore"]) == 0  # the newest backup
    assert len(sqlite_names(live)) == 3
