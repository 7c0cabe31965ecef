from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import DeviceToken
from accounts.tokens import device_token_issue
from tests.factories.accounts import PASSWORD

TOKEN_URL = "/api/v1/auth/token/"
PROTECTED = "/api/schema/"  # any authenticated API endpoint


def api_with(key: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


@pytest.mark.django_db
def test_token_is_issued_hashed_and_works(user_lembaga):
    response = APIClient().post(
        TOKEN_URL, {"username": user_lembaga.username, "password": PASSWORD, "device_name": "HP Dewi"}
    )
    assert response.status_code == 200
    key = response.json()["token"]
    token = DeviceToken.objects.get(user=user_lembaga)
    assert token.name == "HP Dewi"
    assert key not in token.key_hash  # only the hash is stored
    assert api_with(key).get(PROTECTED).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.django_db
def test_wrong_password_gets_no_token(user_lembaga):
    response = APIClient().post(TOKEN_URL, {"username": user_lembaga.username, "password": "salah-sekali-123"})
    assert response.status_code == 400
    assert "salah" in response.json()["detail"]
    assert not DeviceToken.objects.exists()


@pytest.mark.django_db
def test_token_endpoint_is_locked_out_too(user_lembaga):
    client = APIClient()
    for _ in range(5):
        client.post(TOKEN_URL, {"username": user_lembaga.username, "password": "salah-sekali-123"})
    response = client.post(TOKEN_URL, {"username": user_lembaga.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "dikunci" in response.json()["detail"]


@pytest.mark.django_db
def test_expired_revoked_and_deactivated_tokens_are_refused(user_lembaga):
    token, key = device_token_issue(actor=user_lembaga, name="HP")
    DeviceToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api_with(key).get(PROTECTED).status_code == 401

    token, key = device_token_issue(actor=user_lembaga, name="HP 2")
    client = APIClient()
    client.force_login(user_lembaga)
    assert client.post(reverse("accounts:devicetoken_revoke", args=[token.pk])).status_code == 302
    assert api_with(key).get(PROTECTED).status_code == 401

    token, key = device_token_issue(actor=user_lembaga, name="HP 3")
    user_lembaga.is_active = False
    user_lembaga.save(update_fields=["is_active"])
    assert api_with(key).get(PROTECTED).status_code == 401


@pytest.mark.django_db
def test_user_cannot_revoke_someone_elses_token(client_for, user_lembaga, user_kecamatan):
    token, _key = device_token_issue(actor=user_lembaga, name="HP")
    response = client_for(user_kecamatan).post(reverse("accounts:devicetoken_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.django_db
def test_device_page_lists_only_own_tokens(client_for, user_lembaga, user_kecamatan):
    device_token_issue(actor=user_lembaga, name="HP Dewi")
    device_token_issue(actor=user_kecamatan, name="Laptop Sari")
    body = client_for(user_lembaga).get(reverse("accounts:devicetoken_list")).content.decode()
    assert "HP Dewi" in body
    assert "Laptop Sari" not in body


# --- The second factor for tokens (issue 22, B1) -----------------------------------------------------------------


def _code(device) -> str:
    from django_otp.oath import TOTP

    return f"{TOTP(device.bin_key).token():06d}"


def _wrong(device) -> str:
    return "000000" if _code(device) != "000000" else "111111"


@pytest.fixture
def admin_device(user_admin, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code would otherwise delay the next try
    return TOTPDevice.objects.create(user=user_admin, name="HP Admin", confirmed=True)


@pytest.mark.django_db
def test_admin_gets_no_token_with_the_password_alone(user_admin, admin_device):
    response = APIClient().post(TOKEN_URL, {"username": user_admin.username, "password": PASSWORD})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "otp_required"
    assert "verifikasi dua langkah" in body["detail"]
    assert "kode 6 digit" in body["fields"]["otp"][0]
    assert not DeviceToken.objects.exists()


@pytest.mark.django_db
def test_admin_with_a_wrong_code_gets_no_token_and_the_failure_is_audited(user_admin, admin_device):
    from core.models import AuditAction, AuditEvent

    for wrong in (_wrong(admin_device), "12ab56"):
        response = APIClient().post(
            TOKEN_URL, {"username": user_admin.username, "password": PASSWORD, "otp": wrong}, REMOTE_ADDR="10.1.2.3"
        )
        assert response.status_code == 400
        assert response.json()["code"] == "otp_invalid"
        assert "Kode verifikasi salah" in response.json()["fields"]["otp"][0]
    assert not DeviceToken.objects.exists()
    failures = AuditEvent.objects.filter(action=AuditAction.LOGIN_FAILURE, actor=user_admin)
    assert failures.count() == 2
    assert failures.first().detail == {"step": "totp", "channel": "api"}
    assert failures.first().ip_address == "10.1.2.3"


@pytest.mark.django_db
def test_admin_with_the_right_code_gets_a_token_that_works(user_admin, admin_device):
    response = APIClient().post(
        TOKEN_URL, {"username": user_admin.username, "password": PASSWORD, "otp": _code(admin_device)}
    )
    assert response.status_code == 200
    token = DeviceToken.objects.get(user=user_admin)
    assert token.otp_verified
    assert api_with(response.json()["token"]).get(PROTECTED).status_code == 200


@pytest.mark.django_db
def test_wrong_codes_are_throttled_on_the_api_too(user_admin):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.create(user=user_admin, name="HP Admin", confirmed=True)  # default throttle
    client = APIClient()
    client.post(TOKEN_URL, {"username": user_admin.username, "password": PASSWORD, "otp": _wrong(device)})
    response = client.post(TOKEN_URL, {"username": user_admin.username, "password": PASSWORD, "otp": _code(device)})
    assert response.status_code == 400  # right after a failure even the right code waits: no guessing 10^6 codes
    assert not DeviceToken.objects.exists()


@pytest.mark.django_db
def test_admin_without_totp_set_up_is_sent_to_the_portal_first(user_admin):
    response = APIClient().post(TOKEN_URL, {"username": user_admin.username, "password": PASSWORD, "otp": "123456"})
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert "siapkan aplikasi autentikator" in response.json()["detail"]
    assert not DeviceToken.objects.exists()


@pytest.mark.django_db
def test_other_users_with_totp_need_the_code_too(user_kecamatan, settings):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = TOTPDevice.objects.create(user=user_kecamatan, name="HP", confirmed=True)
    client = APIClient()
    assert client.post(TOKEN_URL, {"username": user_kecamatan.username, "password": PASSWORD}).status_code == 400
    response = client.post(TOKEN_URL, {"username": user_kecamatan.username, "password": PASSWORD, "otp": _code(device)})
    assert response.status_code == 200


@pytest.mark.django_db
def test_token_issued_without_the_second_factor_stops_working_once_it_is_required(user_lembaga):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    _token, key = device_token_issue(actor=user_lembaga, name="HP")
    assert api_with(key).get(PROTECTED).status_code == 200
    TOTPDevice.objects.create(user=user_lembaga, name="HP", confirmed=True)
    response = api_with(key).get(PROTECTED)
    assert response.status_code == 401
    assert "tanpa verifikasi dua langkah" in response.content.decode()


@pytest.mark.django_db
def test_token_check_costs_one_query(user_lembaga):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from accounts.tokens import DeviceTokenAuthentication

    _token, key = device_token_issue(actor=user_lembaga, name="HP")
    DeviceTokenAuthentication().authenticate_credentials(key)  # touches last_used_at once
    with CaptureQueriesContext(connection) as queries:
        user, _t = DeviceTokenAuthentication().authenticate_credentials(key)
    assert user == user_lembaga
    assert len(queries) == 1


@pytest.mark.django_db
def test_migration_revokes_tokens_issued_to_admins_without_the_second_factor(user_admin, user_lembaga, user_kecamatan):
    import importlib

    from django.apps import apps
    from django_otp.plugins.otp_totp.models import TOTPDevice

    migration = importlib.import_module("accounts.migrations.0004_devicetoken_otp_verified_revoke_unverified")
    admin_token = DeviceToken.objects.create(
        user=user_admin, name="lama", key_hash="a" * 64, prefix="a", expires_at=timezone.now() + timedelta(days=1)
    )
    TOTPDevice.objects.create(user=user_kecamatan, name="HP", confirmed=True)
    totp_token = DeviceToken.objects.create(
        user=user_kecamatan, name="lama", key_hash="b" * 64, prefix="b", expires_at=timezone.now() + timedelta(days=1)
    )
    field_token, _key = device_token_issue(actor=user_lembaga, name="HP lapangan")
    migration.revoke_tokens_issued_without_second_factor(apps, None)
    for token in (admin_token, totp_token, field_token):
        token.refresh_from_db()
    assert admin_token.revoked_at is not None
    assert totp_token.revoked_at is not None
    assert field_token.revoked_at is None  # the field app's tokens of Petugas Lembaga keep working


@pytest.mark.django_db
def test_lockout_answer_has_the_api_error_shape(user_lembaga):
    client = APIClient()
    for _ in range(5):
        client.post(TOKEN_URL, {"username": user_lembaga.username, "password": "salah-sekali-123"})
    body = client.post(TOKEN_URL, {"username": user_lembaga.username, "password": PASSWORD}).json()
    assert body["code"] == "locked_out"
    assert body["retry_at"]


@pytest.mark.django_db
def test_wrong_password_answers_in_the_one_error_shape(user_lembaga):
    body = APIClient().post(TOKEN_URL, {"username": user_lembaga.username, "password": "salah-sekali-123"}).json()
    assert body["code"] == "invalid_credentials"
    assert body["fields"] == {}


@pytest.mark.django_db
def test_only_the_owner_or_an_admin_revokes_a_token(user_lembaga, user_kecamatan, user_admin):
    from django.core.exceptions import PermissionDenied

    from accounts.tokens import device_token_revoke

    token, _key = device_token_issue(actor=user_lembaga, name="HP")
    with pytest.raises(PermissionDenied):
        device_token_revoke(actor=user_kecamatan, token=token)
    token.refresh_from_db()
    assert token.revoked_at is None
    device_token_revoke(actor=user_admin, token=token)
    token.refresh_from_db()
    assert token.revoked_at is not None
