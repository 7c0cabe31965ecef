"""Browser flow of the registry: register a household with three members, fix an invalid NIK, find it again."""

import datetime

import pytest

from accounts.models import Role
from beneficiaries.models import Household
from tests.e2e.conftest import login, open_menu, screenshot
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.beneficiaries import make_nik
from tests.factories.core import RTFactory, kelurahan

MEMBERS = [
    ("Hendra Saputra", "1", datetime.date(1982, 4, 12), False, "1"),
    ("Rina Lestari", "2", datetime.date(1986, 9, 3), True, "3"),
    ("Dimas Saputra", "1", datetime.date(2012, 1, 25), False, "4"),
]


def fill_member(page, index, name, sex, birth, female, relationship, nik=None):
    prefix = f"#id_anggota-{index}-"
    page.fill(prefix + "nik", nik or make_nik(4200 + index, birth_date=birth, female=female))
    page.fill(prefix + "full_name", name)
    page.select_option(prefix + "sex", sex)
    page.fill(prefix + "birth_date", birth.isoformat())
    page.select_option(prefix + "relationship", relationship)


@pytest.mark.django_db(transaction=True)
def test_register_household_fix_invalid_nik_and_find_it(page, live_server):
    keramasan = kelurahan("Keramasan")
    rt = RTFactory(kelurahan=keramasan, number=7, rw=2)
    user = UserFactory(username="e2e.registri", role=Role.STAF_KELURAHAN, kelurahan=keramasan)
    login(page, live_server, user.username, PASSWORD)

    open_menu(page, "registry")
    page.wait_for_url("**/registri/")
    screenshot(page, "registry-list-empty")
    page.click("[data-testid=add-household]")
    page.fill("#id_kk_number", "1671130302210007")
    page.select_option("#id_rt", str(rt.pk))
    page.fill("#id_address", "Jl. Ki Merogan Lr. Rukun")
    page.fill("#id_house_number", "17")
    page.select_option("#id_desil", "2")
    for index, member in enumerate(MEMBERS):
        fill_member(page, index, *member)
    # The third member's NIK is mistyped: 15 digits.
    page.fill("#id_anggota-2-nik", "167113250112004")
    page.click("[data-testid=save-household]")
    page.wait_for_load_state("networkidle")
    assert "NIK harus 16 digit angka (tertulis 15 karakter)." in page.content()
    assert Household.objects.count() == 0
    screenshot(page, "registry-register-invalid-nik")

    page.fill("#id_anggota-2-nik", make_nik(4202, birth_date=MEMBERS[2][2], female=False))
    page.click("[data-testid=save-household]")
    page.wait_for_url("**/registri/keluarga/*/")
    household = Household.objects.get()
    assert household.members.count() == 3
    assert page.locator("[data-testid=member-table] tbody tr").count() == 3
    assert "1671********0007" in page.locator("[data-testid=kk-number]").inner_text()
    screenshot(page, "registry-household-detail")

    # Find it again by NIK (POST form, nothing in the URL) and by name.
    page.goto(f"{live_server.url}/registri/cari/")
    page.select_option("#id_kind", "nik")
    page.fill("#id_q", make_nik(4201, birth_date=MEMBERS[1][2], female=True))
    page.click("[data-testid=search-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/registri/cari/" in page.url
    assert "1671" not in page.url
    assert page.locator("[data-testid=search-results]").get_by_text("Rina Lestari").is_visible()
    page.select_option("#id_kind", "name")
    page.fill("#id_q", "Hendra Saputr")
    page.click("[data-testid=search-form] button[type=submit]")
    page.wait_for_load_state("networkidle")
    page.locator("[data-testid=search-results]").get_by_text("Hendra Saputra").click()
    page.wait_for_url(f"**/registri/keluarga/{household.pk}/")
    screenshot(page, "registry-search-found")


@pytest.mark.django_db(transaction=True)
def test_registry_list_on_a_phone(phone_page, live_server):
    user = UserFactory(username="e2e.registri.hp", role=Role.STAF_KECAMATAN)
    login(phone_page, live_server, user.username, PASSWORD)
    phone_page.goto(f"{live_server.url}/registri/")
    assert phone_page.locator("[data-testid=household-table]").is_visible()
    screenshot(phone_page, "registry-list-phone")
    phone_page.goto(f"{live_server.url}/registri/keluarga/baru/")
    screenshot(phone_page, "registry-register-phone")
