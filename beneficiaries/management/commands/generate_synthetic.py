"""`manage.py generate_synthetic --households N --seed S`: a realistic synthetic registry via COPY.

Same seed, same data. Numbers follow the NIK/KK structure rules of `validators.py` and are unique by
construction. History triggers fire as for any insert unless `--no-history` (benchmark databases only:
it uses session_replication_role, which needs a superuser and also skips foreign-key triggers).
"""

import datetime
import io
import random
import secrets
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from beneficiaries import synthetic
from beneficiaries.models import Household, Member
from beneficiaries.services import card_codes_new
from core.bulk import copy_value as _copy_value
from core.models import RT, Kelurahan

CHUNK = 10_000
RTS_PER_KELURAHAN = 40


def _columns(model, skip=("id",)):
    return [f for f in model._meta.concrete_fields if f.name not in skip]


class Command(BaseCommand):
    help = "Membuat registri sintetis (bukan data nyata) dalam jumlah besar lewat COPY PostgreSQL."

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--serial-start", type=int, default=1, help="Nomor urut awal NIK/KK (hindari bentrok).")
        parser.add_argument(
            "--no-history", action="store_true", help="Lewati trigger riwayat (khusus basis data uji beban)."
        )

    def handle(self, *args, households, seed, serial_start, no_history, **options):
        if households < 1:
            raise CommandError("--households harus >= 1")
        rng = random.Random(seed)
        numbers = synthetic.NumberAllocator(start=serial_start)
        today = timezone.localdate()
        rts = self._ensure_rts()
        hh_fields = _columns(Household)
        m_fields = _columns(Member)
        hh_cols = ["id", *[f.column for f in hh_fields]]
        m_cols = [f.column for f in m_fields]
        now = datetime.datetime.now(datetime.UTC)
        started = time.monotonic()
        done = members_total = 0
        while done < households:
            size = min(CHUNK, households - done)
            with transaction.atomic(), connection.cursor() as cursor:
                if no_history:
                    cursor.execute("SET LOCAL session_replication_role = replica")
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence('beneficiaries_household', 'id')) FROM generate_series(1, %s)",
                    [size],
                )
                ids = [row[0] for row in cursor.fetchall()]
                codes = card_codes_new(len(ids))
                hh_buf, m_buf = io.StringIO(), io.StringIO()
                for household_id in ids:
                    hh = synthetic.household(rng, numbers, today=today)
                    rt = rng.choice(rts)
                    values = {
                        "created_at": now,
                        "updated_at": now,
                        "kk_number": hh.kk_number,
                        "kelurahan": rt.kelurahan_id,
                        "rt": rt.pk,
                        "address": hh.address,
                        "house_number": hh.house_number,
                        "desil": hh.desil,
                        "floor_material": hh.floor_material,
                        "wall_material": hh.wall_material,
                        "roof_material": hh.roof_material,
                        "drinking_water": hh.drinking_water,
                        "lighting": hh.lighting,
                        "home_ownership": hh.home_ownership,
                        "welfare_source": "Sintetis",
                        "card_token": secrets.token_urlsafe(18),
                        "card_code": codes.pop(),
                    }
                    row = [str(household_id)] + [
                        _copy_value(values[f.name] if f.name in values else f.get_default()) for f in hh_fields
                    ]
                    hh_buf.write("\t".join(row) + "\n")
                    for member in hh.members:
                        mvalues = {
                            "created_at": now,
                            "updated_at": now,
                            "household": household_id,
                            "nik": member.nik,
                            "full_name": member.full_name,
                            "sex": member.sex,
                            "birth_place": "Palembang",
                            "birth_date": member.birth_date,
                            "relationship": member.relationship,
                            "marital_status": member.marital_status,
                            "religion": 1,
                            "education": member.education,
                            "school_participation": member.school_participation,
                            "occupation": member.occupation,
                            "disability": member.disability,
                            "chronic_illness": member.chronic_illness,
                        }
                        m_buf.write(
                            "\t".join(
                                _copy_value(mvalues[f.name] if f.name in mvalues else f.get_default()) for f in m_fields
                            )
                            + "\n"
                        )
                        members_total += 1
                hh_buf.seek(0)
                m_buf.seek(0)
                raw = cursor.cursor if hasattr(cursor, "cursor") else cursor
                raw.copy_expert(f"COPY beneficiaries_household ({', '.join(hh_cols)}) FROM STDIN", hh_buf)
                raw.copy_expert(f"COPY beneficiaries_member ({', '.join(m_cols)}) FROM STDIN", m_buf)
            done += size
            rate = done / max(time.monotonic() - started, 1e-6)
            self.stdout.write(f"  {done:,} keluarga, {members_total:,} anggota ({rate:,.0f} keluarga/detik)")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE beneficiaries_household")
            cursor.execute("ANALYZE beneficiaries_member")
        self.stdout.write(
            self.style.SUCCESS(
                f"Selesai: {done:,} keluarga, {members_total:,} anggota dalam {time.monotonic() - started:.1f} detik."
            )
        )

    def _ensure_rts(self):
        for kelurahan in Kelurahan.objects.all():
            existing = set(RT.objects.filter(kelurahan=kelurahan).values_list("number", flat=True))
            RT.objects.bulk_create(
                [
                    RT(kelurahan=kelurahan, number=n, rw=(n - 1) // 5 + 1)
                    for n in range(1, RTS_PER_KELURAHAN + 1)
                    if n not in existing
                ]
            )
        return list(RT.objects.filter(is_active=True))
