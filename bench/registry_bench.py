"""Benchmark of the registry pages (docs/quality.md P2, P3): list, search and detail, one user and 10 at once.

Run on purpose, never in the suite, against a database of its own filled by generate_synthetic:

    psql -h 127.0.0.1 -U postgres -c "create database kw_registry_bench"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kw_registry_bench REDIS_URL=redis://127.0.0.1:6379/6 \
        .venv/bin/python manage.py migrate
    DATABASE_URL=... .venv/bin/python manage.py generate_synthetic --households 100000 --seed 1 --no-history
    DATABASE_URL=... REDIS_URL=... .venv/bin/python bench/registry_bench.py [--requests 60] [--users 10]

It serves the portal with gunicorn (2 workers x 4 threads, DEBUG off) on 127.0.0.1:8766, signs a Staf Kecamatan
in (all six kelurahan), then sends real HTTP requests and prints p50/p95/p99 and requests per second.
"""

import argparse
import http.client
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import portal  # bench/portal.py: the harness's process helpers

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kertapati_welfare.settings.test")
PORT = 8766


def prepare():
    import django

    django.setup()
    from django.conf import settings
    from django.test import Client

    from accounts import services as account_services
    from accounts.models import Role, User
    from beneficiaries.models import Household, Member

    user = User.objects.filter(username="bench.registri").first() or account_services.user_create(
        actor=None,
        username="bench.registri",
        password="bangku-uji-panjang-2026",  # noqa: S106 - synthetic bench user
        role=Role.STAF_KECAMATAN,
    )
    client = Client()
    client.force_login(user)
    session = client.cookies[settings.SESSION_COOKIE_NAME].value
    rng = random.Random(1)
    top = Household.objects.order_by("-pk").values_list("pk", flat=True).first()
    count = Household.objects.count()
    household_ids = [rng.randint(1, top) for _ in range(400)]
    niks = list(
        Member.objects.filter(is_active=True, pk__in=[rng.randint(1, top * 4) for _ in range(600)]).values_list(
            "nik", flat=True
        )
    )
    names = ["Budi Saputra", "Siti Hidayat", "Rahmat Lubis", "Dewi Wijaya", "Agus Harahap", "Putri Nasution"]
    return session, household_ids, niks, names, count


def request(conn, method, path, session, body=None, csrf=None):
    headers = {"Cookie": f"sessionid={session}" + (f"; csrftoken={csrf[0]}" if csrf else "")}
    data = None
    if body is not None:
        data = urllib.parse.urlencode({**body, "csrfmiddlewaretoken": csrf[1]})
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Referer"] = f"http://127.0.0.1:{PORT}/registri/cari/"
    started = time.perf_counter()
    conn.request(method, path, body=data, headers=headers)
    response = conn.getresponse()
    payload = response.read()
    elapsed = time.perf_counter() - started
    return response.status, payload, elapsed, response.getheader("Set-Cookie") or ""


def csrf_pair(session):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    status, payload, _e, cookie = request(conn, "GET", "/registri/cari/", session)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', payload).group(1).decode()
    cookie_value = re.search(r"csrftoken=([^;]+)", cookie).group(1)
    return cookie_value, token


def scenarios(household_ids, niks, names):
    rng = random.Random(2)
    return {
        "list first page": lambda: ("GET", "/registri/", None),
        "list last page": lambda: ("GET", "/registri/?last=1", None),
        "list kelurahan+desil": lambda: ("GET", f"/registri/?kelurahan={rng.randint(1, 6)}&desil=1&desil=2", None),
        "list children out of school": lambda: ("GET", "/registri/?children_out_of_school=on", None),
        "list name filter": lambda: ("GET", "/registri/?" + urllib.parse.urlencode({"q": rng.choice(names)}), None),
        "detail": lambda: ("GET", f"/registri/keluarga/{rng.choice(household_ids)}/", None),
        "search NIK (POST)": lambda: ("POST", "/registri/cari/", {"kind": "nik", "q": rng.choice(niks)}),
        "search name (POST)": lambda: ("POST", "/registri/cari/", {"kind": "name", "q": rng.choice(names)}),
    }


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))] * 1000


def run_one(session, csrf, name, make, n):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
    times, bad = [], 0
    for _ in range(n):
        method, path, body = make()
        status, _p, elapsed, _c = request(conn, method, path, session, body, csrf if body else None)
        bad += status not in (200, 404)
        times.append(elapsed)
    return times, bad


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=60, help="requests per scenario, one user")
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--per-user", type=int, default=30, help="requests per user in the concurrent mix")
    args = parser.parse_args()
    session, household_ids, niks, names, count = prepare()
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "kertapati_welfare.settings.test"}
    server = portal.start_gunicorn(env, PORT, Path(tempfile.gettempdir()) / f"kertapati-bench-{PORT}.log")
    try:
        csrf = None
        for _ in range(120):
            try:
                csrf = csrf_pair(session)
                break
            except (OSError, AttributeError):
                time.sleep(1)
        if csrf is None:
            raise SystemExit("the server did not answer /registri/cari/ with a form")
        print(f"Registry benchmark: {count:,} households; one user, {args.requests} requests per scenario")
        print(f"{'scenario':32} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>7}")
        table = scenarios(household_ids, niks, names)
        for name, make in table.items():
            run_one(session, csrf, name, make, 3)  # warm-up
            times, bad = run_one(session, csrf, name, make, args.requests)
            print(f"{name:32} {pct(times, 50):8.1f} {pct(times, 95):8.1f} {pct(times, 99):8.1f} {bad:7d}")

        latencies, errors = [], [0]
        lock = threading.Lock()
        makers = list(table.values())

        def user(seed):
            rng = random.Random(seed)
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
            for _ in range(args.per_user):
                method, path, body = rng.choice(makers)()
                status, _p, elapsed, _c = request(conn, method, path, session, body, csrf if body else None)
                with lock:
                    latencies.append(elapsed)
                    errors[0] += status not in (200, 404)

        threads = [threading.Thread(target=user, args=(i,)) for i in range(args.users)]
        started = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        print(
            f"\n{args.users} concurrent users, mixed scenarios, {len(latencies)} requests: "
            f"{len(latencies) / wall:.1f} req/s, p50 {pct(latencies, 50):.1f} ms, p95 {pct(latencies, 95):.1f} ms, "
            f"p99 {pct(latencies, 99):.1f} ms, mean {statistics.mean(latencies) * 1000:.1f} ms, errors {errors[0]}"
        )
    finally:
        portal.stop(server)


if __name__ == "__main__":
    main()
