"""The plan of a commit, shared by the preview (counts) and the commit (carries it out)."""

from __future__ import annotations

from django.db import connection, transaction

from beneficiaries.models import ImportBatch
from beneficiaries.services.importing.columns import HOUSEHOLD_KEYS, MEMBER_KEYS, present_keys

# The plan: what the commit does to each accepted row, as two temporary tables built by SQL over the staging
# rows. The preview counts it; the commit counts it and carries it out, so the two cannot disagree. A household
# or member counts as changed only by the columns the file has (`present_keys`): a column it does not have leaves
# the registry's value as it is.
_MEMBER_VALUES = {key: f"r.{key}" for key in MEMBER_KEYS} | {"nik": "NULLIF(r.nik, '')"}
_DROP = "DROP TABLE IF EXISTS import_household, import_member"


def _changed(prefix: str, keys, values: dict) -> str:
    return " OR ".join(f"{prefix}.{key} IS DISTINCT FROM {values[key]}" for key in keys) or "false"


def plan_keys(batch: ImportBatch) -> tuple[tuple[str, ...], dict[str, str]]:
    """The household keys and the member values (SQL over the staging row `r`) that this batch's file sets."""
    household_keys, member_keys = present_keys(batch.columns)
    return household_keys, {key: _MEMBER_VALUES[key] for key in member_keys}


def _statements(batch: ImportBatch) -> list[str]:
    household_keys, member_values = plan_keys(batch)
    household_changed = _changed("h", household_keys, {key: f"f.{key}" for key in household_keys})
    member_changed = _changed("m", member_values, member_values)
    return [
        _DROP,
        # One row per KK: the household columns of its first row, the active household with that KK if any.
        f"""CREATE TEMPORARY TABLE import_household ON COMMIT DROP AS
            SELECT f.kk_number, {", ".join(f"f.{key}" for key in HOUSEHOLD_KEYS)}, h.id AS household_id,
                   h.id IS NULL AS is_new, (h.id IS NOT NULL AND ({household_changed})) AS changed
            FROM (
                SELECT DISTINCT ON (kk_number) * FROM beneficiaries_importrow
                WHERE batch_id = %(batch)s AND is_accepted ORDER BY kk_number, row_number
            ) f
            LEFT JOIN beneficiaries_household h ON h.kk_number = f.kk_number AND h.is_active""",  # noqa: S608  # nosec B608
        "ANALYZE import_household",
        # One row per accepted row: the active member it updates (same NIK; else a member without NIK of the same
        # household with the same name and birth date, so that a newborn's NIK written into an export fills in
        # that member instead of adding a second one), if any.
        f"""CREATE TEMPORARY TABLE import_member ON COMMIT DROP AS
            SELECT r.id AS row_id, r.row_number, r.kk_number, m.id AS member_id,
                   (m.id IS NOT NULL AND ({member_changed})) AS changed
            FROM beneficiaries_importrow r
            JOIN import_household p ON p.kk_number = r.kk_number
            LEFT JOIN LATERAL (
                SELECT m.* FROM beneficiaries_member m
                WHERE m.is_active AND (
                    (r.nik <> '' AND m.nik = r.nik)
                    OR (m.nik IS NULL AND m.household_id = p.household_id
                        AND lower(m.full_name) = lower(r.full_name) AND m.birth_date = r.birth_date)
                )
                ORDER BY m.nik IS NULL
                LIMIT 1
            ) m ON true
            WHERE r.batch_id = %(batch)s AND r.is_accepted""",  # noqa: S608  # nosec B608
        "ANALYZE import_member",
    ]


_PLAN_COUNTS = """
    SELECT
        (SELECT count(*) FILTER (WHERE is_new) FROM import_household),
        (SELECT count(*) FILTER (WHERE changed) FROM import_household),
        count(*) FILTER (WHERE member_id IS NULL),
        count(*) FILTER (WHERE changed),
        count(*) FILTER (WHERE member_id IS NOT NULL AND NOT changed)
    FROM import_member
"""
_PLAN_KEYS = ("households_created", "households_updated", "members_created", "members_updated", "unchanged")


def _plan(cursor, batch: ImportBatch) -> dict:
    """Builds the plan tables (inside the caller's transaction) and returns what they would change."""
    cursor.execute("SET LOCAL work_mem = '64MB'")  # the joins and the sort by row number stay in memory
    for statement in _statements(batch):
        cursor.execute(statement, {"batch": batch.pk})
    cursor.execute(_PLAN_COUNTS)
    return dict(zip(_PLAN_KEYS, cursor.fetchone(), strict=True))


def _preview_counts(batch: ImportBatch) -> dict:
    """What a commit would do, counted over the staging rows (no row comes to Python)."""
    with transaction.atomic(), connection.cursor() as cursor:
        counts = _plan(cursor, batch)
        cursor.execute(_DROP)
    return counts
