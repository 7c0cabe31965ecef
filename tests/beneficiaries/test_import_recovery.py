"""Issue 22 B11: an import survives a database outage, or says it failed and offers "Coba lagi" and "Batalkan";
and the page shows the file's real row count. Each test failed before the fix."""

import datetime
import io
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import InterfaceError, OperationalError
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from beneficiaries.models import ImportBatch, Member
from beneficiaries.services import importing
from beneficiaries.services.importing import validation
from beneficiaries.tasks import commit_import_batch_task, validate_import_batch_task
from core.models import AuditAction, AuditEvent
from tests.beneficiaries.test_importing import HEADER, csv_bytes, row

pytestmark = pytest.mark.django_db


@pytest.fixture
def rts(rt_keramasan, rt_kemang):
    return rt_keramasan, rt_kemang


@pytest.fixture
def retries_run_inline(monkeypatch):
    """Eager tasks (the test settings) retry inline, without the waits, when errors do not propagate: as a worker
    would, a retried task runs again and a spent one ends failed (no exception out of `apply`)."""
    monkeypatch.setitem(validate_import_batch_task.app.conf, "task_eager_propagates", False)


def upload(actor, data, name="k.csv"):
    return importing.import_batch_create(actor=actor, uploaded_file=SimpleUploadedFile(name, data))


def flaky(real, failures):
    """`real`, raising the given database errors first (one per call), as PostgreSQL does while it refuses
    connections ("sorry, too many clients already") or restarts."""
    errors = list(failures)

    def call(*args, **kwargs):
        if errors:
            raise errors.pop(0)
        return real(*args, **kwargs)

    return call


# --- The task ---------------------------------------------------------------------------------------------


def test_validation_task_retries_database_errors_with_growing_waits(user_kelurahan, rts, retries_run_inline):
    batch = upload(user_kelurahan, csv_bytes([row(1)]))
    failures = [OperationalError("sorry, too many clients already"), InterfaceError("connection already closed")]
    with (
        mock.patch.object(validation._Wilayah, "load", side_effect=flaky(validation._Wilayah.load, failures)),
        mock.patch.object(validate_import_batch_task, "retry", wraps=validate_import_batch_task.retry) as retry,
    ):
        validate_import_batch_task.apply(args=[batch.pk])
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED
    assert batch.accepted_rows == 1
    assert [c.kwargs["countdown"] for c in retry.call_args_list] == [5, 10]  # exponential, no jitter


def test_validation_marks_the_batch_failed_when_the_retries_are_spent(user_kelurahan, rts, retries_run_inline):
    batch = upload(user_kelurahan, csv_bytes([row(1)]))
    outage = OperationalError("sorry, too many clients already")
    with mock.patch.object(validation._Wilayah, "load", side_effect=outage):
        assert validate_import_batch_task.apply(args=[batch.pk]).failed()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.is_retryable
    assert "basis data tidak dapat dihubungi" in batch.message
    assert "dicoba 8 kali" in batch.message
    assert batch.allowed_actions() == (ImportBatch.Action.RETRY, ImportBatch.Action.CANCEL)


def test_a_failed_commit_is_marked_failed_and_nothing_is_saved(user_kelurahan, rts, retries_run_inline):
    batch = importing.import_batch_validate(batch_id=upload(user_kelurahan, csv_bytes([row(1)])).pk)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.COMMITTING)
    with mock.patch("beneficiaries.services.importing.commit._apply", side_effect=OperationalError("server closed")):
        assert commit_import_batch_task.apply(args=[batch.pk, user_kelurahan.pk]).failed()
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.FAILED
    assert batch.is_retryable
    assert "tidak ada data yang tersimpan" in batch.message
    assert not Member.objects.exists()


def test_a_file_problem_is_not_offered_a_retry(user_kelurahan, rts):
    batch = importing.import_batch_validate(batch_id=upload(user_kelurahan, b"kolom,lain\n1,2\n").pk)
    assert batch.status == ImportBatch.Status.FAILED
    assert not batch.is_retryable
    assert batch.allowed_actions() == (ImportBatch.Action.CANCEL,)


# --- Retry and cancel, through the service and the page ------------------------------------------------------


def test_retry_validates_again_and_is_audited(user_kelurahan, rts, django_capture_on_commit_callbacks):
    batch = upload(user_kelurahan, csv_bytes([row(1)]))
    importing.import_batch_fail(batch_id=batch.pk, step="validate", cause="basis data", tries=8)
    with django_capture_on_commit_callbacks(execute=True):  # the validation task runs eagerly
        importing.import_batch_transition(
            actor=user_kelurahan, batch=batch, action=ImportBatch.Action.RETRY, ip="10.1.2.3"
        )
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED
    assert batch.message == ""
    assert not batch.is_retryable
    event = AuditEvent.objects.filter(action=AuditAction.IMPORT, ip_address="10.1.2.3").get()
    assert "retry" in event.detail["keterangan"]


def test_a_batch_stuck_after_an_outage_can_be_retried_or_cancelled(user_kelurahan, rts):
    batch = upload(user_kelurahan, csv_bytes([row(1)]))  # its task was lost: it never left "Diunggah"
    assert batch.allowed_actions() == (ImportBatch.Action.CANCEL,)
    long_ago = timezone.now() - datetime.timedelta(minutes=20)
    ImportBatch.objects.filter(pk=batch.pk).update(updated_at=long_ago)
    batch.refresh_from_db()
    assert batch.is_stuck()
    assert ImportBatch.Action.RETRY in batch.allowed_actions()
    importing.import_batch_transition(actor=user_kelurahan, batch=batch, action=ImportBatch.Action.CANCEL)
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.CANCELLED


def test_a_stuck_commit_is_enqueued_again(user_kelurahan, rts, django_capture_on_commit_callbacks):
    batch = importing.import_batch_validate(batch_id=upload(user_kelurahan, csv_bytes([row(1)])).pk)
    ImportBatch.objects.filter(pk=batch.pk).update(
        status=ImportBatch.Status.COMMITTING, updated_at=timezone.now() - datetime.timedelta(hours=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        importing.import_batch_transition(actor=user_kelurahan, batch=batch, action=ImportBatch.Action.RETRY)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
    assert Member.objects.count() == 1


def test_failed_page_offers_retry_and_cancel_and_the_buttons_work(
    client_for, user_kelurahan, rts, django_capture_on_commit_callbacks
):
    batch = upload(user_kelurahan, csv_bytes([row(1)]))
    importing.import_batch_fail(batch_id=batch.pk, step="validate", cause="basis data tidak dapat dihubungi", tries=8)
    client = client_for(user_kelurahan)
    url = reverse("beneficiaries:import_detail", args=[batch.pk])
    page = client.get(url).content.decode()
    assert 'data-testid="import-retry"' in page
    assert 'data-testid="import-cancel"' in page
    assert "basis data tidak dapat dihubungi" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"action": "retry"})
    assert response.status_code == 302
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.VALIDATED
    page = client.get(url).content.decode()
    assert 'data-testid="import-retry"' not in page
    assert 'data-testid="import-commit"' in page
    client.post(url, {"action": "cancel"})
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.CANCELLED


def test_progress_box_of_a_stuck_batch_offers_the_buttons(client_for, user_kelurahan, rts):
    batch = upload(user_kelurahan, csv_bytes([row(1)]))
    client = client_for(user_kelurahan)
    progress = reverse("beneficiaries:import_progress", args=[batch.pk])
    assert 'data-testid="import-retry"' not in client.get(progress, HTTP_HX_REQUEST="true").content.decode()
    ImportBatch.objects.filter(pk=batch.pk).update(updated_at=timezone.now() - datetime.timedelta(minutes=20))
    box = client.get(progress, HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="import-stuck"' in box
    assert 'data-testid="import-retry"' in box
    assert 'data-testid="import-cancel"' in box


def test_unknown_action_is_refused_with_a_message(client_for, user_kelurahan, rts):
    batch = upload(user_kelurahan, csv_bytes([row(1)]))
    response = client_for(user_kelurahan).post(
        reverse("beneficiaries:import_detail", args=[batch.pk]), {"action": "hapus"}, follow=True
    )
    assert "Tindakan impor tidak dikenal" in response.content.decode()
    assert ImportBatch.objects.get(pk=batch.pk).status == ImportBatch.Status.UPLOADED


def test_cancel_during_validation_stands(user_kelurahan, rts, monkeypatch):
    monkeypatch.setattr(validation, "BATCH", 1)  # a heartbeat every 5 rows
    batch = upload(user_kelurahan, csv_bytes([row(n) for n in range(1, 13)]))
    real = validation._heartbeat

    def cancel_then_beat(b, processed):
        ImportBatch.objects.filter(pk=b.pk).update(status=ImportBatch.Status.CANCELLED)
        return real(b, processed)

    monkeypatch.setattr(validation, "_heartbeat", cancel_then_beat)
    batch = importing.import_batch_validate(batch_id=batch.pk)
    assert batch.status == ImportBatch.Status.CANCELLED
    assert not batch.rows.exists()


# --- The row count -------------------------------------------------------------------------------------------


def _xlsx(rows, *, formatted_rows=0):
    workbook = Workbook()
    sheet = workbook.active
    for r in range(2, formatted_rows + 2):  # the old template: a text format on 1,000 empty rows
        for c in range(1, len(HEADER) + 1):
            sheet.cell(row=r, column=c).number_format = "@"
    for r, values in enumerate([HEADER, *rows], start=1):
        for c, value in enumerate(values, start=1):
            sheet.cell(row=r, column=c, value=value)
    handle = io.BytesIO()
    workbook.save(handle)
    return handle.getvalue()


def test_upload_shows_the_real_row_count_of_a_sheet_from_the_old_template(client_for, user_kelurahan, rts):
    data = _xlsx([row(1), row(2), row(3)], formatted_rows=1000)
    batch = upload(user_kelurahan, data, name="k.xlsx")
    assert batch.total_rows == 3
    box = client_for(user_kelurahan).get(
        reverse("beneficiaries:import_progress", args=[batch.pk]), HTTP_HX_REQUEST="true"
    )
    assert "0 / 3 baris" in box.content.decode()


def test_template_saved_with_rows_counts_only_its_rows(client_for, user_kelurahan, rts):
    template = client_for(user_kelurahan).get(reverse("beneficiaries:import_template")).content
    workbook = load_workbook(io.BytesIO(template))
    sheet = workbook["data"]
    sheet.delete_rows(2, 2)  # the two examples
    for values in (row(1), row(2)):
        sheet.append(values)
    handle = io.BytesIO()
    workbook.save(handle)
    assert importing.count_rows(template, "xlsx") == 3  # header and the two examples, not 1,001
    batch = upload(user_kelurahan, handle.getvalue(), name="isi.xlsx")
    assert batch.total_rows == 2
    assert sheet.column_dimensions["A"].number_format == "@"  # NIK/KK columns stay text for typed rows


def test_csv_exported_with_trailing_separator_lines_counts_only_its_rows(user_kelurahan, rts):
    batch = upload(user_kelurahan, csv_bytes([row(1), row(2)], delimiter=";", trailing_blank=998))
    assert batch.total_rows == 2
