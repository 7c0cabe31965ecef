"""Browser flow of a training cohort: create, invite eligible members, attendance for two sessions, graduation,
certificate download, and a 6-month outcome. Screenshots go to test-artifacts/screenshots/programs-*.png."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone

from accounts.models import Role
from beneficiaries import choices
from programs.models import Cohort, Enrollment, EnrollmentStatus, FollowUp, Outcome
from tests.e2e.conftest import login, open_menu, screenshot
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.beneficiaries import HouseholdFactory, MemberFactory
from tests.factories.core import kelurahan
from tests.factories.programs import ProgramFactory


@pytest.mark.django_db(transaction=True)
def test_cohort_flow_from_creation_to_outcome(page, phone_page, live_server):
    keramasan = kelurahan("Keramasan")
    UserFactory(username="e2e.kecamatan", role=Role.STAF_KECAMATAN)
    program = ProgramFactory(name="Pelatihan Menjahit")
    for name in ("Siti Aminah", "Rina Marlina", "Yuliani Putri"):
        MemberFactory(
            household=HouseholdFactory(kelurahan=keramasan, desil=2),
            female=True,
            full_name=name,
            relationship=choices.Relationship.WIFE,
            birth_date=datetime.date(1990, 5, 1),
        )
    MemberFactory(household=HouseholdFactory(kelurahan=keramasan), full_name="Budi Santoso")  # a man: not eligible
    today = timezone.localdate()
    page.on("dialog", lambda dialog: dialog.accept())

    login(page, live_server, "e2e.kecamatan", PASSWORD)
    open_menu(page, "programs")
    page.click(f"text={program.name}")
    page.click("[data-testid=cohort-create]")
    page.fill("input[name=starts_on]", (today - datetime.timedelta(days=7)).isoformat())
    page.fill("input[name=ends_on]", (today + datetime.timedelta(days=21)).isoformat())
    page.fill("input[name=venue]", "Aula Kantor Camat Kertapati")
    page.fill("input[name=trainers]", "Ibu Sri Wahyuni")
    page.fill("input[name=capacity]", "10")
    screenshot(page, "programs-cohort-form")
    page.click("input[type=submit]")
    assert "Draf" in page.locator("[data-testid=cohort-status]").inner_text()

    # Eligibility rule: women aged 18–55.
    page.click("[data-testid=rule-edit]")
    page.select_option("select[name=syarat-0-type]", "sex")
    page.select_option("select[name=syarat-0-sex]", "2")
    page.select_option("select[name=syarat-1-type]", "age")
    page.fill("input[name=syarat-1-min_value]", "18")
    page.fill("input[name=syarat-1-max_value]", "55")
    assert not page.locator("select[name=syarat-0-education_min]").is_visible()
    screenshot(page, "programs-rule-builder")
    page.click("[data-testid=rule-save]")
    assert page.locator("[data-testid=eligible-count]").inner_text() == "3"

    # Two sessions already held.
    for days_ago, topic in ((6, "Mengenal mesin jahit"), (3, "Pola dasar")):
        page.click("[data-testid=session-form] >> xpath=.. >> summary")
        page.fill(
            "[data-testid=session-form] input[name=held_on]", (today - datetime.timedelta(days=days_ago)).isoformat()
        )
        page.fill("[data-testid=session-form] input[name=topic]", topic)
        page.click("[data-testid=session-form] button")
        assert "Sesi ditambahkan." in page.content()

    page.click("[data-testid=transition]")  # buka pendaftaran
    page.click("[data-testid=candidates]")
    assert page.locator("input[name=member]").count() == 3
    assert "Budi Santoso" not in page.content()
    screenshot(page, "programs-candidates")
    page.locator("input[name=member]").nth(0).check()
    page.locator("input[name=member]").nth(1).check()
    page.locator("input[name=member]").nth(2).check()
    page.click("[data-testid=invite]")
    screenshot(page, "programs-after-invite")
    assert "3 anggota diterima sebagai peserta." in page.content()
    page.click("[data-testid=transition]")  # mulai angkatan
    assert "Berjalan" in page.locator("[data-testid=cohort-status]").inner_text()
    cohort_url = page.url

    # Attendance on a phone: everyone on day one, two of three on day two.
    login(phone_page, live_server, "e2e.kecamatan", PASSWORD)
    cohort = Cohort.objects.get()
    for index, session in enumerate(cohort.sessions.order_by("held_on")):
        phone_page.goto(f"{live_server.url}/program/sesi/{session.pk}/kehadiran/")
        phone_page.click("text=Tandai semua hadir")
        if index == 1:
            phone_page.locator("input[name=hadir]").nth(2).uncheck()
        screenshot(phone_page, f"programs-attendance-phone-{index + 1}")
        phone_page.click("[data-testid=attendance-save]")
        assert "Kehadiran disimpan" in phone_page.content()

    phone_page.goto(cohort_url)
    screenshot(phone_page, "programs-cohort-phone")

    page.goto(cohort_url)
    page.click("[data-testid=complete-all]")
    assert "2 peserta lulus, 1 tidak lulus." in page.content()
    screenshot(page, "programs-cohort-completed")
    with page.expect_download() as download_info:
        page.locator("[data-testid=certificate]").first.click()
    download = download_info.value
    assert download.suggested_filename.startswith("sertifikat-")
    assert Path(download.path()).read_bytes()[:4] == b"%PDF"
    page.click("[data-testid=transition]")  # selesaikan angkatan (confirm dialog accepted)
    assert "Selesai" in page.locator("[data-testid=cohort-status]").inner_text()

    # Public verification shows initials only.
    graduate = (
        Enrollment.objects.filter(status=EnrollmentStatus.COMPLETED)
        .select_related("member")
        .order_by("member__full_name")
        .first()
    )
    page.goto(f"{live_server.url}/program/sertifikat/{graduate.certificate_code}/")
    assert page.locator("[data-testid=verify-initials]").inner_text() == "R. M."
    screenshot(page, "programs-certificate-verify")

    # Six months later: the follow-up is due.
    follow_up = FollowUp.objects.get(enrollment=graduate, months_after=6)
    FollowUp.objects.filter(pk=follow_up.pk).update(due_on=today - datetime.timedelta(days=1))
    page.goto(f"{live_server.url}/program/tindak-lanjut/")
    page.click(f"[data-testid=outcome-6-{graduate.member_id}]")
    page.check("input[name=has_business]")
    page.select_option("select[name=business_kind]", "jahit")
    page.fill("input[name=business_name]", "Jahit Rina")
    page.fill("input[name=income_before]", "-300000")
    page.fill("input[name=income_after]", "Rp1.250.000")
    page.click("input[type=submit]")
    assert "Jumlah rupiah tidak boleh negatif." in page.content()
    screenshot(page, "programs-outcome-error")
    page.fill("input[name=income_before]", "300.000")
    page.check("input[name=sells_online]")
    page.check("input[name=sells_on_whatsapp]")
    page.click("input[type=submit]")
    screenshot(page, "programs-outcome-after-save")
    assert "Hasil tindak lanjut disimpan." in page.content()
    outcome = Outcome.objects.get()
    assert (outcome.income_before, outcome.income_after, outcome.channels) == (300_000, 1_250_000, ["WhatsApp"])

    page.goto(f"{live_server.url}/program/dasbor/?program={program.pk}")
    page.wait_for_function("document.querySelector('#chart-kelurahan').width > 0")
    assert (
        page.locator("[data-testid=kpi-completion]").inner_text() == "66,7%"
        or page.locator("[data-testid=kpi-completion]").inner_text() == "66.7%"
    )
    screenshot(page, "programs-dashboard")
