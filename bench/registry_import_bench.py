"""Benchmark of the bulk import (docs/quality.md P4): N synthetic households as CSV through the import service.

    psql -h 127.0.0.1 -U postgres -c "create database kw_registry_import"
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kw_registry_import REDIS_URL=redis://127.0.0.1:6379/6 \
        .venv/bin/python bench/registry_import_bench.py --households 10000

Writes the CSV (template columns) to a temporary file, then times upload checks, validation (staging rows)
and commit (set-based upsert with history) separately, into an empty registry, and prints the peak memory of the process.
"""

import argparse
import csv
import datetime
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

BASE = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kertapati_welfare.settings.test")


def write_csv(path: Path, households: int, seed: int) -> int:
    from beneficiaries import synthetic
    from beneficiaries.services import importing
    from core.models import RT

    rng = random.Random(seed)
    numbers = synthetic.NumberAllocator(start=3000)
    today = datetime.date.today()
    rts = list(RT.objects.select_related("kelurahan").filter(is_active=True))
    rows = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow([header for header, _r, _d in importing.COLUMNS.values()])
        for _ in range(households):
            hh = synthetic.household(rng, numbers, today=today)
            rt = rng.choice(rts)
            for m in hh.members:
                writer.writerow(
                    [hh.kk_number, rt.kelurahan.name, rt.number, rt.rw, hh.address, hh.house_number, hh.desil, m.nik, "",
                     m.full_name, "P" if m.sex == 2 else "L", "Palembang", m.birth_date.strftime("%d-%m-%Y"),
                     m.relationship, m.marital_status, 1, m.education or "", m.school_participation or "", m.occupation or ""]
                )  # fmt: skip
                rows += 1
    return rows


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--households", type=int, default=10000)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    import logging

    import django

    django.setup()
    logging.basicConfig(format="  %(message)s")
    logging.getLogger("beneficiaries.services.importing").setLevel(logging.INFO)  # the phases of validation and commit
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from beneficiaries.services import importing
    from core.models import RT, Kelurahan

    for kelurahan in Kelurahan.objects.all():
        for n in range(1, 41):
            RT.objects.get_or_create(kelurahan=kelurahan, number=n, defaults={"rw": (n - 1) // 5 + 1})
    # Every run imports into an empty registry, so that runs compare (this database is the benchmark's own).
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE beneficiaries_member, beneficiaries_household, beneficiaries_memberevent, "
            "beneficiaries_householdevent, beneficiaries_importrow, beneficiaries_importbatch CASCADE"
        )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "keluarga.csv"
        started = time.perf_counter()
        rows = write_csv(path, args.households, args.seed)
        print(f"CSV: {args.households:,} households, {rows:,} member rows, {path.stat().st_size / 1e6:.1f} MB "
              f"(written in {time.perf_counter() - started:.1f} s)")  # fmt: skip
        total = time.perf_counter()
        t = time.perf_counter()
        with path.open("rb") as handle:
            batch = importing.import_batch_create(actor=None, uploaded_file=handle, name="bench.csv", run_task=False)
        upload = time.perf_counter() - t
        t = time.perf_counter()
        batch = importing.import_batch_validate(batch_id=batch.pk)
        validate = time.perf_counter() - t
        t = time.perf_counter()
        batch = importing.import_batch_commit(actor=None, batch=batch)
        commit = time.perf_counter() - t
        end_to_end = time.perf_counter() - total
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"accepted {batch.accepted_rows:,}, rejected {batch.rejected_rows:,}; households created {batch.households_created:,}, members created {batch.members_created:,}"
    )
    print(f"upload checks {upload:.1f} s, validation {validate:.1f} s, commit {commit:.1f} s; end to end {end_to_end:.1f} s "
          f"({rows / end_to_end:,.0f} rows/s); peak memory {peak_mb:.0f} MB")  # fmt: skip


if __name__ == "__main__":
    main()
