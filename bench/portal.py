"""Shared pieces of the load harness (bench/load.py) and the fault drills (bench/drills.py).

Processes (gunicorn, Celery worker and beat) are started in their own session so that stopping them ends their
children too; only processes started here are ever signalled. HTTP goes through `http.client` with one keep-alive
connection per simulated user.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import math
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
VENV_BIN = BASE / ".venv" / "bin"
SETTINGS = "kertapati_welfare.settings.test"  # DEBUG off, no HTTPS redirect (loopback), as the other benchmarks


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def service_env(database_url: str, redis_url: str, **extra: str) -> dict:
    """Environment of a portal process: production-like (DEBUG off, tasks through the broker, not eager)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": SETTINGS,
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "DJANGO_DEBUG": "false",
        "PYTHONUNBUFFERED": "1",
        **extra,
    }


def start_gunicorn(env: dict, port: int, log_path: Path, *, workers: int = 2, threads: int = 4) -> subprocess.Popen:
    command = [
        str(VENV_BIN / "gunicorn"),
        "kertapati_welfare.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "gthread",
        "--timeout",
        "60",
        "--log-level",
        "warning",
    ]
    return _spawn(command, env, log_path)


CELERY = [sys.executable, "-m", "celery", "-A", "kertapati_welfare"]


def start_worker(
    env: dict, log_path: Path, *, concurrency: int = 1, pool: str = "prefork", hostname: str = "muat"
) -> subprocess.Popen:
    command = [
        *CELERY,
        "worker",
        "-P",
        pool,
        "-c",
        str(concurrency),
        "-n",
        f"{hostname}-{os.getpid()}@%h",
        "--without-gossip",
        "--without-mingle",
        "-l",
        "INFO",
    ]
    return _spawn(command, env, log_path)


def start_beat(env: dict, log_path: Path, schedule_dir: Path) -> subprocess.Popen:
    command = [
        *CELERY,
        "beat",
        "-l",
        "INFO",
        "--pidfile=",
        "-s",
        str(schedule_dir / "celerybeat-schedule"),
    ]
    return _spawn(command, env, log_path)


def _spawn(command: list[str], env: dict, log_path: Path) -> subprocess.Popen:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    handle = log_path.open("ab")
    try:
        return subprocess.Popen(
            command, cwd=BASE, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
        )
    finally:
        handle.close()


def stop(process: subprocess.Popen | None, *, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
    """Stops a process started here and its session (gunicorn workers, Celery pool children)."""
    if process is None:
        return
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


def wait_http(port: int, path: str = "/akun/masuk/", timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", path)
            status = conn.getresponse().status
            conn.close()
            if status < 500:
                return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the portal on 127.0.0.1:{port} did not answer {path} within {timeout:.0f} s")


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (no interpolation): the value below which p % of the samples fall."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


class Http:
    """One keep-alive connection of one simulated user: session cookie, CSRF token or API token."""

    def __init__(self, port: int, *, session: str | None = None, token: str | None = None, timeout: float = 60):
        self.port = port
        self.session = session
        self.token = token
        self.timeout = timeout
        self.csrf_cookie = self.csrf_token = None
        self.conn = None

    def _connection(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        return self.conn

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method: str, path: str, *, form: dict | None = None, json_body=None, headers=None):
        """Returns (status, headers dict, body bytes, seconds). Connection errors raise OSError."""
        head = dict(headers or {})
        cookies = []
        if self.session:
            cookies.append(f"sessionid={self.session}")
        if self.csrf_cookie:
            cookies.append(f"csrftoken={self.csrf_cookie}")
        if cookies:
            head["Cookie"] = "; ".join(cookies)
        if self.token:
            head["Authorization"] = f"Token {self.token}"
        body = None
        if form is not None:
            body = urllib.parse.urlencode({**form, "csrfmiddlewaretoken": self.csrf_token or ""})
            head["Content-Type"] = "application/x-www-form-urlencoded"
            head["Referer"] = f"http://127.0.0.1:{self.port}{path}"
        elif json_body is not None:
            body = json.dumps(json_body)
            head["Content-Type"] = "application/json"
        started = time.perf_counter()
        for attempt in (1, 2):
            conn = self._connection()
            try:
                conn.request(method, path, body=body, headers=head)
                response = conn.getresponse()
                payload = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                # The server closed an idle keep-alive connection: one new connection, timed as part of the request.
                self.close()
                if attempt == 2:
                    raise
            except (OSError, http.client.HTTPException):
                self.close()
                raise
        elapsed = time.perf_counter() - started
        if response.getheader("Connection", "").lower() == "close":
            self.close()
        merged: dict[str, str] = {}
        for key, value in response.getheaders():  # several Set-Cookie headers are kept, joined by a newline
            key = key.lower()
            merged[key] = f"{merged[key]}\n{value}" if key in merged else value
        return response.status, merged, payload, elapsed

    def fetch_csrf(self, path: str = "/registri/cari/") -> None:
        status, headers, body, _s = self.request("GET", path)
        match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        cookie = re.search(r"csrftoken=([^;]+)", headers.get("set-cookie", ""))
        if status != 200 or not match or not cookie:
            raise RuntimeError(f"no CSRF form on {path} (HTTP {status})")
        self.csrf_token = match.group(1).decode()
        self.csrf_cookie = cookie.group(1)


def session_for(user) -> str:
    """A signed-in session for a user, made in-process (no password hashing on the server's cores)."""
    from django.conf import settings
    from django.test import Client

    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value
