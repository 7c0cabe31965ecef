import pytest

from accounts.models import Role
from tests.factories.accounts import UserFactory
from tests.factories.beneficiaries import HouseholdFactory, MemberFactory


@pytest.fixture
def household(keramasan):
    return HouseholdFactory(kelurahan=keramasan, address="Jl. Lama No. 5")


@pytest.fixture
def member(household):
    return MemberFactory(household=household, full_name="Ahmad Fauzi")


@pytest.fixture
def household_other(kemang_agung):
    return HouseholdFactory(kelurahan=kemang_agung)


@pytest.fixture
def user_kecamatan2(db):
    """A second approver, so that maker and checker can both be Staf Kecamatan."""
    return UserFactory(username="uji.kecamatan2", role=Role.STAF_KECAMATAN)
