"""Parsing one cell: NIK/KK with the spreadsheet traps, dates, codes, numbers, text limits."""

from __future__ import annotations

import datetime
import decimal
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from beneficiaries.services.importing.columns import CODE_LISTS, COLUMNS, TEXT_LIMITS
from beneficiaries.validators import normalise_number
from core.spreadsheets import FORMULA_PREFIXES

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
_FORMULA_STARTS = tuple(p for p in FORMULA_PREFIXES if p.strip())


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
    if "*" in text:
        raise CellError(
            _(
                "%(label)s tersamar (berisi *): berkas ekspor tersamar tidak dapat diimpor ulang. Ekspor ulang dengan NIK/KK lengkap lalu impor berkas itu."
            )
            % {"label": label}
        )
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
            return datetime.datetime.strptime(text, fmt).date()  # noqa: DTZ007 - a calendar date, no time of day
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


def _text(value) -> str:
    if type(value) is str:
        text = value.strip()
        if text[:1] == "'" and text[1:2] in _FORMULA_STARTS:
            return text[1:]  # the apostrophe the export put before a formula-like text (core.spreadsheets)
        return text
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


# --- The family's other columns (housing, welfare status, assets, GPS): parsed by the model field's type --------

TRUE_WORDS = frozenset({"ya", "y", "iya", "1", "benar", "true"})
FALSE_WORDS = frozenset({"tidak", "t", "bukan", "0", "salah", "false"})


def parse_bool(value, *, label: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip().lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise CellError(_("%(label)s harus ya atau tidak (tertulis '%(value)s').") % {"label": label, "value": text[:20]})


def parse_decimal(value, *, label: str, field) -> decimal.Decimal:
    """A decimal with a comma or a point, rounded to the field's places; the field's own range checks apply."""
    if isinstance(value, bool):
        raise CellError(_("%(label)s harus angka.") % {"label": label})
    text = repr(value) if isinstance(value, float) else _text(value).replace(" ", "")
    if "," in text and "." in text:  # thousands separators: the last separator is the decimal one (1.234,5)
        thousands = "." if text.rfind(",") > text.rfind(".") else ","
        text = text.replace(thousands, "")
    try:
        number = decimal.Decimal(text.replace(",", "."))
    except decimal.InvalidOperation:
        raise CellError(_("%(label)s harus angka (tertulis '%(value)s').") % {"label": label, "value": text[:20]})
    if not number.is_finite():
        raise CellError(_("%(label)s harus angka.") % {"label": label})
    number = number.quantize(decimal.Decimal(1).scaleb(-field.decimal_places), rounding=decimal.ROUND_HALF_UP)
    if abs(number) >= 10 ** (field.max_digits - field.decimal_places):
        raise CellError(_("%(label)s terlalu besar.") % {"label": label})
    _run_validators(field, number, label=label)
    return number


def parse_whole(value, *, label: str, low: int, high: int, field) -> int:
    number = parse_int(value, label=label, low=low, high=high)
    _run_validators(field, number, label=label)
    return number


def _run_validators(field, value, *, label: str) -> None:
    try:
        field.run_validators(value)
    except ValidationError as exc:
        raise CellError(f"{label}: {' '.join(exc.messages)}")
