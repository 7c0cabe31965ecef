"""Demo: the monthly report of the previous month exists right after `make run`, and the dashboard has figures.

Runs last in seed_demo (reports is the last app). Built synchronously (no worker needed) and only if missing,
so running seed_demo again leaves the existing report alone.
"""

from django.utils import timezone

from reports import services
from reports.builders.periods import previous_month
from reports.models import ReportRun, ReportType, RunStatus


def seed(*, log) -> None:
    month = previous_month()
    done = ReportRun.objects.filter(
        report_type=ReportType.BULANAN, period_start=month, kelurahan__isnull=True, status=RunStatus.DONE
    )
    if done.exists():
        log(f"Laporan bulanan {month:%m-%Y}: sudah ada")
    else:
        run = services.report_request(
            actor=None, report_type=ReportType.BULANAN, month=month, kelurahan=None, enqueue=False
        )
        services.report_generate(run_id=run.pk)
        run.refresh_from_db()
        log(f"Laporan bulanan {month:%m-%Y}: {run.get_status_display()}")
    services.dashboard_refresh(month=timezone.localdate())
    log(f"Dasbor: agregat dihitung ({ReportRun.objects.count()} laporan tersimpan)")
