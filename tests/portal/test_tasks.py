import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest

from portal.health import HEARTBEAT_KEY
from portal.tasks import heartbeat

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_url(tmp_path):
    """A Redis of this test's own on a free port (skipped without redis-server)."""
    if not shutil.which("redis-server"):
        pytest.skip("redis-server is not installed")
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", ""],
        stdout=subprocess.DEVNULL,
        cwd=tmp_path,
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                break
        time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(10)


def test_readyz_without_redis_checks_only_the_database(client, settings):
    settings.REDIS_URL = ""
    response = client.get("/readyz")
    assert (response.status_code, response.json()) == (
        200,
        {"status": "ok", "database": "up", "redis": "not configured", "worker": "not configured"},
    )


def test_readyz_is_503_when_redis_does_not_answer(client, settings):
    settings.REDIS_URL = f"redis://127.0.0.1:{free_port()}/0"
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "database": "up",
        "redis": "down",
        "worker": "unknown",
    }


def test_readyz_needs_a_recent_worker_heartbeat(client, settings, redis_url, time_machine):
    from django.core.cache import cache

    settings.REDIS_URL = redis_url
    cache.delete(HEARTBEAT_KEY)
    response = client.get("/readyz")
    assert (response.status_code, response.json()["worker"]) == (503, "no heartbeat")
    heartbeat.apply()  # as a worker runs it, every 20 s
    response = client.get("/readyz")
    assert (response.status_code, response.json()) == (
        200,
        {"status": "ok", "database": "up", "redis": "up", "worker": "up"},
    )
    time_machine.move_to(time.time() + 61)
    response = client.get("/readyz")
    assert (response.status_code, response.json()["worker"]) == (503, "stale")


def _worker(redis_url, env, log):
    return subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "celery"),
            "-A",
            "portal",
            "worker",
            "-l",
            "info",
            "-P",
            "solo",
            "-I",
            "tests.portal.worker_tasks",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def _wait_for(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_a_worker_killed_mid_task_loses_nothing(redis_url, tmp_path):
    """acks_late: the task is acknowledged only when it has finished, so a worker killed with
    SIGKILL in the middle leaves it in Redis, and the next worker runs it to the end, once."""
    notes = tmp_path / "notes.txt"
    env = {
        **os.environ,
        "REDIS_URL": redis_url,
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        # Redis gives an unacknowledged task to another worker after this long.
        "CELERY_VISIBILITY_TIMEOUT": "3",
        "CELERY_UNACKED_RESTORE_INTERVAL": "0.2",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DJANGO_TESTING", None)
    from celery import Celery

    # Not the current app: the project's shared tasks keep using the project's app (eager in
    # tests) after this test, instead of this short-lived Redis.
    producer = Celery("producer", broker=redis_url, set_as_current=False)
    producer.conf.task_serializer = "json"
    producer.send_task("tests.portal.worker_tasks.slow_note", args=[str(notes), 2])
    first = _worker(redis_url, env, tmp_path / "worker.log")
    second = None
    try:
        assert _wait_for(lambda: notes.exists() and "started" in notes.read_text(), 60)
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(10)
        assert notes.read_text() == "started\n"
        second = _worker(redis_url, env, tmp_path / "worker.log")
        assert _wait_for(lambda: "finished" in notes.read_text(), 60), (
            tmp_path / "worker.log"
        ).read_text()[-3000:]
        time.sleep(3.5)  # longer than the visibility timeout: no third run
        assert notes.read_text() == "started\nstarted\nfinished\n"
    finally:
        for worker in (first, second):
            if worker and worker.poll() is None:
                os.killpg(worker.pid, signal.SIGKILL)
                worker.wait(10)
