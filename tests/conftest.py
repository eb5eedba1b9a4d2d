import pytest
from django.db import transaction
from pytest_django.plugin import blocking_manager_key

from demo.services.erzurum import seed_demo
from tests.database_copy import (
    DatabaseCopy,
    demo_world,
    fresh_database_after_transactional_tests,
    keep_demo,
)

# The demo world (`manage.py seed_demo`) takes seconds to build. Tests that use the `demo`
# fixture inside the usual per-test transaction share one copy per test process: it is built in
# an outer transaction, each test runs in a savepoint inside it (pytest-django's `db`) and rolls
# back to it, and the outer transaction is rolled back before any test that does not use the
# demo runs. Such tests are collected first so that one build serves them all. Tests on a
# transactional database (live server, concurrency) cannot share it: they put back a copy of
# it, taken when it was built (tests/database_copy.py).
_TRANSACTIONAL = {"transactional_db", "live_server", "django_db_serialized_rollback"}
_shared_demo = {"atomic": None}


def _quiet(*args):
    pass


def _is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(_TRANSACTIONAL & set(item.fixturenames)) or bool(
        marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    )


def _shares_demo(item) -> bool:
    return "demo" in getattr(item, "fixturenames", ()) and not _is_transactional(item)


def pytest_collection_modifyitems(items):
    # Stable: the order within each group stays as collected (identical in every xdist worker).
    items.sort(key=lambda item: not _shares_demo(item))


def _blocker(config):
    return config.stash[blocking_manager_key]


def _leave_shared_demo(config):
    atomic = _shared_demo["atomic"]
    if atomic is None:
        return
    _shared_demo["atomic"] = None
    with _blocker(config).unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


@pytest.fixture(scope="session", autouse=True)
def _test_databases_ready(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        fresh_database_after_transactional_tests(DatabaseCopy())
    _shared_demo["ready"] = True


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """Before the test's fixtures: enter the shared demo world, or leave it. (The very first
    test of a process runs before the test databases exist: its `demo` builds its own copy.)"""
    if not _shares_demo(item):
        _leave_shared_demo(item.config)
    elif _shared_demo["atomic"] is None and _shared_demo.get("ready"):
        with _blocker(item.config).unblock():
            atomic = transaction.atomic()
            atomic.__enter__()
            _shared_demo["atomic"] = atomic
            seed_demo(log=_quiet)
            keep_demo()


@pytest.hookimpl(trylast=True)
def pytest_runtest_teardown(item, nextitem):
    if nextitem is None or not _shares_demo(nextitem):
        _leave_shared_demo(item.config)


@pytest.fixture
def demo(request, db):
    """The demo data of `manage.py seed_demo` (accounts of every role around Erzurum)."""
    if _shared_demo["atomic"] is not None:
        return
    if _is_transactional(request.node):
        demo_world(lambda: seed_demo(log=_quiet))
    else:
        seed_demo(log=_quiet)


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # Rate limits count in the default (per-process) cache; the shared demo users would carry
    # their counts from one test into the next.
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    if isinstance(caches["default"], LocMemCache):  # never flush a real Redis
        caches["default"].clear()


@pytest.fixture(autouse=True)
def _fast_static(settings):
    # Tests render templates without a collected manifest.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _default_language():
    # A request to /en/… leaves English active in the thread; reverse() in the next test would
    # then build /en/ URLs. Every test starts in Turkish, the default language.
    from django.utils import translation

    translation.activate("tr")
    yield
    translation.deactivate()


@pytest.fixture
def english():
    """English for a test module that checks the English wording of messages and pages."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("tr")


@pytest.fixture
def mail_queue(settings):
    """Mail through the portal's outbox as in production (Django's test runner replaces
    EMAIL_BACKEND with its locmem outbox): messages are stored as OutgoingMail rows and the
    (eager) task sends them on commit, into ``mail.outbox``."""
    settings.EMAIL_BACKEND = "portal.mail.QueuedEmailBackend"
    settings.PORTAL_EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def mail_server_down(mail_queue, settings):
    """The outbox in front of a mail server that cannot be reached."""
    settings.PORTAL_EMAIL_BACKEND = "tests.helpers.DownEmailBackend"


@pytest.fixture(autouse=True)
def _current_report_facts(settings):
    # Report figures count the cases from a copy (reports/services/facts.py): rebuilt before
    # every use, so that figures reflect what a test has just written.
    settings.REPORT_FACTS_MAX_AGE = 0
