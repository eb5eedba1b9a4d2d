"""System checks of the production configuration (run by `manage.py check --deploy`)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register

# Backends whose entries live in one process: each gunicorn worker counts on its own.
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@register(Tags.caches, deploy=True)
def shared_cache_check(app_configs=None, **kwargs):
    """Warn when production keeps allauth's rate-limit counters in a per-process cache."""
    if settings.DEBUG or settings.TESTING:
        return []
    if settings.CACHES["default"]["BACKEND"] not in PER_PROCESS_CACHES:
        return []
    return [
        Warning(
            "The default cache is per process: allauth's rate limits (failed log-ins, sign-ups, "
            "password resets) are counted by each worker on its own and do not hold across "
            "workers or app servers.",
            hint="Set REDIS_URL to a Redis every app server shares "
            "(e.g. redis://cache.internal:6379/0).",
            id="portal.W001",
        )
    ]
