"""The database going away: pages answer with the portal's own error page (never a traceback),
/healthz says 503, and everything works again as soon as the database is back.

PostgreSQL only. The outage is simulated by pointing the connection at a port where nothing
listens, and by killing the portal's backend with pg_terminate_backend from a second
connection. docs/reliability.md shows the same with a real cluster stopped and started.
"""

import socket
import threading

import pytest
from django.conf import settings
from django.db import close_old_connections, connection, connections
from django.test import Client

from portal.models import PrivacyAcknowledgement, User

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL"),
    pytest.mark.django_db(transaction=True),
]
ERROR_PAGE_TEXT = "An unexpected error occurred on our side. Please try again in a moment."


def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Outage:
    """Point the default connection at a closed port until the block ends."""

    def __enter__(self):
        self.saved = dict(connection.settings_dict)
        connection.close()
        connection.settings_dict["HOST"] = "127.0.0.1"
        connection.settings_dict["PORT"] = str(closed_port())
        connection.settings_dict["OPTIONS"] = {
            **connection.settings_dict.get("OPTIONS", {}),
            "connect_timeout": 2,
        }
        return self

    def __exit__(self, *exc):
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(self.saved)


@pytest.fixture
def browser():
    """A client that gets the error page instead of the exception, as a browser would."""
    return Client(raise_request_exception=False)


def test_database_down_gives_the_error_page_and_healthz_503_then_recovers(browser):
    assert browser.get("/healthz").json() == {"status": "ok", "database": "up"}

    with Outage():
        health = browser.get("/healthz")
        page = browser.get("/en/ngos/")
        home = browser.get("/en/")

    assert health.status_code == 503
    assert health.json() == {"status": "unavailable", "database": "down"}
    assert health["Cache-Control"].startswith("max-age=0")
    for response in (page, home):
        assert response.status_code == 500
        text = response.content.decode()
        assert "Something went wrong" in text
        assert ERROR_PAGE_TEXT in text
        assert "Traceback" not in text and "OperationalError" not in text
        assert "127.0.0.1" not in text

    # The database is back: the same pages work without restarting anything.
    assert browser.get("/healthz").json() == {"status": "ok", "database": "up"}
    recovered = browser.get("/en/ngos/")
    assert recovered.status_code == 200
    assert "Something went wrong" not in recovered.content.decode()


def test_logged_in_user_gets_the_error_page_during_an_outage_and_stays_logged_in(browser):
    user = User.objects.create_user(email="kesinti@example.test", password="x-pass-2025-y")
    PrivacyAcknowledgement.objects.create(user=user, version=settings.PRIVACY_NOTICE_VERSION)
    browser.force_login(user)
    assert browser.get("/en/dashboard/").status_code == 200

    with Outage():
        down = browser.get("/en/dashboard/")

    assert down.status_code == 500
    assert ERROR_PAGE_TEXT in down.content.decode()
    back = browser.get("/en/dashboard/")
    assert back.status_code == 200
    assert back.context["user"] == user


def test_killed_database_backend_is_replaced_on_the_next_request(browser):
    """The server drops the portal's connection (restart, failover, idle kill): with
    CONN_HEALTH_CHECKS the next request notices and reconnects instead of failing."""
    assert browser.get("/healthz").status_code == 200
    connection.ensure_connection()
    backend_pid = connection.connection.info.backend_pid

    def terminate():
        killer = connections.create_connection("default")
        try:
            with killer.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [backend_pid])
        finally:
            killer.close()

    thread = threading.Thread(target=terminate)
    thread.start()
    thread.join()
    # What Django's WSGI handler does at the start of every request (the test client leaves it
    # out): with CONN_HEALTH_CHECKS the dead connection is noticed and replaced.
    close_old_connections()

    assert browser.get("/healthz").json() == {"status": "ok", "database": "up"}
    page = browser.get("/en/ngos/")
    assert page.status_code == 200
    assert connection.connection.info.backend_pid != backend_pid


def test_backend_killed_in_the_middle_of_a_request_gives_the_error_page(browser):
    """The connection dies while a view runs (just before it reads the NGOs): that request
    gets the error page, the next one works."""
    browser.get("/healthz")
    killed = []

    def kill_before_reading_ngos(execute, sql, params, many, context):
        if not killed and "ngos_ngo" in sql:
            killed.append(connection.connection.info.backend_pid)
            killer = connections.create_connection("default")
            try:
                with killer.cursor() as cursor:
                    cursor.execute("SELECT pg_terminate_backend(%s)", [killed[0]])
            finally:
                killer.close()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(kill_before_reading_ngos):
        response = browser.get("/en/ngos/")

    assert killed
    assert response.status_code == 500
    assert ERROR_PAGE_TEXT in response.content.decode()
    close_old_connections()
    assert browser.get("/healthz").status_code == 200
    assert browser.get("/en/ngos/").status_code == 200
