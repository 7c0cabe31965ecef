"""Upload: size, type and row count checked before any parsing; a file already imported is refused."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.models import ImportBatch
from beneficiaries.services.access_events import access_event_record
from beneficiaries.services.common import _require
from beneficiaries.services.importing.files import _xlsx_ok, count_rows, sniff_type
from core.models import AuditAction

MAX_BYTES = getattr(settings, "REGISTRY_IMPORT_MAX_BYTES", 120 * 1024 * 1024)
MAX_ROWS = getattr(settings, "REGISTRY_IMPORT_MAX_ROWS", 600_000)


def import_batch_create(*, actor, uploaded_file, name: str | None = None, run_task: bool = True) -> ImportBatch:
    """Checks size, type and row count before any parsing; refuses a file already imported (by hash).

    The validation task is enqueued once the caller's transaction commits; `run_task=False` leaves it to the
    caller (the management command validates in its own process; the drills start tasks they then kill)."""
    _require(actor, "beneficiaries.add_importbatch")
    size = getattr(uploaded_file, "size", None)
    if size is not None and size > MAX_BYTES:
        raise ValidationError(
            _("Berkas terlalu besar (%(mb)s MB); batasnya %(max)s MB.")
            % {"mb": size // (1024 * 1024), "max": MAX_BYTES // (1024 * 1024)},
            code="too_large",
        )
    raw = uploaded_file.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        raise ValidationError(
            _("Berkas terlalu besar; batasnya %(max)s MB.") % {"max": MAX_BYTES // (1024 * 1024)}, code="too_large"
        )
    if not raw.strip():
        raise ValidationError(_("Berkas kosong."), code="empty")
    kind = sniff_type(raw[:8192])
    if kind is None or (kind == "xlsx" and not _xlsx_ok(raw)):
        raise ValidationError(
            _("Jenis berkas tidak didukung: unggah CSV atau XLSX (Excel 2007 ke atas)."), code="bad_type"
        )
    rows = count_rows(raw, kind)
    if rows > MAX_ROWS + 1:
        raise ValidationError(
            _("Berkas berisi %(rows)s baris; batasnya %(max)s baris per impor. Pecah menjadi beberapa berkas.")
            % {"rows": rows, "max": MAX_ROWS},
            code="too_many_rows",
        )
    digest = hashlib.sha256(raw).hexdigest()
    previous = ImportBatch.objects.filter(file_hash=digest, status=ImportBatch.Status.COMMITTED).first()
    if previous is not None:
        raise ValidationError(
            _("Berkas ini sudah pernah diimpor pada %(when)s (%(name)s): tidak ada yang berubah.")
            % {
                "when": timezone.localtime(previous.committed_at).strftime("%d-%m-%Y %H.%M"),
                "name": previous.original_name,
            },
            code="already_imported",
        )
    name = (name or getattr(uploaded_file, "name", "") or "impor").rsplit("/", 1)[-1][:200]
    batch = ImportBatch(uploaded_by=actor, original_name=name, file_hash=digest, total_rows=max(rows - 1, 0))
    # The stored name carries no personal data (docs/architecture.md §6: no NIK/KK in file names).
    batch.file.save(f"{digest[:16]}.{kind}", ContentFile(raw), save=False)
    batch.save()
    access_event_record(actor=actor, action=AuditAction.IMPORT, object_label=f"ImportBatch #{batch.pk}", obj=batch)
    if run_task:
        from beneficiaries.tasks import validate_import_batch_task

        batch_id = batch.pk
        transaction.on_commit(lambda: validate_import_batch_task.delay(batch_id))
    return batch
