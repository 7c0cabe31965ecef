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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import connection, connections, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries import choices
from beneficiaries.models import Household, ImportBatch, ImportRow, Member, new_card_token
from beneficiaries.validators import kk_passes, nik_passes, normalise_number, validate_kk, validate_nik
from core import history
from core.bulk import copy_tuples, insert_select
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
        if key and (cell and not cell.isspace() if type(cell) is str else cell is not None)
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
REQUIRED_KEYS = frozenset(key for key, _header in REQUIRED)
CELL_KEYS = ("sex", "birth_date", *CODE_LISTS)  # parsed once per distinct cell value (_RowParser)
# The staging row (ImportRow) as written by the validation: the registry values of the row, typed.
STAGED_KEYS = (*HOUSEHOLD_KEYS, *(key for key in MEMBER_KEYS if key != "nik"))
STAGED_COLUMNS = ["batch_id", "row_number", "kk_number", "nik", "errors", "is_accepted", *STAGED_KEYS]
TEXT_LIMITS = {"address": 200, "house_number": 20, "full_name": 150, "birth_place": 100}


def _text(value) -> str:
    if type(value) is str:
        return value.strip()
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
            data[key] = data[key][: TEXT_LIMITS[key]]
    data["desil"] = None
    if "desil" in raw:
        try:
            data["desil"] = parse_int(raw["desil"], label="desil", low=1, high=10)
        except CellError as exc:
            err("desil", str(exc))
    return data, errors


class _RowParser:
    """Parses the member rows of one file into registry values and errors (Indonesian, naming the column).

    Most columns repeat from row to row (code lists, sex, birth dates and places, the household columns of a
    KK, the province and date blocks of NIK and KK numbers), so each distinct cell is parsed once per file and
    its result reused: at 400,000 rows the per-cell Python is most of the validation (quality.md P4). The
    caches are bounded, so memory stays flat whatever the file's size."""

    LIMIT = 50_000

    def __init__(self, wilayah: _Wilayah):
        self.wilayah = wilayah
        maps = _code_maps()
        self.converters = {key: partial(parse_code, mapping=maps[key], label=COLUMNS[key][0]) for key in CODE_LISTS}
        self.converters["sex"] = _parse_sex
        self.converters["birth_date"] = partial(_parse_birth_date, today=wilayah.today)
        self.cells: dict = {}
        self.passes = {"nik": nik_passes, "kk_number": partial(kk_passes, today=wilayah.today)}
        self.last_kk: tuple = (_UNSEEN, None)
        self.households: dict = {}

    def _cell(self, key: str, value) -> tuple:
        """(parsed value, None) or (None, error) for one cell, computed once per distinct cell of the file."""
        cache_key = (key, value) if type(value) is str else (key, type(value), value)
        found = self.cells.get(cache_key)
        if found is None:
            try:
                found = (self.converters[key](value), None)
            except CellError as exc:
                found = (None, {"column": COLUMNS[key][0], "message": str(exc)})
            if len(self.cells) >= self.LIMIT:
                self.cells.clear()
            self.cells[cache_key] = found
        return found

    def _identity(self, key: str, label: str, validator, value) -> tuple[str, dict | None]:
        """NIK or KK: a plain 16-digit cell that passes the fast check is taken as it is; anything else takes
        the full path (spreadsheet traps, separators), which also words the message."""
        if type(value) is str and self.passes[key](value):
            return value, None
        return self._check_identity(key, label, validator, value)

    def _kk(self, label, validator, value) -> tuple[str, dict | None]:
        """The rows of one family come together: the last KK's verdict serves its next rows."""
        if self.last_kk[0] != value:
            self.last_kk = (value, self._identity("kk_number", label, validator, value))
        return self.last_kk[1]

    @staticmethod
    def _check_identity(key, label, validator, value) -> tuple[str, dict | None]:
        try:
            number = parse_number_id(value, label=label)
            validator(number)
            return number, None
        except CellError as exc:
            message = str(exc)
        except ValidationError as exc:
            message = " ".join(exc.messages)
        return "", {"column": COLUMNS[key][0], "message": message}

    def parse(self, raw: dict) -> tuple[dict, list[dict]]:
        """One member row (`raw` holds the filled cells only, `_filled`): values and every error."""
        errors: list[dict] = []
        if not raw.keys() >= REQUIRED_KEYS:
            errors = [
                {"column": header, "message": _("%(column)s wajib diisi.") % {"column": header}}
                for key, header in REQUIRED
                if key not in raw
            ]
        household_key = tuple(map(raw.get, HOUSEHOLD_COLUMNS))
        cached = self.households.get(household_key)
        if cached is None:
            cached = _parse_household(raw, self.wilayah)
            if len(self.households) > 1000:
                self.households.clear()  # rows of one KK come together; a bounded cache keeps memory flat
            self.households[household_key] = cached
        data = dict(cached[0])
        errors.extend(cached[1])
        for key, label, validator in self.wilayah.identity_checks:
            if key not in raw:
                data[key] = ""
                continue
            if key == "kk_number":
                data[key], error = self._kk(label, validator, raw[key])
            else:
                data[key], error = self._identity(key, label, validator, raw[key])
            if error:
                errors.append(error)
        if "nik" not in raw and "nik_missing_reason" not in raw:
            errors.append({"column": "nik", "message": _("NIK wajib diisi, atau isi alasan_tanpa_nik.")})
        for key in ("full_name", "birth_place"):
            data[key] = _text(raw[key]) if key in raw else ""
            if error := _too_long(key, data[key]):
                errors.append(error)
                data[key] = data[key][: TEXT_LIMITS[key]]
        for key in CELL_KEYS:
            if key in raw:
                data[key], error = self._cell(key, raw[key])
                if error:
                    errors.append(error)
            else:
                data[key] = None
        if data["nik"]:
            data["nik_missing_reason"] = None
        return data, errors


_UNSEEN = object()


def _parse_sex(value) -> int:
    text = str(value).strip().lower()
    if text in SEX_MAP:
        return SEX_MAP[text]
    raise CellError(_("jenis_kelamin harus L atau P (tertulis '%(value)s').") % {"value": text[:20]})


def _parse_birth_date(value, *, today: datetime.date) -> datetime.date:
    born = parse_date(value)
    if born > today or born.year < 1900:
        raise CellError(_("tanggal lahir %(date)s tidak mungkin.") % {"date": born.strftime("%d-%m-%Y")})
    return born


def _header_keys(header: list) -> tuple[list, list[str]]:
    keys = []
    for cell in header:
        text = "" if cell is None else str(cell).strip().lower().replace(" ", "_").lstrip("\ufeff")
        keys.append(HEADER_TO_KEY.get(text))
    missing = [COLUMNS[k][0] for k, (_h, required, _d) in COLUMNS.items() if required and k not in keys]
    return keys, missing


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
        pending: list[dict] = []
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
                ImportBatch.objects.filter(pk=batch.pk).update(processed_rows=processed)
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


# The plan: what the commit does to each accepted row, as two temporary tables built by SQL over the staging
# rows. The preview counts it; the commit counts it and carries it out, so the two cannot disagree.
_HOUSEHOLD_CHANGED = " OR ".join(f"h.{key} IS DISTINCT FROM f.{key}" for key in HOUSEHOLD_KEYS)
_MEMBER_VALUES = {key: f"r.{key}" for key in MEMBER_KEYS} | {"nik": "NULLIF(r.nik, '')"}
_MEMBER_CHANGED = " OR ".join(f"m.{key} IS DISTINCT FROM {value}" for key, value in _MEMBER_VALUES.items())
_PLAN = [
    "DROP TABLE IF EXISTS import_household, import_member",
    # One row per KK: the household columns of its first row, the active household with that KK if any.
    f"""CREATE TEMPORARY TABLE import_household ON COMMIT DROP AS
        SELECT f.kk_number, {", ".join(f"f.{key}" for key in HOUSEHOLD_KEYS)}, h.id AS household_id,
               h.id IS NULL AS is_new, (h.id IS NOT NULL AND ({_HOUSEHOLD_CHANGED})) AS changed
        FROM (
            SELECT DISTINCT ON (kk_number) * FROM beneficiaries_importrow
            WHERE batch_id = %(batch)s AND is_accepted ORDER BY kk_number, row_number
        ) f
        LEFT JOIN beneficiaries_household h ON h.kk_number = f.kk_number AND h.is_active""",  # noqa: S608  # nosec B608
    "ANALYZE import_household",
    # One row per accepted row: the active member it updates (same NIK; without NIK, same name and birth date
    # in the same household), if any.
    f"""CREATE TEMPORARY TABLE import_member ON COMMIT DROP AS
        SELECT r.id AS row_id, r.row_number, r.kk_number, m.id AS member_id,
               (m.id IS NOT NULL AND ({_MEMBER_CHANGED})) AS changed
        FROM beneficiaries_importrow r
        JOIN import_household p ON p.kk_number = r.kk_number
        LEFT JOIN LATERAL (
            SELECT m.* FROM beneficiaries_member m
            WHERE m.is_active AND (
                (r.nik <> '' AND m.nik = r.nik)
                OR (r.nik = '' AND m.nik IS NULL AND m.household_id = p.household_id
                    AND lower(m.full_name) = lower(r.full_name) AND m.birth_date = r.birth_date)
            )
            LIMIT 1
        ) m ON true
        WHERE r.batch_id = %(batch)s AND r.is_accepted""",  # noqa: S608  # nosec B608
    "ANALYZE import_member",
]
_PLAN_COUNTS = """
    SELECT
        (SELECT count(*) FILTER (WHERE is_new) FROM import_household),
        (SELECT count(*) FILTER (WHERE changed) FROM import_household),
        count(*) FILTER (WHERE member_id IS NULL),
        count(*) FILTER (WHERE changed),
        count(*) FILTER (WHERE member_id IS NOT NULL AND NOT changed)
    FROM import_member
"""
_PLAN_KEYS = ("households_created", "households_updated", "members_created", "members_updated", "unchanged")


def _plan(cursor, batch: ImportBatch) -> dict:
    """Builds the plan tables (inside the caller's transaction) and returns what they would change."""
    cursor.execute("SET LOCAL work_mem = '64MB'")  # the joins and the sort by row number stay in memory
    for statement in _PLAN:
        cursor.execute(statement, {"batch": batch.pk})
    cursor.execute(_PLAN_COUNTS)
    return dict(zip(_PLAN_KEYS, cursor.fetchone(), strict=True))


def _preview_counts(batch: ImportBatch) -> dict:
    """What a commit would do, counted over the staging rows (no row comes to Python)."""
    with transaction.atomic(), connection.cursor() as cursor:
        counts = _plan(cursor, batch)
        cursor.execute(_PLAN[0])
    return counts


def _apply(batch: ImportBatch, *, actor) -> dict:
    """Carries out the plan, set-based: new households by COPY (each needs its own card token), changed ones by
    one UPDATE, new members by one INSERT … SELECT with their history events, changed ones by one UPDATE. The
    update triggers record history row by row with the acting user; inserts write the same events set-based."""
    now = timezone.now()
    with connection.cursor() as cursor:
        counts = _plan(cursor, batch)
        # New households: keys first (their members refer to them), then one INSERT … SELECT, each row with a
        # card token made by the model's own function and passed as one array.
        cursor.execute(
            "UPDATE import_household SET household_id = nextval(pg_get_serial_sequence('beneficiaries_household', 'id'))"
            " WHERE is_new"
        )
        tokens = [new_card_token() for _new in range(counts["households_created"])]
        columns = ", ".join(f"p.{key}" for key in HOUSEHOLD_KEYS)
        insert_select(
            Household,
            ["id", "kk_number", *HOUSEHOLD_KEYS, "created_by_id", "card_token"],
            f"SELECT p.household_id, p.kk_number, {columns}, %s::bigint, t.token FROM ("  # noqa: S608  # nosec B608
            "    SELECT *, row_number() OVER (ORDER BY household_id) AS n FROM import_household WHERE is_new"
            ") p JOIN unnest(%s::text[]) WITH ORDINALITY AS t(token, n) ON t.n = p.n",
            [getattr(actor, "pk", None), tokens],
            now=now,
        )
        assignments = ", ".join(f"{key} = p.{key}" for key in HOUSEHOLD_KEYS)
        cursor.execute(
            f"UPDATE beneficiaries_household h SET {assignments}, updated_at = %s "  # noqa: S608  # nosec B608
            "FROM import_household p WHERE h.id = p.household_id AND p.changed",
            [now],
        )
        values = ", ".join(_MEMBER_VALUES.values())
        insert_select(
            Member,
            ["household_id", *MEMBER_KEYS],
            f"SELECT p.household_id, {values} FROM import_member i "  # noqa: S608  # nosec B608 - constants
            "JOIN beneficiaries_importrow r ON r.id = i.row_id "
            "JOIN import_household p ON p.kk_number = i.kk_number "
            "WHERE i.member_id IS NULL ORDER BY i.row_number",
            now=now,
        )
        assignments = ", ".join(f"{key} = {value}" for key, value in _MEMBER_VALUES.items())
        cursor.execute(
            f"UPDATE beneficiaries_member m SET {assignments}, updated_at = %s "  # noqa: S608  # nosec B608
            "FROM import_member i JOIN beneficiaries_importrow r ON r.id = i.row_id "
            "WHERE m.id = i.member_id AND i.changed",
            [now],
        )
        cursor.execute(_PLAN[0])
    return counts


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
            counts = _apply(batch, actor=actor)
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
