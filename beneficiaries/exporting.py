"""Exports of the filtered household list (CSV streamed, XLSX write-only) and the data-subject record.

Cells that a spreadsheet would run as a formula are neutralised (quality.md S8); NIK and KK are masked
unless the user may reveal them (S11). Rows are read in chunks with a server-side cursor, so memory stays
flat however many households are exported (the KoboToolbox 30,000-row cut-off is what we avoid).
"""

from __future__ import annotations

import csv
import datetime
import tempfile
from collections.abc import Iterable, Iterator

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from beneficiaries import selectors
from beneficiaries.models import Household, Member
from beneficiaries.validators import mask_number
from core.spreadsheets import neutralise, xlsx_cell

CHUNK = 2000


def export_header() -> list[str]:
    return [
        _("Nomor KK"),
        _("Kelurahan"),
        _("RT"),
        _("RW"),
        _("Alamat"),
        _("Desil"),
        _("NIK"),
        _("Nama lengkap"),
        _("Jenis kelamin"),
        _("Tanggal lahir"),
        _("Hubungan dalam keluarga"),
        _("Pendidikan"),
        _("Partisipasi sekolah"),
        _("Pekerjaan"),
    ]


def export_rows(households, *, reveal: bool) -> Iterator[list]:
    """One row per active member of each household, in id order, chunked (two queries per chunk)."""
    ids = households.order_by("pk").values_list("pk", flat=True)
    hidden = (lambda v: v or "") if reveal else mask_number
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
        for m in members.iterator(chunk_size=CHUNK):
            h = m.household
            yield [
                neutralise(hidden(h.kk_number)),
                h.kelurahan.name,
                h.rt.number,
                h.rt.rw,
                neutralise(h.address),
                h.desil if h.desil is not None else "",
                neutralise(hidden(m.nik)),
                neutralise(m.full_name),
                m.get_sex_display(),
                m.birth_date.strftime("%d-%m-%Y"),
                m.get_relationship_display(),
                m.get_education_display() or "",
                m.get_school_participation_display() or "",
                m.get_occupation_display() or "",
            ]


class _Echo:
    def write(self, value):
        return value


def csv_stream(rows: Iterable[list], *, header: list[str] | None = None) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # BOM: Excel on Windows opens UTF-8 correctly only with it
    yield writer.writerow(header or export_header())
    for row in rows:
        yield writer.writerow(row)


def xlsx_file(rows: Iterable[list], *, title: str) -> tempfile.SpooledTemporaryFile:
    """A write-only workbook in a spooled temporary file (memory stays flat; spills to disk when large)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.append(export_header())
    for row in rows:
        # Written as text: never a formula, never a number that loses NIK digits.
        sheet.append([xlsx_cell(str(v)) if v is not None else "" for v in row])
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
        f.name for f in Household._meta.concrete_fields if f.name not in ("card_token", "created_by", "kelurahan", "rt")
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
