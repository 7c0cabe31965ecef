"""Issue 22 B6: duplicate detection runs after every committed import and nightly, and is idempotent."""

import importlib
from unittest import mock

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile

from beneficiaries import choices
from beneficiaries.models import DuplicateFlag, ImportBatch
from beneficiaries.services import importing
from beneficiaries.tasks import detect_duplicates_task
from tests.beneficiaries.test_importing import csv_bytes, row
from tests.factories.beneficiaries import make_nik

pytestmark = pytest.mark.django_db


@pytest.fixture
def rts(rt_keramasan, rt_kemang):
    return rt_keramasan, rt_kemang


def _twin_of(head, n=1):
    """An import row for a new family whose head looks like `head` (same birth date, one letter off)."""
    birth = head.birth_date.strftime("%d-%m-%Y")
    return row(n, name="Budi Santosa", birth=birth, nik=make_nik(6100 + n, birth_date=head.birth_date, female=False))


def test_committed_import_enqueues_detection_for_its_kelurahan(
    user_kelurahan, rts, household_keramasan, django_capture_on_commit_callbacks
):
    head = household_keramasan.members.get(relationship=choices.Relationship.HEAD)
    batch = importing.import_batch_create(
        actor=user_kelurahan, uploaded_file=SimpleUploadedFile("k.csv", csv_bytes([_twin_of(head)]))
    )
    batch = importing.import_batch_validate(batch_id=batch.pk)
    assert batch.accepted_rows == 1
    with django_capture_on_commit_callbacks(execute=True):  # tasks run eagerly in tests
        importing.import_batch_transition(actor=user_kelurahan, batch=batch, action=ImportBatch.Action.COMMIT)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.COMMITTED
    flag = DuplicateFlag.objects.get()  # found without anyone pressing "Cari data ganda"
    assert {flag.member_id, flag.other_id} >= {head.pk}
    assert detect_duplicates_task(household_keramasan.kelurahan_id) == 0  # a second run adds nothing


def test_detection_is_enqueued_only_after_the_commit_is_saved(user_kelurahan, rts, django_capture_on_commit_callbacks):
    batch = importing.import_batch_create(
        actor=user_kelurahan, uploaded_file=SimpleUploadedFile("k.csv", csv_bytes([row(1)]))
    )
    batch = importing.import_batch_validate(batch_id=batch.pk)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportBatch.Status.COMMITTING)
    with mock.patch("beneficiaries.tasks.detect_duplicates_task.delay") as delay:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            importing.import_batch_commit(actor=user_kelurahan, batch=batch)
        assert not delay.called
        assert callbacks
        for callback in callbacks:
            callback()
    delay.assert_called_once_with(user_kelurahan.kelurahan_id)
    # Re-importing the same rows changes nothing, so nothing new to look for.
    again = importing.import_batch_create(
        actor=user_kelurahan, uploaded_file=SimpleUploadedFile("k2.csv", csv_bytes([row(1)]) + b"\r\n")
    )
    again = importing.import_batch_validate(batch_id=again.pk)
    ImportBatch.objects.filter(pk=again.pk).update(status=ImportBatch.Status.COMMITTING)
    with (
        mock.patch("beneficiaries.tasks.detect_duplicates_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        importing.import_batch_commit(actor=user_kelurahan, batch=again)
    assert not delay.called


def test_nightly_beat_entry_runs_detection_over_every_kelurahan():
    """Run the data migration's function directly: transactional tests elsewhere may have flushed its row."""
    from django_celery_beat.models import PeriodicTask

    migration = importlib.import_module("beneficiaries.migrations.0010_data_quality_beat_schedule")
    migration.create_schedule(apps, None)
    migration.create_schedule(apps, None)
    task = PeriodicTask.objects.get(task="beneficiaries.tasks.detect_duplicates_task")
    assert task.enabled
    assert str(task.crontab.timezone) == "Asia/Jakarta"
    assert (task.crontab.hour, task.crontab.minute) == ("1", "30")
    assert task.args == "[]"  # no kelurahan: the whole kecamatan, cross-kelurahan pairs included


def test_nightly_task_is_idempotent(household_keramasan, rt_keramasan):
    from tests.factories.beneficiaries import HouseholdFactory, MemberFactory

    head = household_keramasan.members.get(relationship=choices.Relationship.HEAD)
    other = HouseholdFactory(kelurahan=rt_keramasan.kelurahan, rt=rt_keramasan)
    MemberFactory(household=other, full_name="Budi Santosa", birth_date=head.birth_date)
    headless = HouseholdFactory(kelurahan=rt_keramasan.kelurahan, rt=rt_keramasan)
    MemberFactory(household=headless, relationship=choices.Relationship.CHILD)
    assert detect_duplicates_task() == 2  # one pair, one household without a head
    assert detect_duplicates_task() == 0
    assert DuplicateFlag.objects.count() == 1
