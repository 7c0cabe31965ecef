"""The offline field app in Chromium on a phone-sized screen, against a real http://127.0.0.1 origin.

Open a round online, go offline, record, reload offline (the service worker opens the app), come back online and
sync; a household delivered by another worker meanwhile; a batch whose answer is lost and that is sent again.
"""

import io
import json
import re
import uuid

import pytest
from django.utils import timezone
from PIL import Image, ImageDraw
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError
from playwright.sync_api import expect

from accounts.models import DeviceToken
from aid_distribution import services
from aid_distribution.models import Delivery, UndeliveredVisit
from tests.e2e.conftest import login, screenshot
from tests.factories.accounts import PASSWORD, UserFactory
from tests.field_app.conftest import make_institution, make_round, make_worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def institution(db):
    return make_institution("LKS Peduli Uji")


@pytest.fixture
def worker(institution):
    return make_worker(institution, "petugas.satu")


@pytest.fixture
def worker_two(institution):
    return make_worker(institution, "petugas.dua")


@pytest.fixture
def aid_round(institution):
    approver = UserFactory(username="uji.penyetuju", role="staf_kecamatan")
    return make_round(institution, name="Sembako Agustus", households=4, approver=approver)


def _camera_photo() -> bytes:
    """A 1600×1200 JPEG, as a phone camera would give (the app must shrink it)."""
    image = Image.new("RGB", (1600, 1200), (40, 120, 80))
    ImageDraw.Draw(image).rectangle([400, 300, 1200, 900], fill=(230, 200, 60))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


PHOTO = _camera_photo()

PHOTO_SIZE = """async () => {
  const db = await new Promise((ok) => { const r = indexedDB.open('kertapati-lapangan'); r.onsuccess = () => ok(r.result); });
  const rows = await new Promise((ok) => { const q = db.transaction('records').objectStore('records').getAll(); q.onsuccess = () => ok(q.result); });
  db.close();
  const row = rows.find((r) => r.photo);
  const bitmap = await createImageBitmap(row.photo);
  return {width: bitmap.width, height: bitmap.height, type: row.photo.type, bytes: row.photo.size};
}"""

READ_RECORDS = """async () => {
  const db = await new Promise((resolve, reject) => {
    const r = indexedDB.open('kertapati-lapangan');
    r.onsuccess = () => resolve(r.result);
    r.onerror = () => reject(r.error);
  });
  const rows = await new Promise((resolve) => {
    const q = db.transaction('records').objectStore('records').getAll();
    q.onsuccess = () => resolve(q.result);
  });
  db.close();
  return rows.map((r) => ({uuid: r.client_uuid, status: r.status, kind: r.payload.kind,
                           entitlement: r.payload.entitlement, problem: r.problem, photo: !!r.photo,
                           photo_status: r.photo_status || null, photo_problem: r.photo_problem || null}));
}"""


def pending(page) -> str:
    return page.inner_text("[data-testid=pending-label]")


def wait_pending(page, n: int) -> None:
    page.wait_for_function(
        "n => document.getElementById('pending-count').textContent === String(n)", arg=n, timeout=20_000
    )


def photos_pending(page) -> str:
    return page.inner_text("[data-testid=photo-pending-count]")


def wait_photos_pending(page, n: int) -> None:
    page.wait_for_function(
        "n => document.getElementById('photo-pending-count').textContent === String(n)", arg=n, timeout=20_000
    )


# wait_for_function does not await a promise: each poll starts an IndexedDB read (unless one is running) and
# judges the last one that finished.
RECORDS_ALL_IN_STATUS = f"""(status) => {{
  if (!window.__readingRecords) {{
    window.__readingRecords = ({READ_RECORDS})().then((rows) => {{
      window.__lastRecords = rows;
      window.__readingRecords = null;
    }});
  }}
  const rows = window.__lastRecords;
  return rows && rows.length && rows.every((r) => r.status === status) ? rows : false;
}}"""


def wait_records(page, status: str, timeout_s: float = 20) -> list[dict]:
    """Waits until every record on the device's queue has `status` (the count alone may already be 0)."""
    page.evaluate("() => { window.__lastRecords = null; }")
    try:
        return page.wait_for_function(
            RECORDS_ALL_IN_STATUS, arg=status, polling=200, timeout=timeout_s * 1000
        ).json_value()
    except PlaywrightTimeoutError:
        raise AssertionError(page.evaluate(READ_RECORDS)) from None


def open_app(page, live_server) -> None:
    page.goto(f"{live_server.url}/lapangan/")
    page.wait_for_selector("body[data-ready='1']")


def sign_in(page, username: str) -> None:
    page.fill("#login-username", username)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("#rounds-list [data-round]")


def wait_service_worker(page) -> None:
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")


def open_round(page, round_) -> None:
    page.click(f"[data-round='{round_.pk}']")
    page.wait_for_function(
        "() => document.getElementById('hh-summary').textContent.includes('dari')"
        " && document.querySelectorAll('[data-testid=household]').length > 0"
    )


def record_delivery(page, entitlement, *, proxy=None, notes="", photo=False) -> None:
    page.click(f"[data-entitlement='{entitlement.pk}']")
    page.wait_for_selector("[data-screen=record]:not([hidden])")
    if proxy:
        page.check("input[name=recipient][value=proxy]")
        page.fill("#proxy-name", proxy[0])
        page.fill("#proxy-relation", proxy[1])
    if notes:
        page.fill("#notes", notes)
    if photo:
        page.set_input_files("#photo-input", files=[{"name": "bukti.jpg", "mimeType": "image/jpeg", "buffer": PHOTO}])
        page.wait_for_selector("#photo-preview:not([hidden])")
    page.click("[data-testid=record-save]")
    page.wait_for_selector("[data-screen=households]:not([hidden])")


def record_not_home(page, entitlement) -> None:
    page.click(f"[data-entitlement='{entitlement.pk}']")
    page.wait_for_selector("[data-screen=record]:not([hidden])")
    page.click("label[for=kind-undelivered]")
    page.select_option("#reason", "not_home")
    page.fill("#notes", "Rumah kosong, kata tetangga sedang ke pasar")
    page.click("[data-testid=record-save]")
    page.wait_for_selector("[data-screen=households]:not([hidden])")


def go_offline(page) -> None:
    page.context.set_offline(True)
    page.wait_for_function("() => !navigator.onLine")
    assert page.inner_text("[data-testid=net-badge]") == "Tanpa koneksi"


def test_offline_deliveries_survive_a_reload_and_sync_once(phone_page, live_server, worker, aid_round):
    page = phone_page
    open_app(page, live_server)
    screenshot(page, "field_01_login")
    wait_service_worker(page)
    sign_in(page, "petugas.satu")
    assert "Sembako Agustus" in page.inner_text("#rounds-list")
    screenshot(page, "field_02_rounds")
    open_round(page, aid_round)
    screenshot(page, "field_03_households")
    entitlements = list(aid_round.entitlements.order_by("pk"))

    go_offline(page)
    record_delivery(page, entitlements[0])
    record_delivery(page, entitlements[1], proxy=("Maimunah", "Tetangga"), notes="KTP dititipkan")
    page.click(f"[data-entitlement='{entitlements[2].pk}']")
    page.wait_for_selector("[data-screen=record]:not([hidden])")
    page.set_input_files("#photo-input", files=[{"name": "bukti.jpg", "mimeType": "image/jpeg", "buffer": PHOTO}])
    page.wait_for_selector("#photo-preview:not([hidden])")
    page.fill("#notes", "Diterima langsung")
    screenshot(page, "field_04_record_form")
    page.click("[data-testid=record-save]")
    page.wait_for_selector("[data-screen=households]:not([hidden])")
    record_not_home(page, entitlements[3])
    assert pending(page) == "Menunggu sinkron: 4"
    assert page.inner_text("[data-testid=photo-pending-label]") == "Foto menunggu: 1"
    photo = page.evaluate(PHOTO_SIZE)
    assert (photo["width"], photo["height"], photo["type"]) == (1024, 768, "image/jpeg")
    assert photo["bytes"] < len(PHOTO)
    assert Delivery.objects.count() == 0

    # Offline reload: the service worker opens the app; the queue is still there.
    page.reload()
    page.wait_for_selector("body[data-ready='1']")
    assert page.evaluate("navigator.onLine") is False
    # ...and not from the network: the service worker itself cannot reach the server either.
    service_worker = page.context.service_workers[0]
    assert service_worker.url.endswith("/lapangan/sw.js")
    reach = "() => fetch('/lapangan/', {cache: 'no-store'}).then(() => 'network', () => 'offline')"
    assert service_worker.evaluate(reach) == "offline"
    assert pending(page) == "Menunggu sinkron: 4"
    assert page.url.endswith(f"#/putaran/{aid_round.pk}")
    page.wait_for_selector("[data-testid=household]")
    page.click("label[for=hh-filter-all]")
    page.fill("[data-testid=hh-search]", "budi")
    assert page.locator("[data-testid=household]").count() == 1
    page.fill("[data-testid=hh-search]", "rt 2")
    assert page.locator("[data-testid=household]").count() == 1
    page.fill("[data-testid=hh-search]", "")
    screenshot(page, "field_05_offline_after_reload")
    page.click("[data-tab=queue]")
    page.wait_for_selector("[data-screen=queue]:not([hidden]) [data-testid=record]")
    screenshot(page, "field_06_queue_offline")

    # Back online: the `online` event sends the queue by itself.
    page.context.set_offline(False)
    wait_pending(page, 0)
    # ...then the photo, to the delivery the server now has; the phone keeps no copy of it.
    wait_photos_pending(page, 0)
    assert page.locator("[data-testid=photo-pending-label]").is_hidden()
    page.wait_for_selector("[data-group=synced] [data-testid=photo-state][data-state=uploaded]")
    screenshot(page, "field_07_queue_synced")
    with_photo = Delivery.objects.get(entitlement=entitlements[2])
    assert with_photo.photo.name == f"aid/deliveries/{with_photo.client_uuid}.jpg"
    with with_photo.photo.open("rb") as handle:
        assert Image.open(handle).size == (1024, 768)
    assert not any(d.photo for d in Delivery.objects.exclude(pk=with_photo.pk))
    uploaded = [r for r in page.evaluate(READ_RECORDS) if r["entitlement"] == entitlements[2].pk]
    assert [(r["photo"], r["photo_status"]) for r in uploaded] == [(False, "uploaded")]
    records = page.evaluate(READ_RECORDS)
    assert sorted(r["status"] for r in records) == ["synced"] * 4
    assert Delivery.objects.count() == 3
    assert UndeliveredVisit.objects.count() == 1
    delivered = {str(d.client_uuid): d for d in Delivery.objects.all()}
    assert {r["uuid"] for r in records if r["kind"] == "delivered"} == set(delivered)
    proxy = Delivery.objects.get(entitlement=entitlements[1])
    assert (proxy.proxy_name, proxy.proxy_relation, proxy.notes) == ("Maimunah", "Tetangga", "KTP dititipkan")
    assert Delivery.objects.get(entitlement=entitlements[0]).recipient_member.relationship == 1
    assert {d.recorded_by.username for d in Delivery.objects.all()} == {"petugas.satu"}

    # Syncing again sends nothing more.
    page.click("[data-testid=sync-btn]")
    page.wait_for_selector("#toast:not([hidden])")
    assert Delivery.objects.count() == 3
    assert Delivery.objects.get(entitlement=entitlements[2]).photo.name == with_photo.photo.name


def test_photo_upload_retried_after_a_server_error_and_a_refused_photo_shown(
    phone_page, live_server, worker, aid_round
):
    page = phone_page
    open_app(page, live_server)
    wait_service_worker(page)
    sign_in(page, "petugas.satu")
    open_round(page, aid_round)
    first, second, *_ = list(aid_round.entitlements.order_by("pk"))

    go_offline(page)
    record_delivery(page, first, photo=True)
    record_delivery(page, second, photo=True)
    assert photos_pending(page) == "2"

    answers = {"first": [503, 201], "second": [400]}
    first_uuid = None

    def photo_route(route):
        which = "first" if first_uuid and first_uuid in route.request.url else "second"
        queue = answers[which]
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if answer == 503:
            route.fulfill(status=503, json={"detail": "sedang sibuk"})
        elif answer == 400:
            route.fulfill(status=400, json={"photo": ["Berkas bukan gambar."]})
        else:
            route.continue_()

    first_uuid = next(r["uuid"] for r in page.evaluate(READ_RECORDS) if r["entitlement"] == first.pk)
    page.route("**/api/v1/aid/deliveries/*/photo/", photo_route)
    page.context.set_offline(False)
    wait_pending(page, 0)
    # The 503 stops the run: both photos still waiting, retried with the backoff.
    page.wait_for_function("() => document.getElementById('sync-note').textContent.includes('dicoba lagi')")
    assert Delivery.objects.count() == 2
    assert not any(d.photo for d in Delivery.objects.all())

    page.click("[data-testid=sync-btn]")
    wait_photos_pending(page, 0)
    assert Delivery.objects.get(entitlement=first).photo
    assert not Delivery.objects.get(entitlement=second).photo
    page.click("[data-tab=queue]")
    refused = page.locator("[data-testid=photo-state][data-state=rejected]")
    refused.wait_for()
    assert refused.inner_text().strip() == "Foto ditolak server: Berkas bukan gambar."
    screenshot(page, "field_16_photo_rejected")
    states = {r["entitlement"]: (r["photo"], r["photo_status"]) for r in page.evaluate(READ_RECORDS)}
    assert states == {first.pk: (False, "uploaded"), second.pk: (True, "rejected")}

    # The worker drops the refused photo from the phone.
    page.click("[data-testid=photo-discard]")
    page.wait_for_function("() => !document.querySelector('[data-testid=photo-state][data-state=rejected]')")
    states = {r["entitlement"]: (r["photo"], r["photo_status"]) for r in page.evaluate(READ_RECORDS)}
    assert states[second.pk] == (False, "rejected")


def test_household_delivered_by_another_worker_shows_who_and_when(
    phone_page, live_server, worker, worker_two, aid_round
):
    page = phone_page
    open_app(page, live_server)
    wait_service_worker(page)
    sign_in(page, "petugas.satu")
    open_round(page, aid_round)
    first, second, *_ = list(aid_round.entitlements.order_by("pk"))

    go_offline(page)
    record_delivery(page, first)
    record_delivery(page, second)
    # Meanwhile a colleague with signal hands over the first household's package.
    head = first.household.members.get(relationship=1)
    services.delivery_record(
        actor=worker_two,
        entitlement=first,
        client_uuid=uuid.uuid4(),
        delivered_at=timezone.now(),
        recipient_member=head,
    )

    page.context.set_offline(False)
    wait_pending(page, 0)
    page.click("[data-tab=queue]")
    problem = page.locator("[data-group=duplicate] [data-testid=problem]")
    problem.wait_for()
    assert re.match(
        # The API gives the colleague's display name (full name, else username).
        rf"Sudah diserahkan oleh {re.escape(worker_two.get_full_name() or worker_two.username)} pada "
        r"\d{1,2} \w+ \d{4} \d{2}\.\d{2} WIB\.",
        problem.inner_text(),
    )
    assert "1 sudah diserahkan petugas lain" in page.inner_text("[data-testid=sync-note]")
    screenshot(page, "field_08_duplicate")
    assert Delivery.objects.count() == 2
    assert Delivery.objects.get(entitlement=first).recorded_by == worker_two
    assert Delivery.objects.get(entitlement=second).recorded_by == worker
    statuses = {r["entitlement"]: r["status"] for r in page.evaluate(READ_RECORDS)}
    assert statuses == {first.pk: "duplicate", second.pk: "synced"}

    # The household list says so too, and the form refuses a second handover.
    page.click("[data-tab=rounds]")
    open_round(page, aid_round)
    page.click("label[for=hh-filter-all]")
    page.click(f"[data-entitlement='{first.pk}']")
    # The record screen is filled asynchronously (IndexedDB reads): wait for the warning before reading it.
    warning = page.locator("#record-warning")
    warning.wait_for(state="visible")
    assert "Sudah diserahkan" in warning.inner_text()
    assert page.locator("#record-form").is_hidden()


def test_batch_cut_off_after_the_server_saved_it_is_resent_without_duplicates(
    phone_page, live_server, worker, aid_round
):
    page = phone_page
    open_app(page, live_server)
    wait_service_worker(page)
    sign_in(page, "petugas.satu")
    open_round(page, aid_round)
    entitlements = list(aid_round.entitlements.order_by("pk"))[:3]

    go_offline(page)
    for entitlement in entitlements:
        record_delivery(page, entitlement)
    uuids_before = sorted(r["uuid"] for r in page.evaluate(READ_RECORDS))

    calls = []

    def cut_first_answer(route):
        calls.append(route.request.post_data_json)
        if len(calls) == 1:
            route.fetch()  # the server records the batch...
            route.abort("connectionreset")  # ...but the phone never hears back
        else:
            route.continue_()

    page.route("**/api/v1/aid/deliveries/batch/", cut_first_answer)
    page.context.set_offline(False)
    page.wait_for_function("() => document.getElementById('sync-note').textContent.includes('dicoba lagi')")
    assert Delivery.objects.count() == 3
    assert pending(page) == "Menunggu sinkron: 3"
    screenshot(page, "field_09_cut_off")

    # The automatic retry (or the button) sends the same records with the same client_uuid.
    page.click("[data-testid=sync-btn]")
    wait_pending(page, 0)
    assert len(calls) >= 2
    assert [i["client_uuid"] for i in calls[0]["items"]] == [i["client_uuid"] for i in calls[-1]["items"]]
    records = page.evaluate(READ_RECORDS)
    assert sorted(r["uuid"] for r in records) == uuids_before
    assert {r["status"] for r in records} == {"synced"}
    assert Delivery.objects.count() == 3
    assert sorted(str(u) for u in Delivery.objects.values_list("client_uuid", flat=True)) == uuids_before


def test_expired_token_keeps_the_queue_and_logout_warns(phone_page, live_server, worker, aid_round):
    page = phone_page
    open_app(page, live_server)
    wait_service_worker(page)
    sign_in(page, "petugas.satu")
    open_round(page, aid_round)
    entitlement = aid_round.entitlements.order_by("pk").first()
    go_offline(page)
    record_delivery(page, entitlement)

    # The token is revoked from "Perangkat saya" (or expires) while the phone is offline.
    DeviceToken.objects.filter(user=worker).update(revoked_at=timezone.now())
    page.context.set_offline(False)
    page.wait_for_selector("[data-testid=auth-banner]:not([hidden])")
    page.wait_for_selector("[data-screen=login]:not([hidden])")
    assert pending(page) == "Menunggu sinkron: 1"
    screenshot(page, "field_10_signin_again")
    assert Delivery.objects.count() == 0

    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    wait_pending(page, 0)
    assert Delivery.objects.count() == 1

    # A second record left unsynced: logging out says it will be lost, and wipes the device.
    go_offline(page)
    page.click(f"[data-round='{aid_round.pk}']")
    second = aid_round.entitlements.order_by("pk")[1]
    page.wait_for_selector(f"[data-entitlement='{second.pk}']")
    record_delivery(page, second)
    page.click("[data-tab=account]")
    page.click("[data-testid=logout-btn]")
    warning = page.locator("[data-testid=logout-warning]")
    warning.wait_for()
    assert warning.inner_text() == "1 catatan belum tersinkron akan hilang."
    screenshot(page, "field_11_logout_warning")
    page.click("#logout-cancel")
    assert pending(page) == "Menunggu sinkron: 1"
    page.click("[data-testid=logout-btn]")
    page.click("[data-testid=logout-confirm]")
    page.wait_for_selector("[data-screen=login]:not([hidden])")
    stored = page.evaluate(
        """async () => {
          const db = await new Promise((ok) => { const r = indexedDB.open('kertapati-lapangan'); r.onsuccess = () => ok(r.result); });
          const count = (s) => new Promise((ok) => { const q = db.transaction(s).objectStore(s).count(); q.onsuccess = () => ok(q.result); });
          const out = {meta: await count('meta'), rounds: await count('rounds'), households: await count('households'), records: await count('records')};
          db.close();
          return out;
        }"""
    )
    assert stored == {"meta": 0, "rounds": 0, "households": 0, "records": 0}


def test_other_roles_are_told_the_app_is_for_institution_workers(phone_page, live_server, user_kecamatan):
    page = phone_page
    open_app(page, live_server)
    page.fill("#login-username", user_kecamatan.username)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("[data-testid=denied]:not([hidden])")
    assert "Staf Kecamatan" in page.inner_text("[data-testid=denied]")
    screenshot(page, "field_12_other_role")
    # The token issued for that attempt is revoked at once.
    assert DeviceToken.objects.get(user=user_kecamatan).revoked_at is not None
    page.click("#denied-retry")
    page.wait_for_selector("[data-screen=login]:not([hidden])")

    # Signed in to the portal with that role, /lapangan/ itself says so.
    login(page, live_server, user_kecamatan.username, PASSWORD)
    response = page.goto(f"{live_server.url}/lapangan/")
    assert response.status == 403
    assert "Aplikasi lapangan khusus Petugas Lembaga" in page.inner_text("[data-testid=field-other-role]")
    screenshot(page, "field_15_other_role_portal")


READ_HOUSEHOLDS = """async () => {
  const db = await new Promise((ok) => { const r = indexedDB.open('kertapati-lapangan'); r.onsuccess = () => ok(r.result); });
  const rows = await new Promise((ok) => { const q = db.transaction('households').objectStore('households').getAll(); q.onsuccess = () => ok(q.result); });
  db.close();
  return rows;
}"""


def test_card_code_search_data_kept_and_a_rejected_record_fixed_and_resent(phone_page, live_server, worker, aid_round):
    page = phone_page
    open_app(page, live_server)
    wait_service_worker(page)
    sign_in(page, "petugas.satu")
    open_round(page, aid_round)
    first = aid_round.entitlements.order_by("pk").select_related("household").first()

    # Only what the round needs is on the phone: masked NIK, no birth dates, no health or disability data.
    stored = page.evaluate(READ_HOUSEHOLDS)
    assert len(stored) == 4
    assert set(stored[0]) == {
        "id", "round_id", "household_id", "head_name", "head_nik_masked", "address", "rt", "rw", "kelurahan",
        "delivered_at", "card_token", "card_code", "members",
    }  # fmt: skip
    assert all(set(m) == {"id", "full_name", "relationship"} for h in stored for m in h["members"])
    niks = set(first.household.members.values_list("nik", flat=True))
    dumped = json.dumps(stored)
    assert not any(nik in dumped for nik in niks)
    assert all("*" in h["head_nik_masked"] for h in stored)

    go_offline(page)
    # The household card's QR holds its card token; without a camera detector the worker types it.
    page.click("[data-testid=scan-btn]")
    page.wait_for_selector("#scanner:not([hidden])")
    page.fill("[data-testid=scanner-code]", "bukan-kode-kartu")
    page.press("[data-testid=scanner-code]", "Enter")
    assert page.inner_text("#scanner-error") == "Kartu ini tidak terdaftar di putaran ini."
    screenshot(page, "field_13_scanner")
    page.fill("[data-testid=scanner-code]", first.household.card_token)
    page.press("[data-testid=scanner-code]", "Enter")
    page.wait_for_selector("[data-screen=record]:not([hidden])")
    assert first.household.members.get(relationship=1).full_name in page.inner_text("[data-testid=record-household]")

    # Recorded as handed to the child, who meanwhile moved out of the household in the registry.
    child = first.household.members.get(relationship=4)
    page.check(f"input[name=recipient][value='{child.pk}']")
    page.click("[data-testid=record-save]")
    page.wait_for_selector("[data-screen=households]:not([hidden])")
    (original,) = page.evaluate(READ_RECORDS)
    child.household = aid_round.entitlements.order_by("pk")[1].household
    child.save()

    page.context.set_offline(False)
    page.click("[data-tab=queue]")
    page.wait_for_selector("[data-group=rejected] [data-testid=problem]")
    assert "Penerima bukan anggota keluarga ini." in page.inner_text("[data-group=rejected]")
    assert "perlu diperbaiki" in page.inner_text("[data-testid=sync-note]")
    screenshot(page, "field_14_rejected")
    assert Delivery.objects.count() == 0

    # Fixed (the head receives) and sent again under the same client_uuid.
    page.click("[data-group=rejected] a:has-text('Perbaiki')")
    page.wait_for_selector("[data-screen=record]:not([hidden])")
    assert "Penerima bukan anggota keluarga ini." in page.inner_text("[data-testid=record-error]")
    head = first.household.members.get(relationship=1)
    page.check(f"input[name=recipient][value='{head.pk}']")
    page.click("[data-testid=record-save]")
    (fixed,) = wait_records(page, "synced")
    assert (fixed["uuid"], fixed["status"]) == (original["uuid"], "synced")
    delivery = Delivery.objects.get()
    assert (str(delivery.client_uuid), delivery.recipient_member_id) == (original["uuid"], head.pk)


ERROR_TEXT = """async (bodies) => {
  const { errorText, problemText } = await import('/static/field_app/js/errors.js');
  return {
    errors: bodies.map((body) => errorText(body)),
    problem: problemText({ code: 'invalid', detail: 'Data tidak valid: periksa kolom yang ditandai.',
                           fields: { recipient_member: ['Penerima wajib diisi.'] } }),
    conflict: problemText({ code: 'already_delivered', detail: 'Sudah diserahkan.', delivered_by: 'Budi',
                            delivered_at: '2025-08-17T07:30:00Z' }),
  };
}"""


def test_error_bodies_are_read_in_the_old_and_the_new_shape(phone_page, live_server):
    """The API's errors are becoming {code, detail, fields} (core/api.py); the app reads both shapes."""
    page = phone_page
    open_app(page, live_server)
    bodies = [
        # the portal's one shape: a sentence, the field messages apart
        {"code": "invalid", "detail": "Data tidak valid: periksa kolom yang ditandai.", "fields": {"photo": ["Berkas bukan gambar."]}},
        {"code": "recipient_not_member", "detail": "Penerima bukan anggota keluarga ini.", "fields": {}},
        {"code": "invalid", "detail": "Tanggal salah.", "fields": {"delivered_at": ["Tanggal salah."]}},
        {"code": "permission_denied", "detail": "Anda tidak berhak."},
        # the shapes before: DRF's field errors at the top, a detail object, a detail sentence
        {"photo": ["Berkas bukan gambar."]},
        {"non_field_errors": ["Putaran ditutup."], "code": "round_closed"},
        {"detail": {"recipient_member": ["Isi recipient_member, atau proxy_name dan proxy_relation."]}},
        {"detail": "Nama pengguna atau kata sandi salah."},
        None,
    ]  # fmt: skip
    result = page.evaluate(ERROR_TEXT, bodies)
    assert result["errors"] == [
        "Berkas bukan gambar.",
        "Penerima bukan anggota keluarga ini.",
        "Tanggal salah.",
        "Anda tidak berhak.",
        "Berkas bukan gambar.",
        "Putaran ditutup.",
        "Isi recipient_member, atau proxy_name dan proxy_relation.",
        "Nama pengguna atau kata sandi salah.",
        "",
    ]
    assert result["problem"] == "Penerima wajib diisi."
    assert result["conflict"] == "Sudah diserahkan oleh Budi pada 17 Agustus 2025 14.30 WIB."


def test_a_record_refused_in_the_new_error_shape_shows_the_field_message(phone_page, live_server, worker, aid_round):
    page = phone_page
    open_app(page, live_server)
    sign_in(page, "petugas.satu")
    open_round(page, aid_round)
    first = aid_round.entitlements.order_by("pk").first()
    go_offline(page)
    record_delivery(page, first)

    def refuse(route):
        items = route.request.post_data_json["items"]
        results = [
            {
                "index": index,
                "client_uuid": item["client_uuid"],
                "status": "rejected",
                "code": "invalid",
                "detail": "Data tidak valid: periksa kolom yang ditandai.",
                "fields": {"recipient_member": ["Penerima sudah tidak aktif."]},
            }
            for index, item in enumerate(items)
        ]
        route.fulfill(status=200, json={"created": 0, "duplicate": 0, "rejected": len(items), "results": results})

    page.route("**/api/v1/aid/deliveries/batch/", refuse)
    page.context.set_offline(False)
    page.click("[data-tab=queue]")
    problem = page.locator("[data-group=rejected] [data-testid=problem]")
    expect(problem).to_have_text("Penerima sudah tidak aktif.")
    (stored,) = page.evaluate(READ_RECORDS)
    assert stored["problem"]["fields"] == {"recipient_member": ["Penerima sudah tidak aktif."]}
    page.click("[data-group=rejected] a:has-text('Perbaiki')")
    expect(page.locator("[data-testid=record-error]")).to_have_text(
        "Ditolak server: Penerima sudah tidak aktif. Perbaiki lalu simpan untuk mengirim ulang."
    )


def test_the_app_speaks_the_language_chosen_in_the_portal(phone_page, live_server, worker, aid_round):
    page = phone_page
    page.goto(f"{live_server.url}/akun/masuk/")
    with page.expect_navigation():
        page.select_option("[data-testid=language]", "en")
    open_app(page, live_server)
    assert page.get_attribute("html", "lang") == "en"
    expect(page.locator("[data-screen=login] h1")).to_have_text("Sign in")
    expect(page.locator("[data-testid=net-badge]")).to_have_text("Online")
    sign_in(page, "petugas.satu")
    expect(page.locator("#rounds-list [data-round]")).to_contain_text("Not downloaded to this device yet")
    page.click(f"[data-round='{aid_round.pk}']")
    expect(page.locator("[data-testid=hh-summary]")).to_have_text("0 of 4 households received · being distributed")
    expect(page.locator("[data-testid=household]").first).to_contain_text("Pending")
    page.context.set_offline(True)
    expect(page.locator("[data-testid=net-badge]")).to_have_text("Offline")
    first = aid_round.entitlements.order_by("pk").first()
    page.click(f"[data-entitlement='{first.pk}']")
    expect(page.locator("#recipient-options")).to_contain_text("Head of family")
    expect(page.locator("#recipient-options")).to_contain_text("Collected by a proxy")
    page.click("[data-testid=record-save]")
    page.wait_for_selector("[data-screen=households]:not([hidden])")
    expect(page.locator("#toast")).to_have_text("Handover saved on this device.")
    expect(page.locator("[data-testid=pending-label]")).to_have_text("Waiting to sync: 1")
    screenshot(page, "field_17_english")
    page.click("[data-tab=account]")
    # The API answers in the app's language too (the role's label comes from the server).
    expect(page.locator("[data-testid=account-info]")).to_contain_text("petugas.satu · Institution officer")
    page.click("[data-testid=logout-btn]")
    expect(page.locator("[data-testid=logout-warning]")).to_have_text("1 unsynced record will be lost.")
    expect(page.locator("#logout-confirm")).to_have_text("Sign out anyway and delete the records")
    expect(page.locator("#logout-cancel")).to_have_text("Cancel")
    screenshot(page, "field_18_english_logout")
