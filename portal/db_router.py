"""Read replicas for reports: when ``DATABASE_REPLICA_URL`` is set (see portal/settings.py), the
reads made while serving a report page, the public statistics or the national CSV export go to
the "replica" database; everything else, and every write, goes to "default".

Only the apps whose tables the reports read are routed (surveys, cooperation, ngos,
municipalities, events): sessions, users and roles are always read from "default", so a fresh
login or a change of role is seen at once even if the replica lags a little behind. Code outside
a request can read from the replica with ``with replica_reads(): …``.
"""

import contextlib
import contextvars

REPLICA = "replica"
REPLICA_APPS = {"surveys", "cooperation", "ngos", "municipalities", "events"}
# The URL namespaces served from the replica: every page of the reports app (the reports, the
# public statistics and the national CSV export).
REPORT_NAMESPACES = {"reports"}

_reading_reports = contextvars.ContextVar("reading_reports", default=False)


@contextlib.contextmanager
def replica_reads():
    """Route the report apps' reads to the replica inside the block."""
    token = _reading_reports.set(True)
    try:
        yield
    finally:
        _reading_reports.reset(token)


class ReplicaRouter:
    """Reads of the report apps inside ``replica_reads`` go to the replica; the rest to
    "default". Migrations run on "default" only (the replica copies it)."""

    def db_for_read(self, model, **hints):
        if _reading_reports.get() and model._meta.app_label in REPLICA_APPS:
            return REPLICA
        return "default"

    def db_for_write(self, model, **hints):
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        # Both hold the same data.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"


def _is_report(request):
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    return match.namespace in REPORT_NAMESPACES


def _streamed_from_replica(content):
    """A streamed response's rows are read while it is sent, after the middleware returned."""
    with replica_reads():
        yield from content


class ReportReadsMiddleware:
    """Serve the report pages (GET and HEAD) from the replica, their streamed bodies included."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method not in ("GET", "HEAD") or not _is_report(request):
            return None
        with replica_reads():
            response = view_func(request, *view_args, **view_kwargs)
            if hasattr(response, "render") and callable(response.render):
                response = response.render()
        if getattr(response, "streaming", False):
            response.streaming_content = _streamed_from_replica(response.streaming_content)
        return response
