import pytest

from reports import demo
from reports.builders.periods import previous_month
from reports.models import DashboardAggregate, ReportRun, RunStatus
from tests.factories.reports import known_registry

pytestmark = pytest.mark.django_db


def test_demo_builds_last_months_report_once_and_fills_the_dashboard():
    known_registry()
    demo.seed(log=lambda message: None)
    run = ReportRun.objects.get()
    assert (run.period_start, run.kelurahan, run.status) == (previous_month(), None, RunStatus.DONE)
    demo.seed(log=lambda message: None)
    run.refresh_from_db()
    assert ReportRun.objects.count() == 1
    assert run.attempts == 1  # not rebuilt
    assert DashboardAggregate.objects.filter(kelurahan__isnull=True).count() == 2  # last month and this month
