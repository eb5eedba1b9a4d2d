"""An existing database upgrades with `migrate` and keeps every row.

    python scripts/upgrade_check.py REF

Builds a database with the code of commit REF (its `migrate` and `seed_demo`), counts the rows of
every table, migrates it with the code of the working tree, and counts again. It fails (exit 1)
when a table lost rows or disappeared, or when the working tree's `migrate` fails. The database is
a throwaway one: a new PostgreSQL database next to the one DATABASE_URL names (dropped afterwards),
or a temporary SQLite file when DATABASE_URL is unset. REF's code runs with this project's
virtual environment, so REF must not need packages that the lock file no longer has.
"""

import argparse
import contextlib
import os
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent
# Django's own bookkeeping grows with every migration; it is not data that a user wrote.
BOOKKEEPING = {"django_migrations"}


def sh(*args, cwd, env):
    """Run a management command of the tree at ``cwd``; its output goes to our stderr."""
    subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=cwd,
        env=env,
        check=True,
        stdout=sys.stderr,
    )


def export_tree(ref: str, target: Path) -> None:
    """The files of commit ``ref`` (git archive), unpacked into ``target``."""
    archive = subprocess.run(
        ["git", "-C", str(BASE_DIR), "archive", "--format=tar", ref],
        check=True,
        capture_output=True,
    ).stdout
    with tempfile.TemporaryFile() as handle:
        handle.write(archive)
        handle.seek(0)
        with tarfile.open(fileobj=handle) as tar:
            tar.extractall(target, filter="data")


def row_counts(url: str) -> dict[str, int]:
    """Rows per table of the database at ``url``."""
    config = dj_database_url.parse(url)
    if config["ENGINE"].endswith("sqlite3"):
        connection = sqlite3.connect(config["NAME"])
        list_tables = (
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    else:
        import psycopg

        connection = psycopg.connect(url)
        list_tables = "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
    with contextlib.closing(connection):
        tables = [name for (name,) in connection.execute(list_tables).fetchall()]
        return {
            table: connection.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
            for table in tables
        }


class ThrowawayDatabase:
    """A new, empty database for the check: PostgreSQL beside DATABASE_URL's, or SQLite."""

    def __init__(self, workdir: Path):
        self.base = os.environ.get("DATABASE_URL", "")
        self.workdir = workdir

    def __enter__(self) -> str:
        if not self.base:
            self.url = f"sqlite:///{self.workdir / 'upgrade.sqlite3'}"
            return self.url
        import psycopg

        config = dj_database_url.parse(self.base)
        self.name = f"{config['NAME']}_upgrade_check"
        self.admin_url = self.base.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{self.name}"')
            connection.execute(f'CREATE DATABASE "{self.name}"')
        self.url = self.base.rsplit("/", 1)[0] + "/" + self.name
        return self.url

    def __exit__(self, *exc):
        if self.base:
            import psycopg

            with psycopg.connect(self.admin_url, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("ref", help="the commit whose database is upgraded, e.g. a release")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="upgrade-check-") as tmp:
        workdir = Path(tmp)
        old_tree = workdir / "old"
        old_tree.mkdir()
        export_tree(args.ref, old_tree)
        with ThrowawayDatabase(workdir) as url:
            env = {**os.environ, "DATABASE_URL": url, "DJANGO_DEBUG": "1"}
            env.pop("DJANGO_SETTINGS_MODULE", None)
            sh("migrate", "--noinput", "-v", "0", cwd=old_tree, env=env)
            sh("seed_demo", cwd=old_tree, env=env)
            before = row_counts(url)
            sh("migrate", "--noinput", "-v", "0", cwd=BASE_DIR, env=env)
            after = row_counts(url)
    lost = {
        table: (count, after.get(table))
        for table, count in before.items()
        if table not in BOOKKEEPING and (after.get(table) is None or after[table] < count)
    }
    rows = sum(count for table, count in before.items() if table not in BOOKKEEPING)
    if lost:
        for table, (old, new) in sorted(lost.items()):
            print(f"{table}: {old} rows before, {new} after", file=sys.stderr)
        return 1
    print(f"Upgrade from {args.ref}: {len(before)} tables, {rows} rows, none lost.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
