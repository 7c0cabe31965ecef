"""Requesting, generating, re-running and failing reports; dashboard aggregates equal to the registry."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db.models import Count
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from beneficiaries.models import Household
from core.models import Kelurahan
from reports import dashboard, services, tasks
from reports.builders.periods import month_start
from reports.models import DashboardAggregate, FileKind, ReportRun, ReportType, RunStatus
from tests.factories.beneficiaries import HouseholdFactory

pytestmark = pytest.mark.django_db


def request_and_run(user, month, kelurahan=None, report_type=ReportType.BULANAN, capture=None):
    with capture(execute=True):
        return services.report_request(actor=user, report_type=report_type, month=month, kelurahan=kelurahan)


def test_request_runs_the_task_after_commit_and_writes_files(
    registry, period, user_kecamatan, django_capture_on_commit_callbacks
):
    run = request_and_run(user_kecamatan, period[0], capture=django_capture_on_commit_callbacks)
    run.refresh_from_db()
    assert (run.status, run.progress, run.attempts) == (RunStatus.DONE, 100, 1)
    kinds = sorted(set(run.files.values_list("kind", flat=True)))
    assert kinds == [FileKind.CSV, FileKind.PDF, FileKind.XLSX]
    for report_file in run.files.all():
        assert default_storage.exists(report_file.file.name)
        assert "/" not in report_file.filename
        assert report_file.size > 0
    pdf = run.files.get(kind=FileKind.PDF)
    assert pdf.file.open("rb").read(5) == b"%PDF-"


def test_running_the_same_period_twice_leaves_one_run_with_the_same_figures(
    registry, period, user_kecamatan, django_capture_on_commit_callbacks
):
    first = request_and_run(user_kecamatan, period[0], capture=django_capture_on_commit_callbacks)
    first.refresh_from_db()
    old_files = list(first.files.values_list("file", flat=True))
    second = request_and_run(user_kecamatan, period[0], capture=django_capture_on_commit_callbacks)
    second.refresh_from_db()
    assert second.pk == first.pk
    assert ReportRun.objects.count() == 1
    strip = lambda f: {k: v for k, v in f.items() if k != "meta"}  # noqa: E731
    assert strip(second.figures) == strip(first.figures)
    assert second.attempts == 2
    # The previous files were replaced, not kept beside the new ones.
    assert second.files.count() == len(old_files)
    assert not any(default_storage.exists(name) for name in old_files)


def test_a_task_delivered_twice_does_nothing_the_second_time(registry, period, user_kecamatan):
    run = services.report_request(
        actor=user_kecamatan, report_type=ReportType.BULANAN, month=period[0], kelurahan=None, enqueue=False
    )
    assert tasks.generate_report_task.apply(args=[run.pk]).get() == "done"
    assert tasks.generate_report_task.apply(args=[run.pk]).get() == "skipped"
    run.refresh_from_db()
    assert run.attempts == 1


def test_kecamatan_and_kelurahan_runs_are_separate_rows(registry, period, user_kecamatan, keramasan):
    a = services.report_request(
        actor=user_kecamatan, report_type=ReportType.BULANAN, month=period[0], kelurahan=None, enqueue=False
    )
    b = services.report_request(
        actor=user_kecamatan, report_type=ReportType.BULANAN, month=period[0], kelurahan=keramasan, enqueue=False
    )
    c = services.report_request(
        actor=user_kecamatan, report_type=ReportType.KOORDINASI, month=period[0], kelurahan=None, enqueue=False
    )
    assert len({a.pk, b.pk, c.pk}) == 3
    # Asked again while queued: the same row, nothing added.
    again = services.report_request(
        actor=user_kecamatan, report_type=ReportType.BULANAN, month=period[0], kelurahan=None, enqueue=False
    )
    assert again.pk == a.pk
    assert ReportRun.objects.count() == 3


def test_unique_constraint_refuses_a_second_kecamatan_run_of_the_same_month(period):
    from django.db import IntegrityError

    kwargs = {
        "report_type": "bulanan",
        "period_start": period[0],
        "period_end": period[1],
        "requested_at": timezone.now(),
    }
    ReportRun.objects.create(**kwargs)
    with pytest.raises(IntegrityError):
        ReportRun.objects.create(**kwargs)


def test_staf_kelurahan_may_only_request_its_own_kelurahan(period, user_kelurahan, keramasan, kemang_agung):
    with pytest.raises(ValidationError) as exc:
        services.report_request(actor=user_kelurahan, report_type="bulanan", month=period[0], kelurahan=kemang_agung)
    assert exc.value.code == "out_of_scope"
    with pytest.raises(ValidationError):
        services.report_request(actor=user_kelurahan, report_type="bulanan", month=period[0], kelurahan=None)
    run = services.report_request(
        actor=user_kelurahan, report_type="bulanan", month=period[0], kelurahan=keramasan, enqueue=False
    )
    assert run.kelurahan == keramasan


def test_pimpinan_and_lembaga_may_not_request(period, user_pimpinan, user_lembaga):
    for user in (user_pimpinan, user_lembaga):
        with pytest.raises(PermissionDenied):
            services.report_request(actor=user, report_type="bulanan", month=period[0], kelurahan=None)


def test_future_period_is_refused(user_kecamatan):
    with pytest.raises(ValidationError) as exc:
        services.report_request(
            actor=user_kecamatan,
            report_type="bulanan",
            month=month_start(timezone.localdate()) + datetime.timedelta(days=40),
            kelurahan=None,
        )
    assert exc.value.code == "future_period"


def test_a_failing_report_records_why_and_can_be_retried(
    registry, period, user_kecamatan, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise ValueError("data rusak")

    monkeypatch.setattr(services.builders, "build", broken)
    run = request_and_run(user_kecamatan, period[0], capture=django_capture_on_commit_callbacks)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED
    assert "ValueError" in run.error
    assert "data rusak" in run.error
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        services.report_retry(actor=user_kecamatan, run=run)
    run.refresh_from_db()
    assert (run.status, run.error, run.attempts) == (RunStatus.DONE, "", 2)


def test_retry_of_a_finished_run_is_refused(period, user_kecamatan):
    from tests.factories.reports import ReportRunFactory

    run = ReportRunFactory()
    with pytest.raises(ValidationError):
        services.report_retry(actor=user_kecamatan, run=run)


def test_scheduled_monthly_reports_cover_kecamatan_and_each_kelurahan(registry, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ids = tasks.generate_monthly_reports_task.apply().get()
    assert len(ids) == 1 + Kelurahan.objects.count()
    runs = ReportRun.objects.filter(pk__in=ids)
    assert set(runs.values_list("status", flat=True)) == {RunStatus.DONE}
    assert runs.filter(kelurahan__isnull=True).count() == 1
    # The previous month.
    assert runs.first().period_start.month == (month_start(timezone.localdate()) - datetime.timedelta(days=1)).month


def test_beat_schedules_exist_and_point_at_real_tasks():
    import importlib

    from django.apps import apps

    from kertapati_welfare.celery import app

    # Run the data migration's function again (transactional tests elsewhere flush its rows): idempotent.
    migration = importlib.import_module("reports.migrations.0002_beat_schedule")
    migration.create_schedules(apps, None)
    migration.create_schedules(apps, None)
    assert PeriodicTask.objects.filter(task__startswith="reports.").count() == 3

    names = set(PeriodicTask.objects.filter(task__startswith="reports.").values_list("task", flat=True))
    assert names == {
        "reports.tasks.generate_monthly_reports_task",
        "reports.tasks.generate_coordination_reports_task",
        "reports.tasks.refresh_dashboard_task",
    }
    app.loader.import_default_modules()
    assert names <= set(app.tasks)
    monthly = PeriodicTask.objects.get(task="reports.tasks.generate_monthly_reports_task")
    assert (monthly.crontab.day_of_month, monthly.crontab.hour) == ("1", "1")


def test_tasks_are_late_acked_and_retried_with_backoff():
    for task in (tasks.generate_report_task, tasks.refresh_dashboard_task, tasks.generate_monthly_reports_task):
        assert task.acks_late
        assert task.reject_on_worker_lost
        assert task.retry_backoff
        assert task.max_retries == 5
        assert task.time_limit
        assert task.soft_time_limit


def test_dashboard_households_equal_the_registry_per_kelurahan(db):
    """On a generated registry the dashboard count equals Household.objects.filter(is_active=True) per kelurahan."""
    kelurahan = list(Kelurahan.objects.all())
    for index in range(40):
        HouseholdFactory(kelurahan=kelurahan[index % len(kelurahan)], desil=1 + index % 10)
    for household in Household.objects.all()[:5]:
        Household.objects.filter(pk=household.pk).update(is_active=False, removed_reason=1)
    tasks.refresh_dashboard_task.apply().get()
    month = month_start(timezone.localdate())
    expected = dict(
        Household.objects.filter(is_active=True).values_list("kelurahan_id").annotate(n=Count("pk")).order_by()
    )
    for kel in kelurahan:
        aggregate = DashboardAggregate.objects.get(key=dashboard.KEY, month=month, kelurahan=kel)
        assert aggregate.value["households"] == expected.get(kel.pk, 0)
    total = DashboardAggregate.objects.get(key=dashboard.KEY, month=month, kelurahan__isnull=True)
    assert total.value["households"] == Household.objects.filter(is_active=True).count() == 35


def test_dashboard_refresh_is_idempotent_and_monthly_report_updates_it(
    registry, period, user_kecamatan, django_capture_on_commit_callbacks
):
    services.dashboard_refresh()
    services.dashboard_refresh()
    assert DashboardAggregate.objects.count() == 1 + Kelurahan.objects.count()
    run = request_and_run(user_kecamatan, period[0], capture=django_capture_on_commit_callbacks)
    run.refresh_from_db()
    total = DashboardAggregate.objects.get(month=period[0], kelurahan__isnull=True)
    assert total.value["households"] == run.figures["sections"]["households"]["total"]["active"]
    assert (
        total.computed_at.isoformat() == datetime.datetime.fromisoformat(run.figures["meta"]["computed_at"]).isoformat()
    )


def test_dashboard_equals_the_home_page_counts_of_the_registry(registry, user_kecamatan):
    """Counts on screens agree: the dashboard's households and members equal the registry's own counters."""
    from core import stats

    services.dashboard_refresh()
    counters = {stat.key: counts for stat, counts in stats.stats_for(user_kecamatan)}
    month = month_start(timezone.localdate())
    for kel in Kelurahan.objects.all():
        value = DashboardAggregate.objects.get(key=dashboard.KEY, month=month, kelurahan=kel).value
        assert value["households"] == counters["households"].get(kel.pk, 0)
        assert value["members"] == counters["members"].get(kel.pk, 0)
