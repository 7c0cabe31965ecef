"""Bulk import of households from CSV or XLSX through a staging table (ImportBatch + ImportRow).

Flow: upload (size, row count and type checked before parsing) -> validate in a Celery task with progress ->
preview (accepted rows, every rejected row with its reasons) -> commit in one transaction, or cancel.
Re-importing the same file is refused by its hash, and the commit is an idempotent upsert by KK and NIK,
so the same rows in a different file change nothing either (the HOPE #6089 failure mode).

Spreadsheet traps caught here (the "NIK mangled by spreadsheets" feature of docs/architecture.md §7): NIK/KK typed as
numbers (Excel keeps 15 significant digits, so the 16th becomes 0; leading digits vanish), scientific
notation (1.67113E+15), dates in several formats, blank and trailing rows, BOM, semicolons, Windows-1252.

Modules, in the order of the flow: `columns` (the template's columns), `files` (reading CSV/XLSX), `cells` (one
cell), `rows` (one row), `upload`, `validation`, `plan` (what a commit would change), `commit`, `transitions` (commit request,
cancel), `template`.
"""

from beneficiaries.services.importing.cells import CellError, parse_code, parse_date, parse_int, parse_number_id
from beneficiaries.services.importing.columns import COLUMNS, HEADER_TO_KEY, HOUSEHOLD_KEYS, MEMBER_KEYS
from beneficiaries.services.importing.commit import import_batch_commit, import_file_path
from beneficiaries.services.importing.files import count_rows, iter_raw_rows, sniff_type
from beneficiaries.services.importing.template import template_xlsx
from beneficiaries.services.importing.transitions import import_batch_fail, import_batch_transition
from beneficiaries.services.importing.upload import import_batch_create
from beneficiaries.services.importing.validation import import_batch_validate

__all__ = [
    "COLUMNS",
    "HEADER_TO_KEY",
    "HOUSEHOLD_KEYS",
    "MEMBER_KEYS",
    "CellError",
    "count_rows",
    "import_batch_commit",
    "import_batch_create",
    "import_batch_fail",
    "import_batch_transition",
    "import_batch_validate",
    "import_file_path",
    "iter_raw_rows",
    "parse_code",
    "parse_date",
    "parse_int",
    "parse_number_id",
    "sniff_type",
    "template_xlsx",
]
