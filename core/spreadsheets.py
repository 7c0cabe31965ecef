"""Cells of CSV and XLSX exports (docs/quality.md S8): what a user typed stays text in the spreadsheet.

A cell starting with `=`, `+`, `-`, `@`, tab or CR is a formula (or a DDE payload) to Excel and LibreOffice;
a leading apostrophe makes it text (OWASP, CSV injection). XLSX cannot hold most control characters at all
(openpyxl refuses the whole file), and a name pasted from a word processor may carry one, so they are dropped
before the formula check: "\x0b=1+1" must not become a formula once the control character is gone.
"""

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; other values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def xlsx_cell(value):
    """`neutralise`, after dropping the control characters that an XLSX worksheet cannot hold."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return neutralise(value)
