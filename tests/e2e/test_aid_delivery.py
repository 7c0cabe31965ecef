"""A field worker on a phone: opens a round, hands packages to two households, and is told when a colleague's
earlier handover makes a second one impossible ("sudah diserahkan")."""

import pytest

from aid_distribution.models import Delivery, RoundStatus
from tests.e2e.conftest import login, screenshot
from tests.factories.accounts import PASSWORD
from tests.factories.aid_distribution import DistributionRoundFactory, InstitutionFactory, entitled_household, worker_of


@pytest.mark.django_db(transaction=True)
def test_worker_delivers_on_phone_and_sees_already_delivered(phone_page, browser, live_server):
    institution = InstitutionFactory(name="LKS Peduli Kertapati")
    worker = worker_of(institution, username="e2e.petugas")
    colleague = worker_of(institution, username="e2e.petugas2")
    round_ = DistributionRoundFactory(institution=institution, status=RoundStatus.DISTRIBUTING, name="Sembako November")
    first, second, _third = (entitled_household(round_) for _ in range(3))
    page = phone_page

    login(page, live_server, worker.username, PASSWORD)
    page.goto(f"{live_server.url}/bantuan/")
    page.click(f"[data-round='{round_.pk}']")
    page.click("[data-testid=open-deliveries]")
    page.wait_for_selector("[data-testid=entitlement-list]")
    assert page.locator("[data-testid=deliver]").count() == 3
    screenshot(page, "aid-worker-list")

    # A colleague opens the first household's form on another phone before our worker hands over.
    other = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, locale="id-ID")
    other_page = other.new_page()
    login(other_page, live_server, colleague.username, PASSWORD)
    other_page.goto(f"{live_server.url}/bantuan/putaran/{round_.pk}/penerima/{first.pk}/serahkan/")

    for entitlement in (first, second):
        page.click(f"[data-entitlement='{entitlement.pk}'] [data-testid=deliver]")
        page.wait_for_selector("[data-testid=delivery-form]")
        page.check("input[name=recipient_member]:not([value='-1'])")
        if entitlement is first:
            screenshot(page, "aid-delivery-form")
        page.click("[data-testid=submit-delivery]")
        page.wait_for_selector("[data-testid=entitlement-list]")
        assert "Penyerahan tercatat" in page.content()
    assert page.locator("[data-testid=delivered-badge]").count() == 2
    screenshot(page, "aid-worker-after-two")

    # The colleague's form was opened before: submitting it now is refused, saying who delivered and when.
    other_page.check("input[name=recipient_member][value='-1']")
    other_page.fill("input[name=proxy_name]", "Pak RT")
    other_page.fill("input[name=proxy_relation]", "ketua RT")
    other_page.click("[data-testid=submit-delivery]")
    other_page.wait_for_selector("[data-testid=conflict]")
    text = other_page.locator("[data-testid=conflict]").inner_text()
    assert "sudah diserahkan oleh" in text
    assert str(worker) in text
    assert "Pak RT" not in other_page.content()  # the refused handover is not shown as if it happened
    screenshot(other_page, "aid-already-delivered")
    other.close()

    # Our worker tries the first household again: the page says it is already delivered, with no form.
    page.goto(f"{live_server.url}/bantuan/putaran/{round_.pk}/penerima/{first.pk}/serahkan/")
    assert "sudah diserahkan oleh" in page.locator("[data-testid=already-delivered]").inner_text()
    assert page.locator("[data-testid=delivery-form]").count() == 0
    screenshot(page, "aid-first-again")
    assert Delivery.objects.count() == 2
