"""The columns of the import template: headers, which are required, and the keys they fill.

Derived from the field lists in `beneficiaries.fields` (the one definition): the family's identifying columns,
then one member per row, then the family's other details. The export writes the same columns (B5: an export,
corrected in a spreadsheet, imports again).
"""

from __future__ import annotations

from beneficiaries import choices
from beneficiaries import fields as editable

# The RT of a household is three columns in a file: the kelurahan's name, the RT's number, and its RW (checked).
_RT_COLUMNS = {
    "kelurahan": ("kelurahan", True, "Nama kelurahan, mis. Keramasan."),
    "rt": None,  # from the field list
    "rw": ("rw", False, "Nomor RW (angka); harus sama dengan RW tercatat untuk RT tersebut."),
}


def _columns() -> dict[str, tuple[str, bool, str]]:
    columns: dict[str, tuple[str, bool, str]] = {}

    def add(items):
        for field in items:
            if not field.header:
                continue
            entry = (field.header, field.required, field.description)
            if field.name == "rt":
                for key, fixed in _RT_COLUMNS.items():
                    columns[key] = fixed or entry
            else:
                columns[field.name] = entry

    add(f for f in editable.HOUSEHOLD if f.before_members)
    add(editable.MEMBER)
    add(editable.HOUSEHOLD_DETAILS)
    return columns


# Column key -> (header in the template, required, description for the template's second sheet)
COLUMNS: dict[str, tuple[str, bool, str]] = _columns()
HEADER_TO_KEY = {header: key for key, (header, _req, _desc) in COLUMNS.items()}
#: The household's other columns (after the members in the file), parsed by their model field's type.
DETAIL_KEYS = tuple(f.name for f in editable.HOUSEHOLD_DETAILS)
#: The staged household values, in the staging table's and the registry's names.
HOUSEHOLD_KEYS = ("kelurahan_id", "rt_id", "address", "house_number", "desil", *DETAIL_KEYS)
MEMBER_KEYS = tuple(f.name for f in editable.MEMBER if f.header)
#: Which file column a staged key comes from (for "a column the file does not have changes nothing").
SOURCE_COLUMN = {"kelurahan_id": "kelurahan", "rt_id": "rt"}
CODE_LISTS = {
    "relationship": choices.Relationship,
    "marital_status": choices.MaritalStatus,
    "religion": choices.Religion,
    "education": choices.Education,
    "school_participation": choices.SchoolParticipation,
    "occupation": choices.Occupation,
    "nik_missing_reason": choices.NikMissingReason,
}

HOUSEHOLD_COLUMNS = ("kelurahan", "rt", "rw", "address", "house_number", "desil", *DETAIL_KEYS)
REQUIRED = tuple((key, header) for key, (header, required, _desc) in COLUMNS.items() if required)
REQUIRED_KEYS = frozenset(key for key, _header in REQUIRED)
CELL_KEYS = ("sex", "birth_date", *CODE_LISTS)  # parsed once per distinct cell value (_RowParser)
# The staging row (ImportRow) as written by the validation: the registry values of the row, typed.
STAGED_KEYS = (*HOUSEHOLD_KEYS, *(key for key in MEMBER_KEYS if key != "nik"))
STAGED_COLUMNS = ["batch_id", "row_number", "kk_number", "nik", "errors", "is_accepted", *STAGED_KEYS]
TEXT_LIMITS = {"address": 200, "house_number": 20, "full_name": 150, "birth_place": 100}


def present_keys(columns: list[str] | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(household keys, member keys) that a file with these header columns sets; every key for an empty list
    (batches read before the header was kept)."""
    if not columns:
        return HOUSEHOLD_KEYS, MEMBER_KEYS
    present = set(columns)
    if present & {"nik", "nik_missing_reason"}:
        present |= {"nik", "nik_missing_reason"}  # a row has a NIK or a reason: setting one clears the other
    return (
        tuple(key for key in HOUSEHOLD_KEYS if SOURCE_COLUMN.get(key, key) in present),
        tuple(key for key in MEMBER_KEYS if key in present),
    )


def code_description(choices) -> str:
    """A code list as the template explains it: "Kode atau nama: 1 Milik sendiri, 2 …"."""
    return "Kode atau nama: " + ", ".join(f"{value} {label}" for value, label in choices) + "."
