"""Computed figures (reports, public statistics) kept in the "reports" cache.

The "reports" cache is shared by every worker and app server: a table of the database, or Redis
with REDIS_URL (portal/settings.py). Figures are served from it together with the time they were
computed. Once they are older than their ``fresh_seconds`` they are still served, while one
background thread computes them again; only figures that were never computed (or not for
KEEP_SECONDS) are computed while the visitor waits. At national size a report takes seconds to
compute, so ``manage.py warm_reports`` computes the usual pages ahead (after a deployment, and
from cron).
"""

import contextvars
import datetime
import logging
import threading

from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.utils import timezone, translation

# How long computed figures are kept at all.
KEEP_SECONDS = 24 * 60 * 60
# At most one background computation per set of figures at a time (or until this has passed).
REFRESH_LOCK_SECONDS = 5 * 60
logger = logging.getLogger(__name__)


def cached_figures(key, compute, *, fresh_seconds):
    """The figures ``compute()`` returns (a dict), with ``computed_at`` added: from the cache;
    computed now when the cache has none; computed again in the background, the cached ones
    returned meanwhile, when they are older than ``fresh_seconds``."""
    store = caches["reports"]
    figures = store.get(key)
    if figures is None:
        return store_figures(key, compute)
    age = timezone.now() - figures["computed_at"]
    if age >= datetime.timedelta(seconds=fresh_seconds) and store.add(
        f"{key}:refreshing", True, REFRESH_LOCK_SECONDS
    ):
        language = translation.get_language()

        def refresh():
            try:
                with translation.override(language):
                    store_figures(key, compute)
            except Exception:
                logger.exception("Computing figures again failed (%s)", key)
            finally:
                store.delete(f"{key}:refreshing")

        run_in_background(refresh)
    return figures


def store_figures(key, compute):
    """Compute the figures now and keep them (with ``computed_at``) for KEEP_SECONDS."""
    computed_at = timezone.now()
    figures = compute()
    figures["computed_at"] = computed_at
    caches["reports"].set(key, figures, KEEP_SECONDS)
    return figures


def run_in_background(function):
    """Run ``function`` in a daemon thread with database connections of its own (closed when it
    ends) and the caller's context variables (so it reads where the request reads, see
    portal/db_router.py); inline when REPORTS_REFRESH_IN_BACKGROUND is off (the tests)."""
    if not settings.REPORTS_REFRESH_IN_BACKGROUND:
        function()
        return
    context = contextvars.copy_context()

    def target():
        try:
            context.run(function)
        finally:
            connections.close_all()

    threading.Thread(target=target, name="figures", daemon=True).start()
