"""Rate limits of the portal's own actions that mail other people or check a password, and of
public look-ups (a certificate's verification code), counted like allauth's
(ACCOUNT_RATE_LIMITS in settings, in the shared cache)."""

import time

from allauth.core import ratelimit
from allauth.core.internal import ratelimit as internal_ratelimit
from django.utils.translation import gettext_lazy as _

TOO_MANY = _(
    "Too many attempts in a short time. Please wait a few minutes and try again; what you typed "
    "is kept."
)


def action_allowed(request, action: str) -> bool:
    """Count one ``action`` (a key of ACCOUNT_RATE_LIMITS) of the request's user; False when
    the user has reached its limit (nothing is counted for a GET)."""
    return ratelimit.consume(request, action=action, user=request.user)


def lookup_allowed(request, action: str) -> bool:
    """Count one public look-up ``action`` (a key of ACCOUNT_RATE_LIMITS, per address), GET
    requests included; False when the address has reached its limit."""
    return bool(
        internal_ratelimit.consume(request, app="allauth.account", action=action, limit_get=True)
    )


def window_hit(key: str, *, limit: int, seconds: int) -> int:
    """Count one hit of ``key`` in its fixed window of ``seconds`` (in the default cache: Redis,
    shared by every server, when REDIS_URL is set). 0 while within ``limit``; once over it,
    the seconds until the window ends (for a Retry-After header)."""
    from django.core.cache import cache

    now = int(time.time())
    window = now - now % seconds
    bucket = f"ratelimit:{key}:{window}"
    cache.add(bucket, 0, seconds + 5)
    try:
        count = cache.incr(bucket)
    except ValueError:  # evicted between add and incr: count this hit alone
        cache.set(bucket, 1, seconds + 5)
        count = 1
    return 0 if count <= limit else max(1, window + seconds - now)
