import datetime

import pytest

from accounts.models import Role
from beneficiaries import choices
from tests.factories.accounts import UserFactory
from tests.factories.beneficiaries import HouseholdFactory, MemberFactory, make_kk, make_nik
from tests.factories.core import RTFactory


@pytest.fixture
def rt_keramasan(keramasan):
    return RTFactory(kelurahan=keramasan, number=1, rw=1)


@pytest.fixture
def rt_kemang(kemang_agung):
    return RTFactory(kelurahan=kemang_agung, number=1, rw=1)


@pytest.fixture
def household_keramasan(rt_keramasan):
    household = HouseholdFactory(kelurahan=rt_keramasan.kelurahan, rt=rt_keramasan)
    MemberFactory(household=household, full_name="Budi Santoso")
    MemberFactory(
        household=household,
        full_name="Siti Aminah",
        female=True,
        relationship=choices.Relationship.WIFE,
        birth_date=datetime.date(1988, 2, 3),
    )
    return household


@pytest.fixture
def household_kemang(rt_kemang):
    household = HouseholdFactory(kelurahan=rt_kemang.kelurahan, rt=rt_kemang)
    MemberFactory(household=household, full_name="Rahmat Hidayat", birth_date=datetime.date(1979, 7, 9))
    return household


@pytest.fixture
def user_kecamatan_scoped(keramasan):
    """A Staf Kecamatan limited to Keramasan: has reveal_nik but not other kelurahan."""
    return UserFactory(username="uji.kecamatan.kr", role=Role.STAF_KECAMATAN, kelurahan_set=[keramasan])


def member_data(
    n=1, *, female=False, birth=datetime.date(1990, 5, 17), relationship=choices.Relationship.HEAD, **extra
):
    data = {
        "nik": make_nik(5000 + n, birth_date=birth, female=female),
        "full_name": f"Anggota Uji {n}",
        "sex": choices.Sex.FEMALE if female else choices.Sex.MALE,
        "birth_place": "Palembang",
        "birth_date": birth,
        "relationship": relationship,
    }
    data.update(extra)
    return data


def household_data(rt, n=1, **extra):
    data = {"kk_number": make_kk(7000 + n), "rt": rt, "address": "Jl. Uji Lr. Coba", "desil": 3}
    data.update(extra)
    return data
