import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from infrastructure import services
from infrastructure.models import ProjectStatus
from tests.e2e.conftest import login, open_menu, screenshot
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.core import kelurahan
from tests.factories.infrastructure import ProjectFactory, photo_upload

# Leaflet animates after the map is drawn (fitBounds zooms, a popup pans the map into view) and redraws the paths
# when the animation ends: a click computed during it can land where the marker no longer is, and the popup never
# opens. The map is at rest when no zoom/pan animation runs and its shapes keep their place for a few frames.
MAP_AT_REST = """(selector) => {
  const map = document.querySelector(selector);
  if (!map) return false;
  const moving = map.querySelector('.leaflet-zoom-anim, .leaflet-pan-anim');
  const shape = [...map.querySelectorAll('path.leaflet-interactive, .leaflet-popup')]
    .map((node) => { const r = node.getBoundingClientRect(); return [r.x, r.y, r.width, r.height].join(); })
    .join('|');
  const seen = window.__mapAtRest;
  if (moving || !seen || seen.shape !== shape) {
    window.__mapAtRest = { shape, frames: 0 };
    return false;
  }
  seen.frames += 1;
  return seen.frames >= 3;
}"""


def wait_map_at_rest(page, selector: str) -> None:
    page.evaluate("() => { window.__mapAtRest = null; }")
    page.wait_for_function(MAP_AT_REST, arg=selector, polling="raf")


@pytest.mark.django_db(transaction=True)
def test_map_without_tiles_and_project_detail(page, phone_page, live_server, settings):
    settings.MAP_TILE_URL = ""
    keramasan = kelurahan("Keramasan")
    bridge = ProjectFactory(
        name="Jembatan Sungai Keramasan",
        kind="jembatan",
        kelurahan_served=[keramasan],
        status=ProjectStatus.KONSTRUKSI,
        latitude=Decimal("-3.031200"),
        longitude=Decimal("104.702800"),
    )
    services.progress_update_create(
        project=bridge,
        actor=None,
        reported_on=dt.date(2025, 4, 1),
        physical_progress=Decimal(45),
        spent_cumulative=250_000_000,
        note="Pondasi selesai.",
        photos=[photo_upload(size=(800, 600), color=(11, 93, 94))],
    )
    ProjectFactory(
        name="Jalan Lorong Pinang",
        kelurahan_served=[kelurahan("Kemang Agung")],
        latitude=None,
        longitude=None,
        route=[[-3.0150, 104.7280], [-3.0165, 104.7330], [-3.0180, 104.7390]],
    )
    UserFactory(username="e2e.infra", role=Role.STAF_KECAMATAN)

    login(page, live_server, "e2e.infra", PASSWORD)
    open_menu(page, "infrastructure")
    page.wait_for_selector("[data-testid=project-table]")
    assert page.locator("[data-testid=project-table] tbody tr").count() == 2
    screenshot(page, "infrastructure-list")
    page.click("[data-testid=map-link]")
    page.wait_for_selector("[data-testid=infra-map][data-ready='1']")
    assert page.locator("[data-testid=no-tiles-note]").is_visible()
    # one marker and one line, drawn as SVG paths on a plain background (no tile images)
    assert page.locator("#infra-map path.leaflet-interactive").count() == 2
    assert page.locator("#infra-map img.leaflet-tile").count() == 0
    screenshot(page, "infrastructure-map-no-tiles")

    wait_map_at_rest(page, "#infra-map")
    page.locator("#infra-map path.leaflet-interactive").first.click()
    popup_link = page.locator(".leaflet-popup-content a")
    expect(popup_link).to_be_visible()
    wait_map_at_rest(page, "#infra-map")
    popup_link.click()
    expect(page.locator("[data-testid=project-name]")).to_be_visible()
    assert page.locator("[data-testid=project-name]").inner_text() == "Jembatan Sungai Keramasan"
    assert page.locator("[data-testid=timeline-item]").count() == 1
    assert page.locator("[data-testid=detail-map][data-ready='1']").count() == 1
    # the photo is served by the permission-checked view and actually loads
    loaded = page.locator("img.photo-thumb").evaluate("img => img.complete && img.naturalWidth > 0")
    assert loaded
    screenshot(page, "infrastructure-project-detail")

    login(phone_page, live_server, "e2e.infra", PASSWORD)
    phone_page.goto(f"{live_server.url}/infrastruktur/{bridge.pk}/")
    phone_page.wait_for_selector("[data-testid=project-name]")
    screenshot(phone_page, "infrastructure-project-detail-phone")
