"""Benchmark of the monthly welfare report (docs/quality.md P5: ≤ 60 s over 5 million deliveries) and of the
dashboard page served from precomputed aggregates (p95 ≤ 200 ms).

Run on purpose, never in the suite, against a database of its own (it is migrated and filled here):

    psql -h 127.0.0.1 -U postgres -c "create database kw_reports_bench"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kw_reports_bench REDIS_URL=redis://127.0.0.1:6379/11 \
        .venv/bin/python bench/reports_monthly.py [--households 1000000] [--deliveries 5000000]

Data: the registry from `manage.py generate_synthetic` (COPY, no history triggers), then institutions, rounds
over six months, entitlements and deliveries generated inside PostgreSQL (INSERT … SELECT generate_series,
triggers off: a benchmark database only). Existing data is reused, so a second run only measures.
Prints the time of each report section, of the whole report (figures + XLSX/PDF/CSV files) and the dashboard.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kertapati_welfare.settings.test")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

INSTITUTIONS = 5
MONTHS = 6
PASSWORD = "bangku-camat-panjang-2026"  # noqa: S105 - synthetic bench user


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def prepare_registry(households: int) -> None:
    from django.core.management import call_command

    from beneficiaries.models import Household

    existing = Household.objects.count()
    if existing >= households:
        log(f"registri: {existing:,} keluarga sudah ada")
        return
    started = time.perf_counter()
    call_command(
        "generate_synthetic",
        households=households - existing,
        seed=7,
        serial_start=existing + 1,
        no_history=True,
        verbosity=1,
    )
    log(f"registri: {households - existing:,} keluarga dibuat dalam {time.perf_counter() - started:.0f} s")


def prepare_deliveries(deliveries: int) -> None:
    import datetime

    from django.db import connection, transaction
    from django.utils import timezone

    from accounts.models import Role, User
    from aid_distribution.models import AidPackage, Delivery, DistributionRound, Institution, RoundStatus
    from beneficiaries.models import Household
    from reports.builders.periods import add_months, month_start

    existing = Delivery.objects.count()
    if existing >= deliveries:
        log(f"penyaluran: {existing:,} penyerahan sudah ada")
        return
    started = time.perf_counter()
    user, _ = User.objects.get_or_create(
        username="bench.laporan", defaults={"role": Role.STAF_KECAMATAN, "first_name": "Bench"}
    )
    package, _ = AidPackage.objects.get_or_create(name="Paket Bench", defaults={"estimated_value": 200_000})
    this_month = month_start(timezone.localdate())
    months = [add_months(this_month, -i) for i in range(MONTHS)]
    rounds = []
    for index in range(INSTITUTIONS):
        institution, _ = Institution.objects.get_or_create(
            name=f"Lembaga Bench {index + 1}", defaults={"kind": "lks", "address": "Kertapati"}
        )
        for month in months:
            round_, _ = DistributionRound.objects.get_or_create(
                institution=institution,
                period=month,
                name=f"Bench {month:%Y-%m}",
                defaults={"package": package, "status": RoundStatus.CLOSED, "approved_by": user},
            )
            rounds.append(round_)
    households = Household.objects.count()
    # Each round serves a slice of the households chosen by id, so some households are served by several
    # institutions in a month and some by none for months: the coordination figures have something to find.
    per_round = max(1, deliveries // len(rounds))
    modulus = max(1, households // per_round)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL session_replication_role = replica")  # no history/FK triggers (bench only)
        cursor.execute("SELECT min(id), max(id) FROM beneficiaries_household")
        low, high = cursor.fetchone()
        for number, round_ in enumerate(rounds):
            cursor.execute(
                """
                INSERT INTO aid_distribution_entitlement (round_id, household_id, added_at, added_by_id)
                SELECT %s, h.id, now(), NULL FROM beneficiaries_household h
                WHERE h.id BETWEEN %s AND %s AND (h.id + %s) %% %s = 0
                ON CONFLICT DO NOTHING
                """,
                [round_.pk, low, high, number * 7, modulus],
            )
        delivered_at = datetime.time(10, 0)
        cursor.execute(
            """
            INSERT INTO aid_distribution_delivery
                (entitlement_id, client_uuid, delivered_at, recipient_member_id, proxy_name, proxy_relation,
                 photo, latitude, longitude, notes, recorded_by_id, recorded_at)
            SELECT e.id, gen_random_uuid(), (r.period + %s::time + interval '9 days') AT TIME ZONE 'Asia/Jakarta',
                   NULL, 'Tetangga', 'tetangga', '', NULL, NULL, '', %s, now()
            FROM aid_distribution_entitlement e
            JOIN aid_distribution_distributionround r ON r.id = e.round_id
            WHERE r.name LIKE 'Bench %%'
              AND NOT EXISTS (SELECT 1 FROM aid_distribution_delivery d WHERE d.entitlement_id = e.id)
            """,
            [delivered_at, user.pk],
        )
    # What autovacuum does in production after a bulk load: statistics for the planner and the visibility map
    # for index-only scans.
    with connection.cursor() as cursor:
        for table in (
            "aid_distribution_entitlement",
            "aid_distribution_delivery",
            "beneficiaries_household",
            "beneficiaries_member",
        ):
            cursor.execute(f"VACUUM ANALYZE {table}")
    log(f"penyaluran: {Delivery.objects.count():,} penyerahan dalam {time.perf_counter() - started:.0f} s")


def measure_report() -> None:
    from reports import builders, services
    from reports.builders.periods import previous_month
    from reports.models import ReportRun, ReportType

    month = previous_month()
    timings: dict[str, float] = {}
    original = builders.guarded

    def timed(title, build, db):
        started = time.perf_counter()
        result = original(title, build, db)
        timings[title] = time.perf_counter() - started
        return result

    builders.guarded = timed
    try:
        run = services.report_request(
            actor=None, report_type=ReportType.BULANAN, month=month, kelurahan=None, enqueue=False
        )
        ReportRun.objects.filter(pk=run.pk).update(status="failed")  # force a fresh generation
        run = services.report_request(
            actor=None, report_type=ReportType.BULANAN, month=month, kelurahan=None, enqueue=False
        )
        started = time.perf_counter()
        services.report_generate(run_id=run.pk)
        total = time.perf_counter() - started
    finally:
        builders.guarded = original
    run.refresh_from_db()
    log(f"laporan bulanan {month:%m-%Y} (kecamatan): status {run.status}")
    for title, seconds in timings.items():
        print(f"  {title:<50} {seconds:7.2f} s")
    figures = sum(timings.values())
    print(f"  {'angka (semua bagian)':<50} {figures:7.2f} s")
    print(f"  {'laporan lengkap (angka + XLSX + PDF + CSV)':<50} {total:7.2f} s   (batas P5: 60 s)")
    section = run.figures["sections"]
    print(
        f"  keluarga aktif {section['households']['total']['active']:,} · anggota {section['members']['total']['active']:,}"
        f" · penyerahan bulan itu {section['aid_institutions']['total']['deliveries']:,}"
    )


def measure_dashboard(requests: int = 60) -> None:
    from django.test import Client

    from accounts import services as account_services
    from accounts.models import Role, User
    from reports import services

    started = time.perf_counter()
    services.dashboard_refresh()
    log(f"hitung ulang agregat dasbor: {time.perf_counter() - started:.1f} s")
    user = User.objects.filter(username="bench.pimpinan").first() or account_services.user_create(
        actor=None, username="bench.pimpinan", role=Role.PIMPINAN, password=PASSWORD
    )
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    client.get("/laporan/dasbor/")
    times = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get("/laporan/dasbor/")
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, response.status_code
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(
        f"  dasbor: p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms ({requests} permintaan; batas P5: 200 ms)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=1_000_000)
    parser.add_argument("--deliveries", type=int, default=5_000_000)
    args = parser.parse_args()
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    prepare_registry(args.households)
    prepare_deliveries(args.deliveries)
    measure_report()
    measure_dashboard()


if __name__ == "__main__":
    main()
