"""Bulk import of households from CSV or XLSX through a staging table (ImportBatch + ImportRow).

Flow: upload (size, row count and type checked before parsing) -> validate in a Celery task with progress ->
preview (accepted rows, every rejected row with its reasons) -> commit in one transaction, or cancel.
Re-importing the same file is refused by its hash, and the commit is an idempotent upsert by KK and NIK,
so the same rows in a different file change nothing either (the HOPE #6089 failure mode).

Spreadsheet traps caught here (the "NIK mangled by spreadsheets" feature of anchors.md): NIK/KK typed as
numbers (Excel keeps 15 significant digits, so the 16th becomes 0; leading digits vanish), scientific
notation (1.67113E+15), dates in several formats, blank and trailing rows, BOM, semicolons, Windows-1252.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import hashlib
import io
import json
import logging
import re
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.db.models import BooleanField, Exists, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries import choices
from beneficiaries.models import Household, ImportBatch, ImportRow, Member
from beneficiaries.validators import normalise_number, validate_kk, validate_nik
from core import history
from core.bulk import allocate_ids, copy_rows
from core.models import RT, Kelurahan

MAX_BYTES = getattr(settings, "REGISTRY_IMPORT_MAX_BYTES", 120 * 1024 * 1024)
MAX_ROWS = getattr(settings, "REGISTRY_IMPORT_MAX_ROWS", 600_000)
BATCH = 2000
COMMIT_HOUSEHOLDS = 5000  # households matched and written per round of the commit
logger = logging.getLogger(__name__)

# Column key -> (header in the template, required, description for the template's second sheet)
COLUMNS: dict[str, tuple[str, bool, str]] = {
    "kk_number": ("no_kk", True, "Nomor KK, 16 digit. Format kolom sebagai Teks."),
    "kelurahan": ("kelurahan", True, "Nama kelurahan, mis. Keramasan."),
    "rt": ("rt", True, "Nomor RT (angka)."),
    "rw": ("rw", False, "Nomor RW (angka); harus sama dengan RW tercatat untuk RT tersebut."),
    "address": ("alamat", True, "Jalan/lorong."),
    "house_number": ("no_rumah", False, "Nomor rumah."),
    "desil": ("desil", False, "1-10, dari data BPS/Dinsos."),
    "nik": ("nik", False, "NIK, 16 digit. Format kolom sebagai Teks. Kosong hanya jika alasan_tanpa_nik diisi."),
    "nik_missing_reason": (
        "alasan_tanpa_nik",
        False,
        "Kode alasan belum ada NIK: 1 bayi baru lahir, 2 tidak punya dokumen, 3 sedang diproses, 4 lainnya.",
    ),
    "full_name": ("nama_lengkap", True, "Nama sesuai KK."),
    "sex": ("jenis_kelamin", True, "L atau P."),
    "birth_place": ("tempat_lahir", False, "Tempat lahir."),
    "birth_date": ("tanggal_lahir", True, "DD-MM-YYYY, DD/MM/YYYY atau YYYY-MM-DD."),
    "relationship": ("hubungan", True, "Kode SHDK (1 Kepala Keluarga, 3 Istri, 4 Anak, ...) atau namanya."),
    "marital_status": ("status_kawin", False, "Kode atau nama (Belum kawin, Kawin, Cerai hidup, Cerai mati)."),
    "religion": ("agama", False, "Kode atau nama."),
    "education": ("pendidikan", False, "Kode pendidikan dalam KK (1-10) atau namanya."),
    "school_participation": (
        "partisipasi_sekolah",
        False,
        "1 tidak/belum pernah, 2 masih sekolah, 3 tidak bersekolah lagi.",
    ),
    "occupation": ("pekerjaan", False, "Kode pekerjaan Dukcapil atau namanya."),
}
HEADER_TO_KEY = {header: key for key, (header, _req, _desc) in COLUMNS.items()}
HOUSEHOLD_KEYS = ("kelurahan_id", "rt_id", "address", "house_number", "desil")
MEMBER_KEYS = (
    "nik",
    "nik_missing_reason",
    "full_name",
    "sex",
    "birth_place",
    "birth_date",
    "relationship",
    "marital_status",
    "religion",
    "education",
    "school_participation",
    "occupation",
)
CODE_LISTS = {
    "relationship": choices.Relationship,
    "marital_status": choices.MaritalStatus,
    "religion": choices.Religion,
    "education": choices.Education,
    "school_participation": choices.SchoolParticipation,
    "occupation": choices.Occupation,
    "nik_missing_reason": choices.NikMissingReason,
}
MONTHS = {
    name: i + 1
    for i, name in enumerate(
        [
            "januari",
            "februari",
            "maret",
            "april",
            "mei",
            "juni",
            "juli",
            "agustus",
            "september",
            "oktober",
            "november",
            "desember",
        ]
    )
}
SCIENTIFIC = re.compile(r"^\d+([.,]\d+)?[eE][+]?\d+$")


# --- Reading files -----------------------------------------------------------------------------------------


def sniff_type(head: bytes) -> str | None:
    """Type by content, never by name: an XLSX is a zip holding xl/workbook.xml; a CSV is text without NULs."""
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if b"\x00" in head[:4096]:
        return None
    return "csv"


def _is_utf8(raw: bytes) -> bool:
    """Checked a megabyte at a time, so that a large file is never held as one decoded string."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for start in range(0, len(raw), 1 << 20):
            decoder.decode(raw[start : start + (1 << 20)])
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _xlsx_ok(raw: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as archive:
            return "xl/workbook.xml" in archive.namelist()
    except zipfile.BadZipFile:
        return False


def count_rows(raw: bytes, kind: str) -> int:
    """Row count before parsing (S9): newlines for CSV, the sheet's dimension for XLSX."""
    if kind == "csv":
        return raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1)
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        return sheet.max_row or 0
    finally:
        workbook.close()


def iter_raw_rows(raw: bytes, kind: str) -> Iterator[list]:
    if kind == "csv":
        # Decoded as it is read, not as one string: a 50 MB file would otherwise be held two or three times.
        encoding, errors = ("utf-8-sig", "strict") if _is_utf8(raw) else ("cp1252", "replace")
        first_line = raw[: raw.find(b"\n")] if b"\n" in raw else raw
        delimiter = ";" if first_line.count(b";") > first_line.count(b",") else ","
        stream = io.TextIOWrapper(io.BytesIO(raw), encoding=encoding, errors=errors, newline="")
        yield from csv.reader(stream, delimiter=delimiter)
        return
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    try:
        for row in workbook.worksheets[0].iter_rows(values_only=True):
            yield list(row)
    finally:
        workbook.close()


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _filled(keys: list, cells: list) -> dict:
    """Column key -> cell, for the known columns whose cell is not blank (empty if the row is blank)."""
    return {
        key: cell
        for key, cell in zip(keys, cells, strict=False)
        if key and cell is not None and (cell.strip() if isinstance(cell, str) else True)
    }


# --- Parsing cells ----------------------------------------------------------------------------------------


class CellError(Exception):
    pass


def parse_number_id(value, *, label: str) -> str:
    """NIK/KK from a cell; numbers and scientific notation are refused with a message saying why."""
    if isinstance(value, bool):
        raise CellError(_("%(label)s tidak sah.") % {"label": label})
    if isinstance(value, float):
        raise CellError(
            _(
                "%(label)s tersimpan sebagai angka desimal (%(value)s): Excel hanya menyimpan 15 digit. Format kolom sebagai Teks lalu ketik ulang."
            )
            % {"label": label, "value": f"{value:.6g}"}
        )
    if isinstance(value, int):
        digits = str(value)
        if len(digits) >= 16:
            raise CellError(
                _(
                    "%(label)s tersimpan sebagai angka: Excel membulatkan ke 15 digit sehingga digit ke-16 menjadi 0 (%(masked)s). Format kolom sebagai Teks lalu ketik ulang dari KK."
                )
                % {"label": label, "masked": digits[:4] + "…" + digits[-4:]}
            )
        raise CellError(
            _(
                "%(label)s tersimpan sebagai angka dan hanya %(n)s digit: digit di depan hilang. Format kolom sebagai Teks lalu ketik ulang."
            )
            % {"label": label, "n": len(digits)}
        )
    text = str(value).strip().lstrip("'")
    if SCIENTIFIC.match(text):
        raise CellError(
            _(
                "%(label)s tertulis dalam notasi ilmiah (%(value)s): Excel mengubahnya menjadi angka dan digitnya hilang. Format kolom sebagai Teks lalu ketik ulang."
            )
            % {"label": label, "value": text}
        )
    return normalise_number(text)


def parse_date(value) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    if len(text) == 10 and text[2] == text[5] and text[2] in "-/" and text[:2].isdigit() and text[3:5].isdigit():
        try:  # DD-MM-YYYY, the template's format: without strptime, which costs more than the rest of a row
            return datetime.date(int(text[6:]), int(text[3:5]), int(text[:2]))
        except ValueError:
            pass
    for fmt in ("%d-%m-%Y", "%d/%m/%Y", "%Y-%m-%d", "%d.%m.%Y", "%Y/%m/%d"):
        try:
            return datetime.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    match = re.match(r"^(\d{1,2})\s+([A-Za-z]+)\s+(\d{4})$", text)
    if match and match.group(2).lower() in MONTHS:
        try:
            return datetime.date(int(match.group(3)), MONTHS[match.group(2).lower()], int(match.group(1)))
        except ValueError:
            pass
    raise CellError(_("tanggal '%(value)s' tidak dikenali (pakai DD-MM-YYYY).") % {"value": text[:30]})


def _code_maps():
    maps = {}
    for key, enum in CODE_LISTS.items():
        mapping = {str(v): v for v in enum.values}
        mapping.update({str(label).strip().lower(): v for v, label in enum.choices})
        maps[key] = mapping
    return maps


SEX_MAP = {"l": 1, "lk": 1, "laki-laki": 1, "laki laki": 1, "1": 1, "p": 2, "pr": 2, "perempuan": 2, "2": 2}


def parse_code(value, mapping: dict, *, label: str) -> int:
    text = str(value).strip().lower()
    if isinstance(value, float) and value.is_integer():
        text = str(int(value))
    if text in mapping:
        return mapping[text]
    raise CellError(
        _("%(label)s: nilai '%(value)s' tidak ada dalam daftar kode.") % {"label": label, "value": text[:40]}
    )


def parse_int(value, *, label: str, low: int, high: int) -> int:
    try:
        number = int(float(str(value).strip().replace(",", ".")))
    except ValueError:
        raise CellError(_("%(label)s harus angka.") % {"label": label})
    if not low <= number <= high:
        raise CellError(_("%(label)s harus antara %(low)s dan %(high)s.") % {"label": label, "low": low, "high": high})
    return number


# --- Upload ---------------------------------------------------------------------------------------------


def import_batch_create(*, actor, uploaded_file, name: str | None = None) -> ImportBatch:
    """Checks size, type and row count before any parsing; refuses a file already imported (by hash)."""
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError(
            _("Berkas terlalu besar (%(mb)s MB); batasnya %(max)s MB.")
            % {"mb": size // (1024 * 1024), "max": MAX_BYTES // (1024 * 1024)},
            code="too_large",
        )
    raw = uploaded_file.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ValidationError(
            _("Berkas terlalu besar; batasnya %(max)s MB.") % {"max": MAX_BYTES // (1024 * 1024)}, code="too_large"
        )
    if not raw.strip():
        raise ValidationError(_("Berkas kosong."), code="empty")
    kind = sniff_type(raw[:8192])
    if kind is None or (kind == "xlsx" and not _xlsx_ok(raw)):
        raise ValidationError(
            _("Jenis berkas tidak didukung: unggah CSV atau XLSX (Excel 2007 ke atas)."), code="bad_type"
        )
    rows = count_rows(raw, kind)
    if rows > MAX_ROWS + 1:
        raise ValidationError(
            _("Berkas berisi %(rows)s baris; batasnya %(max)s baris per impor. Pecah menjadi beberapa berkas.")
            % {"rows": rows, "max": MAX_ROWS},
            code="too_many_rows",
        )
    digest = hashlib.sha256(raw).hexdigest()
    previous = ImportBatch.objects.filter(file_hash=digest, status=ImportBatch.Status.COMMITTED).first()
    if previous is not None:
        raise ValidationError(
            _("Berkas ini sudah pernah diimpor pada %(when)s (%(name)s): tidak ada yang berubah.")
            % {
                "when": timezone.localtime(previous.committed_at).strftime("%d-%m-%Y %H.%M"),
                "name": previous.original_name,
            },
            code="already_imported",
        )
    name = (name or getattr(uploaded_file, "name", "") or "impor").rsplit("/", 1)[-1][:200]
    batch = ImportBatch(uploaded_by=actor, original_name=name, file_hash=digest, total_rows=max(rows - 1, 0))
    # The stored name carries no personal data (style.md: no NIK/KK in file names).
    batch.file.save(f"{digest[:16]}.{kind}", ContentFile(raw), save=False)
    batch.save()
    from beneficiaries.services import access_event_record
    from core.models import AuditAction

    access_event_record(actor=actor, action=AuditAction.IMPORT, object_label=f"ImportBatch #{batch.pk}", obj=batch)
    return batch


# --- Validation -----------------------------------------------------------------------------------------


@dataclass
class _Wilayah:
    kelurahan: dict
    rts: dict
    scope: list | None
    today: datetime.date
    kk_label: str

    def __post_init__(self):
        self.identity_checks = (
            ("kk_number", self.kk_label, partial(validate_kk, today=self.today)),
            ("nik", "NIK", validate_nik),
        )

    @classmethod
    def load(cls, actor):
        kelurahan = {}
        for k in Kelurahan.objects.all():
            for alias in (k.name, k.official_name, k.kemendagri_code, k.compact_code):
                kelurahan[alias.replace(" ", "").lower()] = k.pk
        rts = {(rt.kelurahan_id, rt.number): rt for rt in RT.objects.filter(is_active=True)}
        scope = actor.kelurahan_scope() if actor is not None else None
        # Computed once per file, not per row: localdate() and gettext cost more than the checks themselves.
        return cls(kelurahan, rts, scope, timezone.localdate(), _("Nomor KK"))


HOUSEHOLD_COLUMNS = ("kelurahan", "rt", "rw", "address", "house_number", "desil")
REQUIRED = tuple((key, header) for key, (header, required, _desc) in COLUMNS.items() if required)
TEXT_LIMITS = {"address": 200, "house_number": 20, "full_name": 150, "birth_place": 100}


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _too_long(key: str, value: str) -> dict | None:
    if len(value) <= TEXT_LIMITS[key]:
        return None
    return {
        "column": COLUMNS[key][0],
        "message": _("%(column)s terlalu panjang (maksimal %(n)s karakter).")
        % {"column": COLUMNS[key][0], "n": TEXT_LIMITS[key]},
    }


def _parse_household(raw: dict, wilayah: _Wilayah) -> tuple[dict, list[dict]]:
    """The household columns of a row (the same for every member of a KK, so the caller caches the result)."""
    data: dict = {}
    errors: list[dict] = []

    def err(key, message):
        errors.append({"column": COLUMNS[key][0], "message": message})

    kel_id = None
    if "kelurahan" in raw:
        kel_id = wilayah.kelurahan.get(str(raw["kelurahan"]).replace(" ", "").lower())
        if kel_id is None:
            err(
                "kelurahan",
                _("Kelurahan '%(value)s' bukan kelurahan di Kecamatan Kertapati.")
                % {"value": str(raw["kelurahan"])[:40]},
            )
        elif wilayah.scope is not None and kel_id not in wilayah.scope:
            err("kelurahan", _("Kelurahan ini di luar wilayah tugas Anda."))
    if kel_id and "rt" in raw:
        try:
            number = parse_int(raw["rt"], label="RT", low=1, high=999)
            rt = wilayah.rts.get((kel_id, number))
            if rt is None:
                err("rt", _("RT %(rt)s belum terdaftar di kelurahan ini; minta Admin menambahkannya.") % {"rt": number})
            else:
                data["rt_id"] = rt.pk
                data["kelurahan_id"] = kel_id
                if "rw" in raw:
                    rw = parse_int(raw["rw"], label="RW", low=1, high=999)
                    if rw != rt.rw:
                        err(
                            "rw",
                            _("RT %(rt)s tercatat di RW %(actual)s, bukan RW %(rw)s.")
                            % {"rt": number, "actual": rt.rw, "rw": rw},
                        )
        except CellError as exc:
            err("rt", str(exc))
    for key in ("address", "house_number"):
        data[key] = _text(raw[key]) if key in raw else ""
        if error := _too_long(key, data[key]):
            errors.append(error)
    data["desil"] = None
    if "desil" in raw:
        try:
            data["desil"] = parse_int(raw["desil"], label="desil", low=1, high=10)
        except CellError as exc:
            err("desil", str(exc))
    return data, errors


def _parse_row(raw: dict, wilayah: _Wilayah, maps: dict, households: dict | None = None) -> tuple[dict, list[dict]]:
    """One member row: normalised values for the registry, and every error with its column (Indonesian).

    `raw` holds the filled cells only (`_filled`); `households` caches the household columns' result across
    the rows of one file."""
    errors: list[dict] = [
        {"column": header, "message": _("%(column)s wajib diisi.") % {"column": header}}
        for key, header in REQUIRED
        if key not in raw
    ]

    def err(key, message):
        errors.append({"column": COLUMNS[key][0], "message": message})

    household_key = tuple(raw.get(k) for k in HOUSEHOLD_COLUMNS)
    cached = households.get(household_key) if households is not None else None
    if cached is None:
        cached = _parse_household(raw, wilayah)
        if households is not None:
            if len(households) > 1000:
                households.clear()  # rows of one KK come together; a bounded cache keeps memory flat
            households[household_key] = cached
    data = dict(cached[0])
    errors.extend(cached[1])
    # Identity numbers
    for key, label, validator in wilayah.identity_checks:
        if key not in raw:
            data[key] = ""
            continue
        try:
            number = parse_number_id(raw[key], label=label)
            validator(number)
            data[key] = number
        except CellError as exc:
            err(key, str(exc))
        except ValidationError as exc:
            err(key, " ".join(exc.messages))
    if "nik" not in raw and "nik_missing_reason" not in raw:
        err("nik", _("NIK wajib diisi, atau isi alasan_tanpa_nik."))
    for key in ("full_name", "birth_place"):
        data[key] = _text(raw[key]) if key in raw else ""
        if error := _too_long(key, data[key]):
            errors.append(error)
    if "sex" in raw:
        text = str(raw["sex"]).strip().lower()
        if text in SEX_MAP:
            data["sex"] = SEX_MAP[text]
        else:
            err("sex", _("jenis_kelamin harus L atau P (tertulis '%(value)s').") % {"value": text[:20]})
    for key, mapping in maps.items():
        if key not in raw:
            data[key] = None
            continue
        try:
            data[key] = parse_code(raw[key], mapping, label=COLUMNS[key][0])
        except CellError as exc:
            err(key, str(exc))
    if "birth_date" in raw:
        try:
            born = parse_date(raw["birth_date"])
            if born > wilayah.today or born.year < 1900:
                raise CellError(_("tanggal lahir %(date)s tidak mungkin.") % {"date": born.strftime("%d-%m-%Y")})
            data["birth_date"] = born.isoformat()
        except CellError as exc:
            err("birth_date", str(exc))
    if data.get("nik"):
        data["nik_missing_reason"] = None
    return data, errors


def _header_keys(header: list) -> tuple[list, list[str]]:
    keys = []
    for cell in header:
        text = "" if cell is None else str(cell).strip().lower().replace(" ", "_").lstrip("\ufeff")
        keys.append(HEADER_TO_KEY.get(text))
    missing = [COLUMNS[k][0] for k, (_h, required, _d) in COLUMNS.items() if required and k not in keys]
    return keys, missing


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
    rows = iter_raw_rows(raw, kind)
    wilayah = _Wilayah.load(actor)
    maps = _code_maps()
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
        break
    if keys is None:
        batch.status = ImportBatch.Status.FAILED
        batch.message = _("Berkas tidak berisi baris judul maupun data.")
        batch.save(update_fields=["status", "message", "updated_at"])
        return batch

    seen_nik: dict[str, int] = {}
    households_seen: dict[tuple, tuple] = {}
    household_of_kk: dict[str, tuple] = {}
    heads: dict[str, int] = {}
    pending: list[dict] = []
    processed = accepted = 0
    for number, cells in enumerate(rows, start=header_row + 1):
        raw_row = _filled(keys, cells)
        if not raw_row:
            continue  # blank and trailing rows
        data, errors = _parse_row(raw_row, wilayah, maps, households_seen)
        kk, nik = data.get("kk_number", ""), data.get("nik", "")
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
            key = tuple(data.get(k) for k in HOUSEHOLD_KEYS)
            first = household_of_kk.setdefault(kk, (number, key))
            if first[1] != key:
                errors.append(
                    {
                        "column": "no_kk",
                        "message": _(
                            "Data keluarga (kelurahan, RT, alamat, desil) berbeda dengan baris %(row)s untuk nomor KK yang sama."
                        )
                        % {"row": first[0]},
                    }
                )
            if data.get("relationship") == choices.Relationship.HEAD:
                if kk in heads:
                    errors.append(
                        {
                            "column": "hubungan",
                            "message": _("Kepala Keluarga kedua untuk nomor KK ini (yang pertama di baris %(row)s).")
                            % {"row": heads[kk]},
                        }
                    )
                else:
                    heads[kk] = number
        pending.append(
            {
                "batch_id": batch.pk,
                "row_number": number,
                "kk_number": kk[:16],
                "nik": nik[:16],
                "data": data,
                "errors": errors,
                "is_accepted": not errors,
            }
        )
        processed += 1
        accepted += not errors
        if len(pending) >= BATCH * 5:
            copy_rows(ImportRow, pending)
            pending = []
            ImportBatch.objects.filter(pk=batch.pk).update(processed_rows=processed)
    copy_rows(ImportRow, pending)
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
    batch.save()
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


# --- Commit ---------------------------------------------------------------------------------------------


def _member_values(data: dict) -> dict:
    values = {key: data.get(key) for key in MEMBER_KEYS}
    values["nik"] = values["nik"] or None
    values["birth_date"] = datetime.date.fromisoformat(values["birth_date"])
    values["birth_place"] = values["birth_place"] or ""
    return values


def _household_values(data: dict) -> dict:
    return {key: data.get(key) if key != "house_number" else (data.get(key) or "") for key in HOUSEHOLD_KEYS}


def _plan(batch: ImportBatch, *, actor=None) -> dict:
    """Upsert by KK then NIK, in rounds of COMMIT_HOUSEHOLDS households; returns what changed (the preview
    counts the same in SQL, `_preview_counts`)."""
    counts = {
        "households_created": 0,
        "households_updated": 0,
        "members_created": 0,
        "members_updated": 0,
        "unchanged": 0,
    }
    rows = batch.rows.filter(is_accepted=True).order_by("kk_number", "row_number").values_list("kk_number", "data")
    group: dict[str, list[dict]] = {}
    for kk, data in rows.iterator(chunk_size=BATCH):
        if kk not in group and len(group) >= COMMIT_HOUSEHOLDS:
            _apply_chunk(group, counts, actor=actor)
            group = {}
        group.setdefault(kk, []).append(data)
    if group:
        _apply_chunk(group, counts, actor=actor)
    return counts


# Staging JSON -> column, as SQL, for the set-based preview counts (the same rules as _household_values and
# _member_values, which the commit uses).
_HOUSEHOLD_SQL = {
    "kelurahan_id": "(d->>'kelurahan_id')::bigint",
    "rt_id": "(d->>'rt_id')::bigint",
    "address": "d->>'address'",
    "house_number": "COALESCE(d->>'house_number', '')",
    "desil": "(d->>'desil')::int",
}
_MEMBER_SQL = {
    **{key: f"(d->>'{key}')::int" for key in MEMBER_KEYS},  # code lists; the other columns below
    "nik": "NULLIF(d->>'nik', '')",
    "full_name": "d->>'full_name'",
    "birth_place": "COALESCE(d->>'birth_place', '')",
    "birth_date": "(d->>'birth_date')::date",
}


def _preview_counts(batch: ImportBatch) -> dict:
    """What a commit would do, counted in one SQL statement over the staging rows (no rows come to Python)."""
    hh_diff = " OR ".join(
        f"h.{col} IS DISTINCT FROM {expr.replace('d->', 'f.d->')}" for col, expr in _HOUSEHOLD_SQL.items()
    )
    m_diff = " OR ".join(
        f"m.{col} IS DISTINCT FROM {expr.replace('d->', 'r.d->')}" for col, expr in _MEMBER_SQL.items()
    )
    sql = f"""
        WITH r AS (
            SELECT kk_number, row_number, data AS d, NULLIF(data->>'nik', '') AS nik
            FROM beneficiaries_importrow WHERE batch_id = %s AND is_accepted
        ), f AS (
            SELECT DISTINCT ON (kk_number) kk_number, d FROM r ORDER BY kk_number, row_number
        ), hh AS (
            SELECT f.kk_number, h.id, (h.id IS NOT NULL AND ({hh_diff})) AS changed
            FROM f LEFT JOIN beneficiaries_household h ON h.kk_number = f.kk_number AND h.is_active
        ), mm AS (
            SELECT m.id IS NOT NULL AS found, (m.id IS NOT NULL AND ({m_diff})) AS changed
            FROM r JOIN hh ON hh.kk_number = r.kk_number
            LEFT JOIN LATERAL (
                SELECT m.* FROM beneficiaries_member m
                WHERE m.is_active AND (
                    (r.nik IS NOT NULL AND m.nik = r.nik)
                    OR (r.nik IS NULL AND m.nik IS NULL AND m.household_id = hh.id
                        AND lower(m.full_name) = lower(r.d->>'full_name') AND m.birth_date = (r.d->>'birth_date')::date)
                )
                LIMIT 1
            ) m ON true
        )
        SELECT
            (SELECT count(*) FROM hh WHERE id IS NULL),
            (SELECT count(*) FROM hh WHERE changed),
            count(*) FILTER (WHERE NOT found),
            count(*) FILTER (WHERE changed),
            count(*) FILTER (WHERE found AND NOT changed)
        FROM mm
    """  # noqa: S608  # nosec B608 - the expressions are constants of this module
    with connection.cursor() as cursor:
        cursor.execute(sql, [batch.pk])
        row = cursor.fetchone()
    keys = ("households_created", "households_updated", "members_created", "members_updated", "unchanged")
    return dict(zip(keys, row, strict=True))


def _any(column: str, values: list[str]):
    """`column = ANY(%s)` with one array parameter: Django's `__in` prepares each of thousands of values."""
    # (the column name is a constant of ours; the values travel as one parameter)
    return Q(RawSQL(f"{column} = ANY(%s)", (values,), output_field=BooleanField()))  # noqa: S611  # nosec B611


def _apply_chunk(group: dict[str, list[dict]], counts: dict, *, actor) -> None:
    """Matches one chunk of households against the registry; new rows go in with COPY, changed ones by update.

    Existing rows are read as tuples, not model instances: at 100,000 households the instances cost more than
    the database work (quality.md P4)."""
    hh_fields = ("pk", "kk_number", *HOUSEHOLD_KEYS)
    existing = {
        row[1]: dict(zip(hh_fields, row, strict=True))
        for row in Household.objects.active().filter(_any("kk_number", list(group))).values_list(*hh_fields)
    }
    m_fields = ("pk", "household_id", *MEMBER_KEYS)
    niks = [d["nik"] for rows in group.values() for d in rows if d.get("nik")]
    members_by_nik = {
        row[2]: dict(zip(m_fields, row, strict=True))
        for row in Member.objects.active().filter(_any("nik", niks)).values_list(*m_fields)
    }
    # Members without NIK are matched by name and birth date inside their household.
    no_nik = {}
    if existing:
        ids = [h["pk"] for h in existing.values()]
        for row in Member.objects.active().filter(_any("household_id", ids), nik__isnull=True).values_list(*m_fields):
            member = dict(zip(m_fields, row, strict=True))
            no_nik[(member["household_id"], member["full_name"].lower(), member["birth_date"])] = member
    now = timezone.now()
    new_households, changed_households = [], []
    household_ids = {kk: h["pk"] for kk, h in existing.items()}
    for kk, rows in group.items():
        values = _household_values(rows[0])
        household = existing.get(kk)
        if household is None:
            counts["households_created"] += 1
            new_households.append({"kk_number": kk, "created_by_id": getattr(actor, "pk", None), **values})
        else:
            diff = [k for k, v in values.items() if household[k] != v]
            if diff:
                counts["households_updated"] += 1
                changed_households.append(Household(pk=household["pk"], updated_at=now, **values))
    for household, pk in zip(new_households, allocate_ids(Household, len(new_households)), strict=True):
        household["id"] = household_ids[household["kk_number"]] = pk
    copy_rows(Household, new_households, now=now)
    if changed_households:
        Household.objects.bulk_update(changed_households, list(HOUSEHOLD_KEYS) + ["updated_at"], batch_size=BATCH)
    new_members, changed_members = [], []
    for kk, rows in group.items():
        household_id = household_ids.get(kk)
        for data in rows:
            values = _member_values(data)
            member = members_by_nik.get(values["nik"]) if values["nik"] else None
            if member is None and household_id and not values["nik"]:
                member = no_nik.get((household_id, values["full_name"].lower(), values["birth_date"]))
            if member is None:
                counts["members_created"] += 1
                new_members.append({"household_id": household_id, **values})
            elif any(member[k] != v for k, v in values.items()):
                counts["members_updated"] += 1
                changed_members.append(
                    Member(pk=member["pk"], household_id=member["household_id"], updated_at=now, **values)
                )
            else:
                counts["unchanged"] += 1
    copy_rows(Member, new_members, now=now)
    if changed_members:
        Member.objects.bulk_update(changed_members, list(MEMBER_KEYS) + ["updated_at"], batch_size=BATCH)


def import_batch_commit(*, actor, batch: ImportBatch) -> ImportBatch:
    """All accepted rows in one transaction (R4); the history triggers record every row with the actor."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == ImportBatch.Status.COMMITTED:
            return batch  # a retried task finds the work done
        if batch.status not in (ImportBatch.Status.VALIDATED, ImportBatch.Status.COMMITTING):
            raise ValidationError(_("Impor ini tidak dalam status siap disimpan."), code="not_ready")
        started = time.perf_counter()
        with history.acting_as(actor, operation=f"import_households:{batch.pk}"):
            counts = _plan(batch, actor=actor)
        logger.info(
            "Impor #%s: disimpan ke registri dalam %.1f dtk: %s", batch.pk, time.perf_counter() - started, counts
        )
        batch.households_created, batch.households_updated = counts["households_created"], counts["households_updated"]
        batch.members_created, batch.members_updated = counts["members_created"], counts["members_updated"]
        batch.unchanged_rows = counts["unchanged"]
        batch.status = ImportBatch.Status.COMMITTED
        batch.committed_at = timezone.now()
        if not any(
            counts[k] for k in ("households_created", "households_updated", "members_created", "members_updated")
        ):
            batch.message = _("Tidak ada perubahan: semua baris sudah sama dengan data di registri.")
        else:
            batch.message = ""
        batch.save()
    return batch


def import_batch_request_commit(*, actor, batch: ImportBatch) -> bool:
    """Marks a validated batch for saving (once: a double click changes nothing); the task does the work."""
    return bool(
        ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.VALIDATED).update(
            status=ImportBatch.Status.COMMITTING, updated_at=timezone.now()
        )
    )


def import_batch_cancel(*, actor, batch: ImportBatch) -> ImportBatch:
    if batch.status in (ImportBatch.Status.COMMITTED, ImportBatch.Status.COMMITTING):
        raise ValidationError(_("Impor yang sudah disimpan tidak dapat dibatalkan."), code="committed")
    batch.status = ImportBatch.Status.CANCELLED
    batch.save(update_fields=["status", "updated_at"])
    batch.rows.all().delete()
    return batch


def template_xlsx() -> bytes:
    """The documented template: headers, two example rows (synthetic) and a sheet explaining each column."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "data"
    headers = [header for header, _r, _d in COLUMNS.values()]
    sheet.append(headers)
    for column in range(1, len(headers) + 1):
        for row in range(2, 1002):
            sheet.cell(row=row, column=column).number_format = "@"  # text: NIK/KK keep all 16 digits
    examples = [
        [
            "1671130101150001",
            "Keramasan",
            "1",
            "1",
            "Jl. Contoh Lr. Damai",
            "12",
            "2",
            "1671131506850001",
            "",
            "Budi Contoh",
            "L",
            "Palembang",
            "15-06-1985",
            "1",
            "2",
            "1",
            "3",
            "",
            "19",
        ],
        [
            "1671130101150001",
            "Keramasan",
            "1",
            "1",
            "Jl. Contoh Lr. Damai",
            "12",
            "2",
            "",
            "1",
            "Bayi Contoh",
            "P",
            "Palembang",
            "01-01-2026",
            "4",
            "1",
            "1",
            "1",
            "",
            "1",
        ],
    ]
    for row_index, row in enumerate(examples, start=2):
        for column, value in enumerate(row, start=1):
            sheet.cell(row=row_index, column=column, value=value)
    notes = workbook.create_sheet("petunjuk")
    notes.append(["kolom", "wajib", "keterangan"])
    for header, required, description in COLUMNS.values():
        notes.append([header, "ya" if required else "tidak", description])
    handle = io.BytesIO()
    workbook.save(handle)
    return handle.getvalue()


def import_rows_rejected(batch: ImportBatch):
    return batch.rows.filter(is_accepted=False).order_by("row_number")


def import_rows_accepted(batch: ImportBatch):
    return batch.rows.filter(is_accepted=True).order_by("row_number")


def import_file_path(path: str, *, actor=None, dry_run: bool = False) -> ImportBatch:
    """`manage.py import_households`: the same service, run synchronously."""
    with open(path, "rb") as handle:
        data = handle.read()
    batch = import_batch_create(actor=actor, uploaded_file=io.BytesIO(data), name=path)
    batch = import_batch_validate(batch_id=batch.pk, actor=actor)
    if batch.status != ImportBatch.Status.VALIDATED or dry_run:
        return batch
    return import_batch_commit(actor=actor, batch=batch)
