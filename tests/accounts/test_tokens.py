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
    token, key = device_token_issue(user=user_lembaga, name="HP")
    DeviceToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert api_with(key).get(PROTECTED).status_code == 401

    token, key = device_token_issue(user=user_lembaga, name="HP 2")
    client = APIClient()
    client.force_login(user_lembaga)
    assert client.post(reverse("accounts:devicetoken_revoke", args=[token.pk])).status_code == 302
    assert api_with(key).get(PROTECTED).status_code == 401

    token, key = device_token_issue(user=user_lembaga, name="HP 3")
    user_lembaga.is_active = False
    user_lembaga.save(update_fields=["is_active"])
    assert api_with(key).get(PROTECTED).status_code == 401


@pytest.mark.django_db
def test_user_cannot_revoke_someone_elses_token(client_for, user_lembaga, user_kecamatan):
    token, _key = device_token_issue(user=user_lembaga, name="HP")
    response = client_for(user_kecamatan).post(reverse("accounts:devicetoken_revoke", args=[token.pk]))
    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.django_db
def test_device_page_lists_only_own_tokens(client_for, user_lembaga, user_kecamatan):
    device_token_issue(user=user_lembaga, name="HP Dewi")
    device_token_issue(user=user_kecamatan, name="Laptop Sari")
    body = client_for(user_lembaga).get(reverse("accounts:devicetoken_list")).content.decode()
    assert "HP Dewi" in body
    assert "Laptop Sari" not in body
