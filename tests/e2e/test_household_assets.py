"""Browser flow of B8 on a phone: open the folded "Aset dan lokasi" section, count assets, take the GPS from the
phone's location, save."""

import decimal

import pytest

from accounts.models import Role
from tests.e2e.conftest import login, screenshot
from tests.factories.accounts import PASSWORD, UserFactory
from tests.factories.beneficiaries import HouseholdFactory, MemberFactory
from tests.factories.core import RTFactory, kelurahan


@pytest.mark.django_db(transaction=True)
def test_assets_and_location_on_a_phone(phone_page, live_server):
    keramasan = kelurahan("Keramasan")
    rt = RTFactory(kelurahan=keramasan, number=3, rw=1)
    household = HouseholdFactory(kelurahan=keramasan, rt=rt)
    MemberFactory(household=household, full_name="Hendra Saputra")
    user = UserFactory(username="e2e.aset.hp", role=Role.STAF_KELURAHAN, kelurahan=keramasan)
    phone_page.context.grant_permissions(["geolocation"])
    phone_page.context.set_geolocation({"latitude": -2.99341234, "longitude": 104.74319876})
    login(phone_page, live_server, user.username, PASSWORD)

    phone_page.goto(f"{live_server.url}/registri/keluarga/{household.pk}/ubah/")
    motorbike = phone_page.locator("#id_asset_motorbike")
    assert not motorbike.is_visible()  # folded until asked for
    phone_page.click("[data-testid=assets-toggle]")
    motorbike.wait_for(state="visible")
    motorbike.fill("2")
    phone_page.fill("#id_asset_smartphone", "3")
    phone_page.click("[data-testid=use-my-location]")
    phone_page.wait_for_function("document.getElementById('id_latitude').value !== ''")
    assert phone_page.input_value("#id_latitude") == "-2.993412"
    assert phone_page.input_value("#id_longitude") == "104.743199"
    screenshot(phone_page, "registry-assets-phone")
    phone_page.click("[data-testid=save-household]")
    phone_page.wait_for_url(f"**/registri/keluarga/{household.pk}/")

    household.refresh_from_db()
    assert (household.asset_motorbike, household.asset_smartphone) == (2, 3)
    assert (household.latitude, household.longitude) == (decimal.Decimal("-2.993412"), decimal.Decimal("104.743199"))
