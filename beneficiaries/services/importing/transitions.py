"""What the uploader does to a batch after the upload: save it to the registry, or cancel it.

One entry point, `import_batch_transition(*, actor, batch, action)`, with the actions each status allows as
data on the model (`ImportBatch.ACTIONS`); the work runs in Celery tasks that this module enqueues on commit.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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


@transaction.atomic
def import_batch_transition(*, actor, batch: ImportBatch, action: str, ip: str | None = None) -> ImportBatch:
    """`ImportBatch.Action.COMMIT`: marks a validated batch for saving and enqueues the commit task (a double
    click changes nothing); `CANCEL`: drops the staged rows. Each is written to the audit log."""
    _check_batch_access(actor, batch)
    if action not in ImportBatch.Action.values:
        raise ValidationError(_("Tindakan tidak dikenal."), code="action_invalid")
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if action == ImportBatch.Action.COMMIT and batch.status in (
        ImportBatch.Status.COMMITTING,
        ImportBatch.Status.COMMITTED,
    ):
        return batch  # a double click: the first one is already saving
    if action not in ImportBatch.ACTIONS.get(batch.status, ()):
        raise _refusal(batch, action)
    if action == ImportBatch.Action.COMMIT:
        batch.status = ImportBatch.Status.COMMITTING
        batch.save(update_fields=["status", "updated_at"])
        from beneficiaries.tasks import commit_import_batch_task

        batch_id, user_id = batch.pk, getattr(actor, "pk", None)
        transaction.on_commit(lambda: commit_import_batch_task.delay(batch_id, user_id))
    else:
        batch.status = ImportBatch.Status.CANCELLED
        batch.updated_at = timezone.now()
        batch.save(update_fields=["status", "updated_at"])
        batch.rows.all().delete()
    access_event_record(
        actor=actor, action=AuditAction.IMPORT, object_label=f"ImportBatch #{batch.pk} ({action})", obj=batch, ip=ip
    )
    return batch
