"""Load test: gunicorn (production settings) on 127.0.0.1:8766, locust headless against it, then a
count in the database that every write which got a success response is there.

    .venv/bin/python scripts/loadtest.py             # 50 users, 2 minutes (make bench runs it)
    .venv/bin/python scripts/loadtest.py --short     # 10 users, 20 seconds (CI)
    .venv/bin/python scripts/loadtest.py --short --workers 4   # SQLite with concurrent writers

The full run needs PostgreSQL: DATABASE_URL, or else the benchmark's own cluster under .bench/pg
(started and stopped as scripts/bench.py does, database portal_load). It writes its results into
docs/reliability.md's "Load test" section. The short run (CI) uses DATABASE_URL when it is set,
else a throw-away SQLite file with one gunicorn worker; it prints the results and exits non-zero
on any server error (5xx) or any missing write. Mail goes to a small SMTP sink on loopback that
accepts and drops it.
"""

import argparse
import csv
import datetime
import json
import os
import re
import secrets
import shutil
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter, defaultdict
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST, PORT = "127.0.0.1", 8766
DOC = BASE_DIR / "docs" / "reliability.md"
SECTION = "## Load test"
LOAD_DOMAIN = "load.test"
EVENT_SLUG = "yuk-testi-programi"
EVENT_CAPACITY = 8
COUNTS = {"ngo_admin": 30, "staff": 12, "member": 30, "coordinator": 6}
SUBMITTED_NGOS = 15  # of the load NGOs: half submitted (amendments), half drafts


# --- a mail sink: accepts every message and drops it ------------------------------------------


class _SMTPHandler(socketserver.StreamRequestHandler):
    def handle(self):
        self.wfile.write(b"220 sink ESMTP\r\n")
        in_data = False
        for raw in self.rfile:
            line = raw.rstrip(b"\r\n")
            if in_data:
                if line == b".":
                    in_data = False
                    self.wfile.write(b"250 OK\r\n")
                continue
            verb = line[:4].upper()
            if verb in (b"EHLO", b"HELO"):
                self.wfile.write(b"250 sink\r\n")
            elif verb == b"DATA":
                in_data = True
                self.wfile.write(b"354 go ahead\r\n")
            elif verb == b"QUIT":
                self.wfile.write(b"221 bye\r\n")
                return
            else:
                self.wfile.write(b"250 OK\r\n")


class _SMTPSink(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


# --- the environment of the server and of this script ------------------------------------------


def server_env(database_url, smtp_port):
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_DEBUG", "DJANGO_TESTING")}
    env.update(
        {
            "DJANGO_SECRET_KEY": env.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DJANGO_HTTPS": "0",
            # Its accounts (demo and generated) have no second factor; the requirement itself is
            # tested in tests/portal/test_duties.py.
            "PORTAL_REQUIRE_2FA": "0",
            "DATABASE_URL": database_url,
            "EMAIL_HOST": HOST,
            "EMAIL_PORT": str(smtp_port),
            "DJANGO_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def manage(env, *args):
    subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=BASE_DIR, env=env, check=True)


# --- seeding (run in this process, with Django set up against the same database) -------------


def seed_load_data():
    """Extra NGO admins (one NGO each), members, municipal staff and coordinators for the
    virtual users, a programme with few seats, and a signed-in session for every account."""
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import transaction
    from django.utils import timezone

    from events.models import Event
    from municipalities.models import Municipality, MunicipalStaff, Province
    from ngos.models import NGO, LegalForm, Membership
    from portal.models import CoordinatorAssignment, PrivacyAcknowledgement, User
    from portal.turkish import tr_slugify
    from surveys.models import Campaign, Expectation, Submission

    erzurum = Province.objects.get(plate=25)
    erzurum_bb = Municipality.objects.get(province=erzurum, kind=Municipality.Kind.METROPOLITAN)
    campaign = Campaign.objects.get(code="2025")
    categories = list(campaign.categories.order_by("pk")[:5])
    password = make_password(secrets.token_urlsafe(16))  # one hash for every load account

    def person(role, n):
        email = f"{role}-{n:02d}@{LOAD_DOMAIN}"
        user, _ = User.objects.get_or_create(
            email=email, defaults={"full_name": f"Yük Testi {role} {n}", "password": password}
        )
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        PrivacyAcknowledgement.objects.get_or_create(
            user=user, version=settings.PRIVACY_NOTICE_VERSION
        )
        return user

    accounts = defaultdict(list)
    with transaction.atomic():
        for n in range(COUNTS["ngo_admin"]):
            name = f"Yük Testi Dayanışma Derneği {n:02d}"
            ngo, created = NGO.objects.get_or_create(
                slug=tr_slugify(name),
                defaults={
                    "name": name,
                    "legal_form": LegalForm.PLATFORM,
                    "province": erzurum,
                    "municipality": erzurum_bb,
                    "status": NGO.Status.VERIFIED,
                    "email": f"bilgi-{n}@{LOAD_DOMAIN}",
                },
            )
            admin = person("ngo-admin", n)
            Membership.objects.get_or_create(
                user=admin, ngo=ngo, defaults={"role": Membership.Role.ADMIN}
            )
            member = person("ngo-member", n)
            Membership.objects.get_or_create(
                user=member, ngo=ngo, defaults={"role": Membership.Role.MEMBER}
            )
            if created and n < SUBMITTED_NGOS:
                submission = Submission.objects.create(campaign=campaign, ngo=ngo, updated_by=admin)
                for rank, category in enumerate(categories, start=1):
                    Expectation.objects.create(
                        submission=submission,
                        rank=rank,
                        category=category,
                        title=f"Yük testi beklentisi {rank}",
                        description="Yük testi için oluşturulan beklenti.",
                        municipality=erzurum_bb,
                        hazard=category.hazard,
                    )
                Submission.objects.filter(pk=submission.pk).update(
                    status=Submission.Status.SUBMITTED,
                    submitted_at=timezone.now(),
                    submitted_by=admin,
                    receipt_number=f"{campaign.code.upper()}-{submission.pk:06d}",
                    version=2,
                )
                submission.items.update(is_case=True)  # an update() bypasses Submission.save
            accounts["ngo_admin"].append(
                {
                    "email": admin.email,
                    "ngo": ngo.slug,
                    "editor": f"/surveys/{campaign.code}/ngo/{ngo.slug}/",
                    "category": str(categories[n % len(categories)].pk),
                }
            )
            accounts["member"].append({"email": member.email})
        for n in range(COUNTS["staff"]):
            staff = person("staff", n)
            MunicipalStaff.objects.get_or_create(
                user=staff,
                municipality=erzurum_bb,
                defaults={"role": MunicipalStaff.Role.STAFF},
            )
            accounts["staff"].append({"email": staff.email})
        for n in range(COUNTS["coordinator"]):
            coordinator = person("coordinator", n)
            CoordinatorAssignment.objects.get_or_create(user=coordinator, subregion=None)
            accounts["coordinator"].append({"email": coordinator.email})
        start = datetime.datetime.combine(
            timezone.localdate() + datetime.timedelta(days=45),
            datetime.time(10, 0),
            tzinfo=timezone.get_current_timezone(),
        )
        Event.objects.get_or_create(
            slug=EVENT_SLUG,
            defaults={
                "title": "Yük Testi Programı",
                "subregion": erzurum.subregion,
                "host_province": erzurum,
                "host_municipality": erzurum_bb,
                "venue": "Yük Testi Salonu",
                "address": "Yakutiye, Erzurum",
                "starts_at": start,
                "ends_at": start.replace(hour=16),
                "registration_deadline": start - datetime.timedelta(days=2),
                "description": "Kapasitesi az bir program: kayıt ve iptal yükü için.",
                "capacity": EVENT_CAPACITY,
                "campaign": campaign,
                "state": Event.State.PLANNED,
            },
        )
        users = {u.email: u for u in User.objects.filter(email__endswith=f"@{LOAD_DOMAIN}")}
        for entries in accounts.values():
            for entry in entries:
                user = users[entry["email"]]
                session = SessionStore()
                session[SESSION_KEY] = str(user.pk)
                session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
                session[HASH_SESSION_KEY] = user.get_session_auth_hash()
                session.create()
                entry["session"] = session.session_key
    return {"accounts": dict(accounts), "event": EVENT_SLUG}


def snapshot_versions():
    from surveys.models import Submission

    return dict(
        Submission.objects.filter(ngo__slug__startswith="yuk-testi").values_list(
            "ngo__slug", "version"
        )
    )


def verify_writes(results, versions_before):
    """Check every recorded write against the database; returns (verified, problems)."""
    from events.models import Event, Registration, RegistrationStatus
    from surveys.models import ReviewEntry, Submission

    problems, verified = [], 0
    saves = defaultdict(list)
    registrations = {}
    for write in results:
        if write["kind"] == "submission":
            saves[write["ngo"]].append(write)
        elif write["kind"] == "answer":
            found = ReviewEntry.objects.filter(
                expectation_id=write["case"], text__contains=write["token"]
            ).count()
            if found == 1:
                verified += 1
            else:
                problems.append(f"answer {write['token']} on case {write['case']}: {found} rows")
        elif write["kind"] == "registration":
            registrations[(write["event"], write["user"])] = write
            verified += 1  # counted here, checked below against the final state
    submissions = {
        s.ngo.slug: s for s in Submission.objects.filter(ngo__slug__in=saves).select_related("ngo")
    }
    for slug, writes in saves.items():
        submission = submissions.get(slug)
        if submission is None:
            problems.append(f"submission of {slug}: missing")
            continue
        expected = versions_before.get(slug, 1) + len(writes)
        if submission.version < expected:
            problems.append(f"submission of {slug}: version {submission.version} < {expected}")
        last = writes[-1]
        item = submission.items.filter(rank=last["rank"]).first()
        if item is None or last["token"] not in item.title:
            problems.append(
                f"submission of {slug}: last save {last['token']} not in rank {last['rank']}"
            )
        verified += len(writes)
    seated = {RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED, "attended"}
    rows = {
        (r.event.slug, r.user.email): r.status
        for r in Registration.objects.filter(event__slug=EVENT_SLUG).select_related("event", "user")
    }
    for key, write in registrations.items():
        status = rows.get(key)
        wanted_seated = write["action"] == "register"
        if status is None or (status in seated) != wanted_seated:
            verified -= 1
            problems.append(f"registration of {key[1]}: last {write['action']}, status {status}")
    event = Event.objects.get(slug=EVENT_SLUG)
    taken = Registration.objects.filter(
        event=event, status__in=[RegistrationStatus.REGISTERED, "attended"]
    ).count()
    if taken > event.capacity:
        problems.append(f"programme overbooked: {taken} seats taken of {event.capacity}")
    return verified, problems


# --- running -----------------------------------------------------------------------------------


def wait_for_server(timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{PORT}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit("gunicorn did not answer /healthz within a minute")


def read_stats(prefix):
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
        rows = list(csv.DictReader(stats))
    total = next(row for row in rows if row["Name"] == "Aggregated")
    return {
        "requests": int(total["Request Count"]),
        "failures": int(total["Failure Count"]),
        "p50": total["50%"],
        "p95": total["95%"],
        "rps": float(total["Requests/s"]),
        "rows": rows,
    }


def count_statuses(access_log):
    statuses = Counter()
    for line in Path(access_log).read_text(encoding="utf-8", errors="replace").splitlines():
        match = re.search(r'" (\d{3}) ', line)
        if match:
            statuses[int(match.group(1))] += 1
    return statuses


def think_time():
    """The users' wait between requests (locust's ``between(low, high)`` in the locustfile)."""
    text = (BASE_DIR / "scripts" / "locustfile.py").read_text(encoding="utf-8")
    low, high = re.search(r"between\(([\d.]+),\s*([\d.]+)\)", text).groups()
    return float(low), float(high)


def write_doc(
    command, users, duration, stats, statuses, verified, writes_by_kind, database, workers
):
    server_errors = sum(n for code, n in statuses.items() if code >= 500)
    lines = [
        SECTION,
        "",
        "A locust run on loopback against gunicorn with production settings, followed by a count",
        "in the database of every write that got a success response (`scripts/loadtest.py`,",
        "users in `scripts/locustfile.py`: NGO admins saving and amending their five",
        "expectations, municipal staff answering cases, NGO members registering for and",
        "cancelling at a programme with few seats, coordinators reading reports). The virtual",
        "users start with sessions prepared by the script (log-in itself is rate-limited per",
        "address by allauth); a registration or cancellation is timed with the page it redirects",
        "to, as the message on that page says whether it succeeded.",
        "",
        "```",
        command,
        "```",
        "",
        f"Last full run: {datetime.datetime.now(datetime.UTC):%Y-%m-%d}, {users} users for "
        f"{duration} on {database}, {os.cpu_count()} CPU cores, gunicorn {workers} workers.",
        "",
        "| measure | result |",
        "|---|---|",
        f"| requests | {stats['requests']} ({stats['rps']:.1f}/s) |",
        f"| failures (locust) | {stats['failures']} |",
        f"| server errors (5xx, gunicorn access log) | {server_errors} |",
        f"| median response time (p50) | {stats['p50']} ms |",
        f"| 95th percentile (p95) | {stats['p95']} ms |",
        f"| writes with a success response, all found in the database | {verified} "
        f"({', '.join(f'{k}: {n}' for k, n in sorted(writes_by_kind.items()))}) |",
        "",
        "| request | count | failures | p50 ms | p95 ms |",
        "|---|---|---|---|---|",
    ]
    for row in stats["rows"]:
        if row["Name"] != "Aggregated":
            lines.append(
                f"| {row['Type']} {row['Name']} | {row['Request Count']} | "
                f"{row['Failure Count']} | {row['50%']} | {row['95%']} |"
            )
    # locust's elapsed time is its requests over its rate.
    served = sum(statuses.values()) * stats["rps"] / max(stats["requests"], 1)
    low, high = think_time()
    offered = users / ((low + high) / 2)
    lines += [
        "",
        f"How to read it: gunicorn answered {served:.1f} HTTP requests a second (redirects "
        f"included), the load generator, the app server and PostgreSQL sharing the "
        f"{os.cpu_count()} cores. {users} users waiting {low:g}–{high:g} s between requests "
        f"ask for about {offered:.0f} a second when answers are instant, more than these cores "
        "serve, so requests queue and the times above are mostly waiting in line; each page "
        "alone answers in tens of milliseconds (docs/performance.md). The run shows behaviour "
        "under overload: no errors, nothing lost.",
    ]
    lines.append("")
    section = "\n".join(lines)
    DOC.parent.mkdir(parents=True, exist_ok=True)
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Reliability\n"
    start = text.find(SECTION + "\n")
    if start >= 0:
        end = text.find("\n## ", start + len(SECTION))
        text = text[:start] + section + (text[end + 1 :] if end >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    DOC.write_text(text, encoding="utf-8")


WORKERS_FULL = 4


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--short", action="store_true", help="10 users for 20 seconds (CI)")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help=f"gunicorn workers (default: 1 on SQLite, {WORKERS_FULL} on PostgreSQL)",
    )
    args = parser.parse_args()
    users, rate, duration = (10, 5, "20s") if args.short else (50, 10, "2m")
    seconds = 20 if args.short else 120

    database_url = os.environ.get("DATABASE_URL", "")
    workdir = Path(tempfile.mkdtemp(prefix="loadtest-"))
    cluster = None
    if not database_url.startswith("postgres"):
        if args.short:
            database_url = f"sqlite:///{workdir / 'load.sqlite3'}"
        else:
            # The benchmark's own PostgreSQL cluster (.bench/pg), in a database of its own.
            sys.path.insert(0, str(BASE_DIR / "scripts"))
            import bench

            cluster = bench.Postgres()
            cluster.start()
            database_url = cluster.url(bench.LOAD_DB)
    try:
        return run(args, users, rate, duration, seconds, database_url, workdir)
    finally:
        if cluster is not None:
            cluster.stop()


def run(args, users, rate, duration, seconds, database_url, workdir):
    workers = args.workers or (1 if database_url.startswith("sqlite") else WORKERS_FULL)

    sink = _SMTPSink((HOST, 0), _SMTPHandler)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    env = server_env(database_url, sink.server_address[1])
    os.environ.update(env)
    for name in ("DJANGO_DEBUG", "DJANGO_TESTING"):
        os.environ.pop(name, None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "portal.settings"

    print(f"· database {database_url.split('@')[-1]}, {workers} gunicorn worker(s)", flush=True)
    manage(env, "migrate", "--noinput", "--verbosity", "0")
    manage(env, "collectstatic", "--noinput", "--verbosity", "0")

    sys.path.insert(0, str(BASE_DIR))
    import django

    django.setup()
    from django.db import connections

    from portal.models import User

    if not User.objects.filter(email="coordinator@demo.test").exists():
        manage(env, "seed_demo")
    sessions = seed_load_data()
    versions_before = snapshot_versions()
    connections.close_all()
    sessions_file, results_file = workdir / "sessions.json", workdir / "results.jsonl"
    sessions_file.write_text(json.dumps(sessions), encoding="utf-8")
    results_file.write_text("", encoding="utf-8")
    access_log = workdir / "access.log"

    gunicorn = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "portal.wsgi",
            "--bind",
            f"{HOST}:{PORT}",
            "--workers",
            str(workers),
            "--timeout",
            "60",
            "--access-logfile",
            str(access_log),
            "--error-logfile",
            str(workdir / "error.log"),
        ],
        cwd=BASE_DIR,
        env=env,
    )
    try:
        wait_for_server()
        prefix = str(workdir / "locust")
        command = [
            str(BIN / "locust"),
            "-f",
            "scripts/locustfile.py",
            "--headless",
            "-u",
            str(users),
            "-r",
            str(rate),
            "-t",
            duration,
            "--host",
            f"http://{HOST}:{PORT}",
            "--csv",
            prefix,
            "--only-summary",
            "--stop-timeout",
            "10",
            "--loglevel",
            "WARNING",
        ]
        locust_env = {
            **env,
            "LOADTEST_SESSIONS": str(sessions_file),
            "LOADTEST_RESULTS": str(results_file),
        }
        print("· " + " ".join(command[1:]), flush=True)
        subprocess.run(command, cwd=BASE_DIR, env=locust_env, timeout=seconds + 120, check=False)
    finally:
        gunicorn.terminate()
        try:
            gunicorn.wait(timeout=30)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
        sink.shutdown()

    stats = read_stats(prefix)
    statuses = count_statuses(access_log)
    results = [json.loads(line) for line in results_file.read_text("utf-8").splitlines() if line]
    writes_by_kind = Counter(write["kind"] for write in results)
    verified, problems = verify_writes(results, versions_before)
    server_errors = sum(n for code, n in statuses.items() if code >= 500)

    print(
        f"requests {stats['requests']} ({stats['rps']:.1f}/s), failures {stats['failures']}, "
        f"p50 {stats['p50']} ms, p95 {stats['p95']} ms"
    )
    print(f"status codes: {dict(sorted(statuses.items()))}")
    print(f"writes with a success response: {dict(writes_by_kind)}; verified {verified}")
    for problem in problems:
        print(f"MISSING: {problem}")
    if server_errors:
        print(f"SERVER ERRORS: {server_errors}; see {workdir / 'error.log'}")
    if not args.short and not server_errors and not problems:
        database = "PostgreSQL " + str(connections["default"].pg_version // 10000)
        write_doc(
            ".venv/bin/python scripts/loadtest.py  # DATABASE_URL=postgres://…, else .bench/pg",
            users,
            "2 minutes",
            stats,
            statuses,
            verified,
            writes_by_kind,
            database,
            workers,
        )
        print(f"results written to {DOC.relative_to(BASE_DIR)}")
    failed = bool(server_errors or problems or not results)
    if not failed:
        shutil.rmtree(workdir, ignore_errors=True)
    else:
        print(f"logs kept in {workdir}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
