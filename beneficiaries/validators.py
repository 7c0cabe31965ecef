"""Structural validation of NIK and No. KK (docs/domain.md §2.1-2.2), in one place.

Neither number has a check digit: only the structure can be checked. Whether a number exists can be
confirmed only by Dukcapil. A NIK that disagrees with the entered sex or birth date is a *warning*, never a
block, because real NIKs sometimes disagree with the printed birth date and cannot be corrected.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.reference import province_codes

KK_LABEL = gettext_lazy("Nomor KK")  # translated only when a message needs it (imports check 100,000s of rows)
_SEPARATORS = re.compile(r"[\s.\-]")
_SIXTEEN_DIGITS = re.compile(r"^\d{16}$")


def normalise_number(raw) -> str:
    """Strips spaces, dots and dashes that people and spreadsheets put into NIK/KK numbers."""
    if raw is None:
        return ""
    return _SEPARATORS.sub("", str(raw))


@dataclass(frozen=True)
class NikInfo:
    is_female: bool
    day: int
    month: int
    yy: int
    kecamatan_prefix: str

    def birth_date(self, *, century_hint: datetime.date | None = None) -> datetime.date | None:
        """The birth date the NIK encodes; the century comes from the entered date, else from today."""
        if century_hint is not None:
            year = century_hint.year - century_hint.year % 100 + self.yy
        else:
            this_yy = timezone.localdate().year % 100
            year = (2000 if self.yy <= this_yy else 1900) + self.yy
        try:
            return datetime.date(year, self.month, self.day)
        except ValueError:
            return None


def _check_structure(value: str, *, label: str, field: str) -> str:
    number = normalise_number(value)
    if not _SIXTEEN_DIGITS.match(number):
        raise ValidationError(
            _("%(label)s harus 16 digit angka (tertulis %(count)s karakter).") % {"label": label, "count": len(number)},
            code=f"{field}_length",
        )
    if number[:2] not in province_codes():
        raise ValidationError(
            _("%(label)s: dua digit pertama (%(code)s) bukan kode provinsi yang berlaku.")
            % {"label": label, "code": number[:2]},
            code=f"{field}_province",
        )
    return number


def parse_nik(value: str) -> NikInfo:
    """Validates a NIK's structure and returns what it encodes; raises ValidationError in Indonesian."""
    nik = _check_structure(value, label="NIK", field="nik")
    dd, mm, yy = int(nik[6:8]), int(nik[8:10]), int(nik[10:12])
    is_female = dd > 40
    day = dd - 40 if is_female else dd
    if not 1 <= day <= 31:
        raise ValidationError(
            _("NIK: digit 7-8 (%(dd)s) bukan tanggal lahir yang sah (01-31 untuk laki-laki, 41-71 untuk perempuan).")
            % {"dd": nik[6:8]},
            code="nik_day",
        )
    if not 1 <= mm <= 12:
        raise ValidationError(
            _("NIK: digit 9-10 (%(mm)s) bukan bulan lahir yang sah (01-12).") % {"mm": nik[8:10]},
            code="nik_month",
        )
    # The date must exist in at least one of the two possible centuries (29 February needs a leap year).
    if not any(_date_exists(century + yy, mm, day) for century in (1900, 2000)):
        raise ValidationError(
            _("NIK: tanggal lahir %(day)02d-%(month)02d-%(yy)02d tidak ada di kalender.")
            % {"day": day, "month": mm, "yy": yy},
            code="nik_date",
        )
    if nik[12:16] == "0000":
        raise ValidationError(_("NIK: nomor urut (4 digit terakhir) tidak boleh 0000."), code="nik_serial")
    return NikInfo(is_female=is_female, day=day, month=mm, yy=yy, kecamatan_prefix=nik[:6])


def validate_nik(value: str) -> None:
    parse_nik(value)


def validate_kk(value: str, *, today: datetime.date | None = None) -> None:
    """No. KK: 6-digit region + registration date DDMMYY (no +40, not in the future) + 4-digit serial."""
    kk = _check_structure(value, label=KK_LABEL, field="kk")
    dd, mm, yy = int(kk[6:8]), int(kk[8:10]), int(kk[10:12])
    today = today or timezone.localdate()
    this_yy = today.year % 100
    year = (2000 if yy <= this_yy else 1900) + yy
    if not _date_exists(year, mm, dd):
        raise ValidationError(
            _("Nomor KK: digit 7-12 (%(block)s) bukan tanggal pencatatan yang sah (DDMMYY).") % {"block": kk[6:12]},
            code="kk_date",
        )
    if datetime.date(year, mm, dd) > today:
        raise ValidationError(
            _("Nomor KK: tanggal pencatatan %(date)s ada di masa depan.")
            % {"date": datetime.date(year, mm, dd).strftime("%d-%m-%Y")},
            code="kk_future",
        )
    if kk[12:16] == "0000":
        raise ValidationError(_("Nomor KK: nomor urut (4 digit terakhir) tidak boleh 0000."), code="kk_serial")


def _block_passes(number: str, *, today: datetime.date | None) -> bool:
    """The checks `parse_nik` (today None) or `validate_kk` make, as a yes/no without building a message."""
    if not (len(number) == 16 and number.isascii() and number.isdigit()):
        return False
    if number[:2] not in province_codes() or number[12:] == "0000":
        return False
    dd, mm, yy = int(number[6:8]), int(number[8:10]), int(number[10:12])
    if today is None:  # NIK: women's day + 40, and the date must exist in one of the two centuries
        day = dd - 40 if dd > 40 else dd
        return (
            1 <= day <= 31 and 1 <= mm <= 12 and (day <= 28 or any(_date_exists(c + yy, mm, day) for c in (1900, 2000)))
        )
    year = (2000 if yy <= today.year % 100 else 1900) + yy  # KK: a registration date, not in the future
    return _date_exists(year, mm, dd) and datetime.date(year, mm, dd) <= today


def nik_passes(number: str) -> bool:
    """True when `validate_nik` accepts the number: a fast check for bulk imports, which ask
    `validate_nik` for the message only when this says no."""
    return _block_passes(number, today=None)


def kk_passes(number: str, *, today: datetime.date) -> bool:
    """True when `validate_kk(number, today=today)` accepts the number (see `nik_passes`)."""
    return _block_passes(number, today=today)


def nik_crosscheck(nik: str, *, is_female: bool | None, birth_date: datetime.date | None) -> list[str]:
    """Warnings (never errors) where the NIK disagrees with the entered sex or birth date."""
    try:
        info = parse_nik(nik)
    except ValidationError:
        return []
    warnings = []
    if is_female is not None and info.is_female != is_female:
        warnings.append(
            _("NIK menunjukkan jenis kelamin %(nik_sex)s, tetapi yang diisi %(entered)s.")
            % {
                "nik_sex": _("perempuan") if info.is_female else _("laki-laki"),
                "entered": _("perempuan") if is_female else _("laki-laki"),
            }
        )
    if birth_date is not None:
        encoded = info.birth_date(century_hint=birth_date)
        if encoded != birth_date:
            warnings.append(
                _("Tanggal lahir di NIK (%(nik_date)s) berbeda dengan tanggal lahir yang diisi (%(entered)s).")
                % {
                    "nik_date": f"{info.day:02d}-{info.month:02d}-{info.yy:02d}",
                    "entered": birth_date.strftime("%d-%m-%Y"),
                }
            )
    return warnings


def mask_number(value: str | None) -> str:
    """`1671********0003`: the first four and last four digits only (docs/quality.md S11)."""
    if not value:
        return ""
    value = str(value)
    if len(value) < 8:
        return "*" * len(value)
    return f"{value[:4]}{'*' * (len(value) - 8)}{value[-4:]}"


def _date_exists(year: int, month: int, day: int) -> bool:
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


# --- Household card code ------------------------------------------------------------------------------------

CARD_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford base32: no I, L, O or U to misread
CARD_CODE_LENGTH = 10  # 50 bits; printed as two groups of five
_CARD_CODE_TYPED = str.maketrans({"O": "0", "I": "1", "L": "1", " ": None, "-": None, "\t": None, ".": None})
_CARD_CODE = re.compile(rf"^[{CARD_CODE_ALPHABET}]{{{CARD_CODE_LENGTH}}}$")


def card_code_normalise(raw) -> str:
    """The stored form of a typed card code (`Household.card_code`), or "" when it cannot be one.

    Case, spaces, dots and dashes do not matter, and the letters people confuse with digits are read the way
    Crockford's base32 reads them (O as 0, I and L as 1)."""
    code = str(raw or "").strip().upper().translate(_CARD_CODE_TYPED)
    return code if _CARD_CODE.match(code) else ""


def card_code_display(code: str | None) -> str:
    """`ABCDE12345` → `ABCDE-12345`, the way it is printed under the QR."""
    if not code:
        return ""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"
