"""Writes of the reports app: requesting, generating and failing report runs; refreshing dashboard aggregates."""

import datetime
import logging
import time
import traceback

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from core.models import Kelurahan
from reports import builders, dashboard, files
from reports.builders.periods import month_end, month_start
from reports.models import DashboardAggregate, FileKind, ReportFile, ReportRun, ReportType, RunStatus
from reports.tables import build_tables

logger = logging.getLogger(__name__)

#: Namespace of the PostgreSQL advisory lock held while a run is generated (the second key is the run id).
ADVISORY_LOCK_CLASS = 7_001


def _enqueue_generate(run_id: int) -> None:
    from reports.tasks import generate_report_task

    transaction.on_commit(lambda: generate_report_task.delay(run_id))


def _check_scope(*, actor, kelurahan: Kelurahan | None) -> None:
    """`actor=None` is the system (the monthly and weekly schedule): it may request every scope."""
    if actor is None:
        return
    if not actor.has_perm("reports.add_reportrun"):
        raise PermissionDenied
    scope = actor.kelurahan_scope()
    if scope is None:
        return
    if kelurahan is None or kelurahan.pk not in scope:
        raise ValidationError(_("Anda hanya dapat meminta laporan untuk kelurahan tugas Anda."), code="out_of_scope")


@transaction.atomic
def report_request(
    *, actor, report_type: str, month: datetime.date, kelurahan: Kelurahan | None, enqueue: bool = True
) -> ReportRun:
    """Queues a report for one type, month and scope. The same request again reuses the one row: a finished run
    is replaced by a fresh run, a queued or running one is left alone (no second task)."""
    _check_scope(actor=actor, kelurahan=kelurahan)
    if report_type not in ReportType.values:
        raise ValidationError(_("Jenis laporan tidak dikenal."), code="report_type")
    start = month_start(month)
    if start > timezone.localdate():
        raise ValidationError(_("Periode laporan tidak boleh di masa depan."), code="future_period")
    run, created = ReportRun.objects.select_for_update().get_or_create(
        report_type=report_type,
        period_start=start,
        period_end=month_end(start),
        kelurahan=kelurahan,
        defaults={"requested_by": actor, "requested_at": timezone.now()},
    )
    if not created:
        if run.status in (RunStatus.QUEUED, RunStatus.RUNNING):
            return run
        run.status = RunStatus.QUEUED
        run.progress = 0
        run.error = ""
        run.requested_by = actor
        run.requested_at = timezone.now()
        run.started_at = run.finished_at = None
        run.full_clean()
        run.save(
            update_fields=["status", "progress", "error", "requested_by", "requested_at", "started_at", "finished_at"]
        )
    if enqueue:
        _enqueue_generate(run.pk)
    return run


def report_retry(*, actor, run: ReportRun) -> ReportRun:
    if run.status != RunStatus.FAILED:
        raise ValidationError(_("Hanya laporan yang gagal yang dapat diulang."), code="not_failed")
    return report_request(actor=actor, report_type=run.report_type, month=run.period_start, kelurahan=run.kelurahan)


def scheduled_reports_request(*, report_type: str, month: datetime.date) -> list[int]:
    """The periodic runs: one for the whole kecamatan and one per kelurahan (so each Staf Kelurahan has its own)."""
    runs = [report_request(actor=None, report_type=report_type, month=month, kelurahan=None)]
    runs += [
        report_request(actor=None, report_type=report_type, month=month, kelurahan=kel)
        for kel in Kelurahan.objects.order_by("kemendagri_code")
    ]
    return [run.pk for run in runs]


def _set_progress(run_id: int, value: int) -> None:
    ReportRun.objects.filter(pk=run_id, status=RunStatus.RUNNING).update(progress=max(1, min(value, 99)))


def _test_pause(run: ReportRun) -> None:
    """Test-only hook: a test worker (settings REPORTS_TEST_PAUSE_SECONDS) sleeps in its first attempt so that
    the test can kill it mid-report. Unset in every real settings module."""
    seconds = getattr(settings, "REPORTS_TEST_PAUSE_SECONDS", 0)
    if seconds and run.attempts == 1:
        time.sleep(seconds)


class _AdvisoryLock:
    """Session-level lock on the run id: a second worker given the same run (a redelivered message) leaves it
    alone while the first is alive; a killed worker's connection closes and PostgreSQL releases the lock."""

    def __init__(self, run_id: int):
        self.run_id = run_id
        self.acquired = False

    def __enter__(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [ADVISORY_LOCK_CLASS, self.run_id])
            self.acquired = bool(cursor.fetchone()[0])
        return self

    def __exit__(self, *exc):
        if self.acquired:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [ADVISORY_LOCK_CLASS, self.run_id])
        return False


def file_basename(run: ReportRun) -> str:
    scope = slugify(run.kelurahan.name) if run.kelurahan is not None else "kecamatan-kertapati"
    return f"laporan-{run.report_type}-{run.period_start:%Y-%m}-{scope}"


def report_generate(*, run_id: int) -> str:
    """Computes the figures and writes the files of one run. Safe to run twice: a finished run is left as it
    is, a run whose worker died is taken over, and the result replaces the previous files in one transaction."""
    with _AdvisoryLock(run_id) as lock:
        if not lock.acquired:
            return "busy"
        run = ReportRun.objects.filter(pk=run_id).select_related("kelurahan").first()
        if run is None or run.status == RunStatus.DONE:
            return "skipped"
        ReportRun.objects.filter(pk=run_id).update(
            status=RunStatus.RUNNING, started_at=timezone.now(), attempts=F("attempts") + 1, progress=1, error=""
        )
        run.refresh_from_db()
        figures = builders.build(
            report_type=run.report_type,
            period_start=run.period_start,
            period_end=run.period_end,
            kelurahan_ids=[run.kelurahan_id] if run.kelurahan_id else None,
            progress=lambda value: _set_progress(run_id, value),
        )
        _test_pause(run)
        computed_at = datetime.datetime.fromisoformat(figures["meta"]["computed_at"])
        tables = build_tables(figures)
        base = file_basename(run)
        folder = f"reports/{run.pk}/percobaan-{run.attempts}"
        outputs = [
            (FileKind.XLSX, _("Laporan lengkap (Excel)"), f"{base}.xlsx", files.build_xlsx(run, tables, computed_at)),
            (FileKind.PDF, _("Laporan lengkap (PDF)"), f"{base}.pdf", files.build_pdf(run, tables, computed_at)),
        ]
        _set_progress(run_id, 90)
        outputs += [
            (FileKind.CSV, _("Tabel: %(title)s (CSV)") % {"title": t.title}, f"{base}-{t.key}.csv", files.build_csv(t))
            for t in tables
        ]
        saved = []
        for kind, label, name, content in outputs:
            path = f"{folder}/{name}"
            if default_storage.exists(path):
                default_storage.delete(path)
            saved.append((kind, label, default_storage.save(path, ContentFile(content)), len(content)))
        with transaction.atomic():
            run = ReportRun.objects.select_for_update().get(pk=run_id)
            old = list(run.files.values_list("file", flat=True))
            run.files.all().delete()
            ReportFile.objects.bulk_create(
                [ReportFile(run=run, kind=kind, label=label, file=path, size=size) for kind, label, path, size in saved]
            )
            run.figures = figures
            run.status = RunStatus.DONE
            run.progress = 100
            run.finished_at = timezone.now()
            run.save(update_fields=["figures", "status", "progress", "finished_at"])
            if run.report_type == ReportType.BULANAN and run.kelurahan_id is None:
                dashboard_store(figures=figures, month=run.period_start)
            keep = {path for _k, _l, path, _s in saved}
            transaction.on_commit(lambda: _delete_files([p for p in old if p not in keep]))
        return "done"


def _delete_files(paths: list[str]) -> None:
    for path in paths:
        try:
            default_storage.delete(path)
        except OSError:  # already gone: nothing to clean
            logger.warning("Berkas laporan lama tidak dapat dihapus: %s", path)


def report_mark_failed(*, run_id: int, exc: BaseException) -> None:
    message = _("%(kind)s: %(detail)s") % {"kind": exc.__class__.__name__, "detail": str(exc)[:500] or "-"}
    logger.error("Laporan %s gagal:\n%s", run_id, "".join(traceback.format_exception(exc)))
    ReportRun.objects.filter(pk=run_id).exclude(status=RunStatus.DONE).update(
        status=RunStatus.FAILED, error=message, finished_at=timezone.now()
    )


def dashboard_store(*, figures: dict, month: datetime.date) -> int:
    """Stores the dashboard figures (per kelurahan and for the kecamatan) computed by the report builders."""
    computed_at = datetime.datetime.fromisoformat(figures["meta"]["computed_at"])
    values = dashboard.values_from_figures(figures)
    for kelurahan_id, value in values.items():
        DashboardAggregate.objects.update_or_create(
            key=dashboard.KEY,
            month=month_start(month),
            kelurahan_id=kelurahan_id,
            defaults={"value": value, "computed_at": computed_at},
        )
    return len(values)


def dashboard_refresh(*, month: datetime.date | None = None) -> int:
    start = month_start(month or timezone.localdate())
    figures = builders.build(
        report_type=ReportType.BULANAN, period_start=start, period_end=month_end(start), kelurahan_ids=None
    )
    with transaction.atomic():
        return dashboard_store(figures=figures, month=start)


def dashboard_refresh_request(*, actor) -> None:
    if not (actor.has_perm("reports.view_dashboard") and actor.has_perm("reports.add_reportrun")):
        raise PermissionDenied
    from reports.tasks import refresh_dashboard_task

    transaction.on_commit(lambda: refresh_dashboard_task.delay())
