"""Reading the uploaded file: type by content, row count before parsing, rows as lists of cells."""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import re
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
    """Rows up to the last one holding a value, header included, before parsing (S9): newlines for CSV, the
    sheet's XML scanned for XLSX.

    Trailing rows that only carry formatting do not count: a sheet saved from the old template (1,000 rows
    formatted as text) has a dimension of 1,001 rows whatever it holds, and its CSV export ends in lines of bare
    separators; counted as rows they made every upload show "0 / 1.000 baris" (issue 22 B11)."""
    if kind == "csv":
        content = raw.rstrip(b" \t\r\n,;\"'")
        header = content.find(_first_line(content))  # the export's notes before the header are not rows
        return content.count(b"\n", max(header, 0)) + 1 if content else 0
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        path = _first_sheet_path(archive)
        if path is not None:
            with archive.open(path) as stream:
                return _last_row_with_value(stream)
    from openpyxl import load_workbook

    workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    try:
        return workbook.worksheets[0].max_row or 0
    finally:
        workbook.close()


_SHEET = re.compile(rb'<(?:\w+:)?sheet\b[^>]*?\s(?:\w+:)?id="([^"]+)"')
_RELATION = re.compile(rb"<(?:\w+:)?Relationship\b[^>]*>")
_TARGET = re.compile(rb'\bTarget="([^"]+)"')


def _first_sheet_path(archive: zipfile.ZipFile) -> str | None:
    """The part of the workbook's first sheet (the one `iter_raw_rows` reads), from the two small XML files that
    name it: without loading the workbook, whose shared strings alone take seconds to read for a large file."""
    try:
        sheet = _SHEET.search(archive.read("xl/workbook.xml"))
        relations = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    if sheet is None:
        return None
    wanted = b'Id="' + sheet.group(1) + b'"'
    for relation in _RELATION.finditer(relations):
        if wanted in relation.group(0) and (target := _TARGET.search(relation.group(0))):
            name = target.group(1).decode()
            path = name.lstrip("/") if name.startswith("/") else f"xl/{name}"
            return path if path in archive.namelist() else None
    return None


_ROW_R = re.compile(rb'\br="(\d+)"')
_ROW_STARTS = (b"<row ", b"<row>", b":row ")
_ROW_ENDS = (b"</row>", b":row>")
_VALUE_ENDS = (b"</v>", b"</t>", b":v>", b":t>")  # a cell's value, or the text of an inline string


def _last_row_with_value(stream, *, chunk: int = 1 << 20) -> int:
    """The number of the last <row> of the sheet XML that holds a value, read a megabyte at a time and cut at
    row ends, so that a row is never split from its values. `r="…"` gives the number; without it, rows count."""
    last = rows_before = 0
    tail = b""
    while True:
        block = stream.read(chunk)
        data = tail + block
        cut = max(data.rfind(end) + len(end) if data.rfind(end) >= 0 else 0 for end in _ROW_ENDS)
        if block and cut == 0:
            tail = data  # one row longer than a chunk: read on
            continue
        piece, tail = (data, b"") if not block else (data[:cut], data[cut:])
        value_at = max(piece.rfind(end) for end in _VALUE_ENDS)
        if value_at >= 0:
            row_at = max(piece.rfind(start, 0, value_at) for start in _ROW_STARTS)
            if row_at >= 0:
                number = _ROW_R.search(piece, row_at, piece.find(b">", row_at) + 1)
                if number:
                    last = int(number.group(1))
                else:
                    last = rows_before + sum(piece.count(start, 0, row_at) for start in _ROW_STARTS) + 1
        rows_before += sum(piece.count(start) for start in _ROW_STARTS)
        if not block:
            return last


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
