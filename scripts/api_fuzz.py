"""Schemathesis against the live API: a production-style server (gunicorn, DEBUG off) on
loopback serving the demo data, its OpenAPI schema read from /api/v1/openapi.json, a bounded
number of generated requests per operation (valid and invalid ones), and three checks: no
server error, every response matches its documented schema, and no undocumented status code.
The token holders' endpoints are called with a national coordinator's token.

    .venv/bin/python scripts/api_fuzz.py [--max-examples 25] [--keep]

Uses a fresh SQLite file in a temporary directory (migrate + seed_demo, about 30 s), so it
never touches another database. Exit status: schemathesis's (0 when nothing was found).
"""

import argparse
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance"
TOKEN_SCRIPT = """
from api.services.tokens import token_create
from portal.models import User
user = User.objects.get(email="coordinator@demo.test")
_token, raw = token_create(user=user, name="fuzz", days=30)
print(raw)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (loopback)
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"the server did not answer {url} within {seconds} s")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--max-examples", type=int, default=25)
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="api-fuzz-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{work / 'fuzz.sqlite3'}",
        "PORTAL_MEDIA_ROOT": str(work / "media"),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(40),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "DJANGO_HTTPS": "0",
        "DJANGO_DEBUG": "",
        "REDIS_URL": "",
        # Thousands of requests from one address and one token in a few minutes.
        "API_RATE_LIMIT_ANONYMOUS": "1000000",
        "API_RATE_LIMIT_TOKEN": "1000000",
        "DJANGO_LOG_LEVEL": "ERROR",
    }
    manage = [str(BIN / "python"), "manage.py"]
    server = None
    try:
        print("api_fuzz: migrate and seed the demo data", flush=True)
        subprocess.run([*manage, "migrate", "--noinput", "-v0"], cwd=ROOT, env=env, check=True)
        # DEBUG off reads the static manifest (a 404 page outside the API needs it).
        subprocess.run(
            [*manage, "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env, check=True
        )
        subprocess.run(
            [*manage, "seed_demo"], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL
        )
        token = subprocess.run(
            [*manage, "shell", "-c", TOKEN_SCRIPT],
            cwd=ROOT, env=env, check=True, capture_output=True, text=True,
        ).stdout.strip().splitlines()[-1]  # fmt: skip
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [str(BIN / "gunicorn"), "portal.wsgi", "--bind", f"127.0.0.1:{port}",
             "--workers", "2", "--timeout", "60", "--log-level", "warning"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        wait_for(f"{base}/healthz")
        print(f"api_fuzz: schemathesis, {args.max_examples} examples per operation", flush=True)
        result = subprocess.run(
            [str(BIN / "schemathesis"), "run", f"{base}/api/v1/openapi.json",
             "--checks", CHECKS, "--max-examples", str(args.max_examples),
             "--header", f"Authorization: Bearer {token}",
             "--phases", "examples,coverage,fuzzing", "--seed", "2025",
             "--workers", "2", "--request-timeout", "30",
             "--generation-codec", "utf-8"],
            cwd=work, env=env,
        )  # fmt: skip
        return result.returncode
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
        if args.keep:
            print(f"api_fuzz: kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
