"""What /readyz checks: the database, Redis (the broker and the shared cache) and that a worker
has run its heartbeat task lately."""

import time

import redis
from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connection

HEARTBEAT_KEY = "portal:worker-heartbeat"


def worker_heartbeat_record() -> float:
    """Note in the shared cache that a worker is consuming tasks now. Returns the time."""
    now = time.time()
    cache.set(HEARTBEAT_KEY, now, timeout=settings.HEARTBEAT_MAX_AGE_SECONDS * 10)
    return now


def readiness() -> tuple[bool, dict]:
    """(ready, the state of each part): the database answers; with REDIS_URL, Redis answers and a
    worker's heartbeat is at most HEARTBEAT_MAX_AGE_SECONDS old. Without REDIS_URL tasks run in
    the web process, so there is no Redis and no worker to check."""
    parts = {"database": _database()}
    if settings.REDIS_URL:
        parts["redis"] = _redis()
        parts["worker"] = _worker() if parts["redis"] == "up" else "unknown"
    else:
        parts["redis"] = parts["worker"] = "not configured"
    ready = all(state in {"up", "not configured"} for state in parts.values())
    return ready, parts


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        return "down"
    return "up"


def _redis() -> str:
    client = redis.Redis.from_url(settings.REDIS_URL, socket_timeout=1, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError:
        return "down"
    finally:
        client.close()
    return "up"


def _worker() -> str:
    try:
        beat = cache.get(HEARTBEAT_KEY)
    except redis.RedisError:
        return "unknown"
    if beat is None:
        return "no heartbeat"
    if time.time() - beat > settings.HEARTBEAT_MAX_AGE_SECONDS:
        return "stale"
    return "up"
