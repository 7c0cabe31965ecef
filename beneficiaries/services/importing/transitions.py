"""What the uploader does to a batch after the upload: save it to the registry, cancel it, or try again after a
system failure; and what a background step does when it gives up.

One entry point, `import_batch_transition(*, actor, batch, action)`, with the actions each status allows as
data on the model (`ImportBatch.ACTIONS`); the work runs in Celery tasks that this module enqueues on commit.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from beneficiaries.models import ImportBatch
from beneficiaries.services.access_events import access_event_record
from beneficiaries.services.common import _require
from core.errors import Conflict
from core.models import AuditAction


def _check_batch_access(actor, batch: ImportBatch) -> None:
    _require(actor, "beneficiaries.add_importbatch")
    if actor is not None and not ImportBatch.objects.visible_to(actor).filter(pk=batch.pk).exists():
        raise PermissionDenied(_("Anda tidak berwenang melakukan tindakan ini."))


def _refusal(batch: ImportBatch, action: str) -> Conflict:
    if action == ImportBatch.Action.CANCEL and batch.status in (
        ImportBatch.Status.COMMITTED,
        ImportBatch.Status.COMMITTING,
    ):
        return Conflict(_("Impor yang sudah disimpan tidak dapat dibatalkan."), code="committed")
    if batch.status == ImportBatch.Status.CANCELLED:
        return Conflict(_("Impor ini sudah dibatalkan."), code="cancelled")
    if action == ImportBatch.Action.COMMIT:
        return Conflict(_("Impor ini tidak dalam status siap disimpan."), code="not_ready")
    return Conflict(
        _("Tindakan ini tidak dapat dilakukan pada impor berstatus %(status)s.")
        % {"status": batch.get_status_display()},
        code="action_not_allowed",
    )


def _lock(batch: ImportBatch) -> ImportBatch:
    """The batch row, locked; refused at once (not waited for) while a commit holds it: a running commit keeps
    the row locked for its whole transaction."""
    try:
        with transaction.atomic():
            return ImportBatch.objects.select_for_update(nowait=True).get(pk=batch.pk)
    except OperationalError:
        raise Conflict(_("Impor ini sedang disimpan ke registri; tunggu hingga selesai."), code="busy")


@transaction.atomic
def import_batch_transition(*, actor, batch: ImportBatch, action: str, ip: str | None = None) -> ImportBatch:
    """What the uploader does to a batch, each written to the audit log:

    - `COMMIT`: marks a validated batch for saving and enqueues the commit task (a double click changes nothing);
    - `CANCEL`: drops the staged rows (also for a failed batch, or one whose background step is stuck);
    - `RETRY`: after a system failure (the database or the broker was down and the task's own retries ran out), or
      for a stuck step: validation starts again from the file, or a stuck commit is enqueued again (a commit that
      did run finds the work done; one that did not, does it)."""
    _check_batch_access(actor, batch)
    if action not in ImportBatch.Action.values:
        raise ValidationError(_("Tindakan tidak dikenal."), code="action_invalid")
    current = ImportBatch.objects.get(pk=batch.pk)
    if action == ImportBatch.Action.COMMIT and current.status in (
        ImportBatch.Status.COMMITTING,
        ImportBatch.Status.COMMITTED,
    ):
        return current  # a double click: the first one is already saving
    batch = _lock(current)
    if action not in batch.allowed_actions():
        raise _refusal(batch, action)
    from beneficiaries.tasks import commit_import_batch_task, validate_import_batch_task

    batch_id, user_id = batch.pk, getattr(actor, "pk", None)
    if action == ImportBatch.Action.COMMIT or (
        action == ImportBatch.Action.RETRY and batch.status == ImportBatch.Status.COMMITTING
    ):
        batch.status = ImportBatch.Status.COMMITTING
        batch.message = ""
        batch.save(update_fields=["status", "message", "updated_at"])
        transaction.on_commit(lambda: commit_import_batch_task.delay(batch_id, user_id))
    elif action == ImportBatch.Action.RETRY:
        batch.status = ImportBatch.Status.UPLOADED
        batch.message = ""
        batch.is_retryable = False
        batch.processed_rows = batch.accepted_rows = batch.rejected_rows = 0
        batch.save(
            update_fields=[
                "status", "message", "is_retryable", "processed_rows", "accepted_rows", "rejected_rows", "updated_at"
            ]
        )  # fmt: skip
        transaction.on_commit(lambda: validate_import_batch_task.delay(batch_id))
    else:
        batch.status = ImportBatch.Status.CANCELLED
        batch.is_retryable = False
        batch.save(update_fields=["status", "is_retryable", "updated_at"])
        batch.rows.all().delete()
    access_event_record(
        actor=actor, action=AuditAction.IMPORT, object_label=f"ImportBatch #{batch.pk} ({action})", obj=batch, ip=ip
    )
    return batch


SYSTEM_FAILURE = {
    "validate": gettext_lazy(
        "Pemeriksaan berkas terhenti karena gangguan sistem (%(cause)s) dan sudah dicoba %(tries)s kali. "
        'Berkas Anda tidak bermasalah: tekan "Coba lagi" setelah gangguan selesai, atau "Batalkan".'
    ),
    "commit": gettext_lazy(
        "Penyimpanan ke registri terhenti karena gangguan sistem (%(cause)s) dan sudah dicoba %(tries)s kali; "
        'tidak ada data yang tersimpan. Tekan "Coba lagi" untuk memeriksa ulang berkas, lalu simpan lagi.'
    ),
}


def import_batch_fail(*, batch_id: int, step: str, cause: str, tries: int) -> bool:
    """The background step gave up (its retries are spent, or it failed outright): the batch is marked failed,
    with a message saying so in Indonesian, and "Coba lagi" is offered. Only a batch still in that step is
    touched, so a commit that did finish stays committed. Returns whether the batch was marked."""
    running = {
        "validate": (ImportBatch.Status.UPLOADED, ImportBatch.Status.VALIDATING),
        "commit": (ImportBatch.Status.COMMITTING,),
    }[step]
    message = str(SYSTEM_FAILURE[step] % {"cause": cause, "tries": tries})[:500]
    return bool(
        ImportBatch.objects.filter(pk=batch_id, status__in=running).update(
            status=ImportBatch.Status.FAILED, is_retryable=True, message=message, updated_at=timezone.now()
        )
    )
