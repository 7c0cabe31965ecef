"""Fixtures shared by the whole suite: one user per role, kelurahan, logged-in clients."""

import os

import pytest
from django.test import Client

from accounts.models import Role
from tests.factories.accounts import UserFactory
from tests.factories.core import kelurahan

# Playwright's sync API runs an event loop in the test thread; Django must allow ORM calls there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(autouse=True)
def _fresh_cache():
    """The process-local cache (home-page counts) must not carry figures from one test into the next."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def keramasan(db):
    return kelurahan("Keramasan")


@pytest.fixture
def kemang_agung(db):
    return kelurahan("Kemang Agung")


@pytest.fixture
def user_admin(db):
    return UserFactory(username="uji.admin", role=Role.ADMIN)


@pytest.fixture
def user_kecamatan(db):
    return UserFactory(username="uji.kecamatan", role=Role.STAF_KECAMATAN)


@pytest.fixture
def user_kelurahan(keramasan):
    return UserFactory(username="uji.kelurahan", role=Role.STAF_KELURAHAN, kelurahan=keramasan)


@pytest.fixture
def user_kelurahan_other(kemang_agung):
    """A Staf Kelurahan of another kelurahan: the out-of-scope user of the same role."""
    return UserFactory(username="uji.kelurahan2", role=Role.STAF_KELURAHAN, kelurahan=kemang_agung)


@pytest.fixture
def user_lembaga(db):
    return UserFactory(username="uji.lembaga", role=Role.PETUGAS_LEMBAGA)


@pytest.fixture
def user_pimpinan(db):
    return UserFactory(username="uji.pimpinan", role=Role.PIMPINAN)


def verify_second_factor(client, user) -> None:
    """Admins must pass TOTP; for tests that are not about it, mark the session as verified."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _created = TOTPDevice.objects.get_or_create(user=user, name="uji", defaults={"confirmed": True})
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture
def client_for():
    """client_for(user) -> a test client already signed in as that user."""

    def make(user):
        client = Client()
        client.force_login(user)
        if user.is_admin_role:
            verify_second_factor(client, user)
        return client

    return make
