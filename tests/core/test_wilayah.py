import pytest
from django.db import IntegrityError

from core import reference
from core.models import RT, Kelurahan


@pytest.mark.django_db
def test_kelurahan_six_with_both_code_systems():
    rows = list(Kelurahan.objects.values_list("name", "kemendagri_code", "bps_code", "postal_code"))
    assert rows == [
        ("Kemas Rindo", "16.71.13.1001", "1671021004", "30258"),
        ("Kemang Agung", "16.71.13.1002", "1671021003", "30258"),
        ("Keramasan", "16.71.13.1003", "1671021002", "30259"),
        ("Kertapati", "16.71.13.1004", "1671021006", "30258"),
        ("Karya Jaya", "16.71.13.1005", "1671021001", "30259"),
        ("Ogan Baru", "16.71.13.1006", "1671021005", "30258"),
    ]


@pytest.mark.django_db
def test_rt_unique_per_kelurahan(keramasan, kemang_agung):
    RT.objects.create(kelurahan=keramasan, number=34, rw=2)
    RT.objects.create(kelurahan=kemang_agung, number=34, rw=9)  # same number elsewhere is fine
    with pytest.raises(IntegrityError):
        RT.objects.create(kelurahan=keramasan, number=34, rw=3)


@pytest.mark.django_db
def test_rt_number_range_is_checked_by_database(keramasan):
    with pytest.raises(IntegrityError):
        RT.objects.create(kelurahan=keramasan, number=0, rw=1)


def test_reference_codes_are_shipped_in_project():
    assert "16" in reference.province_codes()
    assert "10" not in reference.province_codes()
    assert reference.palembang_kecamatan()["167113"] == "Kertapati"
    assert len(reference.palembang_kecamatan()) == 18
    assert str(reference.DATA_DIR).startswith(str(reference.DATA_DIR.parent))
    assert "shared" not in reference.DATA_DIR.parts
