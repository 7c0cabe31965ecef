"""Browser-test harness: Playwright's sync API driving Debian's Chromium against pytest-django's live server.

Chromium comes from `apt-get install chromium` (never `playwright install`). Without it these tests are
skipped on a developer machine, and fail in CI, where REQUIRE_BROWSER=1.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parent.parent.parent / "test-artifacts" / "screenshots"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "tests/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium tidak ditemukan di {CHROMIUM} (apt-get install chromium).")
        pytest.skip(f"Chromium tidak ditemukan di {CHROMIUM}")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 860}, locale="id-ID", timezone_id="Asia/Jakarta")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def phone_page(browser):
    """A cheap Android phone's viewport, for the field workers' pages."""
    context = browser.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="id-ID",
        timezone_id="Asia/Jakarta",
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def login(page, live_server, username: str, password: str) -> None:
    """Signs in; for an Admin it also pairs and passes the TOTP second factor like a person would."""
    page.goto(f"{live_server.url}/akun/masuk/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main form [type=submit]")
    page.wait_for_load_state("networkidle")
    if "/akun/2fa/" in page.url:
        pass_second_factor(page, username)


def pass_second_factor(page, username: str) -> None:
    from django_otp.oath import TOTP
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user__username=username).order_by("-confirmed", "-id").first()
    page.fill("input[name=token]", f"{TOTP(device.bin_key).token():06d}")
    page.click("main form [type=submit]")
    page.wait_for_load_state("networkidle")


def open_menu(page, key: str) -> None:
    """Clicks a menu entry by its key, opening its dropdown group first when it sits in one."""
    item = page.locator(f"[data-testid=main-menu] [data-menu={key}]")
    if not item.is_visible():
        toggler = page.locator(".navbar-toggler")
        if toggler.is_visible():
            toggler.click()
        group = page.locator(f"[data-testid=main-menu] li.dropdown:has([data-menu={key}]) > [data-menu-group]")
        if group.count():
            group.click()
    item.click()
