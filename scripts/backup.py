"""Back up and restore the portal's database (`make backup` / `make restore`).

    python scripts/backup.py backup  [FILE]   # default: backups/portal-<timestamp>.dump
    python scripts/backup.py restore [FILE]   # default: the newest file in backups/

The database is the one the portal uses: DATABASE_URL, or the embedded SQLite file db.sqlite3
when it is unset or empty (the same rule as portal/settings.py).

PostgreSQL: `pg_dump -Fc` (custom format, compressed, consistent snapshot while the portal keeps
running) and `pg_restore --clean --if-exists --no-owner --single-transaction`: the restore
replaces every table of the dump in one transaction, so a failed restore leaves the database as
it was. pg_dump/pg_restore must be on PATH, of the server's major version or newer.

SQLite: the sqlite3 online-backup API copies a consistent snapshot even while the portal writes,
into one self-contained file (rollback journal, while the portal's file is in WAL mode);
restoring copies the backup back page by page into the live file under SQLite's own locking.

Exit status 0 on success; 1 with a message on standard error otherwise.
"""

import argparse
import datetime
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
BACKUP_DIR = BASE_DIR / "backups"
POSTGRES_ENGINES = {"django.db.backends.postgresql", "django.contrib.gis.db.backends.postgis"}


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why."""


def database_config(url: str | None = None) -> dict:
    """The Django database settings for DATABASE_URL (or the default SQLite file)."""
    url = url if url is not None else os.environ.get("DATABASE_URL", "")
    return dj_database_url.parse(url or f"sqlite:///{BASE_DIR / 'db.sqlite3'}")


def default_backup_file() -> Path:
    stamp = datetime.datetime.now().astimezone().strftime("%Y%m%d-%H%M%S")
    return BACKUP_DIR / f"portal-{stamp}.dump"


def newest_backup_file() -> Path:
    candidates = sorted(BACKUP_DIR.glob("portal-*.dump"), key=lambda p: p.stat().st_mtime)
    if not candidates:
        raise BackupError(f"No backup file given and none found in {BACKUP_DIR}.")
    return candidates[-1]


def _pg_command(program: str, config: dict) -> tuple[list[str], dict]:
    """The connection arguments of pg_dump/pg_restore, and the environment with the password."""
    if shutil.which(program) is None:
        raise BackupError(f"{program} is not on PATH (install the PostgreSQL client programs).")
    command = [program]
    if config.get("HOST"):
        command += ["--host", str(config["HOST"])]
    if config.get("PORT"):
        command += ["--port", str(config["PORT"])]
    if config.get("USER"):
        command += ["--username", str(config["USER"])]
    command.append("--no-password")
    environment = dict(os.environ)
    if config.get("PASSWORD"):
        environment["PGPASSWORD"] = str(config["PASSWORD"])
    sslmode = (config.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        environment["PGSSLMODE"] = str(sslmode)
    return command, environment


def _run(command: list[str], environment: dict) -> None:
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()}")


def backup(target: Path, config: dict) -> Path:
    """Write a backup of the database described by ``config`` to ``target``."""
    target.parent.mkdir(parents=True, exist_ok=True)
    engine = config["ENGINE"]
    if engine in POSTGRES_ENGINES:
        command, environment = _pg_command("pg_dump", config)
        partial = target.with_name(target.name + ".partial")
        command += ["--format=custom", "--file", str(partial), "--dbname", config["NAME"]]
        try:
            _run(command, environment)
        except BackupError:
            partial.unlink(missing_ok=True)
            raise
        partial.replace(target)  # never leave a truncated file under the final name
    elif engine == "django.db.backends.sqlite3":
        source_path = Path(config["NAME"])
        if not source_path.exists():
            raise BackupError(f"The SQLite database {source_path} does not exist.")
        partial = target.with_name(target.name + ".partial")
        partial.unlink(missing_ok=True)
        source = sqlite3.connect(source_path)
        destination = sqlite3.connect(partial)
        try:
            with destination:
                source.backup(destination)
            # The portal's file is in WAL mode (portal/settings.py), and the copy would be too,
            # leaving -wal and -shm files beside it once opened: make it one self-contained file.
            destination.execute("PRAGMA journal_mode=DELETE")
        finally:
            destination.close()
            source.close()
        partial.replace(target)
    else:
        raise BackupError(f"Backups of {engine} databases are not supported.")
    return target


def restore(source_file: Path, config: dict) -> Path:
    """Replace the content of the database described by ``config`` with ``source_file``."""
    if not source_file.is_file():
        raise BackupError(f"The backup file {source_file} does not exist.")
    engine = config["ENGINE"]
    if engine in POSTGRES_ENGINES:
        command, environment = _pg_command("pg_restore", config)
        command += [
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--dbname",
            config["NAME"],
            str(source_file),
        ]
        _run(command, environment)
    elif engine == "django.db.backends.sqlite3":
        check = sqlite3.connect(f"file:{source_file}?mode=ro", uri=True)
        try:
            if check.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupError(f"{source_file} is not a sound SQLite database.")
        except sqlite3.DatabaseError as error:
            raise BackupError(f"{source_file} is not a SQLite database: {error}") from error
        finally:
            check.close()
        source = sqlite3.connect(f"file:{source_file}?mode=ro", uri=True)
        destination = sqlite3.connect(config["NAME"])
        try:
            source.backup(destination)
        finally:
            destination.close()
            source.close()
    else:
        raise BackupError(f"Restoring {engine} databases is not supported.")
    return source_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["backup", "restore"])
    parser.add_argument("file", nargs="?", default="", help="backup file (see above)")
    arguments = parser.parse_args(argv)
    config = database_config()
    try:
        if arguments.action == "backup":
            target = Path(arguments.file) if arguments.file else default_backup_file()
            backup(target, config)
            print(f"Backed up {config['NAME']} to {target}")
        else:
            source = Path(arguments.file) if arguments.file else newest_backup_file()
            restore(source, config)
            print(f"Restored {config['NAME']} from {source}")
    except BackupError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
