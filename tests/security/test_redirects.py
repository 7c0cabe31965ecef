"""Every view that takes `next` follows only paths of this portal (issue 24 item 1: no open redirect).

The TOTP verification has its own test in tests/accounts; these cover the others: login, logout, the language
switch and the grievance bulk action.
"""

from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from tests.factories.accounts import PASSWORD

EVIL = ["https://evil.example/phish", "//evil.example/phish", "/\\evil.example/phish", "https:evil.example"]


def _is_offsite(location: str) -> bool:
    """As a browser reads it: backslashes count as slashes, and a scheme or a host leaves the portal."""
    parts = urlsplit(location.replace("\\", "/").strip())
    return bool(parts.scheme or parts.netloc)


def test_is_offsite_reads_locations_like_a_browser():
    assert _is_offsite("https://evil.example/x")
    assert _is_offsite("//evil.example/x")
    assert _is_offsite("/\\evil.example/x")
    assert _is_offsite("https:evil.example")
    assert not _is_offsite("/pengaduan//evil.example")
    assert not _is_offsite("/")


@pytest.mark.django_db
@pytest.mark.parametrize("target", EVIL)
def test_login_next_offsite_goes_home_instead(client, user_kelurahan, target):
    response = client.post(
        reverse("accounts:login") + "?next=" + target,
        {"username": user_kelurahan.username, "password": PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert not _is_offsite(response["Location"])


@pytest.mark.django_db
@pytest.mark.parametrize("target", EVIL)
def test_logout_next_offsite_is_not_followed(client_for, user_kelurahan, target):
    response = client_for(user_kelurahan).post(reverse("accounts:logout") + "?next=" + target, {"next": target})
    assert response.status_code in (200, 302)
    assert not _is_offsite(response.get("Location", ""))


@pytest.mark.django_db
@pytest.mark.parametrize("target", EVIL)
def test_language_switch_next_offsite_is_not_followed(client, target):
    response = client.post(reverse("set_language"), {"language": "en", "next": target})
    assert response.status_code in (204, 302)
    assert not _is_offsite(response.get("Location", ""))


@pytest.mark.django_db
@pytest.mark.parametrize("target", [*EVIL, "/pengaduan//evil.example"])
def test_grievance_bulk_next_offsite_goes_back_to_the_list(client_for, user_kecamatan, target):
    response = client_for(user_kecamatan).post(reverse("grievances:grievance_bulk"), {"next": target})
    assert response.status_code == 302
    assert not _is_offsite(response["Location"])
    assert response["Location"].startswith(reverse("grievances:grievance_list"))
