"""The typed card code in the field app (issue 22 B7): where the browser has no BarcodeDetector (iOS Safari,
Firefox) the scan sheet offers typing the code printed under the QR, and "Ketik kode kartu" is always there;
the code is matched offline against the round's card list on the phone, however it is typed."""

import pytest

from beneficiaries.validators import card_code_display
from tests.e2e.conftest import screenshot
from tests.e2e.test_field_app import READ_HOUSEHOLDS, go_offline, open_app, open_round, sign_in, wait_service_worker
from tests.factories.accounts import UserFactory
from tests.factories.beneficiaries import HouseholdFactory
from tests.field_app.conftest import make_institution, make_round, make_worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def worker(db):
    return make_worker(make_institution("LKS Peduli Uji"), "petugas.satu")


@pytest.fixture
def aid_round(worker):
    approver = UserFactory(username="uji.penyetuju", role="staf_kecamatan")
    institution = worker.institution_memberships.get().institution
    return make_round(institution, name="Sembako Agustus", households=4, approver=approver)


NO_DETECTOR = "delete window.BarcodeDetector; Object.defineProperty(window, 'BarcodeDetector', {value: undefined});"


def test_without_barcode_detector_the_worker_types_the_code_offline(phone_page, live_server, worker, aid_round):
    page = phone_page
    page.add_init_script("delete window.BarcodeDetector;")
    open_app(page, live_server)
    assert page.evaluate("'BarcodeDetector' in window") is False
    wait_service_worker(page)
    sign_in(page, "petugas.satu")
    open_round(page, aid_round)
    first, second = aid_round.entitlements.order_by("pk").select_related("household")[:2]
    codes = {h["id"]: h["card_code"] for h in page.evaluate(READ_HOUSEHOLDS)}
    assert codes[first.pk] == first.household.card_code
    assert codes[second.pk] == second.household.card_code

    go_offline(page)
    # "Pindai" on a browser that cannot scan: the sheet says so and offers typing.
    page.click("[data-testid=scan-btn]")
    page.wait_for_selector("#scanner:not([hidden])")
    assert "tidak dapat memindai QR" in page.inner_text("#scanner-note")
    assert page.is_hidden("#scanner-video")
    assert page.inner_text("#scanner-title") == "Ketik kode kartu"
    page.fill("[data-testid=scanner-code]", "ABCD-123")
    page.press("[data-testid=scanner-code]", "Enter")
    assert page.inner_text("#scanner-error") == (
        "“ABCD-123” bukan kode kartu: kode kartu terdiri dari 10 huruf dan angka, mis. ABCDE-12345."
    )
    page.fill("[data-testid=scanner-code]", card_code_display(second.household.card_code).lower())
    screenshot(page, "field_15_type_card_code")
    page.press("[data-testid=scanner-code]", "Enter")
    page.wait_for_selector("[data-screen=record]:not([hidden])")
    head = first.household.members.get(relationship=1)
    assert second.household.members.get(relationship=1).full_name in page.inner_text("[data-testid=record-household]")
    assert head.full_name not in page.inner_text("[data-testid=record-household]")

    # "Ketik kode kartu" is always on the households screen; spaces and dashes anywhere do not matter.
    page.go_back()
    page.wait_for_selector("[data-screen=households]:not([hidden])")
    page.click("[data-testid=type-code-btn]")
    page.wait_for_selector("#scanner:not([hidden])")
    assert "Ketik kode di bawah QR" in page.inner_text("#scanner-note")
    code = first.household.card_code
    page.fill("[data-testid=scanner-code]", f" {code[:3]} {code[3:6]}-{code[6:]} ")
    page.press("[data-testid=scanner-code]", "Enter")
    page.wait_for_selector("[data-screen=record]:not([hidden])")
    assert head.full_name in page.inner_text("[data-testid=record-household]")


def test_a_code_of_another_round_is_not_on_the_phone(phone_page, live_server, worker, aid_round):
    page = phone_page
    page.add_init_script(NO_DETECTOR)
    open_app(page, live_server)
    sign_in(page, "petugas.satu")
    open_round(page, aid_round)
    elsewhere = HouseholdFactory()
    page.click("[data-testid=type-code-btn]")
    page.wait_for_selector("#scanner:not([hidden])")
    page.fill("[data-testid=scanner-code]", card_code_display(elsewhere.card_code))
    page.press("[data-testid=scanner-code]", "Enter")
    assert page.inner_text("#scanner-error") == "Kartu ini tidak terdaftar di putaran ini."
    screenshot(page, "field_16_card_code_not_in_round")
