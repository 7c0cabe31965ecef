import pytest

from accounts.models import Role
from tests.e2e.conftest import login, screenshot
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.core import kelurahan


@pytest.mark.django_db(transaction=True)
def test_each_role_logs_in_sees_its_menu_and_logs_out(page, live_server):
    users = {
        Role.ADMIN: UserFactory(username="e2e.admin", role=Role.ADMIN),
        Role.STAF_KECAMATAN: UserFactory(username="e2e.kecamatan", role=Role.STAF_KECAMATAN),
        Role.STAF_KELURAHAN: UserFactory(
            username="e2e.kelurahan", role=Role.STAF_KELURAHAN, kelurahan=kelurahan("Keramasan")
        ),
        Role.PETUGAS_LEMBAGA: UserFactory(username="e2e.lembaga", role=Role.PETUGAS_LEMBAGA),
        Role.PIMPINAN: UserFactory(username="e2e.pimpinan", role=Role.PIMPINAN),
    }
    for role, user in users.items():
        login(page, live_server, user.username, PASSWORD)
        if role == Role.ADMIN:
            screenshot(page, "home-admin-after-2fa")
        assert page.locator("[data-testid=user-badge]").inner_text().strip().endswith(str(role.label))
        menu = page.locator("[data-testid=main-menu] [data-menu]").evaluate_all("els => els.map(e => e.dataset.menu)")
        # The bar fits a laptop screen: nothing overflows to the right.
        overflow = page.evaluate("() => document.querySelector('nav.navbar').scrollWidth - window.innerWidth")
        assert overflow <= 0, (role, overflow)
        assert "home" in menu
        # Only Admin reaches Django admin from the menu.
        assert ("admin" in menu) == (role == Role.ADMIN)
        assert page.locator("[data-testid=kelurahan-cards] .card").count() == 6
        screenshot(page, f"home-{role.value}")
        page.click("[data-testid=logout]")
        page.wait_for_url("**/akun/masuk/")
        assert page.locator("input[name=username]").is_visible()


@pytest.mark.django_db(transaction=True)
def test_wrong_password_shows_indonesian_error(page, live_server):
    UserFactory(username="e2e.salah", role=Role.STAF_KECAMATAN)
    login(page, live_server, "e2e.salah", "bukan-sandinya-123")
    assert "Nama pengguna atau kata sandi salah" in page.content()
    screenshot(page, "login-wrong-password")
