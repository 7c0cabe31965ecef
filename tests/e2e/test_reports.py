"""Browser flow: staff request a monthly report, watch it finish, download the XLSX; the dashboard draws charts.

With CELERY eager in the live server the task runs inline after commit, so the page shows it done at once (or
after one htmx poll)."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from accounts.models import Role
from reports import services
from tests.e2e.conftest import login, open_menu, screenshot
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.reports import known_registry


@pytest.mark.django_db(transaction=True)
def test_staff_requests_a_report_waits_and_downloads_the_xlsx(page, live_server):
    known_registry()
    UserFactory(username="e2e.laporan", role=Role.STAF_KECAMATAN)
    login(page, live_server, "e2e.laporan", PASSWORD)
    open_menu(page, "reports")
    page.wait_for_url("**/laporan/")
    page.select_option("select[name=report_type]", "bulanan")
    page.select_option("select[name=month]", index=0)  # the current month: the hand-built registry is in it
    screenshot(page, "reports-list")
    page.click(".report-submit")
    page.wait_for_selector("[data-testid=run-status][data-status=done]", timeout=60_000)
    page.wait_for_selector("[data-testid=table-tantangan_pendidikan]")
    screenshot(page, "reports-detail-done")
    with page.expect_download() as download_info:
        page.click("[data-testid=file-xlsx]")
    download = download_info.value
    assert download.suggested_filename.endswith(".xlsx")
    workbook = load_workbook(io.BytesIO(Path(download.path()).read_bytes()), read_only=True)
    assert "keluarga" in workbook.sheetnames
    rows = list(workbook["keluarga"].iter_rows(values_only=True))
    keramasan = next(row for row in rows if row[0] == "Keramasan")
    assert keramasan[1] == 3  # active households in Keramasan


@pytest.mark.django_db(transaction=True)
def test_pimpinan_dashboard_draws_charts_and_filters(page, live_server):
    known_registry()
    services.dashboard_refresh()
    UserFactory(username="e2e.camat", role=Role.PIMPINAN)
    login(page, live_server, "e2e.camat", PASSWORD)
    open_menu(page, "dashboard")
    page.wait_for_selector("[data-testid=headlines]")
    assert page.locator("[data-figure=households]").inner_text().strip() == "4"
    # Chart.js drew on every canvas (a drawn canvas has a non-zero size set by Chart.js).
    page.wait_for_function("document.querySelectorAll('canvas.js-chart').length === 4")
    page.wait_for_function(
        "Array.from(document.querySelectorAll('canvas.js-chart')).every(c => window.Chart && Chart.getChart(c))"
    )
    assert page.locator("[data-testid=refresh]").count() == 0  # Pimpinan only reads
    screenshot(page, "reports-dashboard-pimpinan")
    with page.expect_navigation():
        page.select_option("#f-kelurahan", label="Keramasan")  # js-autosubmit
    assert "kelurahan=" in page.url
    assert page.locator("[data-figure=households]").inner_text().strip() == "3"
    screenshot(page, "reports-dashboard-keramasan")


@pytest.mark.django_db(transaction=True)
def test_progress_page_polls_until_the_run_is_done(page, live_server):
    from reports.models import ReportRun, RunStatus
    from tests.factories.reports import ReportRunFactory

    UserFactory(username="e2e.tunggu", role=Role.STAF_KECAMATAN)
    run = ReportRunFactory(status=RunStatus.RUNNING, progress=35, finished_at=None)
    login(page, live_server, "e2e.tunggu", PASSWORD)
    page.goto(f"{live_server.url}/laporan/{run.pk}/")
    assert page.locator("progress.report-progress").get_attribute("value") == "35"
    ReportRun.objects.filter(pk=run.pk).update(progress=70)
    page.locator("progress.report-progress[value='70']").wait_for(timeout=10_000)  # swapped in by the htmx poll
    screenshot(page, "reports-progress")
    ReportRun.objects.filter(pk=run.pk).update(status=RunStatus.FAILED, error="OperationalError: koneksi terputus")
    page.wait_for_selector("[data-testid=run-error]", timeout=10_000)  # htmx poll, then HX-Refresh reload
    assert "koneksi terputus" in page.locator("[data-testid=run-error]").inner_text()
    assert page.locator("[data-testid=retry]").is_visible()
