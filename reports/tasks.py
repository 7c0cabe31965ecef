"""Report tasks: thin, take ids, safe to run twice (docs/architecture.md §6 rule 7; docs/quality.md R5).

acks_late + reject_on_worker_lost: a worker killed mid-report leaves its message unacknowledged, so another
worker runs it again; report_generate makes that second run take over instead of adding a second result.
"""

import logging

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.db import InterfaceError, OperationalError
from django.utils import timezone

from reports import services
from reports.builders.periods import previous_month
from reports.models import ReportType

logger = logging.getLogger(__name__)

#: Errors of a moment (database restart, network): retried with exponential backoff.
TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError)
RETRY = {
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT,
    "retry_backoff": 10,
    "retry_backoff_max": 600,
    "retry_jitter": True,
    "max_retries": 5,
}


class ReportTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Retries exhausted (or a bug): the run shows why, and staff can retry it from the page.
        run_id = kwargs.get("run_id", args[0] if args else None)
        if run_id is not None:
            services.report_mark_failed(run_id=run_id, exc=exc)


@shared_task(base=ReportTask, soft_time_limit=20 * 60, time_limit=25 * 60, **RETRY)
def generate_report_task(run_id: int) -> str:
    try:
        return services.report_generate(run_id=run_id)
    except TRANSIENT:
        raise
    except SoftTimeLimitExceeded as exc:
        services.report_mark_failed(run_id=run_id, exc=TimeoutError("Batas waktu pembuatan laporan terlampaui"))
        logger.warning("Laporan %s melewati batas waktu", run_id)
        return f"failed: {exc.__class__.__name__}"
    except Exception as exc:  # a bug or bad data: recorded on the run instead of retried forever
        services.report_mark_failed(run_id=run_id, exc=exc)
        return f"failed: {exc.__class__.__name__}"


@shared_task(soft_time_limit=5 * 60, time_limit=6 * 60, **RETRY)
def generate_monthly_reports_task() -> list[int]:
    """1st of each month: the monthly welfare report of the previous month, kecamatan and each kelurahan."""
    return services.scheduled_reports_request(report_type=ReportType.BULANAN, month=previous_month())


@shared_task(soft_time_limit=5 * 60, time_limit=6 * 60, **RETRY)
def generate_coordination_reports_task() -> list[int]:
    """Weekly: the coordination report of the current month (each week replaces the month's previous one)."""
    return services.scheduled_reports_request(report_type=ReportType.KOORDINASI, month=timezone.localdate())


@shared_task(soft_time_limit=15 * 60, time_limit=20 * 60, **RETRY)
def refresh_dashboard_task(month: str | None = None) -> int:
    """Daily (and on "Hitung ulang"): recompute the dashboard aggregates of the current month."""
    import datetime

    return services.dashboard_refresh(month=datetime.date.fromisoformat(month) if month else None)
