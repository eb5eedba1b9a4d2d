"""How long a request that notifies many people takes, and when the last e-mail arrives.

    python scripts/bench_notify.py [--people 500]

A municipal officer moves N cases of N different NGOs to "under review" in one bulk action of
the inbox; each NGO's administrator is notified in the portal and by e-mail. The script builds
the data in a throwaway database (a new PostgreSQL database beside DATABASE_URL's, or a
temporary SQLite file), runs a local SMTP server on loopback that counts what it receives (and
takes --smtp-delay seconds to accept each message, like a real one), sends
the request through Django's test client and prints: the request's time, how many e-mails had
arrived when the response came back, and how long until all N had arrived.

With REDIS_URL set (and the project's Celery worker available) the mail goes through the task
worker that the script starts; without it, tasks run in the request as in `make run`.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sink:
    """An SMTP server on loopback counting the messages it receives."""

    def __init__(self, delay=0.0):
        import asyncio

        from aiosmtpd.controller import Controller

        sink = self
        self.received = 0

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                # A real mail server takes its time to accept a message (TLS, spam checks).
                await asyncio.sleep(delay)
                sink.received += 1
                return "250 OK"

        self.port = free_port()
        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.controller.stop()


def throwaway_database(workdir: Path) -> str:
    base = os.environ.get("DATABASE_URL", "")
    if not base:
        return f"sqlite:///{workdir / 'notify.sqlite3'}"
    import psycopg

    root = base.rsplit("/", 1)[0]
    with psycopg.connect(root + "/postgres", autocommit=True) as connection:
        connection.execute('DROP DATABASE IF EXISTS "portal_bench_notify"')
        connection.execute('CREATE DATABASE "portal_bench_notify"')
    return root + "/portal_bench_notify"


def main() -> int:
    import logging

    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("mail.log").setLevel(logging.WARNING)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=500)
    parser.add_argument(
        "--smtp-delay",
        type=float,
        default=0.05,
        help="seconds the SMTP server takes to accept each message (default 0.05)",
    )
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-notify-"))
    url = throwaway_database(workdir)
    with Sink(args.smtp_delay) as sink:
        os.environ.update(
            {
                "DATABASE_URL": url,
                "DJANGO_SETTINGS_MODULE": "portal.settings",
                "DJANGO_TESTING": "1",
                "EMAIL_HOST": "127.0.0.1",
                "EMAIL_PORT": str(sink.port),
            }
        )
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=BASE_DIR,
            check=True,
        )
        worker = None
        if os.environ.get("REDIS_URL") and (BASE_DIR / "portal" / "celery.py").exists():
            worker = subprocess.Popen(
                [sys.executable, "-m", "celery", "-A", "portal", "worker", "-l", "warning"],
                cwd=BASE_DIR,
            )
        try:
            return run(args.people, sink)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(30)


def run(people: int, sink: Sink) -> int:
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings
    from django.utils import timezone

    from municipalities.models import MunicipalStaff
    from surveys.models import Submission
    from tests.factories import MembershipFactory, MunicipalStaffFactory
    from tests.surveys.factories import (
        CampaignFactory,
        ExpectationFactory,
        SubmissionFactory,
        erzurum_metropolitan,
    )

    officer = MunicipalStaffFactory(
        municipality=erzurum_metropolitan(), role=MunicipalStaff.Role.MANAGER
    ).user
    campaign = CampaignFactory()
    ids = []
    for number in range(people):
        admin = MembershipFactory(role="admin")
        submission = SubmissionFactory(
            campaign=campaign,
            ngo=admin.ngo,
            status=Submission.Status.SUBMITTED,
            receipt_number=f"BENCH-{number:06d}",
            submitted_at=timezone.now(),
        )
        ids.append(ExpectationFactory(submission=submission).pk)
    backend = getattr(settings, "PORTAL_EMAIL_BACKEND", None) and "PORTAL_EMAIL_BACKEND"
    smtp = "django.core.mail.backends.smtp.EmailBackend"
    overrides = {backend: smtp} if backend else {"EMAIL_BACKEND": smtp}
    client = Client()
    client.force_login(officer)
    with override_settings(**overrides, ALLOWED_HOSTS=["testserver"]):
        start = time.perf_counter()
        response = client.post(
            "/surveys/inbox/bulk/",
            {"ids": ids, "action": "status", "to_status": "under_review"},
        )
        request_s = time.perf_counter() - start
        at_response = sink.received
        deadline = time.monotonic() + float(os.environ.get("BENCH_NOTIFY_WAIT", "600"))
        while sink.received < people and time.monotonic() < deadline:
            time.sleep(0.05)
        all_s = time.perf_counter() - start
    print(
        f"{people} people: request {request_s:.2f} s (status {response.status_code}); "
        f"{at_response} e-mails had arrived when it answered; "
        f"{sink.received} arrived in {all_s:.2f} s"
    )
    return 0 if sink.received == people else 1


if __name__ == "__main__":
    sys.exit(main())
