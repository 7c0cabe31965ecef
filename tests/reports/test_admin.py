"""Admin: report runs and aggregates are read-only; failed runs can be retried with the admin action."""

import pytest
from django.urls import reverse

from reports.models import ReportRun, RunStatus
from tests.factories.reports import ReportRunFactory

pytestmark = pytest.mark.django_db


def test_report_admin_is_read_only(client_for, user_admin):
    run = ReportRunFactory()
    client = client_for(user_admin)
    assert client.get(reverse("admin:reports_reportrun_change", args=[run.pk])).status_code == 200
    assert client.get(reverse("admin:reports_reportrun_add")).status_code == 403
    assert client.get(reverse("admin:reports_dashboardaggregate_add")).status_code == 403
    response = client.post(reverse("admin:reports_reportrun_delete", args=[run.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert ReportRun.objects.filter(pk=run.pk).exists()


def test_admin_retry_action_requeues_failed_runs(client_for, user_admin, registry, django_capture_on_commit_callbacks):
    failed = ReportRunFactory(status=RunStatus.FAILED, error="OperationalError: x")
    done = ReportRunFactory(status=RunStatus.DONE, report_type="koordinasi")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user_admin).post(
            reverse("admin:reports_reportrun_changelist"),
            {"action": "retry_runs", "_selected_action": [failed.pk, done.pk]},
        )
    assert response.status_code == 302
    failed.refresh_from_db()
    done.refresh_from_db()
    assert failed.status == RunStatus.DONE
    assert failed.error == ""
    assert done.attempts == 0  # a finished run is left alone
