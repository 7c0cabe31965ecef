"""Benchmark of the delivery API (docs/quality.md P6): submission p95 at 10 concurrent users, and a 500-item batch sync.

Run on purpose, never in the suite, against a database of its own (it is migrated and filled here):

    psql -h 127.0.0.1 -U postgres -c "create database kw_aid_bench"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kw_aid_bench REDIS_URL=redis://127.0.0.1:6379/7 \
        .venv/bin/python bench/aid_delivery.py [--users 10] [--per-user 40] [--batch 500]

It serves the portal with gunicorn (2 workers x 4 threads, production-like, DEBUG off) on 127.0.0.1:8765, gets a
token from POST /api/v1/auth/token/, then sends real HTTP requests and prints the figures.
"""

import argparse
import http.client
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import portal  # bench/portal.py: the harness's process helpers

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kertapati_welfare.settings.test")
PORT = 8765
PASSWORD = "bangku-uji-panjang-2026"  # noqa: S105 - synthetic bench user


def prepare(households: int):
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from accounts import services as account_services
    from accounts.models import Role, User
    from aid_distribution.models import (
        AidPackage,
        DistributionRound,
        Entitlement,
        Institution,
        InstitutionKind,
        InstitutionMembership,
        RoundStatus,
    )
    from beneficiaries.models import Household, Member
    from core.models import RT, Kelurahan

    worker = User.objects.filter(username="bench.petugas").first() or account_services.user_create(
        actor=None, username="bench.petugas", password=PASSWORD, role=Role.PETUGAS_LEMBAGA
    )
    approver = User.objects.filter(username="bench.kecamatan").first() or account_services.user_create(
        actor=None, username="bench.kecamatan", password=PASSWORD, role=Role.STAF_KECAMATAN
    )
    institution, _ = Institution.objects.get_or_create(
        name="LKS Bench", defaults={"kind": InstitutionKind.LKS, "address": "-"}
    )
    InstitutionMembership.objects.get_or_create(user=worker, institution=institution)
    package, _ = AidPackage.objects.get_or_create(name="Paket Bench")
    round_ = DistributionRound.objects.create(
        institution=institution,
        name=f"Bench {uuid.uuid4().hex[:6]}",
        period=time.strftime("%Y-%m-01"),
        package=package,
        status=RoundStatus.DISTRIBUTING,
        approved_by=approver,
    )
    kelurahan = Kelurahan.objects.first()
    rt, _ = RT.objects.get_or_create(kelurahan=kelurahan, number=900, defaults={"rw": 99})
    start = Household.objects.count()
    rows = [
        Household(
            kk_number=f"1671130101{(start + i) % 1000000:06d}",
            kelurahan=kelurahan,
            rt=rt,
            address=f"Jl. Bench {i}",
            desil=2,
            is_active=False,
            removed_reason=1,
        )
        for i in range(households)
    ]
    # Inactive synthetic households: they never collide with the registry's active-KK uniqueness.
    created = Household.objects.bulk_create(rows, batch_size=1000)
    Member.objects.bulk_create(
        [
            Member(
                household=h,
                full_name=f"Kepala {h.pk}",
                sex=1,
                birth_date="1980-01-01",
                relationship=1,
                nik_missing_reason=1,
            )
            for h in created
        ],
        batch_size=1000,
    )
    entitlements = Entitlement.objects.bulk_create(
        [Entitlement(round=round_, household=h) for h in created], batch_size=1000
    )
    return [e.pk for e in entitlements]


def request(conn, method, path, body=None, token=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = conn.getresponse()
    return response.status, response.read()


def item(entitlement_id):
    return {
        "client_uuid": str(uuid.uuid4()),
        "entitlement": entitlement_id,
        "delivered_at": "2026-11-20T09:15:00+07:00",
        "proxy_name": "Bu Rina",
        "proxy_relation": "tetangga",
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--per-user", type=int, default=40)
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    singles = args.users * args.per_user
    ids = prepare(singles + args.batch)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kertapati_welfare.settings.test"}
    server = portal.start_gunicorn(env, PORT, Path(tempfile.gettempdir()) / f"kertapati-bench-{PORT}.log")
    try:
        for _ in range(50):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
                status, body = request(
                    conn, "POST", "/api/v1/auth/token/", {"username": "bench.petugas", "password": PASSWORD}
                )
                if status == 200:
                    break
            except OSError:
                time.sleep(0.2)
        token = json.loads(body)["token"]

        latencies, statuses = [], []
        lock = threading.Lock()

        def user(chunk):
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
            for entitlement_id in chunk:
                started = time.perf_counter()
                status, _body = request(conn, "POST", "/api/v1/aid/deliveries/", item(entitlement_id), token)
                elapsed = time.perf_counter() - started
                with lock:
                    latencies.append(elapsed)
                    statuses.append(status)

        chunks = [ids[i * args.per_user : (i + 1) * args.per_user] for i in range(args.users)]
        threads = [threading.Thread(target=user, args=(chunk,)) for chunk in chunks]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        latencies.sort()
        p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000  # noqa: E731
        print(f"single deliveries: {len(latencies)} requests by {args.users} concurrent users")
        print(f"  status codes: { {s: statuses.count(s) for s in set(statuses)} }")
        print(f"  p50 {p(0.50):.1f} ms, p95 {p(0.95):.1f} ms, max {latencies[-1] * 1000:.1f} ms")
        print(f"  throughput {len(latencies) / wall:.1f} req/s, mean {statistics.mean(latencies) * 1000:.1f} ms")

        batch = [item(i) for i in ids[singles:]]
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
        for label in ("first send", "resend (all duplicates)"):
            started = time.perf_counter()
            status, body = request(conn, "POST", "/api/v1/aid/deliveries/batch/", {"items": batch}, token)
            elapsed = time.perf_counter() - started
            result = json.loads(body)
            print(
                f"batch of {len(batch)}, {label}: HTTP {status} in {elapsed:.2f} s "
                f"(created {result['created']}, duplicate {result['duplicate']}, rejected {result['rejected']})"
            )
    finally:
        portal.stop(server)


if __name__ == "__main__":
    main()
