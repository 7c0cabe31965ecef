"""Commit: the plan carried out in one transaction (the commit task's work); the management command's flow."""

from __future__ import annotations

import io
import logging
import time
from functools import partial

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.models import Household, ImportBatch, ImportRow, Member, new_card_token
from beneficiaries.services.cards import card_codes_new
from beneficiaries.services.common import _require
from beneficiaries.services.importing.columns import HOUSEHOLD_KEYS, MEMBER_KEYS
from beneficiaries.services.importing.plan import _DROP, _MEMBER_VALUES, _plan, plan_keys
from beneficiaries.services.importing.upload import import_batch_create
from beneficiaries.services.importing.validation import import_batch_validate
from core import history
from core.bulk import insert_select

COMMIT_HOUSEHOLDS = 5000  # households matched and written per round of the commit
logger = logging.getLogger(__name__)


def _apply(batch: ImportBatch, *, actor) -> dict:
    """Carries out the plan, set-based: new households by COPY (each needs its own card token), changed ones by
    one UPDATE, new members by one INSERT … SELECT with their history events, changed ones by one UPDATE. The
    update triggers record history row by row with the acting user; inserts write the same events set-based."""
    now = timezone.now()
    updated_household_keys, updated_member_values = plan_keys(batch)  # new rows get every column, staged defaults too
    with connection.cursor() as cursor:
        counts = _plan(cursor, batch)
        # New households: keys first (their members refer to them), then one INSERT … SELECT, each row with a
        # card token made by the model's own function and a card code (`cards.card_codes_new`), passed as arrays.
        cursor.execute(
            "UPDATE import_household SET household_id = nextval(pg_get_serial_sequence('beneficiaries_household', 'id'))"
            " WHERE is_new"
        )
        tokens = [new_card_token() for _new in range(counts["households_created"])]
        codes = card_codes_new(counts["households_created"])
        columns = ", ".join(f"p.{key}" for key in HOUSEHOLD_KEYS)
        insert_select(
            Household,
            ["id", "kk_number", *HOUSEHOLD_KEYS, "created_by_id", "card_token", "card_code"],
            f"SELECT p.household_id, p.kk_number, {columns}, %s::bigint, t.token, t.code FROM ("  # noqa: S608  # nosec B608
            "    SELECT *, row_number() OVER (ORDER BY household_id) AS n FROM import_household WHERE is_new"
            ") p JOIN unnest(%s::text[], %s::text[]) WITH ORDINALITY AS t(token, code, n) ON t.n = p.n",
            [getattr(actor, "pk", None), tokens, codes],
            now=now,
        )
        assignments = ", ".join(f"{key} = p.{key}" for key in updated_household_keys)
        cursor.execute(
            f"UPDATE beneficiaries_household h SET {assignments}, updated_at = %s "  # noqa: S608  # nosec B608
            "FROM import_household p WHERE h.id = p.household_id AND p.changed",
            [now],
        )
        values = ", ".join(_MEMBER_VALUES.values())
        insert_select(
            Member,
            ["household_id", *MEMBER_KEYS],
            f"SELECT p.household_id, {values} FROM import_member i "  # noqa: S608  # nosec B608 - constants
            "JOIN beneficiaries_importrow r ON r.id = i.row_id "
            "JOIN import_household p ON p.kk_number = i.kk_number "
            "WHERE i.member_id IS NULL ORDER BY i.row_number",
            now=now,
        )
        assignments = ", ".join(f"{key} = {value}" for key, value in updated_member_values.items())
        cursor.execute(
            f"UPDATE beneficiaries_member m SET {assignments}, updated_at = %s "  # noqa: S608  # nosec B608
            "FROM import_member i JOIN beneficiaries_importrow r ON r.id = i.row_id "
            "WHERE m.id = i.member_id AND i.changed",
            [now],
        )
        cursor.execute(_DROP)
    return counts


def import_batch_commit(*, actor, batch: ImportBatch) -> ImportBatch:
    """All accepted rows in one transaction (R4); the history triggers record every row with the actor.

    The work of `commit_import_batch_task`, after `import_batch_transition(action=COMMIT)` marked the batch."""
    _require(actor, "beneficiaries.add_importbatch")
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if batch.status == ImportBatch.Status.COMMITTED:
            return batch  # a retried task finds the work done
        if batch.status not in (ImportBatch.Status.VALIDATED, ImportBatch.Status.COMMITTING):
            raise ValidationError(_("Impor ini tidak dalam status siap disimpan."), code="not_ready")
        started = time.perf_counter()
        with history.acting_as(actor, operation=f"import_households:{batch.pk}"):
            counts = _apply(batch, actor=actor)
        logger.info(
            "Impor #%s: disimpan ke registri dalam %.1f dtk: %s", batch.pk, time.perf_counter() - started, counts
        )
        batch.households_created, batch.households_updated = counts["households_created"], counts["households_updated"]
        batch.members_created, batch.members_updated = counts["members_created"], counts["members_updated"]
        batch.unchanged_rows = counts["unchanged"]
        batch.status = ImportBatch.Status.COMMITTED
        batch.committed_at = timezone.now()
        changed = any(
            counts[k] for k in ("households_created", "households_updated", "members_created", "members_updated")
        )
        if not changed:
            batch.message = _("Tidak ada perubahan: semua baris sudah sama dengan data di registri.")
        else:
            batch.message = ""
            _detect_duplicates_after(batch)
        batch.save()
    return batch


def _detect_duplicates_after(batch: ImportBatch) -> None:
    """New and changed members may duplicate registered ones: the data-quality scan of each kelurahan the file
    touched runs once the commit is saved (issue 22 B6; idempotent, so a retried commit adds no flag)."""
    from beneficiaries.tasks import detect_duplicates_task

    # An accepted row always has its kelurahan (a required column): a null one would mean the whole kecamatan.
    kelurahan_ids = sorted(
        {
            kelurahan_id
            for kelurahan_id in ImportRow.objects.filter(batch=batch, is_accepted=True).values_list(
                "kelurahan_id", flat=True
            )
            if kelurahan_id is not None
        }
    )
    for kelurahan_id in kelurahan_ids:
        transaction.on_commit(partial(detect_duplicates_task.delay, kelurahan_id))


def import_file_path(path: str, *, actor=None, dry_run: bool = False) -> ImportBatch:
    """`manage.py import_households`: the same service, run synchronously."""
    with open(path, "rb") as handle:
        data = handle.read()
    batch = import_batch_create(actor=actor, uploaded_file=io.BytesIO(data), name=path, run_task=False)
    batch = import_batch_validate(batch_id=batch.pk, actor=actor)
    if batch.status != ImportBatch.Status.VALIDATED or dry_run:
        return batch
    return import_batch_commit(actor=actor, batch=batch)
