"""Reading the uploaded file: type by content, row count before parsing, rows as lists of cells."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import zipfile
from collections.abc import Iterator


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


NOTE = "#"


def _first_line(raw: bytes) -> bytes:
    """The header line of a CSV: the first line that is not a note (the export's notes start with '#')."""
    start = 3 if raw.startswith(b"\xef\xbb\xbf") else 0
    for _attempt in range(50):
        end = raw.find(b"\n", start)
        line = raw[start:] if end < 0 else raw[start:end]
        if not line.lstrip(b'"').startswith(NOTE.encode()) or end < 0:
            return line
        start = end + 1
    return line


def _notes_as_blank(rows: Iterator[list]) -> Iterator[list]:
    """Rows before the header whose first cell starts with '#' are notes (the export writes them: masked or full,
    households left out): read as blank rows, so that row numbers still match the file's. The rows after the
    header pass straight through (no Python frame per row)."""
    head: list[list] = []
    for row in rows:
        first = row[0] if row else None
        if isinstance(first, str) and first.lstrip().startswith(NOTE):
            head.append([])
            continue
        head.append(row)
        if any(not _blank(cell) for cell in row):
            break
    return itertools.chain(head, rows)


def iter_raw_rows(raw: bytes, kind: str) -> Iterator[list]:
    if kind == "csv":
        # Decoded as it is read, not as one string: a 50 MB file would otherwise be held two or three times.
        encoding, errors = ("utf-8-sig", "strict") if _is_utf8(raw) else ("cp1252", "replace")
        first_line = _first_line(raw)
        delimiter = ";" if first_line.count(b";") > first_line.count(b",") else ","
        stream = io.TextIOWrapper(io.BytesIO(raw), encoding=encoding, errors=errors, newline="")
        yield from _notes_as_blank(csv.reader(stream, delimiter=delimiter))
        return
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    try:
        yield from _notes_as_blank(list(row) for row in workbook.worksheets[0].iter_rows(values_only=True))
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
