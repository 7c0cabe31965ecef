import pytest
from django.urls import reverse

from core.navigation import menu_for

pytestmark = pytest.mark.django_db


def test_menu_entries_per_role(user_kecamatan, user_kelurahan, user_pimpinan, user_lembaga):
    keys = {
        user: {item.key for item in menu_for(user)}
        for user in (user_kecamatan, user_kelurahan, user_pimpinan, user_lembaga)
    }
    assert "programs" in keys[user_kecamatan]
    assert "programs_dashboard" not in keys[user_kecamatan]
    assert "programs" in keys[user_kelurahan]
    assert keys[user_pimpinan] & {"programs", "programs_dashboard"} == {"programs_dashboard"}
    assert not keys[user_lembaga] & {"programs", "programs_dashboard"}


def test_home_page_shows_active_participants_to_staff_only(client_for, user_kecamatan, user_lembaga):
    assert "Peserta program aktif" in client_for(user_kecamatan).get(reverse("core:home")).content.decode()
    assert "Peserta program aktif" not in client_for(user_lembaga).get(reverse("core:home")).content.decode()
