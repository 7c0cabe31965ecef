"""The documented XLSX template."""

from __future__ import annotations

import io

from beneficiaries.services.importing.columns import COLUMNS


def template_xlsx() -> bytes:
    """The documented template: headers, two example rows (synthetic) and a sheet explaining each column."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "data"
    headers = [header for header, _r, _d in COLUMNS.values()]
    sheet.append(headers)
    for column in range(1, len(headers) + 1):
        # Text, so that NIK/KK keep all 16 digits: set on the columns, not on 1,000 empty cells, which made every
        # file saved from the template 1,001 rows long whatever it held (issue 22 B11).
        sheet.column_dimensions[get_column_letter(column)].number_format = "@"
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
            sheet.cell(row=row_index, column=column, value=value).number_format = "@"
    notes = workbook.create_sheet("petunjuk")
    notes.append(["kolom", "wajib", "keterangan"])
    for header, required, description in COLUMNS.values():
        notes.append([header, "ya" if required else "tidak", description])
    handle = io.BytesIO()
    workbook.save(handle)
    return handle.getvalue()
