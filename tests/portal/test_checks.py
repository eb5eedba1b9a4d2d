"""portal.W001: production without a shared cache is warned about by `check --deploy`; and the
session store follows the cache."""

import os
import subprocess
import sys
from pathlib import Path

from portal.checks import shared_cache_check

BASE_DIR = Path(__file__).resolve().parents[2]
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
REDIS = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://127.0.0.1:6379/0",
    }
}


def _production(settings, caches):
    settings.DEBUG = False
    settings.TESTING = False
    settings.CACHES = caches


def test_check_warns_about_a_per_process_cache_in_production(settings):
    _production(settings, LOCMEM)
    assert [warning.id for warning in shared_cache_check()] == ["portal.W001"]


def test_check_quiet_with_redis_while_debugging_and_in_tests(settings):
    _production(settings, REDIS)
    assert shared_cache_check() == []
    settings.CACHES = LOCMEM
    settings.DEBUG = True
    assert shared_cache_check() == []
    settings.DEBUG = False
    settings.TESTING = True
    assert shared_cache_check() == []


def _check_deploy(tmp_path, **extra):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "REDIS_")) and key != "PYTEST_XDIST_WORKER"
    }
    env |= {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.sqlite3'}",
        "DJANGO_SECRET_KEY": "ci-" + "abcdefghij" * 6,
        "DJANGO_ALLOWED_HOSTS": "portal.example.org",
        **extra,
    }
    code = (
        "import django, sys; django.setup(); from django.conf import settings; "
        "from django.core.management import call_command; print(settings.SESSION_ENGINE); "
        "call_command('check', deploy=True, fail_level='WARNING')"
    )
    env["DJANGO_SETTINGS_MODULE"] = "portal.settings"
    return subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )


def test_check_deploy_fails_without_redis_and_passes_with_it(tmp_path):
    without = _check_deploy(tmp_path)
    assert without.returncode != 0
    assert "portal.W001" in without.stderr
    assert "sessions.backends.db" in without.stdout

    with_redis = _check_deploy(tmp_path, REDIS_URL="redis://127.0.0.1:6379/0")
    assert with_redis.returncode == 0, with_redis.stderr
    assert "sessions.backends.cached_db" in with_redis.stdout
