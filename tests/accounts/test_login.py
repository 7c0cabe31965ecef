import time
from unittest import mock

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import MD5PasswordHasher
from django.urls import reverse

from accounts.middleware import LAST_SEEN_KEY, LOGIN_AT_KEY
from tests.factories.accounts import PASSWORD

WRONG = "Nama pengguna atau kata sandi salah"


def login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


@pytest.mark.django_db
def test_login_page_is_indonesian(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    assert "Masuk ke portal" in response.content.decode()
    assert "Kata sandi" in response.content.decode()


@pytest.mark.django_db
def test_wrong_password_and_unknown_user_get_the_same_message(client, user_kecamatan):
    wrong_password = login(client, user_kecamatan.username, "salah-sekali-123").content.decode()
    unknown_user = login(client, "tidak.ada", "salah-sekali-123").content.decode()
    assert WRONG in wrong_password
    assert WRONG in unknown_user


@pytest.mark.django_db
def test_successful_login_rotates_session_key(client, user_kecamatan):
    client.get(reverse("accounts:login"))
    client.session.save()
    before = client.session.session_key
    response = login(client, user_kecamatan.username, PASSWORD)
    assert response.status_code == 302
    assert client.session.session_key != before
    assert LOGIN_AT_KEY in client.session


@pytest.mark.django_db
def test_sixth_attempt_is_refused_without_running_the_hasher(client, user_kecamatan):
    for _ in range(4):
        assert WRONG in login(client, user_kecamatan.username, "salah-sekali-123").content.decode()
    fifth = login(client, user_kecamatan.username, "salah-sekali-123")  # the 5th failure locks the account
    assert fifth.status_code == 429
    with mock.patch.object(MD5PasswordHasher, "verify", autospec=True) as verify:
        sixth = login(client, user_kecamatan.username, PASSWORD)  # even the right password is refused now
    assert verify.call_count == 0
    assert sixth.status_code == 429
    body = sixth.content.decode()
    assert "dikunci sementara" in body
    assert "Coba lagi setelah pukul" in body
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_lockout_expires_by_itself(client, user_kecamatan, settings):
    for _ in range(5):
        login(client, user_kecamatan.username, "salah-sekali-123")
    assert login(client, user_kecamatan.username, PASSWORD).status_code == 429
    # Sixteen minutes later the failures are outside the cool-off window.
    AccessAttempt.objects.update(
        attempt_time=AccessAttempt.objects.get().attempt_time - settings.AXES_COOLOFF_TIME * 1.1
    )
    assert login(client, user_kecamatan.username, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_lockout_is_per_account(client, user_kecamatan, user_pimpinan):
    for _ in range(5):
        login(client, user_kecamatan.username, "salah-sekali-123")
    assert login(client, user_pimpinan.username, PASSWORD).status_code == 302


@pytest.mark.django_db
def test_idle_session_expires_after_30_minutes(client, user_kecamatan):
    login(client, user_kecamatan.username, PASSWORD)
    session = client.session
    session[LAST_SEEN_KEY] = int(time.time()) - 31 * 60
    session.save()
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_session_ends_12_hours_after_login_even_when_active(client, user_kecamatan):
    login(client, user_kecamatan.username, PASSWORD)
    session = client.session
    session[LOGIN_AT_KEY] = int(time.time()) - 12 * 3600 - 5
    session[LAST_SEEN_KEY] = int(time.time())
    session.save()
    assert client.get(reverse("core:home")).status_code == 302


@pytest.mark.django_db
def test_logout_is_post_only_and_ends_the_session(client, user_kecamatan):
    login(client, user_kecamatan.username, PASSWORD)
    assert client.get(reverse("accounts:logout")).status_code == 405
    key = client.session.session_key
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=key).exists()


@pytest.mark.django_db
def test_deactivated_user_loses_access(client, user_kecamatan):
    login(client, user_kecamatan.username, PASSWORD)
    user_kecamatan.is_active = False
    user_kecamatan.save(update_fields=["is_active"])
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
