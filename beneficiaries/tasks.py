"""Background work of the registry: thin tasks that take ids and are safe to run twice (docs/architecture.md §6 rule 7).

The import's two steps retry what an outage throws at them (issue 22 B11): the database going away
(`OperationalError`, `InterfaceError`: "too many clients", a restart) and the broker. The waits grow 5 s, 10 s,
20 s … up to 5 minutes, about 10 minutes in all; when the retries are spent, or the step fails in another way,
the batch is marked failed with an Indonesian message and the import page offers "Coba lagi" and "Batalkan".
"""

import logging

from celery import Task, shared_task
from django.db import InterfaceError, OperationalError
from django.utils.translation import gettext as _

from core.outbox import BROKER_ERRORS

logger = logging.getLogger(__name__)

DATABASE_ERRORS = (OperationalError, InterfaceError)
RETRIED = (*DATABASE_ERRORS, *BROKER_ERRORS)
RETRY_POLICY = {
    "autoretry_for": RETRIED,
    "max_retries": 7,
    "retry_backoff": 5,  # 5, 10, 20, 40, 80, 160, 300 s
    "retry_backoff_max": 300,
    "retry_jitter": False,  # the waits must add up to more than an outage of a few minutes, every time
}


def _cause(exc: BaseException) -> str:
    if isinstance(exc, DATABASE_ERRORS):
        return _("basis data tidak dapat dihubungi")
    if isinstance(exc, BROKER_ERRORS):
        return _("antrean tugas tidak dapat dihubungi")
    return _("kesalahan sistem")


class ImportStepTask(Task):
    """An import step that marks its batch failed when it gives up, so that the page never waits forever."""

    step = ""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        from beneficiaries.services.importing import import_batch_fail

        batch_id = args[0] if args else kwargs.get("batch_id")
        tries = self.request.retries + 1
        try:
            import_batch_fail(batch_id=batch_id, step=self.step, cause=_cause(exc), tries=tries)
        except DATABASE_ERRORS:
            # Still no database: the batch shows as stuck after ImportBatch.STUCK_AFTER, with the same buttons.
            logger.warning("Impor #%s: status gagal tidak dapat disimpan (basis data masih tidak tersedia)", batch_id)
        logger.error("Impor #%s: langkah %s gagal setelah %s percobaan: %r", batch_id, self.step, tries, exc)


class ValidateImportTask(ImportStepTask):
    step = "validate"


class CommitImportTask(ImportStepTask):
    step = "commit"


@shared_task(base=ValidateImportTask, acks_late=True, **RETRY_POLICY)
def validate_import_batch_task(batch_id: int) -> int:
    from beneficiaries.services.importing import import_batch_validate

    return import_batch_validate(batch_id=batch_id).pk


@shared_task(acks_late=True)
def detect_duplicates_task(kelurahan_id: int | None = None) -> int:
    """The data-quality queue: likely duplicate members and households without exactly one head (nightly, after
    every committed import, and on the button). Idempotent: a second run adds no flag."""
    from beneficiaries.services.duplicates import duplicates_detect
    from beneficiaries.services.heads import household_flags_detect

    return duplicates_detect(kelurahan_id=kelurahan_id) + household_flags_detect(kelurahan_id=kelurahan_id)


@shared_task(base=CommitImportTask, acks_late=True, **RETRY_POLICY)
def commit_import_batch_task(batch_id: int, user_id: int | None = None) -> int:
    from django.contrib.auth import get_user_model

    from beneficiaries.models import ImportBatch
    from beneficiaries.services.importing import import_batch_commit

    actor = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return import_batch_commit(actor=actor, batch=ImportBatch.objects.get(pk=batch_id)).pk
