"""Report and dashboard pages: who may see what (role × scope), pinned query counts, downloads, no personal data."""

import pytest
from django.urls import reverse

from core.models import AuditAction, AuditEvent
from reports import services
from reports.models import ReportFile, ReportRun, ReportType, RunStatus
from tests.factories.reports import ReportRunFactory
from tests.helpers import assert_queries

pytestmark = pytest.mark.django_db

LIST = reverse("reports:reportrun_list")
DASHBOARD = reverse("reports:dashboard")


@pytest.fixture
def runs(keramasan, kemang_agung):
    return {
        "kecamatan": ReportRunFactory(kelurahan=None),
        "keramasan": ReportRunFactory(kelurahan=keramasan),
        "kemang": ReportRunFactory(kelurahan=kemang_agung),
    }


@pytest.fixture
def generated(registry, period, user_kecamatan, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run = services.report_request(
            actor=user_kecamatan, report_type=ReportType.BULANAN, month=period[0], kelurahan=None
        )
    with django_capture_on_commit_callbacks(execute=True):
        kel = services.report_request(
            actor=user_kecamatan, report_type=ReportType.BULANAN, month=period[0], kelurahan=registry["keramasan"]
        )
    run.refresh_from_db()
    kel.refresh_from_db()
    return {"kecamatan": run, "keramasan": kel}


def detail(run):
    return reverse("reports:reportrun_detail", args=[run.pk])


def test_staf_kelurahan_sees_only_its_kelurahan_reports(client_for, user_kelurahan, runs):
    client = client_for(user_kelurahan)
    response = client.get(LIST)
    assert list(response.context["runs"]) == [runs["keramasan"]]
    assert client.get(detail(runs["keramasan"])).status_code == 200
    assert client.get(detail(runs["kemang"])).status_code == 404
    assert client.get(detail(runs["kecamatan"])).status_code == 404
    assert client.get(reverse("reports:reportrun_detail", args=[999999])).status_code == 404


def test_staf_kecamatan_and_pimpinan_see_every_report(client_for, user_kecamatan, user_pimpinan, runs):
    for user in (user_kecamatan, user_pimpinan):
        response = client_for(user).get(LIST)
        assert set(response.context["runs"]) == set(runs.values())


def test_petugas_lembaga_has_no_access(client_for, user_lembaga, runs):
    client = client_for(user_lembaga)
    assert client.get(LIST).status_code == 403
    assert client.get(DASHBOARD).status_code == 403
    assert client.get(detail(runs["kecamatan"])).status_code == 403


def test_dashboard_is_for_kecamatan_and_pimpinan_only(client_for, user_kecamatan, user_pimpinan, user_kelurahan):
    assert client_for(user_kecamatan).get(DASHBOARD).status_code == 200
    assert client_for(user_pimpinan).get(DASHBOARD).status_code == 200
    assert client_for(user_kelurahan).get(DASHBOARD).status_code == 403


def test_file_download_is_permission_checked_and_audited(client_for, user_kelurahan, user_kelurahan_other, generated):
    xlsx = generated["keramasan"].files.get(kind="xlsx")
    url = reverse("reports:reportfile_download", args=[xlsx.pk])
    response = client_for(user_kelurahan).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert b"".join(response.streaming_content)[:2] == b"PK"
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(generated["keramasan"].pk)).exists()
    assert client_for(user_kelurahan_other).get(url).status_code == 404
    other = generated["kecamatan"].files.get(kind="pdf")
    assert client_for(user_kelurahan).get(reverse("reports:reportfile_download", args=[other.pk])).status_code == 404


def test_pimpinan_sees_aggregates_and_no_personal_data(client_for, user_pimpinan, generated, registry):
    client = client_for(user_pimpinan)
    run = generated["kecamatan"]
    page = client.get(detail(run)).content.decode()
    assert "Keluarga terdaftar" in page
    members = [m for h in registry["households"] for m in h.members.all()]
    for member in members:
        assert member.full_name not in page
        assert member.nik not in page
    for report_file in ReportFile.objects.filter(run=run, kind__in=["csv"]):
        content = b"".join(client.get(reverse("reports:reportfile_download", args=[report_file.pk])).streaming_content)
        text = content.decode("utf-8-sig")
        assert not any(m.full_name in text or m.nik in text for m in members)
    # No request form and no retry for a read-only role.
    assert client.get(LIST).context.get("form") is None
    assert client.post(reverse("reports:reportrun_create"), {}).status_code == 403


def test_request_form_creates_a_run_and_redirects_to_its_progress(
    client_for, user_kecamatan, registry, period, django_capture_on_commit_callbacks
):
    client = client_for(user_kecamatan)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:reportrun_create"),
            {"report_type": "bulanan", "month": period[0].isoformat(), "kelurahan": ""},
        )
    run = ReportRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(run)
    assert run.status == RunStatus.DONE
    page = client.get(detail(run)).content.decode()
    assert "Tantangan pendidikan" in page
    assert 'data-testid="file-xlsx"' in page


def test_staf_kelurahan_form_offers_only_its_kelurahan_and_refuses_others(
    client_for, user_kelurahan, kemang_agung, period
):
    client = client_for(user_kelurahan)
    form = client.get(LIST).context["form"]
    assert list(form.fields["kelurahan"].queryset.values_list("name", flat=True)) == ["Keramasan"]
    response = client.post(
        reverse("reports:reportrun_create"),
        {"report_type": "bulanan", "month": period[0].isoformat(), "kelurahan": kemang_agung.pk},
    )
    assert response.status_code == 400
    assert not ReportRun.objects.exists()


def test_progress_is_polled_with_htmx_until_finished(client_for, user_kecamatan, keramasan):
    run = ReportRunFactory(status=RunStatus.RUNNING, progress=40)
    client = client_for(user_kecamatan)
    response = client.get(detail(run), headers={"HX-Request": "true"})
    html = response.content.decode()
    assert 'hx-trigger="every 2s"' in html
    assert 'value="40"' in html
    assert "<html" not in html
    run.status = RunStatus.DONE
    run.save()
    response = client.get(detail(run), headers={"HX-Request": "true"})
    assert response["HX-Refresh"] == "true"
    assert "every 2s" not in response.content.decode()


def test_failed_run_shows_the_reason_and_a_retry_button(client_for, user_kecamatan, user_pimpinan):
    run = ReportRunFactory(status=RunStatus.FAILED, error="OperationalError: koneksi terputus")
    html = client_for(user_kecamatan).get(detail(run)).content.decode()
    assert "koneksi terputus" in html
    assert 'data-testid="retry"' in html
    assert 'data-testid="retry"' not in client_for(user_pimpinan).get(detail(run)).content.decode()


def test_report_list_query_count_is_pinned(client_for, user_kecamatan, keramasan):
    client = client_for(user_kecamatan)
    ReportRunFactory()
    client.get(LIST)  # warm the session and permission caches of the client
    with assert_queries(9):
        client.get(LIST)
    for month in range(1, 9):
        ReportRunFactory(period_start=f"2025-{month:02d}-01", period_end=f"2025-{month:02d}-28", kelurahan=keramasan)
    with assert_queries(9):
        client.get(LIST)


def test_dashboard_query_count_is_pinned(client_for, user_pimpinan, registry):
    services.dashboard_refresh()
    client = client_for(user_pimpinan)
    client.get(DASHBOARD)
    with assert_queries(8):
        response = client.get(DASHBOARD)
    assert response.context["aggregate"] is not None


def test_dashboard_shows_computed_time_filters_by_kelurahan_and_month(client_for, user_kecamatan, registry, period):
    services.dashboard_refresh()
    client = client_for(user_kecamatan)
    response = client.get(DASHBOARD)
    html = response.content.decode()
    assert 'data-testid="computed-at"' in html
    assert "WIB" in html
    assert response.context["kelurahan"] is None
    values = {key: value for key, _label, value in response.context["headlines"]}
    assert values["households"] == 4
    response = client.get(DASHBOARD, {"kelurahan": registry["keramasan"].pk, "bulan": period[0].isoformat()})
    values = {key: value for key, _label, value in response.context["headlines"]}
    assert values["households"] == 3
    assert values["school_not"] == 2
    assert 'id="chart-desil"' in response.content.decode()


def test_hitung_ulang_enqueues_the_refresh_for_staff_only(
    client_for, user_kecamatan, user_pimpinan, registry, django_capture_on_commit_callbacks
):
    from reports.models import DashboardAggregate

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(user_kecamatan).post(reverse("reports:dashboard_refresh"))
    assert response.status_code == 302
    assert DashboardAggregate.objects.filter(kelurahan__isnull=True).exists()
    assert client_for(user_pimpinan).post(reverse("reports:dashboard_refresh")).status_code == 403


def test_menu_entries_follow_permissions(client_for, user_kecamatan, user_kelurahan, user_lembaga, user_pimpinan):
    from core.navigation import menu_for

    keys = lambda user: {item.key for entry in menu_for(user) for item in entry.items}  # noqa: E731
    assert {"reports", "dashboard"} <= keys(user_kecamatan)
    assert {"reports", "dashboard"} <= keys(user_pimpinan)
    assert "reports" in keys(user_kelurahan)
    assert "dashboard" not in keys(user_kelurahan)
    assert not {"reports", "dashboard"} & keys(user_lembaga)
