"""The production topology on loopback, driven end to end through nginx.

    DATABASE_URL=postgres://postgres@127.0.0.1:54330/portal python scripts/topology_check.py

Starts, each on a free port of 127.0.0.1: Redis, an SMTP sink (aiosmtpd, in this process), two
gunicorn app servers (DEBUG off, DJANGO_TRUSTED_PROXY_COUNT=1), nginx with deploy/nginx.conf
(ports and paths filled in) and, when the project has Celery (portal/celery.py), a worker and a
beat. The database is a fresh one next to DATABASE_URL's (created, migrated, seeded with the
demo, released with `manage.py release`, dropped at the end). Then, through nginx:

  journeys  log-in as the NGO and its dashboard; a sign-up whose verification mail reaches the
            sink (through the worker when there is one); a municipality's public answer whose
            notification mail reaches the sink; the coordinator's report page
  (a)       the audit log records the address nginx saw, not a spoofed X-Forwarded-For
  (b)       the failed-log-in limit of one account holds across both app servers (shared Redis)
  (d)       two clients trickling a request body do not slow /healthz (nginx buffers bodies;
            the app servers never see the trickle)
  celery    (when present) the worker ran the mail tasks; /readyz through nginx turns 200
  (c)       one app server stopped: the next 20 requests all succeed (nginx skips it)

Bounded in time (4 minutes); every process it started is stopped, whatever happens. Exits 1
with the failed check's message. Needs redis-server and nginx on PATH, and PostgreSQL.
"""

import contextlib
import getpass
import html.parser
import http.client
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
BIN = BASE_DIR / ".venv" / "bin"
HOST = "127.0.0.1"
TOTAL_SECONDS = 240
DEMO_PASSWORD = "demo-pass-2025"  # noqa: S105 (the published demo accounts' password)
SPOOFED = "198.51.100.9"


class CheckFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise CheckFailed(message)


def say(message):
    print(f"[{time.monotonic() - START:5.1f}s] {message}", flush=True)


START = time.monotonic()


# --- ports, processes ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def wait_for_port(port, seconds, process=None, name=""):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise CheckFailed(f"{name} exited with {process.returncode} before it listened")
        with contextlib.suppress(OSError), socket.create_connection((HOST, port), timeout=0.5):
            return
        time.sleep(0.2)
    raise CheckFailed(f"{name} did not listen on port {port} within {seconds} s")


class Processes:
    """Every child started, each in its own process group; stop() ends them all."""

    def __init__(self, logs: Path):
        self.logs = logs
        self.running: dict[str, subprocess.Popen] = {}

    def start(self, name, args, env=None) -> subprocess.Popen:
        log = open(self.logs / f"{name}.log", "wb")  # noqa: SIM115 (kept open for the child)
        process = subprocess.Popen(
            args,
            cwd=BASE_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.running[name] = process
        return process

    def stop_one(self, name, seconds=10) -> int:
        process = self.running.pop(name)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            return process.wait(seconds)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            return process.wait(5)

    def stop(self):
        for name in list(self.running):
            with contextlib.suppress(Exception):
                self.stop_one(name)

    def log(self, name) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")


# --- the database --------------------------------------------------------------------------------


def admin_connection(database_url):
    import psycopg

    return psycopg.connect(database_url, autocommit=True)


def create_database(database_url) -> str:
    name = f"topology_{secrets.token_hex(4)}"
    with admin_connection(database_url) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urllib.parse.urlsplit(database_url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def drop_database(database_url, fresh_url):
    name = urllib.parse.urlsplit(fresh_url).path.lstrip("/")
    with admin_connection(database_url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env, *args, timeout=180) -> str:
    result = subprocess.run(
        [str(BIN / "python"), "manage.py", *args],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise CheckFailed(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


def django_query(env, code) -> object:
    """Run ``code`` (setting ``result``) inside Django; returns ``result`` through JSON."""
    wrapped = f"import json\n{code}\nprint('RESULT=' + json.dumps(result))"
    output = manage(env, "shell", "-c", wrapped, timeout=60)
    return json.loads(output.rsplit("RESULT=", 1)[1])


# --- the SMTP sink -------------------------------------------------------------------------------


class Sink:
    """Counts the messages that arrive, with their recipients and subjects."""

    def __init__(self):
        self.messages: list[tuple[list[str], str]] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        from email import message_from_bytes
        from email.header import decode_header, make_header

        message = message_from_bytes(envelope.content)
        subject = str(make_header(decode_header(message.get("Subject", ""))))
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), subject))
        return "250 OK"

    def count(self) -> int:
        with self.lock:
            return len(self.messages)

    def wait_for(self, predicate, after: int, seconds: float):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            with self.lock:
                found = [m for m in self.messages[after:] if predicate(m)]
            if found:
                return found[0], time.monotonic() - (deadline - seconds)
            time.sleep(0.2)
        return None, seconds


# --- an HTTP client with cookies and forms ------------------------------------------------------


class FormParser(html.parser.HTMLParser):
    """The forms of a page: action and the fields a browser would send (no submit buttons)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._textarea = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action") or "", "fields": {}})
        elif not self.forms:
            return
        fields = self.forms[-1]["fields"]
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("submit", "button", "image", "file"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            fields[name] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self._textarea = name
            fields[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif (
            tag == "option" and self._select and (self._select not in fields or "selected" in attrs)
        ):
            fields[self._select] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data


def forms_of(body: str) -> list[dict]:
    parser = FormParser()
    parser.feed(body)
    return parser.forms


class Client:
    """One browser: a cookie jar, no automatic redirects, one port (nginx unless told)."""

    def __init__(self, port):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method, path, data=None, headers=None, port=None, timeout=30):
        conn = http.client.HTTPConnection(HOST, port or self.port, timeout=timeout)
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urllib.parse.urlencode(data)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            content = response.read().decode("utf-8", errors="replace")
        finally:
            conn.close()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                cookie_value = rest.split(";", 1)[0]
                if cookie_value in ('""', "") or "max-age=0" in value.lower():
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = cookie_value
        return response.status, response, content

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def follow(self, path, limit=5, **kwargs):
        for _ in range(limit):
            status, response, content = self.get(path, **kwargs)
            if status not in (301, 302, 303):
                return status, path, content
            path = urllib.parse.urlsplit(response.getheader("Location")).path
        raise CheckFailed(f"too many redirects from {path}")

    def submit(self, path, form_index_or_action, values, headers=None, port=None):
        """GET ``path``, take its form (by action suffix or index), fill ``values``, POST."""
        status, _, content = self.get(path, port=port)
        check(status == 200, f"GET {path}: {status}")
        forms = forms_of(content)
        if isinstance(form_index_or_action, str):
            forms = [f for f in forms if f["action"].endswith(form_index_or_action)]
            form = forms[0] if forms else None
        else:
            form = forms[form_index_or_action] if len(forms) > form_index_or_action else None
        check(form is not None, f"no form {form_index_or_action!r} on {path}")
        fields = {**form["fields"], **values}
        check("csrfmiddlewaretoken" in fields, f"no CSRF token in the form on {path}")
        action = form["action"] or path
        return self.request("POST", action, data=fields, headers=headers, port=port)

    def log_in(self, email, password=DEMO_PASSWORD, headers=None, port=None):
        return self.submit(
            "/en/accounts/login/",
            "/en/accounts/login/",
            {"login": email, "password": password},
            headers=headers,
            port=port,
        )


# --- the topology --------------------------------------------------------------------------------


def nginx_config(tmp: Path, port: int, app_ports: list[int]) -> Path:
    """deploy/nginx.conf with this run's ports and paths, inside a minimal main configuration."""
    site = (BASE_DIR / "deploy" / "nginx.conf").read_text()
    replacements = {
        "listen 127.0.0.1:8080;": f"listen {HOST}:{port};",
        "server 127.0.0.1:8001 ": f"server {HOST}:{app_ports[0]} ",
        "server 127.0.0.1:8002 ": f"server {HOST}:{app_ports[1]} ",
        "alias /srv/portal/staticfiles/;": f"alias {BASE_DIR / 'staticfiles'}/;",
    }
    for old, new in replacements.items():
        check(site.count(old) == 1, f"deploy/nginx.conf no longer has exactly one {old!r}")
        site = site.replace(old, new)
    (tmp / "portal.conf").write_text(site)
    temp_paths = " ".join(
        f"{kind}_temp_path {tmp / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = f"""
{"user " + getpass.getuser() + ";" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {tmp / "nginx.pid"};
error_log {tmp / "nginx-error.log"} warn;
events {{ worker_connections 512; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    sendfile on;
    access_log {tmp / "nginx-access.log"};
    {temp_paths}
    include {tmp / "portal.conf"};
}}
"""
    path = tmp / "nginx.conf"
    path.write_text(main)
    return path


def app_env(database_url, redis_port, smtp_port) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DJANGO_", "REDIS_", "EMAIL_", "CELERY_")) and k != "DATABASE_URL"
    }
    env.update(
        {
            "DATABASE_URL": database_url,
            "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
            "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DJANGO_HTTPS": "0",
            # Its accounts (demo and generated) have no second factor; the requirement itself is
            # tested in tests/portal/test_duties.py.
            "PORTAL_REQUIRE_2FA": "0",
            "DJANGO_TRUSTED_PROXY_COUNT": "1",
            "REDIS_URL": f"redis://{HOST}:{redis_port}/0",
            "EMAIL_HOST": HOST,
            "EMAIL_PORT": str(smtp_port),
            "DJANGO_LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def wait_for_log(processes, name, pattern, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if re.search(pattern, processes.log(name)):
            return
        process = processes.running.get(name)
        if process is not None and process.poll() is not None:
            raise CheckFailed(f"{name} exited:\n{processes.log(name)[-2000:]}")
        time.sleep(0.3)
    raise CheckFailed(f"{name} not ready within {seconds} s:\n{processes.log(name)[-2000:]}")


# --- the checks ----------------------------------------------------------------------------------


def journeys(env, nginx_port, sink, has_celery, results, processes):
    ngo = Client(nginx_port)
    # The log-in itself carries a spoofed X-Forwarded-For: check (a) reads its audit entry.
    status, response, _ = ngo.log_in("ngo@demo.test", headers={"X-Forwarded-For": SPOOFED})
    check(status == 302, f"NGO log-in through nginx: {status}, expected a redirect")
    status, path, content = ngo.follow(urllib.parse.urlsplit(response.getheader("Location")).path)
    check(status == 200 and "/accounts/logout/" in content, f"NGO after log-in {path}: {status}")
    status, _, content = ngo.get("/en/dashboard/")
    check(status == 200 and "Welcome," in content, f"NGO dashboard /en/dashboard/: {status}")
    results["ngo log-in"] = f"redirected to {path}, dashboard shown"

    visitor = Client(nginx_port)
    email = f"topology-{secrets.token_hex(3)}@example.test"
    before = sink.count()
    status, response, content = visitor.submit(
        "/en/accounts/signup/",
        "/en/accounts/signup/",
        {
            "full_name": "Topoloji Denemesi",
            "email": email,
            "password1": "a-long-topology-pass-2025",
            "password2": "a-long-topology-pass-2025",
            "preferred_language": "en",
            "privacy_notice": "on",
        },
    )
    check(status == 302, f"sign-up: {status}, expected a redirect\n{content[:500]}")
    message, waited = sink.wait_for(lambda m: email in m[0], before, 60)
    check(message is not None, f"no verification mail for {email} reached the SMTP sink")
    via = "through the Celery worker" if has_celery else "sent by the app server"
    results["sign-up mail"] = f"{waited:.1f} s ({via}): {message[1]!r}"

    municipality = Client(nginx_port)
    status, _, _ = municipality.log_in("municipality@demo.test")
    check(status == 302, f"municipality log-in: {status}")
    status, _, inbox = municipality.get("/en/surveys/inbox/")
    check(status == 200, f"inbox: {status}")
    listed = [int(pk) for pk in dict.fromkeys(re.findall(r"/en/surveys/cases/(\d+)/", inbox))]
    check(listed, "the municipality's inbox lists no case")
    # Only a case whose NGO has an administrator who wants answers by mail can show the mail.
    cases = django_query(
        env,
        "from ngos.models import Membership\n"
        "from portal.notifications import wanted_emails\n"
        "from surveys.models import Expectation\n"
        f"cases = Expectation.objects.filter(pk__in={listed!r}).select_related('submission')\n"
        "result = [c.pk for c in cases if wanted_emails([m.user for m in Membership.objects"
        ".filter(ngo_id=c.submission.ngo_id, role=Membership.Role.ADMIN)], 'answers')]",
    )
    check(cases, f"no case in the inbox {listed} has an NGO administrator who wants mail")
    for pk in cases[:15]:
        status, _, page = municipality.get(f"/en/surveys/cases/{pk}/")
        if status != 200 or f"/surveys/cases/{pk}/answer/" not in page:
            continue
        # The answer form returns to its section ("…/answer/#answer"): the path is before the #.
        form = [
            f for f in forms_of(page) if f["action"].split("#")[0].endswith(f"/cases/{pk}/answer/")
        ][0]
        text_field = next(name for name in form["fields"] if name.endswith("text"))
        before = sink.count()
        status, _, content = municipality.request(
            "POST",
            form["action"].split("#")[0],
            data={**form["fields"], text_field: "Topology check: an answer through nginx."},
        )
        check(status == 302, f"answer on case {pk}: {status}, expected a redirect")
        message, waited = sink.wait_for(lambda m: True, before, 60)
        check(message is not None, f"no notification mail after the answer on case {pk}")
        results["answer mail"] = f"case {pk}, {waited:.1f} s, to {', '.join(message[0])}"
        break
    else:
        raise CheckFailed(f"none of the cases {cases[:15]} offers an answer form")

    coordinator = Client(nginx_port)
    status, _, _ = coordinator.log_in("coordinator@demo.test")
    check(status == 302, f"coordinator log-in: {status}")
    computed_by = "release"
    if has_celery:
        # The report figures are computed by the worker (beat's hourly task), not by the
        # request: forget the figures the release computed, run the task through the queue, see
        # the figures in the shared cache, then read the page.
        stored = (
            "from django.core.cache import caches\n"
            "client = caches['reports']._cache.get_client()\n"
            "result = len(client.keys('reports:*'))"
        )
        django_query(
            env,
            "from django.core.cache import caches\n"
            "client = caches['reports']._cache.get_client()\n"
            "old = client.keys('reports:*')\n"
            "client.delete(*old) if old else None\n"
            "from reports.tasks import warm_reports\n"
            "warm_reports.delay()\n"
            "result = True",
        )
        wait_for_log(processes, "worker", r"reports\.tasks\.warm_reports\[[^\]]+\] succeeded", 120)
        figures = django_query(env, stored)
        check(figures > 0, "the worker's warm_reports task stored no report figures")
        computed_by = f"the worker's warm_reports task ({figures} sets in Redis)"
    started = time.monotonic()
    status, _, content = coordinator.get("/en/reports/")
    check(status == 200 and "Report:" in content, f"/en/reports/: {status}")
    elapsed = (time.monotonic() - started) * 1000
    check("Figures as of" in content, "/en/reports/ does not say when its figures were computed")
    results["reports page"] = f"{elapsed:.0f} ms, figures computed ahead by {computed_by}"
    return ngo


def check_audit_ip(env, results):
    ip = django_query(
        env,
        "from portal.models import AuditEntry\n"
        "result = AuditEntry.objects.filter(action='login', actor__email='ngo@demo.test')"
        ".latest('pk').ip",
    )
    check(ip != SPOOFED, f"(a) the audit log took the spoofed X-Forwarded-For {SPOOFED}")
    check(ip == HOST, f"(a) audit IP {ip!r}, expected {HOST} (what nginx appended)")
    results["(a) audit ip"] = f"{ip} (client sent X-Forwarded-For: {SPOOFED}; ignored)"


def check_rate_limit(env, app_ports, results):
    rule = django_query(
        env,
        "from django.conf import settings\nresult = settings.ACCOUNT_RATE_LIMITS['login_failed']",
    )
    per_key = [r for r in rule.split(",") if r.endswith("/key")]
    check(per_key, f"no per-account rule in login_failed = {rule!r}")
    allowed = int(per_key[0].split("/")[0])
    client = Client(app_ports[0])
    outcomes = []
    # Straight to the app servers, alternately, so the spread is certain (nginx would round-robin
    # too), with the headers nginx sends. Host matters: allauth's per-account key includes the
    # site's domain, which is the Host header (nginx's $host carries no port).
    headers = {"X-Forwarded-For": HOST, "Host": HOST}
    for attempt in range(allowed + 2):
        port = app_ports[attempt % 2]
        password = DEMO_PASSWORD if attempt == allowed + 1 else "wrong-password-0"
        status, _, content = client.log_in(
            "colleague@demo.test", password=password, headers=headers, port=port
        )
        refused = status == 429 or "Too many failed login attempts" in content
        outcomes.append((attempt + 1, "AB"[attempt % 2], status, refused))
    early = [o for o in outcomes[:allowed] if o[3]]
    check(not early, f"(b) refused before the limit of {allowed}: {outcomes}")
    late = [o for o in outcomes[allowed:] if not o[3]]
    check(not late, f"(b) accepted after the limit of {allowed} (cache not shared?): {outcomes}")
    results["(b) rate limit"] = (
        f"login_failed={rule!r}: attempts 1-{allowed} refused none, attempts "
        f"{allowed + 1}-{allowed + 2} refused on servers "
        f"{'+'.join(o[1] for o in outcomes[allowed:])} (the last with the right password)"
    )


def check_slow_clients(nginx_port, processes, results):
    """Two clients trickle a log-in body one byte every 2 s; /healthz must answer within 1 s."""

    def logged_posts():
        return sum(processes.log(n).count('"POST /en/accounts/login/') for n in ("app-a", "app-b"))

    posts_before = logged_posts()
    # A request Django would read to the end: a CSRF cookie and token (without them it answers
    # 403 before reading any body, and a trickle would prove nothing).
    browser = Client(nginx_port)
    status, _, page = browser.get("/en/accounts/login/")
    token = forms_of(page)[-1]["fields"].get("csrfmiddlewaretoken", "")
    check(status == 200 and token and "csrftoken" in browser.cookies, "(d) no CSRF token")
    body = f"csrfmiddlewaretoken={token}&login=slow%40example.test&password=x".encode()
    duration = 15.0
    stop = threading.Event()
    sent = [0, 0]

    def trickle(index):
        with socket.create_connection((HOST, nginx_port), timeout=5) as sock:
            sock.sendall(
                (
                    f"POST /en/accounts/login/ HTTP/1.1\r\nHost: {HOST}\r\n"
                    f"Cookie: csrftoken={browser.cookies['csrftoken']}\r\n"
                    "Content-Type: application/x-www-form-urlencoded\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n"
                ).encode()
            )
            # Never the whole body: the connection is dropped with the body incomplete.
            while not stop.is_set() and sent[index] < len(body) - 1:
                sock.sendall(body[sent[index] : sent[index] + 1])
                sent[index] += 1
                stop.wait(2)

    threads = [threading.Thread(target=trickle, args=(i,), daemon=True) for i in (0, 1)]
    for thread in threads:
        thread.start()
    latencies, failures = [], []
    probe = Client(nginx_port)
    deadline = time.monotonic() + duration
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            status, _, _ = probe.get("/healthz", timeout=1)
            latencies.append(time.monotonic() - started)
            if status != 200:
                failures.append(status)
        except OSError as error:
            failures.append(repr(error))
        time.sleep(0.5)
    stop.set()
    for thread in threads:
        thread.join(5)
    slowest = max(latencies) if latencies else float("inf")
    check(not failures, f"(d) /healthz failed during the trickle: {failures}")
    check(slowest < 1.0, f"(d) /healthz took {slowest:.2f} s during the trickle")
    reached = logged_posts() - posts_before
    check(reached == 0, f"(d) {reached} trickled request(s) reached gunicorn: bodies not buffered")
    results["(d) slow clients"] = (
        f"2 connections sent {sent[0]}+{sent[1]} body bytes in {duration:.0f} s; "
        f"{len(latencies)} /healthz answered, slowest {slowest * 1000:.0f} ms; "
        f"trickled requests reaching gunicorn: {reached}"
    )


def check_celery(nginx_port, processes, has_celery, results):
    """With Celery: the worker sent the mail, and /readyz turns 200 once beat's heartbeat task
    has run on the worker (its first run comes one interval after beat starts)."""
    if not has_celery:
        status, _, _ = Client(nginx_port).get("/readyz")
        results["celery"] = f"absent (no portal/celery.py); /readyz through nginx: {status}"
        return
    done = len(re.findall(r"Task \S+\[[^\]]+\] succeeded", processes.log("worker")))
    check(done > 0, "the Celery worker ran no task: the mail did not go through it")
    started = time.monotonic()
    status = None
    while time.monotonic() - started < 60:
        status, _, _ = Client(nginx_port).get("/readyz")
        if status == 200:
            break
        time.sleep(1)
    check(status == 200, f"/readyz through nginx still {status} after 60 s (no heartbeat?)")
    results["celery"] = (
        f"the worker had run {done} task(s) (the mail among them); /readyz 200 through nginx "
        f"after {time.monotonic() - started:.0f} s (beat's heartbeat)"
    )


def check_server_stopped(nginx_port, processes, ngo, results):
    code = processes.stop_one("app-a", seconds=30)
    statuses = []
    paths = ["/healthz", "/en/", "/en/dashboard/"]
    for number in range(20):
        path = paths[number % len(paths)]
        status, _, _ = ngo.get(path) if path != "/healthz" else Client(nginx_port).get(path)
        statuses.append(status)
    errors = [s for s in statuses if s >= 500]
    check(not errors, f"(c) with one server stopped: {statuses}")
    error_log = (processes.logs / "nginx-error.log").read_text(errors="replace")
    refused = error_log.count("connect() failed")
    results["(c) one server stopped"] = (
        f"app-a exited {code} on SIGTERM; 20 requests: "
        + ", ".join(f"{s}×{statuses.count(s)}" for s in sorted(set(statuses)))
        + f"; nginx skipped the stopped server after {refused} refused connection(s)"
    )


# --- main ----------------------------------------------------------------------------------------


def _alarm(signum, frame):
    raise CheckFailed(f"the topology check ran out of its {TOTAL_SECONDS} s")


def _terminated(signum, frame):
    raise CheckFailed(f"stopped by signal {signum}")


def main() -> int:
    database_url = os.environ.get("DATABASE_URL", "")
    if not database_url.startswith(("postgres://", "postgresql://")):
        print("topology check: DATABASE_URL must point to PostgreSQL", file=sys.stderr)
        return 2
    for program in ("redis-server", "nginx"):
        if shutil.which(program) is None and not Path(f"/usr/sbin/{program}").exists():
            print(f"topology check: {program} is not installed", file=sys.stderr)
            return 2
    signal.signal(signal.SIGALRM, _alarm)
    signal.signal(signal.SIGTERM, _terminated)
    signal.signal(signal.SIGINT, _terminated)
    signal.alarm(TOTAL_SECONDS)

    has_celery = (BASE_DIR / "portal" / "celery.py").exists()
    tmp = Path(tempfile.mkdtemp(prefix="topology-"))
    tmp.chmod(0o755)
    processes = Processes(tmp)
    fresh_url = None
    smtp = None
    results: dict[str, str] = {}
    try:
        fresh_url = create_database(database_url)
        say(f"database {urllib.parse.urlsplit(fresh_url).path.lstrip('/')}; logs in {tmp}")
        redis_port, smtp_port, nginx_port = free_port(), free_port(), free_port()
        app_ports = [free_port(), free_port()]

        from aiosmtpd.controller import Controller

        sink = Sink()
        smtp = Controller(sink, hostname=HOST, port=smtp_port)
        smtp.start()

        redis = processes.start(
            "redis",
            [
                "redis-server",
                "--port",
                str(redis_port),
                "--bind",
                HOST,
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(tmp),
            ],
        )
        wait_for_port(redis_port, 10, redis, "redis-server")

        env = app_env(fresh_url, redis_port, smtp_port)
        manage(env, "migrate", "--noinput")
        manage(env, "seed_demo")
        manage(env, "release", "--verbosity", "0")
        say("migrated, seeded, released (collectstatic, translations, warm_reports)")

        for name, port in zip(("app-a", "app-b"), app_ports, strict=True):
            # One sync worker each: a trickled body reaching a server would block it entirely.
            processes.start(
                name,
                [
                    str(BIN / "gunicorn"),
                    "portal.wsgi",
                    "--bind",
                    f"{HOST}:{port}",
                    "--workers",
                    "1",
                    "--timeout",
                    "30",
                    "--graceful-timeout",
                    "5",
                    "--access-logfile",
                    "-",
                    "--forwarded-allow-ips",
                    HOST,
                ],
                env=env,
            )
        for name, port in zip(("app-a", "app-b"), app_ports, strict=True):
            wait_for_port(port, 30, processes.running[name], name)

        conf = nginx_config(tmp, nginx_port, app_ports)
        nginx = processes.start(
            "nginx",
            [
                shutil.which("nginx") or "/usr/sbin/nginx",
                "-p",
                str(tmp),
                "-e",
                str(tmp / "nginx-error.log"),
                "-c",
                str(conf),
                "-g",
                "daemon off;",
            ],
        )
        wait_for_port(nginx_port, 10, nginx, "nginx")

        if has_celery:
            processes.start(
                "worker",
                [str(BIN / "celery"), "-A", "portal", "worker", "-l", "info", "--concurrency", "1"],
                env=env,
            )
            processes.start(
                "beat",
                [
                    str(BIN / "celery"),
                    "-A",
                    "portal",
                    "beat",
                    "-l",
                    "info",
                    "--schedule",
                    str(tmp / "celerybeat-schedule"),
                ],
                env=env,
            )
            wait_for_log(processes, "worker", r"ready\.", 60)
            wait_for_log(processes, "beat", r"beat: Starting", 30)
        say(
            f"up: redis :{redis_port}, smtp sink :{smtp_port}, app servers :{app_ports[0]} "
            f":{app_ports[1]}, nginx :{nginx_port}, celery "
            + ("worker + beat" if has_celery else "absent (no portal/celery.py): mail inline")
        )

        ngo = journeys(env, nginx_port, sink, has_celery, results, processes)
        say("journeys done")
        check_audit_ip(env, results)
        check_rate_limit(env, app_ports, results)
        say("(a), (b) done")
        check_slow_clients(nginx_port, processes, results)
        say("(d) done")
        check_celery(nginx_port, processes, has_celery, results)
        check_server_stopped(nginx_port, processes, ngo, results)
        for name in processes.running:
            process = processes.running[name]
            check(
                process.poll() is None,
                f"{name} died during the run:\n{processes.log(name)[-2000:]}",
            )
        results["mail at the sink"] = str(sink.count())
    except CheckFailed as failure:
        signal.alarm(0)
        print(f"\nTOPOLOGY CHECK FAILED: {failure}\n(logs: {tmp})", file=sys.stderr)
        for key, value in results.items():
            print(f"  passed  {key}: {value}", file=sys.stderr)
        return 1
    finally:
        signal.alarm(0)
        processes.stop()
        if smtp is not None:
            with contextlib.suppress(Exception):
                smtp.stop()
        if fresh_url is not None:
            with contextlib.suppress(Exception):
                drop_database(database_url, fresh_url)
    print(f"\nTopology check passed in {time.monotonic() - START:.0f} s:")
    for key, value in results.items():
        print(f"  {key}: {value}")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
