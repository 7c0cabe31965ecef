"""Detection of likely duplicate members, for human review (openIMIS-style groups in plain PostgreSQL).

Rules (each pair stored once, in id order; a pair already reviewed is never raised again):
1. similar names (pg_trgm similarity >= NAME_THRESHOLD) and the same birth date;
2. the same NIK region+birth-date prefix (first 12 digits) and similar names: a NIK mistyped in its serial.
"Same KK in two households" cannot happen among active households (the partial unique constraint on
kk_number forbids it), so it needs no detection; the flag kind exists for imports from other systems.
"""

from django.db import connection, transaction

from beneficiaries.models import DuplicateFlag

NAME_THRESHOLD = 0.55
PREFIX_NAME_THRESHOLD = 0.4

_SQL = """
INSERT INTO beneficiaries_duplicateflag (created_at, updated_at, kind, member_id, other_id, score, status, note)
SELECT now(), now(), %(kind)s, a.id, b.id, similarity(a.full_name, b.full_name), 'open', ''
FROM beneficiaries_member a
JOIN beneficiaries_member b ON {join} AND a.id < b.id
JOIN beneficiaries_household ha ON ha.id = a.household_id
WHERE a.is_active AND b.is_active
  AND similarity(a.full_name, b.full_name) >= %(threshold)s
  {scope}
ON CONFLICT (member_id, other_id) DO NOTHING
"""


def duplicates_detect(*, kelurahan_id: int | None = None) -> int:
    """Adds flags for new likely-duplicate pairs; returns how many were added. Safe to run again."""
    scope = "AND ha.kelurahan_id = %(kelurahan)s" if kelurahan_id else ""
    added = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for kind, join, threshold in (
            (DuplicateFlag.Kind.NAME_BIRTH, "b.birth_date = a.birth_date", NAME_THRESHOLD),
            (
                DuplicateFlag.Kind.NIK_PREFIX,
                "left(b.nik, 12) = left(a.nik, 12) AND b.nik <> a.nik AND b.birth_date <> a.birth_date",
                PREFIX_NAME_THRESHOLD,
            ),
        ):
            cursor.execute(
                _SQL.format(join=join, scope=scope),
                {"kind": kind.value, "threshold": threshold, "kelurahan": kelurahan_id},
            )
            added += cursor.rowcount
    return added
