"""Browser flow: a "bantuan tidak diterima" grievance from logging to a resolved answer, and a bulk close."""

import pytest

from accounts.models import Role
from grievances.models import Grievance, Status
from tests.e2e.conftest import login, open_menu, screenshot
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.beneficiaries import HouseholdFactory, MemberFactory
from tests.factories.core import kelurahan
from tests.factories.grievances import GrievanceFactory


@pytest.mark.django_db(transaction=True)
def test_bantuan_tidak_diterima_from_logging_to_resolved_answer(page, live_server):
    keramasan = kelurahan("Keramasan")
    staff = UserFactory(
        username="e2e.pengaduan", role=Role.STAF_KELURAHAN, kelurahan=keramasan, first_name="Rudi", last_name="Hartono"
    )
    household = HouseholdFactory(kelurahan=keramasan)
    MemberFactory(household=household, full_name="Siti Aminah", female=True)

    login(page, live_server, staff.username, PASSWORD)
    open_menu(page, "grievances")
    page.wait_for_url("**/pengaduan/")
    screenshot(page, "grievances-list-empty")

    # Log it, starting from the household (as the household page's panel does).
    page.goto(f"{live_server.url}/pengaduan/baru/?household={household.pk}")
    page.select_option("#id_category", "bantuan_tidak_diterima")
    page.select_option("#id_channel", "langsung")
    page.fill("#id_title", "Paket sembako Juni belum diterima")
    page.fill("#id_description", "Warga datang ke kantor kelurahan: paket bulan Juni belum sampai.")
    page.select_option("#id_member", label="Siti Aminah")
    page.fill("#id_complainant_name", "Siti Aminah")
    page.fill("#id_complainant_phone", "081234567890")
    page.select_option("#id_priority", "3")
    screenshot(page, "grievance-form-filled")
    page.click("button[type=submit]:has-text('Simpan pengaduan')")
    page.wait_for_url("**/pengaduan/*/")
    assert "Paket sembako Juni belum diterima" in page.locator("[data-testid=grievance-title]").inner_text()
    assert "Baru" in page.locator("[data-testid=grievance-status]").inner_text()
    grievance = Grievance.objects.get()
    assert grievance.household_id == household.pk
    assert grievance.kelurahan_id == keramasan.pk

    # Assign it to oneself.
    page.select_option("[data-testid=assign-form] select[name=assignee]", str(staff.pk))
    page.click("[data-testid=assign-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Rudi Hartono" in page.locator("[data-testid=grievance-assignee]").inner_text()

    # Start processing.
    page.select_option("[data-testid=status-form] select[name=to_status]", "diproses")
    page.click("[data-testid=status-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Diproses" in page.locator("[data-testid=grievance-status]").inner_text()

    # Closing without an answer is refused with a clear message.
    page.select_option("[data-testid=status-form] select[name=to_status]", "selesai")
    page.click("[data-testid=status-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Jawaban tertulis wajib diisi" in page.content()
    screenshot(page, "grievance-close-without-answer")

    # Answer and close.
    page.select_option("[data-testid=status-form] select[name=to_status]", "selesai")
    page.fill(
        "[data-testid=status-form] textarea[name=answer]",
        "Paket diantar petugas lembaga pada 12 Juni; warga sudah menerima.",
    )
    page.click("[data-testid=status-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "Selesai" in page.locator("[data-testid=grievance-status]").inner_text()
    assert "Paket diantar petugas lembaga" in page.locator("[data-testid=grievance-answer]").inner_text()
    screenshot(page, "grievance-resolved")
    grievance.refresh_from_db()
    assert grievance.status == Status.SELESAI
    assert grievance.closed_by_id == staff.pk


@pytest.mark.django_db(transaction=True)
def test_bulk_close_from_the_list(page, live_server):
    keramasan = kelurahan("Keramasan")
    staff = UserFactory(username="e2e.massal", role=Role.STAF_KELURAHAN, kelurahan=keramasan)
    grievances = [GrievanceFactory(kelurahan=keramasan, title=f"Pengaduan massal {n}") for n in range(3)]
    login(page, live_server, staff.username, PASSWORD)
    page.goto(f"{live_server.url}/pengaduan/")
    page.check("#select-all")
    assert "3" in page.locator("#bulk-count").inner_text()
    page.select_option("#bulk-action", "status")
    page.select_option("#bulk-status", "selesai")
    page.fill("#bulk-answer", "Sudah ditangani bersama dalam musyawarah kelurahan.")
    screenshot(page, "grievances-bulk-selected")
    page.click("[data-testid=bulk-submit]")
    page.wait_for_load_state("networkidle")
    assert "3 pengaduan diubah" in page.content()
    screenshot(page, "grievances-bulk-done")
    assert Grievance.objects.filter(pk__in=[g.pk for g in grievances], status=Status.SELESAI).count() == 3
