"""Without DJANGO_SECRET_KEY (and without DJANGO_DEBUG) management commands still run on a
fresh machine, but the app servers refuse to start."""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def run(arguments, tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_")) and key != "PYTEST_XDIST_WORKER"
    }
    env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    return subprocess.run(
        [sys.executable, *arguments], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )


def test_migration_check_runs_without_a_secret_key(tmp_path):
    result = run(["manage.py", "makemigrations", "--check", "--dry-run"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_app_servers_refuse_to_start_without_a_secret_key(tmp_path):
    for module in ("portal.wsgi", "portal.asgi"):
        result = run(["-c", f"import {module}"], tmp_path)
        assert result.returncode != 0, module
        assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off." in result.stderr, module
