"""The portal's benchmark (``make bench``) and its CI smoke version (``--smoke``).

Full run: uses DATABASE_URL, or starts a PostgreSQL cluster of its own under .bench/pg on
127.0.0.1:54340; migrates and loads the national data once (``seed_demo --scale national``,
reused when present) and a demo-size database beside it; serves the portal with gunicorn
(production settings, 3 workers) on 127.0.0.1:8765 and measures from this process over loopback:
each page's median and p95 latency and throughput at 1 and 8 concurrent clients, logged in as the
page's role; each page's SQL query count at demo and national size (scripts/bench_queries.py, one
process per database); the ratios to /healthz (the ceiling), of the national Borda report to its
raw SQL (the floor) and of the review inbox to the admin changelist; and the national CSV export's
time and the peak memory of the worker that served it. Writes docs/performance.md and
docs/bench-results.json, and stops what it started, even on error.

--compare REF: the current tree and the commit REF (a detached worktree under .bench/) are
served side by side by two gunicorns from the same national database and measured in the same
run, page by page, in alternating rounds; writes docs/bench-compare.md and .json (ratios).
REF must be able to read the current schema (no column it needs removed since).

--smoke (CI): demo size only, on DATABASE_URL or a SQLite file under .bench/, each page requested
a few times through the Django test Client; prints the query counts and exits non-zero if a page
does not answer as expected. Writes nothing under docs/.
"""

import argparse
import datetime
import http.client
import json
import os
import platform
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from http.cookies import SimpleCookie
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BENCH_DIR = BASE_DIR / ".bench"
PYTHON = sys.executable
PG_PORT = 54340
HOST, PORT = "127.0.0.1", 8765
WORKERS = 3
PASSWORD = "demo-pass-2025"  # noqa: S105 (the published demo password)
NATIONAL_DB, DEMO_DB = "portal_national", "portal_demo"
LOAD_DB = "portal_load"  # the full load test's (scripts/loadtest.py)
TARGET_P95_MS = 150
TARGET_EXPORT_MB = 200
CLEAR_FIGURES = "from django.core.cache import caches; caches['reports'].clear()"


# What the benchmark led to, and what is left (shown under "Notes" in docs/performance.md).
NOTES = [
    "Fixed after the first run: the review inbox (and the coordinators' list of cases) sorted "
    "every submitted submission by date on each view; a partial index "
    "`submission_submitted_newest` (surveys migration 0003) lets PostgreSQL walk the newest "
    "submissions first. The inbox's paginator now takes its row count from the status tabs' "
    "aggregate instead of a COUNT(*) of its own (one query less).",
    "Query counts do not depend on the data size; the report pages' counts are those of a "
    "computation (cache emptied, six of them the cache's read and write); from the cache they "
    "run 10 or 11 queries.",
    "Select elements are written by portal/form_renderer.py instead of one template include "
    "per option (the inbox and directory filters carry hundreds of options: about a third of "
    "those pages' time before); the inbox's status tabs are counted from a partial covering "
    "index of the cases alone (`Expectation.is_case`, surveys migrations 0005-0006), without "
    "joining the submissions.",
    "A report's computation at national scope takes seconds (see above); its figures are "
    "shared by every worker, served while computed again in the background, and computed "
    "ahead by `manage.py warm_reports`. With DATABASE_REPLICA_URL the computations run on "
    "the replica.",
    "The national data is generated in bulk (COPY) by `seed_demo --scale national`; its "
    "progress and the time of each stage go to stderr.",
    "This machine is a shared virtual machine whose speed changes from hour to hour (the same"
    " `/healthz` took 1.2 ms in one run and 2.3 ms in another on 2026-11-25): compare runs by"
    " the × ceiling column too. The filtered inbox of İstanbul Büyükşehir (40,000 cases on "
    "one municipality, more than any real one receives) is the page closest to the target.",
    # Issue 20: where the time goes (cProfile through the test Client on the national data,
    # 10–20 requests, top lines by own time; "in-process" = medians through the test Client).
    "Profile, review inbox (issue 20): 31 % SQL; of the rest, templates 1.46 s of 2.03 s over "
    "20 requests — `_resolve_lookup` 33,800 calls, 400 model instances a request, crispy's "
    "`bootstrap5/field.html` about 0.9 ms for each of its 16 fields; the list query spends 4.5–5 "
    "ms planning its 10 joins against 1.5–2.5 ms executing. Done: labels translated once per "
    "page, no theme join, long columns deferred.",
    "Profile, whom to call (issue 20): before, the ranking query hashed all 100,000 NGOs per "
    "parallel worker (144 ms), then the NGOs-in-reach query 36 ms; 540 model instances and "
    "2,900 gettext calls a request from get_FOO_display. Done: the NGOs within reach through "
    "id subqueries and a (province, id) index (4 ms), each candidate's lines written once with "
    "the labels read once: 75 → 49 ms in-process.",
    "Profile, national report from the cache (issue 20): `portal.turkish.sort_key` 2,700 calls "
    "and `reverse()` 3,000 calls a request (a quarter and a tenth of its time). Done: sort keys "
    "cached per process, municipality links from one reversed URL: 94 → 46 ms in-process.",
    "Report figures from scratch (issue 20): before, twelve aggregates over 400,000 "
    "expectations joined to their submissions, NGOs, municipalities and categories took "
    "0.15–0.96 s each (3.3 s for the national report; JIT compilation alone 120 ms of a "
    "responsiveness query, its dispute check 190,000 index probes). Now: one narrow copy of "
    "the cases kept by the worker every minute (an upsert that writes only changed cases, "
    "about 1.4 s per campaign), the top fives, the sub-regions' top fives and the hazard shares "
    "summed from one query of Borda points, responsiveness counted once by municipality and "
    "summed up, participation by province summed up, the example titles from a (campaign, "
    "category, rank) index, and the medians (not sums: PostgreSQL's PERCENTILE_CONT sorts every "
    "answered case, about 35 ms a grouping, and cannot be split between parallel workers) "
    "written with the copy; a filtered report computes its medians in one UNION ALL query whose "
    "branches the parallel workers run side by side, and counts the NGOs of a legal form from a "
    "partial index.",
]


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def run(command, *, env=None, capture=False, check=True, cwd=BASE_DIR):
    """Run a command (a list), inheriting stderr; its stdout when ``capture``."""
    result = subprocess.run(
        command,
        cwd=cwd,
        env=env,
        check=check,
        text=True,
        stdout=subprocess.PIPE if capture else None,
    )
    return result.stdout if capture else None


def environment(database_url, **extra):
    env = dict(os.environ)
    env.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SECRET_KEY": env.get("DJANGO_SECRET_KEY") or secrets.token_urlsafe(40),
            "DJANGO_ALLOWED_HOSTS": HOST,
            "DJANGO_HTTPS": "0",
            # Its accounts (demo and generated) have no second factor; the requirement itself is
            # tested in tests/portal/test_duties.py.
            "PORTAL_REQUIRE_2FA": "0",
            "DATABASE_CONN_MAX_AGE": "600",
            # The API's per-address rate limit (120 a minute) would answer the bench's
            # hundreds of requests from one address with 429s.
            "API_RATE_LIMIT_ANONYMOUS": "1000000",
            # The reports' copy of the cases is made once before measuring, as the worker does
            # every minute (its time is measured: --figures); without a worker here, a copy
            # older than the default minute would be made again while a page waits.
            "REPORT_FACTS_MAX_AGE": "86400",
        }
    )
    env.pop("DJANGO_DEBUG", None)
    env.update(extra)
    return env


def manage(env, *arguments, capture=False):
    return run([PYTHON, "manage.py", *arguments], env=env, capture=capture)


def probe(env, *arguments):
    output = run([PYTHON, "scripts/bench_queries.py", *arguments], env=env, capture=True)
    return json.loads(output)


# --- PostgreSQL --------------------------------------------------------------------------------


class Postgres:
    """A throw-away PostgreSQL cluster under .bench/pg, run as the postgres user."""

    def __init__(self):
        self.data = BENCH_DIR / "pg"
        self.started = False

    def _as_postgres(self, command):
        run(["su", "postgres", "-c", command])

    def _bin(self, name):
        found = shutil.which(name)
        if found:
            return found
        candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
        if not candidates:
            raise SystemExit(f"{name} not found: install PostgreSQL or set DATABASE_URL.")
        return str(candidates[-1])

    def start(self):
        BENCH_DIR.mkdir(exist_ok=True)
        if not (self.data / "PG_VERSION").exists():
            self.data.mkdir(parents=True, exist_ok=True)
            shutil.chown(self.data, "postgres", "postgres")
            log("initdb .bench/pg")
            self._as_postgres(
                f"{self._bin('initdb')} -D {self.data} -U postgres --auth=trust -E UTF8 "
                "--locale=C.UTF-8 >/dev/null"
            )
        # The bench's own settings: memory for a 2-core machine, no waiting on WAL flushes.
        options = (
            f"-p {PG_PORT} -k /tmp -c listen_addresses={HOST} -c shared_buffers=512MB "
            "-c work_mem=32MB -c maintenance_work_mem=256MB -c synchronous_commit=off "
            "-c max_wal_size=4GB -c effective_cache_size=2GB -c random_page_cost=1.1"
        )
        running = subprocess.run(
            ["su", "postgres", "-c", f"{self._bin('pg_ctl')} -D {self.data} status"],
            capture_output=True,
            check=False,
        )
        if running.returncode == 0:
            log("PostgreSQL of .bench/pg already running: used, and left running")
            self._databases()
            return
        log(f"starting PostgreSQL on {HOST}:{PG_PORT}")
        self._as_postgres(
            f"{self._bin('pg_ctl')} -D {self.data} -o '{options}' "
            f"-l {self.data / 'server.log'} -w start >/dev/null"
        )
        self.started = True
        self._databases()

    def _databases(self):
        for name in (NATIONAL_DB, DEMO_DB, LOAD_DB):
            exists = subprocess.run(
                ["psql", "-h", HOST, "-p", str(PG_PORT), "-U", "postgres", "-tAc",
                 f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
                capture_output=True, text=True, check=True,
            ).stdout.strip()  # fmt: skip
            if not exists:
                run(["createdb", "-h", HOST, "-p", str(PG_PORT), "-U", "postgres", name])

    def url(self, name):
        return f"postgres://postgres@{HOST}:{PG_PORT}/{name}"

    def stop(self):
        if self.started:
            log("stopping PostgreSQL")
            self._as_postgres(f"{self._bin('pg_ctl')} -D {self.data} -m fast -w stop >/dev/null")
            self.started = False


def database_urls(pg):
    """(national URL, demo URL): DATABASE_URL's server (a second database named after it for
    the demo size), else the bench's own cluster."""
    given = os.environ.get("DATABASE_URL")
    if given:
        parts = urllib.parse.urlsplit(given)
        demo = parts._replace(path=parts.path.rstrip("/") + "_demo").geturl()
        if parts.scheme.startswith("postgres"):
            database = parts.path.lstrip("/")
            subprocess.run(
                ["createdb", "-h", parts.hostname or HOST, "-p", str(parts.port or 5432),
                 "-U", parts.username or "postgres", f"{database}_demo"],
                capture_output=True, check=False,
                env={**os.environ, "PGPASSWORD": parts.password or ""},
            )  # fmt: skip
        return given, demo
    pg.start()
    return pg.url(NATIONAL_DB), pg.url(DEMO_DB)


def postgres_version(env):
    output = run(
        [PYTHON, "-c", "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
         "'portal.settings'); django.setup(); from django.db import connection; "
         "c = connection.cursor(); c.execute('SHOW server_version'); print(c.fetchone()[0])"],
        env=env, capture=True,
    )  # fmt: skip
    return output.strip()


# --- HTTP --------------------------------------------------------------------------------------


class Session:
    """One keep-alive connection with a session cookie."""

    def __init__(self, cookies=None, port=PORT):
        self.cookies = dict(cookies or {})
        self.port = port
        self.connection = http.client.HTTPConnection(HOST, port, timeout=120)

    def request(self, method, path, body=None, headers=None, *, read=True):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=body, headers=headers)
                response = self.connection.getresponse()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                self.connection.close()
                self.connection = http.client.HTTPConnection(HOST, self.port, timeout=120)
                if attempt:
                    raise
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        data = response.read() if read else response
        return response.status, data

    def close(self):
        self.connection.close()


def login(email):
    """The session cookies of ``email``, from allauth's login form."""
    session = Session()
    status, page = session.request("GET", "/accounts/login/")
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    body = urllib.parse.urlencode(
        {"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    status, _page = session.request(
        "POST",
        "/accounts/login/",
        body=body,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://{HOST}:{PORT}/accounts/login/",
        },
    )
    if status != 302 or "sessionid" not in session.cookies:
        raise SystemExit(f"Could not log in as {email} (status {status}).")
    session.close()
    return {k: v for k, v in session.cookies.items() if k in ("sessionid", "csrftoken")}


def percentile(samples, fraction):
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def measure(path, cookies, *, requests, clients, port=PORT):
    """Latencies (ms) and throughput of ``requests`` GETs spread over ``clients`` threads."""
    latencies, statuses, lock = [], [], threading.Lock()
    per_client = [
        requests // clients + (1 if i < requests % clients else 0) for i in range(clients)
    ]

    def worker(count):
        session = Session(cookies, port)
        for _n in range(count):
            started = time.perf_counter()
            status, _data = session.request("GET", path)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                latencies.append(elapsed)
                statuses.append(status)
        session.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in per_client]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {
        "requests": requests,
        "clients": clients,
        "median_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "max_ms": round(max(latencies), 1),
        "throughput_rps": round(requests / wall, 1),
        "statuses": sorted(set(statuses)),
    }


# --- Gunicorn ----------------------------------------------------------------------------------


class Gunicorn:
    def __init__(self, env, *, port=PORT, tree=BASE_DIR):
        self.env = env
        self.port = port
        self.tree = tree
        self.process = None

    def start(self):
        log(f"gunicorn on {HOST}:{self.port} with {WORKERS} workers ({self.tree})")
        self.process = subprocess.Popen(
            [PYTHON, "-m", "gunicorn", "portal.wsgi", "--bind", f"{HOST}:{self.port}",
             "--workers", str(WORKERS), "--timeout", "300", "--log-level", "warning"],
            cwd=self.tree, env=self.env,
        )  # fmt: skip
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _body = Session(port=self.port).request("GET", "/healthz")
                if status == 200 and len(self.workers()) >= WORKERS:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        raise SystemExit("gunicorn did not start.")

    def workers(self):
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def stop(self):
        if self.process and self.process.poll() is None:
            log("stopping gunicorn")
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


def rss_mb(pid):
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def measure_export(server, cookies, path):
    """Download the export; sample every worker's RSS every 50 ms meanwhile."""
    workers = server.workers()
    before = {pid: rss_mb(pid) for pid in workers}
    peak = dict(before)
    done = threading.Event()

    def sample():
        while not done.is_set():
            for pid in workers:
                peak[pid] = max(peak[pid], rss_mb(pid))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample)
    sampler.start()
    session = Session(cookies)
    started = time.perf_counter()
    try:
        status, response = session.request("GET", path, read=False)
        size = 0
        while chunk := response.read(65536):
            size += len(chunk)
    finally:
        elapsed = time.perf_counter() - started
        done.set()
        sampler.join()
        session.close()
    grown = max(workers, key=lambda pid: peak[pid] - before[pid])
    return {
        "path": path,
        "status": status,
        "seconds": round(elapsed, 2),
        "megabytes": round(size / 1e6, 1),
        "rows": None,
        "worker_rss_before_mb": round(before[grown], 1),
        "worker_peak_rss_mb": round(peak[grown], 1),
    }


# --- The machine -------------------------------------------------------------------------------


def machine(pg_version):
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {
        "nproc": os.cpu_count(),
        "ram_gb": ram,
        "cpu": cpu,
        "postgresql": pg_version,
        "python": platform.python_version(),
        "os": platform.platform(),
    }


# --- The report --------------------------------------------------------------------------------


def write_report(results):
    docs = BASE_DIR / "docs"
    docs.mkdir(exist_ok=True)
    (docs / "bench-results.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    m = results["machine"]
    seeding = results.get("migrate_and_seed_seconds", {})
    ceiling = results["pages"]["healthz"]["one_client"]["median_ms"]
    lines = [
        "# Performance",
        "",
        "Written by `scripts/bench.py` (`make bench`); the raw figures are in "
        "[bench-results.json](bench-results.json). Do not edit by hand: run the benchmark again.",
        "",
        f"- **Date:** {results['date']}",
        f"- **Command:** `{results['command']}`",
        f"- **Machine:** {m['nproc']} CPUs ({m['cpu']}), {m['ram_gb']} GB RAM, "
        f"PostgreSQL {m['postgresql']}, Python {m['python']}",
        f"- **Server:** gunicorn, {WORKERS} sync workers, production settings, the client on "
        "loopback in a second process; keep-alive connections, one login per role.",
        f"- **Data:** {results['data']}",
        f"- **Migrate and seed** (seconds; a few when the data was already there): "
        f"demo {seeding.get('demo', '—')}, national {seeding.get('national', '—')}. "
        "A fresh national load "
        "(`migrate` + `seed_demo --scale national`) took 2 min 13 s on this machine when "
        "otherwise idle (2026-11-25).",
        f"- **Load average** (1, 5, 15 min) when the measures started: "
        f"{', '.join(map(str, results['load_average']['start']))}; at the end: "
        f"{', '.join(map(str, results['load_average']['end']))} (other work on the machine "
        "shares its 2 cores and slows every figure).",
        "",
        "## Pages",
        "",
        f"{results['requests_one']} requests per page at 1 client, {results['requests_eight']} "
        "at 8 clients. *Ceiling* is the page's median divided by the median of `/healthz` (one "
        "query, no template) on the same server. *Queries* are counted by the Django test "
        "Client on the demo-size and the national database (the cache cleared first, so report "
        "figures are computed, not read from the cache).",
        "",
        "| page | role | 1 client median ms | 1 client p95 ms | p95 < 150 ms | 8 clients "
        "median ms | 8 clients p95 ms | req/s at 8 | × ceiling | queries demo | queries "
        "national | equal |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, page in results["pages"].items():
        one, eight = page["one_client"], page["eight_clients"]
        queries = results["queries"].get(name, {})
        demo_q, national_q = queries.get("demo"), queries.get("national")
        equal = "—" if demo_q is None else ("yes" if demo_q == national_q else "**no**")
        if name in ("healthz", "admin_changelist"):
            ok = "(reference)"
        else:
            ok = "yes" if one["p95_ms"] < TARGET_P95_MS else "**no**"
        lines.append(
            f"| {page['label']} | {page['role']} | {one['median_ms']} | {one['p95_ms']} | {ok} "
            f"| {eight['median_ms']} | {eight['p95_ms']} | {eight['throughput_rps']} "
            f"| {one['median_ms'] / ceiling:.1f} | {demo_q if demo_q is not None else '—'} "
            f"| {national_q if national_q is not None else '—'} | {equal} |"
        )
    cold = results.get("cold_ms", {})
    if cold:
        lines += [
            "",
            "Report pages and the public statistics keep their figures in the shared reports "
            "cache (a database table, or Redis with `REDIS_URL`) and compute them again in the "
            "background once they are two (statistics: five) minutes old, serving the old ones "
            "meanwhile (reports/services/figures_cache.py). Only figures never computed make "
            "someone wait; the benchmark empties that cache first, so the first request of each of "
            "these pages computes them: "
            + ", ".join(f"{results['pages'][k]['label']} {v} ms" for k, v in cold.items())
            + ".",
        ]
    figures = results.get("figures")
    if figures:
        copies = ", ".join(
            f"campaign {copy['campaign']}: {copy['cases']:,} cases in {copy['ms'] / 1000:.1f} s"
            for copy in figures["copies"]
        )
        lines += [
            "",
            "### Report figures from scratch",
            "",
            "A report's figures are aggregates over the reports' copy of the cases "
            "(`reports.CaseFact`, one narrow row per case, with the medians of every "
            "municipality, province and sub-region written beside it), which the task worker "
            f"makes again every minute (reports/services/facts.py): {copies}. Computed from it "
            "with nothing cached (`reports.services.tables._compute`, in-process, 5 runs; target "
            "≤ 300 ms at national scope):",
            "",
            "| report | median ms | p95 ms | ≤ 300 ms |",
            "|---|---|---|---|",
        ]
        for label, timing in figures["from_scratch"].items():
            met = "yes" if timing["p95_ms"] <= 300 else "**no**"
            lines.append(f"| {label} | {timing['median_ms']} | {timing['p95_ms']} | {met} |")
    warm = results.get("warm_reports")
    if warm:
        lines += [
            "",
            f"`manage.py warm_reports` (nation and 17 sub-regions in both languages, and the "
            f"public statistics; run after a deployment and hourly) took {warm['seconds']} s on "
            f"the national data; the national report page's first request after it took "
            f"{warm['first_request_ms']} ms.",
        ]
    borda, inbox, export = results["borda"], results["inbox_vs_admin"], results["export"]
    targets = results["targets"]
    lines += [
        "",
        "## Ratios and the export",
        "",
        "| measure | figure | target | met |",
        "|---|---|---|---|",
        f"| National Borda report (ORM, `reports.services.figures.borda`) vs its raw SQL query, "
        f"median of {borda['orm']['runs']} runs in-process | {borda['orm']['median_ms']} ms vs "
        f"{borda['raw_sql']['median_ms']} ms = **{borda['ratio']}×** | ≤ 2× | "
        f"{_yes(targets['borda_within_2x'])} |",
        f"| Review inbox vs the admin changelist of Expectation, same municipality, median at "
        f"1 client | {inbox['inbox_median_ms']} ms vs {inbox['admin_median_ms']} ms = "
        f"**{inbox['ratio']}×** | < 1× | {_yes(targets['inbox_faster_than_admin'])} |",
        f"| CSV export of every 2025 expectation (national coordinator): "
        f"{export['megabytes']} MB in {export['seconds']} s | worker peak RSS "
        f"**{export['worker_peak_rss_mb']} MB** (before: {export['worker_rss_before_mb']} MB) "
        f"| < {TARGET_EXPORT_MB} MB | {_yes(targets['export_under_200mb'])} |",
        f"| Every page p95 < {TARGET_P95_MS} ms at 1 client | "
        f"{', '.join(targets['slow_pages']) or 'all pass'} | all | "
        f"{_yes(targets['all_pages_p95'])} |",
        f"| Query counts equal at demo and national size | "
        f"{', '.join(targets['unequal_queries']) or 'all equal'} | all | "
        f"{_yes(targets['queries_equal'])} |",
        "",
        "The raw SQL floor of the Borda report:",
        "",
        "```sql",
        borda["sql"],
        "```",
    ]
    notes = results.get("notes") or []
    if notes:
        lines += ["", "## Notes", ""] + [f"- {note}" for note in notes]
    (docs / "performance.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _yes(value):
    return "yes" if value else "**no**"


# --- Runs --------------------------------------------------------------------------------------


def smoke():
    """Demo size, the test Client, a few requests per page; non-zero exit if one fails."""
    given = os.environ.get("DATABASE_URL")
    if given:
        url = given
    else:
        BENCH_DIR.mkdir(exist_ok=True)
        url = f"sqlite:///{BENCH_DIR / 'smoke.sqlite3'}"
    env = environment(url, DJANGO_DEBUG="1")
    log(f"smoke: migrate and seed the demo data ({url.split('@')[-1]})")
    manage(env, "migrate", "--noinput", "-v", "0")
    manage(env, "seed_demo")
    results = probe(env, "--queries", "3")["queries"]
    failed = [name for name, page in results.items() if not page["ok"]]
    for name, page in results.items():
        mark = "ok " if page["ok"] else "FAIL"
        print(f"{mark} {name:<18} {page['status']} {page['queries']:>3} queries  {page['path']}")
    # The counts of the last full run at national size, for comparison (a difference is only
    # reported: a deliberate change of a page's queries shows here until the next full run).
    recorded = BASE_DIR / "docs" / "bench-results.json"
    if recorded.exists():
        national = json.loads(recorded.read_text(encoding="utf-8")).get("queries", {})
        differ = [
            f"{name} ({page['queries']} here, {national[name]['national']} national)"
            for name, page in results.items()
            if name in national and national[name]["national"] != page["queries"]
        ]
        print(
            "Query counts differ from the last national run: " + ", ".join(differ)
            if differ
            else "Query counts equal those of the last national run (docs/bench-results.json)."
        )
    if failed:
        print(f"Pages failing: {', '.join(failed)}", file=sys.stderr)
        return 1
    print(f"All {len(results)} pages answered; query counts above.")
    return 0


def full(options):
    pg = Postgres()
    server = None
    try:
        national_url, demo_url = database_urls(pg)
        national, demo = environment(national_url), environment(demo_url)
        seeding = {}
        for env, label, scale in ((demo, "demo", "demo"), (national, "national", "national")):
            log(f"{label} database: migrate and seed (reused when present)")
            started = time.perf_counter()
            manage(env, "migrate", "--noinput", "-v", "0")
            manage(env, "seed_demo", "--scale", scale, "--factor", str(options.factor))
            seeding[label] = round(time.perf_counter() - started, 1)
        run([PYTHON, "-c", "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
             "'portal.settings'); django.setup(); from django.db import connection; "
             "connection.cursor().execute('VACUUM ANALYZE')"], env=national)  # fmt: skip
        log("collectstatic")
        manage(national, "collectstatic", "--noinput", "-v", "0")
        log("query counts at demo and national size")
        demo_probe = probe(demo, "--queries", "1")
        national_probe = probe(
            national, "--targets", "--figures", "5", "--queries", "1", "--borda", "30"
        )
        targets = national_probe["targets"]
        server = Gunicorn(national)
        server.start()
        load_start = [round(x, 2) for x in os.getloadavg()]
        sessions = {}
        for target in targets:
            if target["email"] and target["email"] not in sessions:
                sessions[target["email"]] = login(target["email"])
        # Each report page first (once per worker), so that a worker's first request (its
        # templates compiled, its catalogues read) is not counted as the computation's; then
        # the figures kept in a table of the database (the "reports" cache) are emptied, so
        # that the first request of each report page shows the cost of a computation.
        for target in targets:
            if target["name"].startswith("report") or target["name"] == "statistics":
                for _worker in range(WORKERS):
                    Session(sessions.get(target["email"], {})).request("GET", target["path"])
        manage(national, "shell", "-c", CLEAR_FIGURES)
        pages, cold = {}, {}
        everyone = [
            {"name": "healthz", "label": "/healthz (ceiling)", "email": None, "path": "/healthz"}
        ]
        for target in everyone + targets:
            cookies = sessions.get(target["email"], {})
            started = time.perf_counter()
            status, _body = Session(cookies).request("GET", target["path"])
            first = round((time.perf_counter() - started) * 1000, 1)
            if target["name"].startswith("report") or target["name"] == "statistics":
                cold[target["name"]] = first
            measure(target["path"], cookies, requests=WORKERS * 3, clients=WORKERS)  # warm-up
            log(f"measuring {target['name']} {target['path']}")
            pages[target["name"]] = {
                "label": target["label"],
                "path": target["path"],
                "role": _role(target["email"]),
                "first_request_status": status,
                "one_client": measure(
                    target["path"], cookies, requests=options.requests, clients=1
                ),
                "eight_clients": measure(
                    target["path"], cookies, requests=options.requests_eight, clients=8
                ),
            }
        coordinator = sessions["coordinator@demo.test"]
        log("manage.py warm_reports, then the national report's first request")
        manage(national, "shell", "-c", CLEAR_FIGURES)
        started = time.perf_counter()
        manage(national, "warm_reports", "-v", "0")
        warm_seconds = round(time.perf_counter() - started, 1)
        nation = next(t for t in targets if t["name"] == "report_nation")
        started = time.perf_counter()
        Session(sessions[nation["email"]]).request("GET", nation["path"])
        warm = {
            "seconds": warm_seconds,
            "first_request_ms": round((time.perf_counter() - started) * 1000, 1),
        }
        log("CSV export of every 2025 expectation")
        export = measure_export(
            server, coordinator, "/surveys/export/expectations.csv?campaign=2025"
        )
        queries = {
            name: {
                "demo": demo_probe["queries"].get(name, {}).get("queries"),
                "national": page["queries"],
                "status_demo": demo_probe["queries"].get(name, {}).get("status"),
                "status_national": page["status"],
            }
            for name, page in national_probe["queries"].items()
        }
        inbox_ms = pages["inbox"]["one_client"]["median_ms"]
        admin_ms = pages["admin_changelist"]["one_client"]["median_ms"]
        # The ceiling and the admin changelist are references, not pages of the portal.
        slow = [
            n
            for n, p in pages.items()
            if n not in ("healthz", "admin_changelist")
            and p["one_client"]["p95_ms"] >= TARGET_P95_MS
        ]
        unequal = [n for n, q in queries.items() if q["demo"] != q["national"]]
        failed = [
            n
            for n, p in pages.items()
            if set(p["one_client"]["statuses"]) | set(p["eight_clients"]["statuses"]) != {200}
        ]
        results = {
            "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "command": " ".join(["python", "scripts/bench.py", *sys.argv[1:]]),
            "machine": machine(postgres_version(national)),
            "migrate_and_seed_seconds": seeding,
            "load_average": {"start": load_start, "end": [round(x, 2) for x in os.getloadavg()]},
            "data": options.data_description,
            "requests_one": options.requests,
            "requests_eight": options.requests_eight,
            "pages": pages,
            "cold_ms": cold,
            "figures": national_probe["figures"],
            "warm_reports": warm,
            "queries": queries,
            "borda": national_probe["borda"],
            "inbox_vs_admin": {
                "inbox_median_ms": inbox_ms,
                "admin_median_ms": admin_ms,
                "ratio": round(inbox_ms / admin_ms, 2),
            },
            "export": export,
            "failed_pages": failed,
            "targets": {
                "all_pages_p95": not slow,
                "slow_pages": slow,
                "queries_equal": not unequal,
                "unequal_queries": unequal,
                "borda_within_2x": national_probe["borda"]["ratio"] <= 2,
                "inbox_faster_than_admin": inbox_ms < admin_ms,
                "export_under_200mb": export["worker_peak_rss_mb"] < TARGET_EXPORT_MB,
            },
            "notes": options.notes,
        }
        write_report(results)
        log("wrote docs/performance.md and docs/bench-results.json")
        print(json.dumps(results["targets"], indent=2))
        return 1 if failed else 0
    finally:
        if server:
            server.stop()
        pg.stop()


# --- --compare REF: the current tree against another commit, in the same run ------------------


def _ref_tree(ref):
    """A detached worktree of ``ref`` under .bench/, with its translations compiled and its
    static files collected (reused when present). Returns (path, full commit id)."""
    sha = run(["git", "rev-parse", "--verify", f"{ref}^{{commit}}"], capture=True).strip()
    tree = BENCH_DIR / f"ref-{sha[:12]}"
    if not (tree / "manage.py").exists():
        log(f"worktree of {ref} ({sha[:12]}) under {tree.relative_to(BASE_DIR)}")
        run(["git", "worktree", "add", "--detach", "--force", str(tree), sha])
    return tree, sha


def _sequential(path, cookies, count, port):
    """``count`` GETs one after the other: their latencies (ms) and statuses."""
    session = Session(cookies, port)
    latencies, statuses = [], set()
    for _n in range(count):
        started = time.perf_counter()
        status, _data = session.request("GET", path)
        latencies.append((time.perf_counter() - started) * 1000)
        statuses.add(status)
    session.close()
    return latencies, statuses


def _summary(latencies):
    return {
        "median_ms": round(statistics.median(latencies), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
    }


def compare(options):
    """Measure every page (or ``--pages``) on the current tree and on REF, served side by side
    from the same national database: two gunicorns, requests alternated in rounds (A, B, A, B,
    …) so that a change of the machine's speed during the run touches both alike. Writes
    docs/bench-compare.md and docs/bench-compare.json."""
    pg = Postgres()
    servers = []
    ref_port = PORT + 1
    try:
        national_url, _demo_url = database_urls(pg)
        national = environment(national_url)
        log("national database: migrate and seed (reused when present)")
        manage(national, "migrate", "--noinput", "-v", "0")
        manage(national, "seed_demo", "--scale", "national", "--factor", str(options.factor))
        tree, sha = _ref_tree(options.compare)
        head = run(["git", "rev-parse", "HEAD"], capture=True).strip()
        dirty = bool(run(["git", "status", "--porcelain"], capture=True).strip())
        for where in (BASE_DIR, tree):
            run(
                [PYTHON, "manage.py", "compile_translations"],
                env={**national, "DJANGO_DEBUG": "1"},
                cwd=where,
            )
            run(
                [PYTHON, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                env=national,
                cwd=where,
            )
        targets = probe(national, "--targets")["targets"]
        if options.pages:
            wanted = set(options.pages.split(","))
            targets = [t for t in targets if t["name"] in wanted]
        targets = [
            {"name": "healthz", "label": "/healthz (ceiling)", "email": None, "path": "/healthz"},
            *targets,
        ]
        servers = [Gunicorn(national), Gunicorn(national, port=ref_port, tree=tree)]
        for server in servers:
            server.start()
        load_start = [round(x, 2) for x in os.getloadavg()]
        # Sessions live in the shared database: a cookie from one server is valid on the other.
        sessions = {}
        for target in targets:
            if target["email"] and target["email"] not in sessions:
                sessions[target["email"]] = login(target["email"])
        rounds = max(2, options.rounds)
        per_round = max(1, options.requests // rounds)
        pages = {}
        for target in targets:
            cookies = sessions.get(target["email"], {})
            log(f"comparing {target['name']} {target['path']}")
            samples = {"current": [], "ref": []}
            statuses = {"current": set(), "ref": set()}
            for port in (PORT, ref_port):  # warm-up
                _sequential(target["path"], cookies, 3, port)
            for _round in range(rounds):
                for key, port in (("current", PORT), ("ref", ref_port)):
                    latencies, seen = _sequential(target["path"], cookies, per_round, port)
                    samples[key] += latencies
                    statuses[key] |= seen
            eight = {"current": [], "ref": []}
            for _round in range(2):
                for key, port in (("current", PORT), ("ref", ref_port)):
                    result = measure(
                        target["path"], cookies, requests=options.requests_eight // 2,
                        clients=8, port=port,
                    )  # fmt: skip
                    eight[key].append(result["throughput_rps"])
            current, ref = _summary(samples["current"]), _summary(samples["ref"])
            pages[target["name"]] = {
                "label": target["label"],
                "path": target["path"],
                "current": {
                    **current,
                    "throughput_rps_8": round(statistics.mean(eight["current"]), 1),
                    "statuses": sorted(statuses["current"]),
                },
                "ref": {
                    **ref,
                    "throughput_rps_8": round(statistics.mean(eight["ref"]), 1),
                    "statuses": sorted(statuses["ref"]),
                },
                "median_ratio": round(current["median_ms"] / ref["median_ms"], 2),
                "p95_ratio": round(current["p95_ms"] / ref["p95_ms"], 2),
                "throughput_ratio": round(
                    statistics.mean(eight["current"]) / statistics.mean(eight["ref"]), 2
                ),
            }
        results = {
            "date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC"),
            "command": " ".join(["python", "scripts/bench.py", *sys.argv[1:]]),
            "current": head + (" with uncommitted changes" if dirty else ""),
            "ref": f"{options.compare} = {sha}",
            "load_average": {"start": load_start, "end": [round(x, 2) for x in os.getloadavg()]},
            "requests_one": per_round * rounds,
            "rounds": rounds,
            "requests_eight": options.requests_eight,
            "pages": pages,
        }
        write_comparison(results)
        log("wrote docs/bench-compare.md and docs/bench-compare.json")
        return 0
    finally:
        for server in servers:
            server.stop()
        pg.stop()


def _times(ratio):
    return f"{ratio}×" if isinstance(ratio, int | float) else ratio


def write_comparison(results):
    docs = BASE_DIR / "docs"
    (docs / "bench-compare.json").write_text(
        json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    lines = [
        "# Benchmark comparison",
        "",
        f"`{results['command']}` on {results['date']}: the current tree ({results['current']}) "
        f"against {results['ref']}, both served by gunicorn ({WORKERS} workers each) from the "
        "same national database, measured in the same run: "
        f"{results['requests_one']} requests per page at 1 client in {results['rounds']} "
        "alternating rounds, and throughput at 8 clients (two alternating rounds of "
        f"{results['requests_eight'] // 2} requests). Load average "
        f"{results['load_average']['start']} → {results['load_average']['end']}.",
        "",
        "A ratio below 1 means the current tree is faster (for throughput: above 1 means it "
        "serves more). A page that did not answer 200 on both sides has no ratio (REF cannot "
        "read a schema whose columns it needs were removed since).",
        "",
        "| page | median ms (current / ref) | ratio | p95 ms (current / ref) | ratio "
        "| req/s at 8 (current / ref) | ratio | statuses (current / ref) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for page in results["pages"].values():
        c, r = page["current"], page["ref"]
        if c["statuses"] != [200] or r["statuses"] != [200]:
            # An error page is no measure of the page: say so instead of a ratio.
            page = {**page, "median_ratio": "— (not all 200)", "p95_ratio": "—",
                    "throughput_ratio": "—"}  # fmt: skip
        lines.append(
            f"| {page['label']} | {c['median_ms']} / {r['median_ms']} | "
            f"**{_times(page['median_ratio'])}** | {c['p95_ms']} / {r['p95_ms']} | "
            f"{_times(page['p95_ratio'])} | {c['throughput_rps_8']} / {r['throughput_rps_8']} | "
            f"{_times(page['throughput_ratio'])} | {c['statuses']} / {r['statuses']} |"
        )
    (docs / "bench-compare.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _role(email):
    return {
        None: "anonymous",
        "coordinator@demo.test": "national coordinator",
        "ngo@demo.test": "NGO admin",
        "admin@demo.test": "site administrator",
    }.get(email, "municipal staff")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--smoke", action="store_true", help="CI: demo size, test Client only.")
    parser.add_argument("--requests", type=int, default=60, help="Requests per page, 1 client.")
    parser.add_argument(
        "--requests-eight", type=int, default=200, help="Requests per page, 8 clients."
    )
    parser.add_argument(
        "--factor", type=float, default=1.0, help="Scale of the national data (1 = Türkiye)."
    )
    parser.add_argument(
        "--compare",
        metavar="REF",
        help="Measure the current tree and the commit REF side by side in one run "
        "(docs/bench-compare.md).",
    )
    parser.add_argument(
        "--pages", help="With --compare: only these pages (names, comma-separated)."
    )
    parser.add_argument(
        "--rounds", type=int, default=6, help="With --compare: alternating rounds per page."
    )
    options = parser.parse_args()
    if options.smoke:
        return smoke()
    if options.compare:
        return compare(options)
    options.data_description = (
        "national (`seed_demo --scale national`): 100,000 NGOs, ~10,000 users, 2 campaigns × "
        "40,000 submissions (400,000 expectations), 800,000 history entries, 1,393 "
        "municipalities with 2–5 staff, 17+ programmes with 6,000 registrations"
        if options.factor == 1
        else f"national data at factor {options.factor}"
    )
    options.notes = NOTES
    return full(options)


if __name__ == "__main__":
    sys.exit(main())
