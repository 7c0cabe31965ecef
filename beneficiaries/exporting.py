"""Exports of the filtered household list (CSV streamed, XLSX write-only) and the data-subject record.

The registry export is the import template (B5): the same columns (`importing.COLUMNS`, derived from
`beneficiaries.fields`) and the cells as the import reads them (NIK/KK as text, dates DD-MM-YYYY, codes as
numbers, yes/no as "ya"/"tidak"), so that an export corrected in a spreadsheet imports again and changes only
what was corrected. A masked export (NIK/KK as 1671********0001) cannot be imported again, and says so in its
notes; the full export, for those who may reveal NIK, can.

The export shares the registry's data outside the portal (with Dinas Sosial), so households that withdrew
their consent to sharing (`ConsentPurpose.SHARING`) are left out, and the file says how many and why.

Cells that a spreadsheet would run as a formula are neutralised (core.spreadsheets); the import takes that
apostrophe off again. Rows are read in chunks, so memory stays flat however many households are exported.
"""

from __future__ import annotations

import csv
import datetime
import decimal
import tempfile
from collections.abc import Callable, Iterable, Iterator

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from beneficiaries import choices, selectors
from beneficiaries.models import Household, Member
from beneficiaries.services.importing.columns import COLUMNS
from beneficiaries.services.importing.template import column_notes
from beneficiaries.validators import mask_number
from core.spreadsheets import neutralise, xlsx_cell

CHUNK = 2000
SHARING = choices.ConsentPurpose.SHARING
NOTE_PREFIX = "# "  # the import reads rows before the header that start with "#" as notes
TEXT_COLUMNS = ("kk_number", "nik")  # XLSX cells formatted as text, so a retyped number keeps its 16 digits
SEX_LETTERS = {choices.Sex.MALE: "L", choices.Sex.FEMALE: "P"}


def export_header() -> list[str]:
    """The import template's headers, in its order."""
    return [header for header, _required, _description in COLUMNS.values()]


# --- One cell, as the import reads it ---------------------------------------------------------------------------


def _decimal_text(value) -> str:
    if value is None:
        return ""
    text = format(decimal.Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _formatter(field: models.Field) -> Callable:
    if field.choices or isinstance(field, models.IntegerField):
        return lambda value: "" if value is None else str(int(value))
    if isinstance(field, models.BooleanField):
        return lambda value: "" if value is None else ("ya" if value else "tidak")
    if isinstance(field, models.DecimalField):
        return _decimal_text
    if isinstance(field, models.DateField):
        return lambda value: value.strftime("%d-%m-%Y") if value else ""
    return lambda value: neutralise(value or "")  # text typed by people: never a formula


def _getters(*, reveal: bool) -> tuple[list[tuple[int, Callable]], list[tuple[int, Callable]]]:
    """(position, getter) of the household cells and of the member cells of a row, in the template's order."""
    hidden = (lambda value: value or "") if reveal else mask_number
    special: dict[str, Callable] = {
        "kk_number": lambda h: hidden(h.kk_number),
        "kelurahan": lambda h: h.kelurahan.name,
        "rt": lambda h: str(h.rt.number),
        "rw": lambda h: str(h.rt.rw),
        "nik": lambda m: hidden(m.nik),
        "sex": lambda m: SEX_LETTERS.get(m.sex, ""),
    }
    household_fields = {f.name for f in Household._meta.concrete_fields}
    household, member = [], []
    for position, key in enumerate(COLUMNS):
        is_household = key in household_fields or key in ("kelurahan", "rt", "rw")
        getter = special.get(key)
        if getter is None:
            model = Household if is_household else Member
            fmt = _formatter(model._meta.get_field(key))
            getter = lambda obj, key=key, fmt=fmt: fmt(getattr(obj, key))  # noqa: E731
        (household if is_household else member).append((position, getter))
    return household, member


class RegistryExport:
    """The rows of an export (iterable once) and what its notes say: masked or not, households left out."""

    def __init__(self, households, *, reveal: bool):
        self.reveal = reveal
        self.households = selectors.households_excluding_withdrawn(households, purpose=SHARING)
        self.excluded = selectors.households_withdrawn(households, purpose=SHARING).count()

    def notes(self) -> list[str]:
        lines = [
            _("Ekspor registri keluarga, dibuat %(when)s; kolomnya sama dengan templat impor.")
            % {"when": timezone.localtime().strftime("%d-%m-%Y %H:%M")}
        ]
        if self.reveal:
            lines.append(
                _("NIK dan nomor KK lengkap: berkas ini dapat diperbaiki lalu diimpor ulang. Simpan dengan aman.")
            )
        else:
            lines.append(
                _(
                    "NIK dan nomor KK tersamar: berkas ini TIDAK dapat diimpor ulang. Untuk memperbaiki data lewat impor mintalah ekspor dengan NIK/KK lengkap."
                )
            )
        if self.excluded:
            lines.append(
                _("%(n)s keluarga tidak ikut diekspor karena menarik persetujuan berbagi data dengan Dinas Sosial.")
                % {"n": self.excluded}
            )
        return lines

    def __iter__(self) -> Iterator[list]:
        return _rows(self.households, reveal=self.reveal)


def export_rows(households, *, reveal: bool) -> RegistryExport:
    """The registry export of `households` (already scoped and filtered): its rows, and its notes for the file."""
    return RegistryExport(households, reveal=reveal)


def _rows(households, *, reveal: bool) -> Iterator[list]:
    """One row per active member of each household, in id order, chunked (two queries per chunk)."""
    household_cells, member_cells = _getters(reveal=reveal)
    width = len(COLUMNS)
    ids = households.order_by("pk").values_list("pk", flat=True)
    last = 0
    while True:
        chunk = list(ids.filter(pk__gt=last)[:CHUNK])
        if not chunk:
            return
        last = chunk[-1]
        members = (
            Member.objects.filter(household_id__in=chunk, is_active=True)
            .select_related("household__kelurahan", "household__rt")
            .order_by("household_id", "relationship", "pk")
        )
        current, template = None, None
        for m in members.iterator(chunk_size=CHUNK):
            if m.household_id != current:  # the family's cells once for all its members
                current, template = m.household_id, [""] * width
                for position, getter in household_cells:
                    template[position] = getter(m.household)
            row = list(template)
            for position, getter in member_cells:
                row[position] = getter(m)
            yield row


class _Echo:
    def write(self, value):
        return value


def csv_stream(rows: Iterable[list], *, header: list[str] | None = None) -> Iterator[str]:
    """The CSV, streamed; a registry export starts with its notes (rows before the header, starting with "#",
    which the import skips)."""
    writer = csv.writer(_Echo())
    yield "\ufeff"  # BOM: Excel on Windows opens UTF-8 correctly only with it
    for note in rows.notes() if isinstance(rows, RegistryExport) else ():
        yield writer.writerow([NOTE_PREFIX + note])
    yield writer.writerow(header or export_header())
    for row in rows:
        yield writer.writerow(row)


def _typed_text_positions() -> frozenset[int]:
    """Positions of the columns whose text people typed (names, addresses, places, sources)."""
    positions = set()
    for position, key in enumerate(COLUMNS):
        model = Household if key in {f.name for f in Household._meta.concrete_fields} else Member
        try:
            field = model._meta.get_field(key)
        except FieldDoesNotExist:
            continue  # kelurahan, rt, rw: names and numbers from the reference tables
        if isinstance(field, models.CharField) and not field.choices and key not in TEXT_COLUMNS:
            positions.add(position)
    return frozenset(positions)


def xlsx_file(rows: Iterable[list], *, title: str) -> tempfile.SpooledTemporaryFile:
    """A write-only workbook in a spooled temporary file (memory stays flat; spills to disk when large): the
    data first (the sheet the import reads), then the notes and the template's column notes."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(export_header())
    number_positions = [position for position, key in enumerate(COLUMNS) if key in TEXT_COLUMNS]
    typed = _typed_text_positions()
    for row in rows:
        # Written as text: never a formula, never a number that loses NIK digits. Only text people typed can
        # hold a control character or a formula (codes, dates and numbers are ours); an empty cell is left out.
        cells = [
            (xlsx_cell(str(v)) if i in typed else str(v)) if v not in (None, "") else None for i, v in enumerate(row)
        ]
        for position in number_positions:
            cell = WriteOnlyCell(sheet, value=cells[position])
            cell.number_format = "@"
            cells[position] = cell
        sheet.append(cells)
    if isinstance(rows, RegistryExport):
        notes = workbook.create_sheet(title=_("catatan")[:31])
        for note in rows.notes():
            notes.append([xlsx_cell(note)])
        columns = workbook.create_sheet(title="petunjuk")
        columns.append(["kolom", "wajib", "keterangan"])
        for line in column_notes():
            columns.append([xlsx_cell(value) for value in line])
    handle = tempfile.SpooledTemporaryFile(max_size=20 * 1024 * 1024)  # noqa: SIM115 - returned to the caller
    workbook.save(handle)
    handle.seek(0)
    return handle


def _display(obj, field: str):
    getter = getattr(obj, f"get_{field}_display", None)
    value = getter() if getter else getattr(obj, field)
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if value is None:
        return None
    return value if isinstance(value, int | float | bool) else str(value)


def subject_record(member: Member) -> dict:
    """Everything the registry holds about one person (UU PDP Pasal 32: access and copy), including the consent
    given for the whole household (no member named), which is about this person too."""
    household: Household = member.household
    member_fields = [f.name for f in Member._meta.concrete_fields if f.name not in ("household",)]
    household_fields = [
        f.name
        for f in Household._meta.concrete_fields
        if f.name not in ("card_token", "card_code", "created_by", "kelurahan", "rt")
    ]
    return {
        "anggota": {f: _display(member, f) for f in member_fields},
        "keluarga": {
            **{f: _display(household, f) for f in household_fields},
            "kelurahan": household.kelurahan.name,
            "rt": household.rt.number,
            "rw": household.rt.rw,
        },
        "persetujuan": [
            {
                "tujuan": c.get_purpose_display(),
                "berlaku_untuk": _("seluruh keluarga") if c.member_id is None else _("anggota ini"),
                "pemberi_persetujuan": c.consenter_name,
                "versi_pemberitahuan": c.notice_version,
                "tanggal": c.consented_on.isoformat(),
                "ditarik": c.withdrawn_on.isoformat() if c.withdrawn_on else None,
            }
            for c in selectors.member_subject_consents(member=member)
        ],
        "dibuat": timezone.localtime().isoformat(timespec="seconds"),
    }


def subject_record_xlsx(record: dict) -> tempfile.SpooledTemporaryFile:
    workbook = Workbook(write_only=True)
    for section in ("anggota", "keluarga"):
        sheet = workbook.create_sheet(title=section)
        sheet.append([_("Kolom"), _("Nilai")])
        for key, value in record[section].items():
            sheet.append([key, xlsx_cell("" if value is None else str(value))])
    sheet = workbook.create_sheet(title="persetujuan")
    sheet.append([_("Tujuan"), _("Berlaku untuk"), _("Pemberi persetujuan"), _("Versi"), _("Tanggal"), _("Ditarik")])
    for row in record["persetujuan"]:
        sheet.append(
            [
                row["tujuan"],
                row["berlaku_untuk"],
                xlsx_cell(row["pemberi_persetujuan"]),
                row["versi_pemberitahuan"],
                row["tanggal"],
                row["ditarik"] or "",
            ]
        )
    handle = tempfile.SpooledTemporaryFile(max_size=5 * 1024 * 1024)  # noqa: SIM115
    workbook.save(handle)
    handle.seek(0)
    return handle
