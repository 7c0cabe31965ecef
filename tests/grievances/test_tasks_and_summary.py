"""The daily overdue notice (idempotent per day, e-mail or in-app) and the summary for the monthly report."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from grievances import services
from grievances.models import Category, Notification, Status
from grievances.selectors import grievance_summary
from grievances.tasks import notify_overdue_grievances_task
from tests.factories.grievances import GrievanceFactory

pytestmark = pytest.mark.django_db


def _overdue(user, kelurahan, **extra):
    today = timezone.localdate()
    return GrievanceFactory(
        kelurahan=kelurahan,
        assigned_to=user,
        received_on=today - datetime.timedelta(days=20),
        due_on=today - datetime.timedelta(days=3),
        **extra,
    )


def test_overdue_task_writes_one_in_app_notice_per_assignee_per_day(
    user_kelurahan, user_kecamatan, keramasan, settings
):
    settings.EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
    _overdue(user_kelurahan, keramasan, title="Satu")
    _overdue(user_kelurahan, keramasan, title="Dua")
    _overdue(user_kecamatan, keramasan, title="Tiga")
    GrievanceFactory(kelurahan=keramasan, assigned_to=user_kelurahan, title="Belum lewat")
    _overdue(
        user_kelurahan, keramasan, title="Sudah selesai", status=Status.SELESAI, answer="ok", closed_at=timezone.now()
    )
    assert notify_overdue_grievances_task.delay().get() == 2
    notice = Notification.objects.get(user=user_kelurahan)
    assert notice.channel == Notification.ChannelKind.IN_APP
    assert "Satu" in notice.body
    assert "Dua" in notice.body
    assert "Belum lewat" not in notice.body
    assert "Sudah selesai" not in notice.body
    # A second run the same day (retry, second beat) sends nothing more.
    assert notify_overdue_grievances_task.delay().get() == 0
    assert Notification.objects.count() == 2


def test_overdue_task_sends_email_with_a_real_backend(user_kelurahan, keramasan, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    user_kelurahan.email = "rudi@kertapati.invalid"
    user_kelurahan.save(update_fields=["email"])
    _overdue(user_kelurahan, keramasan)
    assert notify_overdue_grievances_task() == 1
    assert notify_overdue_grievances_task() == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["rudi@kertapati.invalid"]
    assert Notification.objects.get().channel == Notification.ChannelKind.EMAIL


def test_overdue_schedule_migration_is_idempotent():
    # Transactional tests flush migration data, so the migration's function is run here directly.
    import importlib

    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    migration = importlib.import_module("grievances.migrations.0002_beat_schedule")
    migration.create_schedule(apps, None)
    migration.create_schedule(apps, None)
    task = PeriodicTask.objects.get(task="grievances.tasks.notify_overdue_grievances_task")
    assert task.enabled
    assert task.crontab.hour == "7"


def test_grievance_summary_counts_and_average(user_kecamatan, keramasan, kemang_agung):
    today = timezone.localdate()
    start = today - datetime.timedelta(days=30)
    GrievanceFactory(kelurahan=keramasan, category=Category.DATA_SALAH)
    GrievanceFactory(kelurahan=kemang_agung, category=Category.MASUKAN)
    closed = GrievanceFactory(kelurahan=keramasan, category=Category.DATA_SALAH)
    services.grievance_transition(actor=user_kecamatan, grievance=closed, to_status=Status.SELESAI, answer="ok")
    GrievanceFactory(kelurahan=keramasan, received_on=start - datetime.timedelta(days=5), due_on=start)  # outside
    summary = grievance_summary(period_start=start, period_end=today, kelurahan_ids=None)
    assert summary["total"] == 3
    assert {r["category"]: r["count"] for r in summary["by_category"]}[Category.DATA_SALAH] == 2
    assert {r["status"]: r["count"] for r in summary["by_status"]}[Status.SELESAI] == 1
    assert {r["name"]: r["total"] for r in summary["by_kelurahan"]}["Kemang Agung"] == 1
    assert summary["resolved"] == 1
    assert summary["avg_days_to_resolve"] is not None
    only = grievance_summary(period_start=start, period_end=today, kelurahan_ids=[kemang_agung.pk])
    assert only["total"] == 1
    assert [r["name"] for r in only["by_kelurahan"]] == ["Kemang Agung"]


def test_demo_is_idempotent_and_covers_every_status(user_kelurahan, user_kecamatan, household, member):
    from grievances import demo
    from grievances.models import ChangeRequest, Grievance

    lines = []
    demo.seed(log=lines.append)
    demo.seed(log=lines.append)
    assert set(Grievance.objects.values_list("status", flat=True)) == set(Status.values)
    assert Grievance.objects.filter(category=Category.BANTUAN_TIDAK_DITERIMA).exists()
    assert Grievance.objects.count() == len(demo.DEMO)
    assert ChangeRequest.objects.filter(status="menunggu").count() == 1


def test_demo_without_households_creates_nothing(db):
    from grievances import demo
    from grievances.models import Grievance

    lines = []
    demo.seed(log=lines.append)
    assert Grievance.objects.count() == 0
    assert "belum ada keluarga" in lines[0]
