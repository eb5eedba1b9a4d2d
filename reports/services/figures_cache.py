"""Computed figures (reports, public statistics) kept in the "reports" cache.

The "reports" cache is shared by every worker and app server: a table of the database, or Redis
with REDIS_URL (portal/settings.py). Figures are served from it together with the time they were
computed. Once they are older than their ``fresh_seconds`` they are still served, while a task
(``reports.tasks.refresh_figures``, on a Celery worker) computes them again; only figures that
were never computed (or not for KEEP_SECONDS) are computed while the visitor waits. At national
size a report takes seconds to compute, so the hourly ``reports.tasks.warm_reports`` (and
``manage.py warm_reports``, after a deployment) computes the usual pages ahead.

A task cannot carry a function, so each kind of figures registers the function that computes
it (``figures_kind``); a task names the kind and passes its parameters as JSON.
"""

import datetime
import logging
from collections.abc import Callable

from django.core.cache import caches
from django.db import transaction
from django.utils import timezone, translation

from portal.db_router import replica_reads

# How long computed figures are kept at all.
KEEP_SECONDS = 24 * 60 * 60
# At most one background computation per set of figures at a time (or until this has passed).
REFRESH_LOCK_SECONDS = 5 * 60
logger = logging.getLogger(__name__)

_KINDS: dict[str, Callable[..., dict]] = {}


def figures_kind(name: str):
    """Register ``compute(**params)`` (returning a dict of figures; ``params`` JSON values) as
    the way a task computes figures of kind ``name`` again."""

    def register(compute):
        _KINDS[name] = compute
        return compute

    return register


def cached_figures(key, compute, *, fresh_seconds, kind, params):
    """The figures ``compute()`` returns (a dict), with ``computed_at`` added: from the cache;
    computed now when the cache has none; computed again by a task (as figures of ``kind`` for
    ``params``), the cached ones returned meanwhile, when they are older than ``fresh_seconds``."""
    store = caches["reports"]
    figures = store.get(key)
    if figures is None:
        return store_figures(key, compute)
    age = timezone.now() - figures.get("stored_at", figures["computed_at"])
    if age >= datetime.timedelta(seconds=fresh_seconds) and store.add(
        _lock(key), True, REFRESH_LOCK_SECONDS
    ):
        schedule_refresh(key=key, kind=kind, params=params, language=translation.get_language())
    return figures


def store_figures(key, compute):
    """Compute the figures now and keep them for KEEP_SECONDS, with the time they are as of
    (``computed_at``: when the copy of the cases they count was made, reports/services/facts.py,
    if that is earlier) and the time they were stored (``stored_at``, their age in the cache)."""
    stored_at = timezone.now()
    figures = compute()
    figures["computed_at"] = min(stored_at, figures.get("facts_at") or stored_at)
    figures["stored_at"] = stored_at
    caches["reports"].set(key, figures, KEEP_SECONDS)
    return figures


def figures_refresh(*, key, kind, params, language):
    """Compute the figures again (reading where report pages read, see portal/db_router.py) and
    release the lock taken by ``cached_figures``, whether or not it worked: a failure keeps the
    old figures, and the next visitor's request schedules another try."""
    try:
        with translation.override(language), replica_reads():
            store_figures(key, lambda: _KINDS[kind](**params))
    finally:
        caches["reports"].delete(_lock(key))


def schedule_refresh(**arguments):
    """Have a worker run ``figures_refresh(**arguments)`` once the transaction commits (at once
    and in-process when tasks run eagerly, without REDIS_URL)."""
    # reports.tasks wraps this module's functions, so it is imported here, not at the top.
    from reports.tasks import refresh_figures

    transaction.on_commit(lambda: refresh_figures.delay(**arguments))


def _lock(key) -> str:
    return f"{key}:refreshing"
