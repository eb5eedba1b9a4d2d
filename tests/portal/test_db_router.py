"""The read-replica router for reports (portal/db_router.py) and its settings."""

import json
import os
import subprocess
import sys
from pathlib import Path

from django.test import RequestFactory
from django.urls import resolve

from municipalities.models import Municipality
from ngos.models import NGO
from portal.db_router import ReplicaRouter, ReportReadsMiddleware, replica_reads
from portal.models import User
from surveys.models import Expectation

BASE_DIR = Path(__file__).resolve().parents[2]
router = ReplicaRouter()


def test_router_reads_report_apps_from_the_replica_only_inside_replica_reads():
    assert router.db_for_read(Expectation) == "default"
    with replica_reads():
        assert router.db_for_read(Expectation) == "replica"
        assert router.db_for_read(NGO) == "replica"
        assert router.db_for_read(Municipality) == "replica"
    assert router.db_for_read(Expectation) == "default"


def test_router_keeps_writes_users_and_migrations_on_default():
    with replica_reads():
        assert router.db_for_read(User) == "default"
        assert router.db_for_write(Expectation) == "default"
        assert router.db_for_write(User) == "default"
    assert router.allow_migrate("default", "surveys")
    assert not router.allow_migrate("replica", "surveys")
    assert router.allow_relation(Expectation(), NGO())


def test_querysets_choose_the_replica_inside_replica_reads(monkeypatch):
    from django.db import router as django_router

    # As if DATABASE_ROUTERS named the replica router (the routers are read once per process).
    monkeypatch.setattr(django_router, "routers", [ReplicaRouter()])
    with replica_reads():
        assert Expectation.objects.all().db == "replica"
        assert User.objects.all().db == "default"
    assert Expectation.objects.all().db == "default"


def _db_seen_by(path, method="get"):
    """The database the router picks for a report read made by the view behind ``path``."""
    request = getattr(RequestFactory(), method)(path)
    request.resolver_match = resolve(path)
    seen = {}

    def view(request):
        seen["db"] = router.db_for_read(Expectation)
        from django.http import HttpResponse

        return HttpResponse("ok")

    middleware = ReportReadsMiddleware(lambda request: view(request))
    response = middleware.process_view(request, view, (), {})
    if response is None:
        response = middleware(request)
    return seen["db"], response


def test_middleware_serves_report_pages_from_the_replica():
    for path in ("/reports/", "/reports/provinces/25/", "/surveys/statistics/"):
        db, response = _db_seen_by(path)
        assert db == "replica", path
        assert response.content == b"ok"


def test_middleware_leaves_other_pages_and_posts_on_default():
    assert _db_seen_by("/ngos/")[0] == "default"
    assert _db_seen_by("/surveys/inbox/")[0] == "default"
    assert _db_seen_by("/reports/", method="post")[0] == "default"


def test_middleware_streams_exports_from_the_replica():
    from django.http import StreamingHttpResponse

    path = "/surveys/export/expectations.csv"
    request = RequestFactory().get(path)
    request.resolver_match = resolve(path)

    def rows():
        yield router.db_for_read(Expectation).encode()

    def view(request):
        return StreamingHttpResponse(rows())

    middleware = ReportReadsMiddleware(lambda request: None)
    response = middleware.process_view(request, view, (), {})
    # The body is produced after the middleware returned, still from the replica.
    assert b"".join(response.streaming_content) == b"replica"
    assert router.db_for_read(Expectation) == "default"


def _settings_with(env):
    code = (
        "import json; from portal import settings as s; "
        "print(json.dumps({'dbs': sorted(s.DATABASES), "
        "'routers': getattr(s, 'DATABASE_ROUTERS', []), "
        "'middleware': 'portal.db_router.ReportReadsMiddleware' in s.MIDDLEWARE, "
        "'mirror': s.DATABASES.get('replica', {}).get('TEST', {}).get('MIRROR')}))"
    )
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_REPLICA_URL"}
    output = subprocess.run(
        [sys.executable, "-c", code],
        cwd=BASE_DIR,
        env={**base, "DJANGO_DEBUG": "1", **env},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(output)


def test_settings_add_the_replica_only_when_its_url_is_set():
    without = _settings_with({})
    assert without == {"dbs": ["default"], "routers": [], "middleware": False, "mirror": None}
    replica = _settings_with({"DATABASE_REPLICA_URL": "postgres://reader@replica.example/portal"})
    assert replica == {
        "dbs": ["default", "replica"],
        "routers": ["portal.db_router.ReplicaRouter"],
        "middleware": True,
        "mirror": "default",
    }
