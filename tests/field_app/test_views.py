import json

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import DeviceToken
from accounts.tokens import device_token_issue
from tests.field_app.conftest import make_institution, make_round, make_worker

APP = "/lapangan/"


def test_urls_live_under_lapangan():
    assert reverse("field_app:app") == APP
    assert reverse("field_app:service_worker") == "/lapangan/sw.js"
    assert reverse("field_app:manifest") == "/lapangan/manifest.webmanifest"


@pytest.mark.django_db
def test_app_shell_is_public_and_holds_nothing_secret(client):
    response = client.get(APP)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'rel="manifest" href="/lapangan/manifest.webmanifest"' in html
    assert 'type="module"' in html
    assert "field_app/js/app.js" in html
    assert "<script>" not in html.replace('<script id="fa-config" type="application/json">', "")
    assert ' style="' not in html
    assert "<style" not in html
    assert "csrfmiddlewaretoken" not in html
    assert response["Cache-Control"] == "no-cache"
    config = json.loads(html.split('<script id="fa-config" type="application/json">')[1].split("</script>")[0])
    assert config["urls"]["batch"] == "/api/v1/aid/deliveries/batch/"
    assert config["urls"]["token"] == "/api/v1/auth/token/"
    assert config["relationships"]["1"] == "Kepala Keluarga"
    assert ["not_home", "Tidak di rumah"] in config["reasons"]


@pytest.mark.django_db
def test_app_shell_for_a_signed_in_worker(client_for, user_lembaga):
    response = client_for(user_lembaga).get(APP)
    assert response.status_code == 200
    assert 'data-username="uji.lembaga"' in response.content.decode()
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
@pytest.mark.parametrize("fixture", ["user_admin", "user_kecamatan", "user_kelurahan", "user_pimpinan"])
def test_other_roles_get_a_clear_message(request, client_for, fixture):
    user = request.getfixturevalue(fixture)
    response = client_for(user).get(APP)
    assert response.status_code == 403
    text = response.content.decode()
    assert "Aplikasi lapangan khusus Petugas Lembaga" in text
    assert user.get_role_display() in text
    assert "field_app/js/app.js" not in text


@pytest.mark.django_db
def test_manifest_is_valid_json(client):
    response = client.get("/lapangan/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    manifest = json.loads(response.content)
    assert manifest["start_url"] == APP
    assert manifest["scope"] == APP
    assert manifest["display"] == "standalone"
    assert manifest["lang"] == "id"
    assert manifest["name"]
    assert manifest["short_name"]
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    assert any(icon.get("purpose") == "maskable" for icon in manifest["icons"])
    for icon in manifest["icons"]:
        assert client.get(icon["src"]).status_code == 200


@pytest.mark.django_db
def test_service_worker_is_served_as_javascript_without_caching(client):
    response = client.get("/lapangan/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/javascript; charset=utf-8"
    assert response["Cache-Control"] == "no-cache"
    assert not response.has_header("Service-Worker-Allowed")  # its own folder is its scope
    body = response.content.decode()
    assert "const SHELL_URL = '/lapangan/';" in body
    assets = json.loads(body.split("const ASSETS = ")[1].split(";\n")[0])
    for needed in ("field_app/js/app.js", "field_app/js/sync.js", "vendor/bootstrap/css/bootstrap.min.css"):
        assert any(url.endswith(needed) for url in assets)
    for url in assets:
        assert client.get(url).status_code == 200, url


@pytest.mark.django_db
def test_service_worker_changes_when_the_shell_changes(client, monkeypatch):
    """A new version string makes the browser install the new worker, which fetches the new files."""
    from field_app import views

    first = client.get("/lapangan/sw.js").content
    assert client.get("/lapangan/sw.js").content == first
    monkeypatch.setattr(views, "SHELL_ASSETS", [*views.SHELL_ASSETS[:-1]])
    assert client.get("/lapangan/sw.js").content != first


def _api(user):
    _token, key = device_token_issue(actor=user, name="HP uji")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api, key


@pytest.mark.django_db
def test_me_tells_the_app_who_holds_the_token(worker, institution, user_kecamatan):
    api, _key = _api(worker)
    body = api.get("/lapangan/api/saya/").json()
    assert body["username"] == "petugas.satu"
    assert body["is_field_worker"] is True
    assert body["institutions"] == [institution.name]
    other, _key = _api(user_kecamatan)
    body = other.get("/lapangan/api/saya/").json()
    assert body["is_field_worker"] is False
    assert body["role_label"] == "Staf Kecamatan"


@pytest.mark.django_db
def test_api_needs_a_token():
    api = APIClient()
    assert api.get("/lapangan/api/saya/").status_code in (401, 403)
    assert api.post("/lapangan/api/keluar/").status_code in (401, 403)
    assert api.get("/lapangan/api/putaran/1/kartu/").status_code in (401, 403)


@pytest.mark.django_db
def test_logout_revokes_this_devices_token(worker):
    api, _key = _api(worker)
    assert api.post("/lapangan/api/keluar/").status_code == 204
    assert DeviceToken.objects.get(user=worker).revoked_at is not None
    assert api.get("/lapangan/api/saya/").status_code == 401


@pytest.mark.django_db
def test_card_tokens_only_for_my_institutions_open_rounds(worker, aid_round, approver):
    api, _key = _api(worker)
    body = api.get(f"/lapangan/api/putaran/{aid_round.pk}/kartu/").json()
    expected = {e.pk: e.household.card_token for e in aid_round.entitlements.select_related("household")}
    assert {row["entitlement"]: row["card_token"] for row in body} == expected

    other_institution = make_institution("Yayasan Lain")
    other_round = make_round(other_institution, name="Sembako Lain", households=1, approver=approver)
    assert api.get(f"/lapangan/api/putaran/{other_round.pk}/kartu/").status_code == 404
    outsider = make_worker(other_institution, "petugas.lain")
    outsider_api, _key = _api(outsider)
    assert outsider_api.get(f"/lapangan/api/putaran/{aid_round.pk}/kartu/").status_code == 404


@pytest.mark.django_db
def test_card_tokens_query_count_does_not_grow(worker, institution, approver, django_assert_max_num_queries):
    small = make_round(institution, name="Kecil", households=1, approver=approver)
    big = make_round(institution, name="Besar", households=6, approver=approver)
    api, _key = _api(worker)
    for round_ in (small, big):
        with django_assert_max_num_queries(6):
            assert api.get(f"/lapangan/api/putaran/{round_.pk}/kartu/").status_code == 200


@pytest.mark.django_db
def test_menu_entry_only_for_institution_workers(client_for, user_lembaga, user_kecamatan):
    assert 'data-menu="field_app"' in client_for(user_lembaga).get("/").content.decode()
    assert 'data-menu="field_app"' not in client_for(user_kecamatan).get("/").content.decode()


@pytest.mark.django_db
def test_the_app_follows_the_portals_language_switch(client):
    """The portal's switch (Django's set_language) sets the language of the shell and of the app's sentences."""
    html = client.get(APP).content.decode()
    config = json.loads(html.split('<script id="fa-config" type="application/json">')[1].split("</script>")[0])
    assert '<html lang="id">' in html
    assert ">Masuk</h1>" in html
    assert config["locale"] == "id-ID"
    assert config["strings"]["online"] == "Terhubung"
    assert config["strings"]["logout_records_lost"]["one"] == "%(n)s catatan belum tersinkron akan hilang."

    client.post(reverse("set_language"), {"language": "en", "next": APP})
    html = client.get(APP).content.decode()
    config = json.loads(html.split('<script id="fa-config" type="application/json">')[1].split("</script>")[0])
    assert '<html lang="en">' in html
    assert ">Sign in</h1>" in html
    assert config["locale"] == "en-GB"
    assert config["strings"]["online"] == "Online"
    assert config["strings"]["retry_at"] == "Not sent, trying again at %(time)s"
    assert config["strings"]["logout_records_lost"] == {
        "one": "%(n)s unsynced record will be lost.",
        "other": "%(n)s unsynced records will be lost.",
    }
    assert config["relationships"]["1"] == "Head of family"
    assert client.get("/lapangan/manifest.webmanifest").json()["lang"] == "en"


@pytest.mark.django_db
def test_relationship_labels_come_through_the_aid_api(client):
    """field_app may not import beneficiaries: the labels are those of the aid API's member serializer."""
    from aid_distribution.api import MemberBriefSerializer

    html = client.get(APP).content.decode()
    config = json.loads(html.split('<script id="fa-config" type="application/json">')[1].split("</script>")[0])
    choices = MemberBriefSerializer().fields["relationship"].choices
    assert config["relationships"] == {str(value): str(label) for value, label in choices.items()}
    assert len(config["relationships"]) >= 5
