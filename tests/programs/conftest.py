import datetime

import pytest
from django.utils import timezone

from beneficiaries import choices
from programs import services
from programs.models import CohortStatus
from tests.factories.beneficiaries import HouseholdFactory, MemberFactory
from tests.factories.programs import CohortFactory, SessionFactory


@pytest.fixture
def household_keramasan(keramasan):
    return HouseholdFactory(kelurahan=keramasan, desil=2)


@pytest.fixture
def household_kemang(kemang_agung):
    return HouseholdFactory(kelurahan=kemang_agung, desil=3)


@pytest.fixture
def member_keramasan(household_keramasan):
    return MemberFactory(household=household_keramasan, female=True, full_name="Siti Rahmawati")


@pytest.fixture
def member_kemang(household_kemang):
    return MemberFactory(household=household_kemang, female=True, full_name="Dewi Lestari")


@pytest.fixture
def open_cohort(db):
    return CohortFactory(status=CohortStatus.OPEN, capacity=2)


@pytest.fixture
def running_cohort(db):
    """A running cohort with two sessions already held and one in the future, and three enrolled women."""
    cohort = CohortFactory(status=CohortStatus.OPEN, capacity=5)
    SessionFactory(cohort=cohort, held_on=cohort.starts_on, topic="Mengenal mesin jahit")
    SessionFactory(cohort=cohort, held_on=cohort.starts_on + datetime.timedelta(days=2), topic="Pola dasar")
    SessionFactory(cohort=cohort, held_on=timezone.localdate() + datetime.timedelta(days=5), topic="Menjahit blus")
    return cohort


def enroll(cohort, member, *, actor=None, **kwargs):
    return services.enrollment_create(actor=actor, cohort=cohort, member=member, **kwargs)


def make_women(n, household=None, **kwargs):
    return [
        MemberFactory(
            household=household or HouseholdFactory(), female=True, relationship=choices.Relationship.WIFE, **kwargs
        )
        for _ in range(n)
    ]
