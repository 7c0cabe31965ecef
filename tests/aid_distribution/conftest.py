import pytest

from aid_distribution.models import RoundStatus
from tests.factories.aid_distribution import (
    DistributionRoundFactory,
    InstitutionFactory,
    entitled_household,
    worker_of,
)


@pytest.fixture
def institution_a(db):
    return InstitutionFactory(name="LKS Alpha")


@pytest.fixture
def institution_b(db):
    return InstitutionFactory(name="Yayasan Beta")


@pytest.fixture
def worker_a(institution_a):
    return worker_of(institution_a, username="petugas.a")


@pytest.fixture
def worker_b(institution_b):
    return worker_of(institution_b, username="petugas.b")


@pytest.fixture
def round_a(institution_a):
    """A round of institution A being distributed, with three entitled households."""
    round_ = DistributionRoundFactory(institution=institution_a, status=RoundStatus.DISTRIBUTING, name="Sembako A")
    for _ in range(3):
        entitled_household(round_)
    return round_


@pytest.fixture
def round_b(institution_b):
    round_ = DistributionRoundFactory(institution=institution_b, status=RoundStatus.DISTRIBUTING, name="Sembako B")
    for _ in range(2):
        entitled_household(round_)
    return round_
