"""The NIK lookup itself (docs/quality.md P3: p95 ≤ 20 ms at a million households), without the page around it.

Run on purpose, never in the suite, against a registry filled by `generate_synthetic` (or `bench/run`):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kw_bench1m REDIS_URL=redis://127.0.0.1:6379/11 \
        .venv/bin/python bench/nik_lookup.py [--lookups 500]

Times `beneficiaries.selectors.member_nik_lookup` (scoped to a Staf Kecamatan, as the search page calls it) for
NIKs of random members, so most lookups read index and heap pages that are not yet cached, and prints
p50/p95/p99. The search page's figures (the same lookup plus the request cycle) come from `bench/run`.
"""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kertapati_welfare.settings.test")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lookups", type=int, default=500)
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()
    import django

    django.setup()
    from accounts import services as account_services
    from accounts.models import Role, User
    from beneficiaries import selectors
    from beneficiaries.models import Household, Member

    user = User.objects.filter(username="bench.nik").first() or account_services.user_create(
        actor=None,
        username="bench.nik",
        password="bangku-uji-panjang-2026",  # noqa: S106 - synthetic bench user
        role=Role.STAF_KECAMATAN,
    )
    rng = random.Random(args.seed)
    top = Member.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    picks = [rng.randint(1, top) for _ in range(args.lookups * 2)]
    niks = list(Member.objects.filter(pk__in=picks, is_active=True).values_list("nik", flat=True)[: args.lookups])
    times = []
    for nik in niks:
        started = time.perf_counter()
        member = selectors.member_nik_lookup(user=user, nik=nik)
        times.append((time.perf_counter() - started) * 1000)
        if member is None:
            raise SystemExit(f"NIK not found: {nik[:4]}…")
    times.sort()

    def pct(p):
        return times[min(len(times) - 1, round(p / 100 * (len(times) - 1)))]

    print(
        f"{Household.objects.count():,} households; {len(times)} NIK lookups (selector, scoped): "
        f"p50 {statistics.median(times):.2f} ms, p95 {pct(95):.2f} ms, p99 {pct(99):.2f} ms, max {times[-1]:.2f} ms"
    )


if __name__ == "__main__":
    main()
