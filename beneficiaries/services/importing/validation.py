"""Validation: every row parsed and checked into the staging table (ImportRow), then against the registry."""

from __future__ import annotations

import json
import logging
import time
from concurrent.futures import ThreadPoolExecutor

from django.db import connection, connections, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries import choices
from beneficiaries.models import Household, ImportBatch, ImportRow, Member
from beneficiaries.services.importing.columns import (
    COLUMNS,
    HOUSEHOLD_KEYS,
    SOURCE_COLUMN,
    STAGED_COLUMNS,
    STAGED_KEYS,
)
from beneficiaries.services.importing.files import _blank, _filled, iter_raw_rows, sniff_type
from beneficiaries.services.importing.plan import _preview_counts
from beneficiaries.services.importing.rows import _header_keys, _RowParser, _Wilayah
from core.bulk import copy_tuples

BATCH = 2000
logger = logging.getLogger(__name__)


class _StagingWriter:
    """Writes staging rows while the next ones are parsed: each COPY runs in a second thread on its own
    connection, so PostgreSQL stores one chunk while Python reads the next (psycopg2 lets go of the GIL while the
    server works). At most one chunk is in flight. Inside a transaction (a caller's atomic block, the tests) the
    rows go in inline on the caller's connection, which is the only one that sees the batch."""

    def __init__(self):
        self.pool = None if connection.in_atomic_block else ThreadPoolExecutor(max_workers=1)
        self.pending = None

    def write(self, rows: list) -> None:
        if self.pool is None:
            copy_tuples(ImportRow, STAGED_COLUMNS, rows)
            return
        self.wait()
        self.pending = self.pool.submit(copy_tuples, ImportRow, STAGED_COLUMNS, rows)

    def wait(self) -> None:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            pending.result()  # a failed COPY raises here, in the task

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.pool is not None:
            try:
                if exc[0] is None:
                    self.wait()
            finally:
                self.pool.submit(connections.close_all).result()
                self.pool.shutdown()
        return False


def import_batch_validate(*, batch_id: int, actor=None) -> ImportBatch:
    """Parses and checks every row into ImportRow; safe to run twice (it starts from a clean slate)."""
    started = time.perf_counter()
    batch = ImportBatch.objects.get(pk=batch_id)
    if batch.status not in (ImportBatch.Status.UPLOADED, ImportBatch.Status.VALIDATING):
        return batch
    actor = actor or batch.uploaded_by
    batch.rows.all().delete()
    batch.status = ImportBatch.Status.VALIDATING
    batch.processed_rows = batch.accepted_rows = batch.rejected_rows = 0
    batch.save(update_fields=["status", "processed_rows", "accepted_rows", "rejected_rows", "updated_at"])
    with batch.file.open("rb") as handle:
        raw = handle.read()
    kind = sniff_type(raw[:8192])
    assert kind is not None  # the upload (import_batch_create) refused a file that is neither CSV nor XLSX
    rows = iter_raw_rows(raw, kind)
    wilayah = _Wilayah.load(actor)
    keys = None
    header_row = 0
    for number, cells in enumerate(rows, start=1):
        if all(_blank(c) for c in cells):
            continue
        keys, missing = _header_keys(cells)
        header_row = number
        if missing:
            batch.status = ImportBatch.Status.FAILED
            batch.message = _("Kolom wajib tidak ditemukan di baris judul: %(cols)s. Gunakan templat.") % {
                "cols": ", ".join(missing)
            }
            batch.save(update_fields=["status", "message", "updated_at"])
            return batch
        batch.columns = [key for key in keys if key]
        batch.save(update_fields=["columns", "updated_at"])
        break
    if keys is None:
        batch.status = ImportBatch.Status.FAILED
        batch.message = _("Berkas tidak berisi baris judul maupun data.")
        batch.save(update_fields=["status", "message", "updated_at"])
        return batch

    with _StagingWriter() as staging:
        parser = _RowParser(wilayah)
        seen_nik: dict[str, int] = {}
        household_of_kk: dict[str, tuple] = {}
        heads: dict[str, int] = {}
        pending: list[tuple] = []  # staging rows in the order of STAGED_COLUMNS
        processed = accepted = 0
        for number, cells in enumerate(rows, start=header_row + 1):
            raw_row = _filled(keys, cells)
            if not raw_row:
                continue  # blank and trailing rows
            data, errors = parser.parse(raw_row)
            kk, nik = data["kk_number"], data["nik"]
            if nik:
                if nik in seen_nik:
                    errors.append(
                        {
                            "column": "nik",
                            "message": _("NIK ganda di berkas: sama dengan baris %(row)s.") % {"row": seen_nik[nik]},
                        }
                    )
                else:
                    seen_nik[nik] = number
            if kk and not errors:
                key = tuple(map(data.get, HOUSEHOLD_KEYS))
                first = household_of_kk.setdefault(kk, (number, key))
                if first[1] != key:
                    differs = next(k for k, a, b in zip(HOUSEHOLD_KEYS, first[1], key, strict=True) if a != b)
                    errors.append(
                        {
                            "column": "no_kk",
                            "message": _(
                                "Data keluarga (kolom %(column)s) berbeda dengan baris %(row)s untuk nomor KK yang sama: kolom keluarga harus sama di setiap baris satu KK."
                            )
                            % {"row": first[0], "column": COLUMNS[SOURCE_COLUMN.get(differs, differs)][0]},
                        }
                    )
                if data.get("relationship") == choices.Relationship.HEAD:
                    if kk in heads:
                        errors.append(
                            {
                                "column": "hubungan",
                                "message": _(
                                    "Kepala Keluarga kedua untuk nomor KK ini (yang pertama di baris %(row)s)."
                                )
                                % {"row": heads[kk]},
                            }
                        )
                    else:
                        heads[kk] = number
            pending.append(
                (
                    batch.pk,
                    number,
                    kk,
                    nik,
                    json.dumps(errors) if errors else "[]",
                    not errors,
                    *map(data.get, STAGED_KEYS),
                )
            )
            processed += 1
            accepted += not errors
            if len(pending) >= BATCH * 5:
                staging.write(pending)
                pending = []
                if not _heartbeat(batch, processed):
                    return _stopped(batch)
        staging.write(pending)
    parsed = time.perf_counter()
    _check_against_registry(batch, actor)
    checked = time.perf_counter()
    batch.refresh_from_db()
    batch.total_rows = processed
    batch.processed_rows = processed
    batch.accepted_rows = batch.rows.filter(is_accepted=True).count()
    batch.rejected_rows = processed - batch.accepted_rows
    plan = _preview_counts(batch)
    logger.info(
        "Impor #%s: %s baris dibaca dan disimpan ke tabel antara %.1f dtk, cek registri %.1f dtk, pratinjau %.1f dtk",
        batch.pk,
        processed,
        parsed - started,
        checked - parsed,
        time.perf_counter() - checked,
    )
    batch.households_created, batch.households_updated = plan["households_created"], plan["households_updated"]
    batch.members_created, batch.members_updated = plan["members_created"], plan["members_updated"]
    batch.unchanged_rows = plan["unchanged"]
    batch.status = ImportBatch.Status.VALIDATED
    if processed and batch.unchanged_rows == batch.accepted_rows and batch.accepted_rows:
        batch.message = _(
            "Semua baris yang diterima sudah sama dengan data di registri: menyimpan tidak akan mengubah apa pun."
        )
    with transaction.atomic():
        if ImportBatch.objects.select_for_update().get(pk=batch.pk).status != ImportBatch.Status.VALIDATING:
            return _stopped(batch)
        batch.save()
    return batch


def _heartbeat(batch: ImportBatch, processed: int) -> bool:
    """Progress for the page, and the sign of life that tells a slow validation from a stuck one
    (`ImportBatch.STUCK_AFTER`). False when the batch was cancelled (or restarted) meanwhile: this run stops."""
    return bool(
        ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.VALIDATING).update(
            processed_rows=processed, updated_at=timezone.now()
        )
    )


def _stopped(batch: ImportBatch) -> ImportBatch:
    """The uploader cancelled while this run was checking the file: its staged rows go, the cancel stands."""
    batch = ImportBatch.objects.get(pk=batch.pk)
    if batch.status == ImportBatch.Status.CANCELLED:
        batch.rows.all().delete()
    return batch


def _check_against_registry(batch: ImportBatch, actor) -> None:
    """NIK held by a member of another KK, and KK numbers of households the uploader may not see.

    Set-based: each check is one UPDATE of the staging rows joined to the registry, whatever the size of the
    file (a Python loop with `IN (...)` lists and a CASE-per-row bulk_update cost most of the validation)."""
    accepted = ImportRow.objects.filter(batch=batch, is_accepted=True)
    checks = [
        (
            accepted.exclude(nik="").filter(
                Exists(
                    Member.objects.active()
                    .filter(nik=OuterRef("nik"))
                    .exclude(household__kk_number=OuterRef("kk_number"))
                )
            ),
            {
                "column": "nik",
                "message": _(
                    "NIK sudah terdaftar pada keluarga dengan nomor KK lain; pindahkan anggota lewat menu Pindah KK."
                ),
            },
        )
    ]
    scope = actor.kelurahan_scope() if actor is not None else None
    if scope is not None:
        hidden = Household.objects.active().filter(kk_number=OuterRef("kk_number")).exclude(kelurahan_id__in=scope)
        checks.append(
            (
                accepted.filter(Exists(hidden)),
                {"column": "no_kk", "message": _("Nomor KK sudah terdaftar di kelurahan di luar wilayah tugas Anda.")},
            )
        )
    for rows, error in checks:
        ids = list(rows.values_list("pk", flat=True))
        if ids:
            with connection.cursor() as cursor:
                cursor.execute(
                    "UPDATE beneficiaries_importrow SET errors = errors || %s::jsonb, is_accepted = false "
                    "WHERE id = ANY(%s)",
                    [json.dumps([error]), ids],
                )
    _check_one_head(batch)


# Per KK of the accepted rows: the heads the family will have after the commit, i.e. the accepted rows with
# relationship 1, plus the registry's active heads of that KK that no accepted row updates (same matching as the
# commit's plan: NIK, or name and birth date without NIK).
_FAMILY_HEADS = """
    WITH fam AS (
        SELECT kk_number, count(*) FILTER (WHERE relationship = %(head)s) AS file_heads
        FROM beneficiaries_importrow WHERE batch_id = %(batch)s AND is_accepted GROUP BY kk_number
    ), reg AS (
        SELECT h.kk_number, count(m.id) AS kept_heads
        FROM beneficiaries_household h
        JOIN fam ON fam.kk_number = h.kk_number
        JOIN beneficiaries_member m ON m.household_id = h.id AND m.is_active AND m.relationship = %(head)s
        WHERE h.is_active
          AND NOT EXISTS (
            SELECT 1 FROM beneficiaries_importrow r
            WHERE r.batch_id = %(batch)s AND r.is_accepted AND r.nik <> '' AND r.nik = m.nik
          )
          AND NOT (m.nik IS NULL AND EXISTS (
            SELECT 1 FROM beneficiaries_importrow r
            WHERE r.batch_id = %(batch)s AND r.is_accepted AND r.nik = '' AND r.kk_number = h.kk_number
              AND lower(r.full_name) = lower(m.full_name) AND r.birth_date = m.birth_date
          ))
        GROUP BY h.kk_number
    )
    SELECT fam.kk_number, fam.file_heads + coalesce(reg.kept_heads, 0) AS heads
    FROM fam LEFT JOIN reg ON reg.kk_number = fam.kk_number
    WHERE fam.file_heads + coalesce(reg.kept_heads, 0) <> 1
"""
_REJECT_FAMILIES = f"""
    UPDATE beneficiaries_importrow r
    SET errors = r.errors || jsonb_build_array(jsonb_build_object(
            'column', %(column)s::text, 'message', CASE WHEN b.heads = 0 THEN %(none)s::text ELSE %(many)s::text END
        )),
        is_accepted = false
    FROM ({_FAMILY_HEADS}) b
    WHERE r.batch_id = %(batch)s AND r.is_accepted AND r.kk_number = b.kk_number
"""  # noqa: S608  # nosec B608 - constants only


def _check_one_head(batch: ImportBatch) -> None:
    """A family must end with exactly one active Kepala Keluarga (issue 22 B4): otherwise every accepted row of
    its KK is rejected, with the reason on each row, and the rest of the file goes ahead."""
    with connection.cursor() as cursor:
        cursor.execute(
            _REJECT_FAMILIES,
            {
                "batch": batch.pk,
                "head": int(choices.Relationship.HEAD),
                "column": COLUMNS["relationship"][0],
                "none": _(
                    "Keluarga dengan nomor KK ini tidak memiliki Kepala Keluarga: isi satu baris anggotanya dengan "
                    "hubungan 1 (Kepala Keluarga), atau perbaiki baris Kepala Keluarga yang ditolak. Semua baris "
                    "keluarga ini ditolak."
                ),
                "many": _(
                    "Nomor KK ini sudah memiliki Kepala Keluarga lain di registri, sehingga keluarga ini akan "
                    "memiliki dua Kepala Keluarga: ubah hubungan di berkas, atau ganti Kepala Keluarga lewat "
                    "halaman Ubah keluarga. Semua baris keluarga ini ditolak."
                ),
            },
        )
