"""One row at a time: the wilayah lookups, the household columns, the member row parser, the header."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.services.importing.cells import (
    CellError,
    _code_maps,
    _parse_birth_date,
    _parse_sex,
    _text,
    _too_long,
    parse_bool,
    parse_code,
    parse_date,
    parse_decimal,
    parse_int,
    parse_number_id,
    parse_whole,
)
from beneficiaries.services.importing.columns import (
    CELL_KEYS,
    CODE_LISTS,
    COLUMNS,
    DETAIL_KEYS,
    HEADER_TO_KEY,
    HOUSEHOLD_COLUMNS,
    REQUIRED,
    REQUIRED_KEYS,
    TEXT_LIMITS,
)
from beneficiaries.validators import kk_passes, nik_passes, validate_kk, validate_nik
from core.models import RT, Kelurahan


@dataclass
class _Wilayah:
    kelurahan: dict
    rts: dict
    scope: list | None
    today: datetime.date
    kk_label: str
    details: dict = field(default_factory=dict)
    detail_cells: dict = field(default_factory=dict)

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
        return cls(kelurahan, rts, scope, timezone.localdate(), _("Nomor KK"), _detail_parsers())


def _detail_parsers() -> dict:
    """key -> (parser of a filled cell, value of an empty one) for the family's other columns, from the model
    field of each: its choices, type, range and validators are the import's rules too."""
    from beneficiaries.models import Household

    parsers: dict[str, tuple[Callable[[Any], Any], Any]] = {}
    for key in DETAIL_KEYS:
        model_field = Household._meta.get_field(key)
        assert isinstance(model_field, models.Field)  # DETAIL_KEYS are Household's own columns
        label = COLUMNS[key][0]
        parser: Callable[[Any], Any]
        if model_field.choices:
            mapping = {str(value): value for value, _label in model_field.flatchoices}
            mapping.update({str(text).strip().lower(): value for value, text in model_field.flatchoices})
            parser = partial(parse_code, mapping=mapping, label=label)
        elif isinstance(model_field, models.BooleanField):
            parser = partial(parse_bool, label=label)
        elif isinstance(model_field, models.DecimalField):
            parser = partial(parse_decimal, label=label, field=model_field)
        elif isinstance(model_field, models.DateField):
            parser = parse_date
        elif isinstance(model_field, models.IntegerField):
            low, high = connection.ops.integer_field_range(model_field.get_internal_type())
            parser = partial(parse_whole, label=label, low=max(low or 0, 0), high=high, field=model_field)
        else:
            limit = model_field.max_length

            def parse_text(value, label=label, limit=limit):
                text = _text(value)
                if limit and len(text) > limit:
                    raise CellError(
                        _("%(column)s terlalu panjang (maksimal %(n)s karakter).") % {"column": label, "n": limit}
                    )
                return text

            parser = parse_text
        empty = model_field.get_default() if not model_field.null else None
        parsers[key] = (parser, empty)
    return parsers


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
    cache = wilayah.detail_cells
    for key, (parser, empty) in wilayah.details.items():
        data[key] = empty
        if key in raw:
            value = raw[key]
            # The same few values ("0", "1", a code) fill these columns: each is parsed once per file.
            cache_key = (key, value) if type(value) is str else (key, type(value), value)
            found = cache.get(cache_key)
            if found is None:
                try:
                    found = (parser(value), None)
                except CellError as exc:
                    found = (empty, str(exc))
                if len(cache) >= 50_000:
                    cache.clear()
                cache[cache_key] = found
            data[key] = found[0]
            if found[1] is not None:
                err(key, found[1])
    gps = ("latitude", "longitude")
    if (data.get(gps[0]) is None) != (data.get(gps[1]) is None) and not any(
        e["column"] in (COLUMNS[gps[0]][0], COLUMNS[gps[1]][0]) for e in errors
    ):
        missing = gps[0] if data.get(gps[0]) is None else gps[1]
        err(
            missing,
            _("Lokasi GPS: isi lintang dan bujur bersama-sama, atau kosongkan keduanya (%(column)s kosong).")
            % {"column": COLUMNS[missing][0]},
        )
    return data, errors


class _RowParser:
    """Parses the member rows of one file into registry values and errors (Indonesian, naming the column).

    Most columns repeat from row to row (code lists, sex, birth dates and places, the household columns of a
    KK, the province and date blocks of NIK and KK numbers), so each distinct cell is parsed once per file and
    its result reused: at 400,000 rows the per-cell Python is most of the validation (docs/quality.md P4). The
    caches are bounded, so memory stays flat whatever the file's size."""

    LIMIT = 50_000

    def __init__(self, wilayah: _Wilayah):
        self.wilayah = wilayah
        maps = _code_maps()
        self.converters: dict[str, Callable[[Any], Any]] = {
            key: partial(parse_code, mapping=maps[key], label=COLUMNS[key][0]) for key in CODE_LISTS
        }
        self.converters["sex"] = _parse_sex
        self.converters["birth_date"] = partial(_parse_birth_date, today=wilayah.today)
        self.cells: dict = {}
        self.passes: dict[str, Callable[[str], bool]] = {
            "nik": nik_passes,
            "kk_number": partial(kk_passes, today=wilayah.today),
        }
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


def _header_keys(header: list) -> tuple[list, list[str]]:
    keys = []
    for cell in header:
        text = "" if cell is None else str(cell).strip().lower().replace(" ", "_").lstrip("\ufeff")
        keys.append(HEADER_TO_KEY.get(text))
    missing = [COLUMNS[k][0] for k, (_h, required, _d) in COLUMNS.items() if required and k not in keys]
    return keys, missing
