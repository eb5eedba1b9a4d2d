"""How long a call for support to many NGOs takes: the officer's request, and until the last
delivery (in-app, e-mail, SMS) is sent.

    python scripts/bench_call.py [--ngos 1000] [--people 2]

Builds a throwaway database (a new PostgreSQL database beside DATABASE_URL's, or a temporary
SQLite file) with N verified NGOs of P people each (every NGO with a mobile number), an open
activation and its officer; then calls every NGO as the proposal page's "send" does
(``calls_send`` in one transaction) and prints:

- the request's time: the bulk inserts (calls, deliveries, log lines) and the commit that
  enqueues the delivery tasks;
- the time until every Delivery row is "sent" (polled in the database).

With REDIS_URL set, the script starts a Celery worker (``--concurrency``, default 2) and the
deliveries run there, so the request returns as soon as the rows are committed. Without it,
tasks run in-process at the commit (as in ``make run``), so the request's time includes the
delivery. SMS go to the in-memory backend and e-mails to the outbox, sent by its own task to
Django's in-memory backend: no gateway or mail server is needed.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))


def throwaway_database(workdir: Path) -> str:
    base = os.environ.get("DATABASE_URL", "")
    if not base:
        return f"sqlite:///{workdir / 'call.sqlite3'}"
    import psycopg

    root = base.rsplit("/", 1)[0]
    with psycopg.connect(root + "/postgres", autocommit=True) as connection:
        connection.execute('DROP DATABASE IF EXISTS "portal_bench_call"')
        connection.execute('CREATE DATABASE "portal_bench_call"')
    return root + "/portal_bench_call"


def build(ngos: int, people: int):
    """N verified NGOs with P people each, in bulk; an open activation and its officer."""
    from django.utils import timezone

    from cooperation.models import Activation
    from municipalities.models import Municipality, MunicipalStaff, Province
    from ngos.models import NGO, Membership
    from portal.models import User

    erzurum = Province.objects.get(plate=25)
    municipality = Municipality.objects.get(province=25, kind=Municipality.Kind.METROPOLITAN)
    officer = User.objects.create(email="officer@bench.test", full_name="Görevli")
    MunicipalStaff.objects.create(user=officer, municipality=municipality, role="manager")
    rows = []
    for n in range(ngos):
        ngo = NGO(
            name=f"Bench Dayanışma Derneği {n}",
            slug=f"bench-{n}",
            legal_form="dernek",
            province=erzurum,
            status=NGO.Status.VERIFIED,
            phone=f"0532 {n // 10000:03d} {n % 10000:04d}",
        )
        ngo.set_name_keys()
        rows.append(ngo)
    created = NGO.objects.bulk_create(rows, batch_size=1000)
    users = User.objects.bulk_create(
        [
            User(email=f"p{n}-{k}@bench.test", full_name=f"Kişi {n}-{k}")
            for n in range(ngos)
            for k in range(people)
        ],
        batch_size=2000,
    )
    Membership.objects.bulk_create(
        [
            Membership(
                user=user,
                ngo=created[index // people],
                role="admin" if not index % people else "member",
            )
            for index, user in enumerate(users)
        ],
        batch_size=2000,
    )
    activation = Activation.objects.create(
        municipality=municipality,
        opened_by=officer,
        hazard="flood",
        title="Bench taşkını",
        started_at=timezone.now(),
    )
    activation.provinces.set([erzurum])
    return activation, officer, [ngo.pk for ngo in created]


def run(ngos: int, people: int, wait: float) -> int:
    import django

    django.setup()
    from django.db import transaction

    from cooperation.models import Delivery
    from cooperation.services.calls import calls_send

    activation, officer, ids = build(ngos, people)
    start = time.perf_counter()
    with transaction.atomic():
        calls = calls_send(activation=activation, ngo_ids=ids, user=officer, base_url="http://x/")
        inserts_s = time.perf_counter() - start
    request_s = time.perf_counter() - start
    total = Delivery.objects.count()
    sent_at_response = Delivery.objects.filter(state="sent").count()
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        left = Delivery.objects.exclude(state="sent").count()
        if not left:
            break
        time.sleep(0.05)
    all_s = time.perf_counter() - start
    left = Delivery.objects.exclude(state="sent").count()
    mode = "worker (REDIS_URL)" if os.environ.get("REDIS_URL") else "eager (in-process)"
    print(
        f"{len(calls)} NGOs, {total} deliveries, {mode}: bulk inserts {inserts_s:.3f} s, "
        f"request with the commit {request_s:.3f} s; "
        f"{sent_at_response} sent when it returned; last delivery after {all_s:.2f} s"
        + (f"; {left} NOT SENT" if left else "")
    )
    return 1 if left else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ngos", type=int, default=1000)
    parser.add_argument("--people", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--wait", type=float, default=600)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="bench-call-"))
    os.environ.update(
        {
            "DATABASE_URL": throwaway_database(workdir),
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DJANGO_TESTING": "1",
            "SMS_BACKEND": "cooperation.services.sms.LocmemBackend",
            "PORTAL_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        }
    )
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=BASE_DIR, check=True
    )
    worker = None
    if os.environ.get("REDIS_URL"):
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "-l",
                "warning",
                "--concurrency",
                str(args.concurrency),
            ],
            cwd=BASE_DIR,
        )
        time.sleep(3)  # let the worker connect before the tasks are enqueued
    try:
        return run(args.ngos, args.people, args.wait)
    finally:
        if worker is not None:
            worker.terminate()
            worker.wait(30)


if __name__ == "__main__":
    sys.exit(main())
