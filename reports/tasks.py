"""The reports' background work: the cases copied for the reports every minute, stale figures
computed again, and the hourly warm-up."""

import logging

from celery import shared_task
from django.core.management import CommandError, call_command

# Importing them registers the kinds of figures (figures_cache.figures_kind).
from reports.services import facts, statistics, tables  # noqa: F401
from reports.services.figures_cache import figures_refresh

logger = logging.getLogger(__name__)


@shared_task(ignore_result=True)
def refresh_figures(*, key, kind, params, language):
    """Compute one set of stale figures again (scheduled by ``cached_figures``). Idempotent; not
    retried, since the next visitor of a page that still shows them schedules it again."""
    figures_refresh(key=key, kind=kind, params=params, language=language)


@shared_task(ignore_result=True)
def refresh_case_facts():
    """Copy every campaign's cases for the reports again (every minute, from beat). Idempotent;
    a failed run leaves the previous copy, and the next run tries again."""
    for refresh in facts.rebuild_all():
        logger.info(
            "Case facts of campaign %s: %s cases in %s ms",
            refresh.campaign_id,
            refresh.cases,
            refresh.milliseconds,
        )


@shared_task(ignore_result=True)
def warm_reports(provinces=False):
    """Compute the usual report pages and the public statistics ahead (hourly, from beat)."""
    try:
        call_command("warm_reports", provinces=provinces, verbosity=0)
    except CommandError as error:  # no campaign has opened yet: nothing to compute
        logger.info("Reports not warmed: %s", error)
