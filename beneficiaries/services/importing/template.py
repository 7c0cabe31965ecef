"""The documented XLSX template; its columns, notes and code lists are the export's too."""

from __future__ import annotations

import io

from django.db.models import Field

from beneficiaries.services.importing.columns import COLUMNS, code_description

# Two synthetic example rows, by column key (the other columns stay empty).
EXAMPLES = [
    {
        "kk_number": "1671130101150001",
        "kelurahan": "Keramasan",
        "rt": "1",
        "rw": "1",
        "address": "Jl. Contoh Lr. Damai",
        "house_number": "12",
        "desil": "2",
        "nik": "1671131506850001",
        "full_name": "Budi Contoh",
        "sex": "L",
        "birth_place": "Palembang",
        "birth_date": "15-06-1985",
        "relationship": "1",
        "marital_status": "2",
        "religion": "1",
        "education": "3",
        "occupation": "19",
        "home_ownership": "1",
        "asset_motorbike": "1",
        "asset_smartphone": "2",
        "latitude": "-2.9934",
        "longitude": "104.7431",
    },
    {
        "kk_number": "1671130101150001",
        "kelurahan": "Keramasan",
        "rt": "1",
        "rw": "1",
        "address": "Jl. Contoh Lr. Damai",
        "house_number": "12",
        "desil": "2",
        "nik_missing_reason": "1",
        "full_name": "Bayi Contoh",
        "sex": "P",
        "birth_place": "Palembang",
        "birth_date": "01-01-2026",
        "relationship": "4",
        "marital_status": "1",
        "religion": "1",
        "education": "1",
        "occupation": "1",
        "home_ownership": "1",
        "asset_motorbike": "1",
        "asset_smartphone": "2",
        "latitude": "-2.9934",
        "longitude": "104.7431",
    },
]


def column_notes() -> list[list[str]]:
    """The "petunjuk" sheet: one row per column (header, required, description), code lists spelled out."""
    from beneficiaries.models import Household

    rows = []
    for key, (header, required, description) in COLUMNS.items():
        if not description:
            field = Household._meta.get_field(key)
            assert isinstance(field, Field)  # a column without its own description is a Household field
            description = code_description(field.flatchoices) if field.choices else str(field.verbose_name).capitalize()
        rows.append([header, "ya" if required else "tidak", description])
    return rows


def template_xlsx() -> bytes:
    """The documented template: headers, two example rows (synthetic) and a sheet explaining each column."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "data"
    keys = list(COLUMNS)
    sheet.append([header for header, _r, _d in COLUMNS.values()])
    for column in range(1, len(keys) + 1):
        # Text, so that NIK/KK keep all 16 digits: set on the columns, not on 1,000 empty cells, which made every
        # file saved from the template 1,001 rows long whatever it held (issue 22 B11).
        sheet.column_dimensions[get_column_letter(column)].number_format = "@"
    for row_index, example in enumerate(EXAMPLES, start=2):
        for column, key in enumerate(keys, start=1):
            sheet.cell(row=row_index, column=column, value=example.get(key, "")).number_format = "@"
    notes = workbook.create_sheet("petunjuk")
    notes.append(["kolom", "wajib", "keterangan"])
    for row in column_notes():
        notes.append(row)
    handle = io.BytesIO()
    workbook.save(handle)
    return handle.getvalue()
