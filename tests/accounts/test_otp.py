import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories.accounts import PASSWORD


def code(device) -> str:
    return f"{TOTP(device.bin_key).token():06d}"


def signed_in(user) -> Client:
    client = Client()
    assert client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD}).status_code == 302
    return client


@pytest.mark.django_db
def test_admin_must_set_up_totp_before_anything_else(user_admin, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code would otherwise delay the next try by a second
    client = signed_in(user_admin)
    for url in (reverse("core:home"), reverse("admin:index")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"] == reverse("accounts:otp_setup")
    page = client.get(reverse("accounts:otp_setup"))
    assert page.status_code == 200
    assert "Aktifkan verifikasi dua langkah" in page.content.decode()
    assert client.get(reverse("accounts:otp_qr"))["Content-Type"] == "image/png"
    device = TOTPDevice.objects.get(user=user_admin, confirmed=False)
    wrong = client.post(reverse("accounts:otp_setup"), {"token": "000000" if code(device) != "000000" else "111111"})
    assert wrong.status_code == 400
    assert "Kode salah" in wrong.content.decode()
    assert client.post(reverse("accounts:otp_setup"), {"token": code(device)}).status_code == 302
    assert client.get(reverse("core:home")).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 200


@pytest.mark.django_db
def test_admin_with_device_must_verify_each_login(user_admin, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = TOTPDevice.objects.create(user=user_admin, name="HP", confirmed=True)
    client = signed_in(user_admin)
    assert client.get(reverse("core:home"))["Location"] == reverse("accounts:otp_verify")
    response = client.post(reverse("accounts:otp_verify"), {"token": "abc123"})
    assert response.status_code == 400
    assert "hanya berisi angka" in response.content.decode()
    assert client.post(reverse("accounts:otp_verify"), {"token": code(device)}).status_code == 302
    assert client.get(reverse("core:home")).status_code == 200


@pytest.mark.django_db
def test_other_roles_do_not_need_totp_unless_enabled(user_kecamatan):
    client = signed_in(user_kecamatan)
    assert client.get(reverse("core:home")).status_code == 200
    TOTPDevice.objects.create(user=user_kecamatan, name="HP", confirmed=True)
    client = signed_in(user_kecamatan)
    assert client.get(reverse("core:home"))["Location"] == reverse("accounts:otp_verify")


@pytest.mark.django_db
def test_wrong_codes_are_throttled(user_admin):
    device = TOTPDevice.objects.create(user=user_admin, name="HP", confirmed=True)
    client = signed_in(user_admin)
    client.post(reverse("accounts:otp_verify"), {"token": "000001"})
    # Right after a failure even the right code is refused: guessing 10^6 codes is impractical.
    assert client.post(reverse("accounts:otp_verify"), {"token": code(device)}).status_code == 400


@pytest.mark.django_db
def test_verify_page_never_redirects_to_another_site(user_admin, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    device = TOTPDevice.objects.create(user=user_admin, name="HP", confirmed=True)
    client = signed_in(user_admin)
    url = reverse("accounts:otp_verify")
    response = client.post(f"{url}?next=https://penipu.example/masuk", {"token": code(device)})
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1)  # the same code may not be used twice otherwise
    client = signed_in(user_admin)
    response = client.post(f"{url}?next=/registri/", {"token": code(device)})
    assert response["Location"] == "/registri/"
