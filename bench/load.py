"""Load harness: a realistic mix of staff, field workers and the head of office against a served portal.

    bench/run --households N [--db NAME] [--users 10] [--duration 60]      (or: make bench ARGS="...")

Run on purpose, never in the suite. The database (default `kw_load_<N>` on the server of DATABASE_URL, else
postgres://postgres@127.0.0.1:5432) is created and migrated if missing and filled once: the registry with
`generate_synthetic --no-history`, deliveries, rounds and institutions with bench/reports_monthly.py's builder
(5 deliveries per household unless --deliveries), programs/cohorts and infrastructure projects with the apps'
own idempotent demo seeders (service calls). A database that already holds N households is reused as it is,
so `--db kw_bench1m --households 1000000` measures the 1 M database without regenerating it.

Each run adds three bench users (Staf Kecamatan, a Petugas Lembaga with a device token, Pimpinan), a round being
distributed with a pool of entitlements for the API, then serves the portal with gunicorn (DEBUG off, test
settings as the other benchmarks: no HTTPS redirect on loopback) and a Celery worker on PostgreSQL/Redis, and drives
`--users` closed-loop users (no think time) for `--duration` seconds. It prints, per page: count, requests/s,
p50/p95/p99 ms, errors, and the page's query count (measured once in-process with CaptureQueriesContext), with
the machine (cores, RAM, load average, PostgreSQL version) and the date, as a markdown table on stdout and in
test-artifacts/.

The driver is threads + http.client (docs/decisions/0030-load-driver.md says why not locust); its own CPU time is printed so that
its share of the 2 cores is visible.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import os
import random
import resource
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
os.environ["DJANGO_SETTINGS_MODULE"] = "kertapati_welfare.settings.test"
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"

import portal  # noqa: E402
from portal import log  # noqa: E402

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
ARTIFACTS = HERE.parent / "test-artifacts"


# ------------------------------------------------------------------------------------------------------------
# Database


def database_url(args) -> str:
    base = os.environ.get("DATABASE_URL", DEFAULT_SERVER)
    parts = urllib.parse.urlsplit(base)
    name = args.db or (parts.path.lstrip("/") if os.environ.get("DATABASE_URL") else f"kw_load_{args.households}")
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def ensure_database(url: str) -> bool:
    import psycopg2
    from psycopg2 import sql

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(
        host=parts.hostname, port=parts.port or 5432, user=parts.username, password=parts.password, dbname="postgres"
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        missing = cursor.fetchone() is None
        if missing:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    admin.close()
    return missing


@dataclass
class Fixture:
    households: int
    members: int
    deliveries: int
    staff: object
    worker: object
    head: object
    worker_token: str
    household_ids: list[int]
    niks: list[str]
    kks: list[str]
    names: list[str]
    id_range: tuple[int, int]
    program_ids: list[int]
    entitlements: list[int]
    round_name: str
    prepare_seconds: dict = field(default_factory=dict)


def prepare(args) -> Fixture:
    import django

    django.setup()
    import reports_monthly  # the deliveries/rounds/institutions builder of the reports benchmark
    from django.core.management import call_command

    timings = {}
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    timings["migrate"] = time.perf_counter() - started

    started = time.perf_counter()
    reports_monthly.prepare_registry(args.households)
    timings["registry"] = time.perf_counter() - started
    started = time.perf_counter()
    reports_monthly.prepare_deliveries(args.deliveries if args.deliveries is not None else 5 * args.households)
    timings["deliveries"] = time.perf_counter() - started

    started = time.perf_counter()
    seed_programs_and_projects()
    users = bench_users()
    entitlements, round_name = distributing_round(users, pool=args.pool or min(60 * args.duration + 500, 200_000))
    ensure_dashboard()
    timings["users, programs, round"] = time.perf_counter() - started
    samples = sample_data(random.Random(args.seed))
    return Fixture(**samples, **users, entitlements=entitlements, round_name=round_name, prepare_seconds=timings)


def seed_programs_and_projects() -> None:
    """Programs with cohorts (attendance, graduates, outcomes) and infrastructure projects, through the apps'
    services: their demo seeders are idempotent, so a database that has them gets nothing new."""
    from infrastructure import demo as infrastructure_demo
    from infrastructure.models import InfrastructureProject
    from programs import demo as programs_demo
    from programs.models import Program

    if not Program.objects.exists():
        programs_demo.seed(log=lambda line: log(f"program: {line}"))
    if not InfrastructureProject.objects.exists():
        infrastructure_demo.seed(log=lambda line: log(f"infrastruktur: {line}"))


def bench_users() -> dict:
    from accounts import services as account_services
    from accounts.models import Role, User
    from accounts.tokens import device_token_issue
    from aid_distribution.models import Institution, InstitutionKind, InstitutionMembership

    def user(username, role):
        return User.objects.filter(username=username).first() or account_services.user_create(
            actor=None, username=username, password=None, role=role, first_name="Uji", last_name="Muat"
        )

    staff = user("bench.muat.kecamatan", Role.STAF_KECAMATAN)
    worker = user("bench.muat.petugas", Role.PETUGAS_LEMBAGA)
    head = user("bench.muat.pimpinan", Role.PIMPINAN)
    institution, _ = Institution.objects.get_or_create(
        name="LKS Uji Muat", defaults={"kind": InstitutionKind.LKS, "address": "Jl. Uji Muat, Kertapati"}
    )
    InstitutionMembership.objects.get_or_create(user=worker, institution=institution)
    _token, key = device_token_issue(actor=worker, name=f"HP uji muat {time.strftime('%Y%m%d-%H%M%S')}")
    return {"staff": staff, "worker": worker, "head": head, "worker_token": key}


def distributing_round(users: dict, *, pool: int) -> tuple[list[int], str]:
    """A fresh round of the bench institution, approved and being distributed, with `pool` entitlements: each API
    delivery of the run takes one, so every submission is a new, valid delivery (201)."""
    from django.utils import timezone

    from aid_distribution import services
    from aid_distribution.models import AidPackage, Entitlement, Institution
    from beneficiaries.models import Household

    institution = Institution.objects.get(name="LKS Uji Muat")
    package, _ = AidPackage.objects.get_or_create(name="Paket Uji Muat", defaults={"estimated_value": 150_000})
    name = f"Uji muat {time.strftime('%Y-%m-%d %H:%M:%S')}"
    round_ = services.round_create(
        actor=users["worker"], institution=institution, name=name, period=timezone.localdate(), package=package
    )
    ids = list(Household.objects.filter(is_active=True).order_by("-pk").values_list("pk", flat=True)[:pool])
    services.entitlements_add(actor=users["staff"], round_=round_, household_ids=ids)
    services.round_transition(actor=users["worker"], round_=round_, action="submit")
    services.round_transition(actor=users["staff"], round_=round_, action="approve")
    services.round_transition(actor=users["worker"], round_=round_, action="start")
    entitlements = list(Entitlement.objects.filter(round=round_).values_list("pk", flat=True))
    random.Random(3).shuffle(entitlements)
    return entitlements, name


def ensure_dashboard() -> None:
    from django.utils import timezone

    from reports import services
    from reports.builders.periods import month_start
    from reports.models import DashboardAggregate

    if not DashboardAggregate.objects.filter(month=month_start(timezone.localdate())).exists():
        started = time.perf_counter()
        services.dashboard_refresh()
        log(f"agregat dasbor dihitung dalam {time.perf_counter() - started:.1f} s")


def sample_data(rng: random.Random) -> dict:
    from aid_distribution.models import Delivery
    from beneficiaries.models import Household, Member
    from programs.models import Program

    households = Household.objects.count()
    low = Household.objects.order_by("pk").values_list("pk", flat=True).first()
    high = Household.objects.order_by("-pk").values_list("pk", flat=True).first()
    picked = list(
        Household.objects.filter(is_active=True, pk__in=[rng.randint(low, high) for _ in range(800)])
        .values_list("pk", "kk_number")
        .order_by("pk")
    )
    members = list(
        Member.objects.filter(is_active=True, household_id__in=[pk for pk, _kk in picked], nik__isnull=False)
        .exclude(nik="")
        .values_list("nik", "full_name")
        .order_by("pk")[:600]
    )
    return {
        "households": households,
        "members": Member.objects.count(),
        "deliveries": Delivery.objects.count(),
        "household_ids": [pk for pk, _kk in picked],
        "kks": [kk for _pk, kk in picked],
        "niks": [nik for nik, _n in members],
        "names": sorted({name for _nik, name in members})[:200],
        "id_range": (low, high),
        "program_ids": list(Program.objects.values_list("pk", flat=True)),
    }


# ------------------------------------------------------------------------------------------------------------
# Scenarios


class Pool:
    """Entitlements not used yet; each API delivery takes one (thread-safe)."""

    def __init__(self, ids: list[int]):
        self.ids = list(ids)
        self.lock = threading.Lock()
        self.exhausted = 0

    def take(self, n: int) -> list[int] | None:
        with self.lock:
            if len(self.ids) < n:
                self.exhausted += 1
                return None
            taken, self.ids = self.ids[:n], self.ids[n:]
            return taken


def delivery_item(entitlement_id: int) -> dict:
    now = datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=7)))
    return {
        "client_uuid": str(uuid.uuid4()),
        "entitlement": entitlement_id,
        "delivered_at": now.isoformat(timespec="seconds"),
        "proxy_name": "Bu Rina",
        "proxy_relation": "tetangga",
    }


@dataclass
class Scenario:
    name: str
    persona: str  # staff | worker | head
    weight: int
    make: object  # callable(rng) -> (method, path, form|None, json|None) or None when the pool is empty
    ok: tuple = (200,)


def scenarios(fx: Fixture, pool: Pool, batch: int) -> list[Scenario]:
    low, high = fx.id_range

    def single(rng):
        ids = pool.take(1)
        return ids and ("POST", "/api/v1/aid/deliveries/", None, delivery_item(ids[0]))

    def several(rng):
        ids = pool.take(batch)
        return ids and ("POST", "/api/v1/aid/deliveries/batch/", None, {"items": [delivery_item(i) for i in ids]})

    return [
        Scenario("Registri: daftar keluarga, halaman 1", "staff", 12, lambda r: ("GET", "/registri/", None, None)),
        Scenario(
            "Registri: halaman dalam (tautan keyset ?after=)",
            "staff",
            8,
            lambda r: ("GET", f"/registri/?after={r.randint(low, high)}", None, None),
        ),
        Scenario(
            "Registri: halaman terakhir (Terlama)", "staff", 4, lambda r: ("GET", "/registri/?last=1", None, None)
        ),
        Scenario(
            "Registri: cari NIK (POST)",
            "staff",
            10,
            lambda r: ("POST", "/registri/cari/", {"kind": "nik", "q": r.choice(fx.niks)}, None),
        ),
        Scenario(
            "Registri: cari KK (POST, 302 ke detail)",
            "staff",
            5,
            lambda r: ("POST", "/registri/cari/", {"kind": "kk", "q": r.choice(fx.kks)}, None),
            ok=(302,),
        ),
        Scenario(
            "Registri: cari nama (POST, trigram)",
            "staff",
            5,
            lambda r: ("POST", "/registri/cari/", {"kind": "name", "q": r.choice(fx.names)}, None),
        ),
        Scenario(
            "Registri: detail keluarga (360°)",
            "staff",
            14,
            lambda r: ("GET", f"/registri/keluarga/{r.choice(fx.household_ids)}/", None, None),
        ),
        Scenario("Program: daftar", "staff", 4, lambda r: ("GET", "/program/", None, None)),
        Scenario("Program: detail", "staff", 4, lambda r: ("GET", f"/program/{r.choice(fx.program_ids)}/", None, None)),
        Scenario("Infrastruktur: daftar proyek", "staff", 4, lambda r: ("GET", "/infrastruktur/", None, None)),
        Scenario("API: kirim 1 penyerahan (petugas)", "worker", 14, single, ok=(201,)),
        Scenario(f"API: kirim batch {batch} penyerahan (petugas)", "worker", 2, several),
        Scenario("Dasbor Pimpinan", "head", 6, lambda r: ("GET", "/laporan/dasbor/", None, None)),
    ]


def query_counts(fx: Fixture, table: list[Scenario], pool: Pool) -> dict[str, int]:
    """Queries per page, measured once in-process (the second of two identical requests, so that per-process
    caches such as content types are warm, as they are in a long-running gunicorn worker)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    clients = {}
    for persona, user in (("staff", fx.staff), ("head", fx.head)):
        clients[persona] = Client(HTTP_HOST="localhost")
        clients[persona].force_login(user)
    clients["worker"] = Client(HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Token {fx.worker_token}")
    counts = {}
    rng = random.Random(5)
    for scenario in table:
        client = clients[scenario.persona]
        count = None
        for _ in range(2):
            request = scenario.make(rng)
            if not request:
                break
            method, path, form, body = request
            with CaptureQueriesContext(connection) as ctx:
                if method == "GET":
                    response = client.get(path)
                elif form is not None:
                    response = client.post(path, form)
                else:
                    response = client.post(path, body, content_type="application/json")
            count = len(ctx.captured_queries) if response.status_code in scenario.ok else None
        counts[scenario.name] = count
    return counts


# ------------------------------------------------------------------------------------------------------------
# Driving


@dataclass
class Stats:
    times: list = field(default_factory=list)
    errors: int = 0
    samples: list = field(default_factory=list)


def drive(port: int, fx: Fixture, table: list[Scenario], sessions: dict, args) -> tuple[dict, float]:
    stats = {s.name: Stats() for s in table}
    lock = threading.Lock()
    weights = [s.weight for s in table]
    stop_at = [0.0]

    def connection_for(persona: str) -> portal.Http:
        if persona == "worker":
            return portal.Http(port, token=fx.worker_token)
        client = portal.Http(port, session=sessions[persona])
        if persona == "staff":
            client.fetch_csrf()
        return client

    def user(seed: int, warm: bool):
        rng = random.Random(seed)
        conns = {}
        chosen = table if warm else None
        while True:
            if warm:
                if not chosen:
                    break
                scenario = chosen[0]
                chosen = chosen[1:]
            else:
                if time.perf_counter() >= stop_at[0]:
                    break
                scenario = rng.choices(table, weights)[0]
            request = scenario.make(rng)
            if not request:
                continue
            method, path, form, body = request
            try:
                client = conns.get(scenario.persona) or conns.setdefault(
                    scenario.persona, connection_for(scenario.persona)
                )
                status, _h, payload, elapsed = client.request(method, path, form=form, json_body=body)
                good = status in scenario.ok
                if good and scenario.name.startswith("API: kirim batch"):
                    good = b'"rejected":0' in payload.replace(b" ", b"")
            except (OSError, RuntimeError, http.client.HTTPException) as exc:  # no connection or no CSRF form
                status, elapsed, good = type(exc).__name__, 0.0, False
            if warm:
                continue
            with lock:
                entry = stats[scenario.name]
                if good:
                    entry.times.append(elapsed)
                else:
                    entry.errors += 1
                    if len(entry.samples) < 3:
                        entry.samples.append(f"{method} {path.split('?')[0]} → {status}")
        for client in conns.values():
            client.close()

    warmers = [threading.Thread(target=user, args=(1000 + i, True)) for i in range(2)]
    for t in warmers:
        t.start()
    for t in warmers:
        t.join()
    threads = [threading.Thread(target=user, args=(i, False)) for i in range(args.users)]
    started = time.perf_counter()
    stop_at[0] = started + args.duration
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return stats, time.perf_counter() - started


# ------------------------------------------------------------------------------------------------------------
# Report


def machine() -> dict:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        pg = cursor.fetchone()[0]
    mem_kb = next(
        int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines() if line.startswith("MemTotal")
    )
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=HERE.parent, capture_output=True, text=True
    ).stdout.strip()
    return {"cores": os.cpu_count(), "ram_gb": mem_kb / 1024 / 1024, "pg": pg, "commit": commit}


def report(args, fx: Fixture, stats: dict, wall: float, counts: dict, info: dict, extra: dict) -> str:
    lines = []
    now = datetime.datetime.now(datetime.UTC)
    lines.append(f"## Load harness run, {now:%Y-%m-%d %H:%M} UTC")
    lines.append("")
    lines.append(
        f"- machine: {info['cores']} cores, {info['ram_gb']:.1f} GB RAM, load average before "
        f"{extra['load_before']}, after {extra['load_after']}; system CPU busy during the run {extra['cpu_busy']:.0f} %"
    )
    lines.append(f"- PostgreSQL {info['pg']}; database `{extra['db']}`; code {info['commit']}")
    lines.append(
        f"- data: {fx.households:,} households, {fx.members:,} members, {fx.deliveries:,} deliveries (before the run)"
    )
    lines.append(
        f"- portal: gunicorn {args.workers} workers × {args.threads} threads (gthread, DEBUG off) + 1 Celery worker; "
        f"{args.users} closed-loop users, no think time, {args.duration} s (+ warm-up of every page)"
    )
    lines.append(
        f"- CPU seconds used during the run: gunicorn {extra['cpu_gunicorn']:.1f}, Celery {extra['cpu_celery']:.1f}, "
        f"this driver {extra['cpu_driver']:.1f} (of {wall * (info['cores'] or 1):.0f} available)"
    )
    lines.append("")
    lines.append("| page | count | req/s | p50 ms | p95 ms | p99 ms | errors | queries |")
    lines.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    everything, errors = [], 0
    for name, entry in stats.items():
        times = entry.times
        everything += times
        errors += entry.errors
        queries = counts.get(name)
        if not times:
            lines.append(f"| {name} | 0 | 0 | – | – | – | {entry.errors} | {queries if queries is not None else '?'} |")
            continue
        p50, p95, p99 = (portal.percentile(times, p) * 1000 for p in (50, 95, 99))
        lines.append(
            f"| {name} | {len(times)} | {len(times) / wall:.1f} | {p50:.0f} | {p95:.0f} | {p99:.0f} | "
            f"{entry.errors} | {queries if queries is not None else '?'} |"
        )
    if everything:
        p50, p95, p99 = (portal.percentile(everything, p) * 1000 for p in (50, 95, 99))
        lines.append(
            f"| **all pages** | **{len(everything)}** | **{len(everything) / wall:.1f}** | **{p50:.0f}** | "
            f"**{p95:.0f}** | **{p99:.0f}** | **{errors}** | |"
        )
    samples = [s for entry in stats.values() for s in entry.samples]
    if samples:
        lines.append("")
        lines.append("Errors (first of each page): " + "; ".join(samples))
    if extra.get("exhausted"):
        lines.append("")
        lines.append(f"Entitlement pool ran out {extra['exhausted']} times (raise --pool).")
    if extra.get("report"):
        lines.append("")
        lines.append(extra["report"])
    return "\n".join(lines)


def cpu_seconds(process) -> float:
    import psutil

    try:
        root = psutil.Process(process.pid)
        total = 0.0
        for proc in [root, *root.children(recursive=True)]:
            with_times = proc.cpu_times()
            total += with_times.user + with_times.system
        return total
    except psutil.Error:
        return 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description="Load harness of the portal (docs/performance.md, Load harness).")
    parser.add_argument("--households", type=int, required=True, help="size of the registry (reused if present)")
    parser.add_argument("--db", help="database name (default kw_load_<households>); created if missing")
    parser.add_argument("--users", type=int, default=10, help="concurrent closed-loop users")
    parser.add_argument("--duration", type=int, default=60, help="seconds of measured load")
    parser.add_argument("--deliveries", type=int, help="historic deliveries to build (default 5 per household)")
    parser.add_argument("--pool", type=int, help="entitlements for API submissions (default 60 per second + 500)")
    parser.add_argument("--batch", type=int, default=20, help="deliveries per API batch request")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count(), help="gunicorn workers (default: one per core, as in production)"
    )
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker (default 1)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--with-report", action="store_true", help="also queue one kelurahan monthly report on the worker"
    )
    parser.add_argument("--output", help="markdown file (default test-artifacts/load-<db>-<time>.md)")
    args = parser.parse_args()

    url = database_url(args)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("REDIS_URL", DEFAULT_REDIS)
    db = urllib.parse.urlsplit(url).path.lstrip("/")
    if ensure_database(url):
        log(f"basis data {db} dibuat")
    started = time.perf_counter()
    fx = prepare(args)
    log(
        f"data siap dalam {time.perf_counter() - started:.0f} s: {fx.households:,} keluarga, {fx.members:,} anggota, "
        f"{fx.deliveries:,} penyerahan; {len(fx.entitlements):,} hak penerima untuk API ({fx.round_name})"
    )
    pool = Pool(fx.entitlements)
    table = scenarios(fx, pool, args.batch)
    counts = query_counts(fx, table, pool)
    sessions = {"staff": portal.session_for(fx.staff), "head": portal.session_for(fx.head)}
    from django.db import connections

    connections.close_all()

    stamp = time.strftime("%Y%m%d-%H%M%S")
    logs = ARTIFACTS / f"load-{db}-{stamp}"
    env = portal.service_env(url, os.environ["REDIS_URL"])
    port = portal.free_port()
    server = worker = None
    try:
        server = portal.start_gunicorn(env, port, logs / "gunicorn.log", workers=args.workers, threads=args.threads)
        worker = portal.start_worker(env, logs / "celery.log")
        portal.wait_http(port)
        log(f"portal di 127.0.0.1:{port} (log: {logs})")
        report_line = queue_report(fx) if args.with_report else None
        import psutil

        psutil.cpu_percent(interval=None)
        load_before = " / ".join(f"{v:.2f}" for v in os.getloadavg())
        cpu_server, cpu_celery = cpu_seconds(server), cpu_seconds(worker)
        driver_before = resource.getrusage(resource.RUSAGE_SELF)
        stats, wall = drive(port, fx, table, sessions, args)
        driver_after = resource.getrusage(resource.RUSAGE_SELF)
        extra = {
            "db": db,
            "load_before": load_before,
            "load_after": " / ".join(f"{v:.2f}" for v in os.getloadavg()),
            "cpu_busy": psutil.cpu_percent(interval=None),
            "cpu_gunicorn": cpu_seconds(server) - cpu_server,
            "cpu_celery": cpu_seconds(worker) - cpu_celery,
            "cpu_driver": (driver_after.ru_utime + driver_after.ru_stime)
            - (driver_before.ru_utime + driver_before.ru_stime),
            "exhausted": pool.exhausted,
            "report": finish_report(report_line) if report_line else None,
        }
    finally:
        portal.stop(server)
        portal.stop(worker)
    text = report(args, fx, stats, wall, counts, machine(), extra)
    print(text, flush=True)
    output = Path(args.output) if args.output else ARTIFACTS / f"load-{db}-{stamp}.md"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text + "\n")
    log(f"hasil ditulis ke {output}")
    return 0


def queue_report(fx: Fixture):
    """One kelurahan monthly report of last month, queued like the portal does (on_commit → Redis → worker)."""
    from core.models import Kelurahan
    from reports import services
    from reports.builders.periods import previous_month
    from reports.models import ReportType

    run = services.report_request(
        actor=fx.staff, report_type=ReportType.BULANAN, month=previous_month(), kelurahan=Kelurahan.objects.first()
    )
    return run.pk


def finish_report(run_id: int) -> str:
    from reports.models import ReportRun

    deadline = time.monotonic() + 600
    run = ReportRun.objects.get(pk=run_id)
    while run.status in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(1)
        run.refresh_from_db()
    seconds = (run.finished_at - run.started_at).total_seconds() if run.finished_at and run.started_at else None
    took = f", generated in {seconds:.1f} s on the worker" if seconds is not None else ""
    return f"Background: one kelurahan monthly report queued at the start: status {run.status}{took}."


if __name__ == "__main__":
    sys.exit(main())
