"""A registry merge moves every other app's rows to the kept member, or refuses as a whole (issue 3)."""

import uuid

import pytest
from django.core.exceptions import ValidationError

from aid_distribution import services as aid_services
from aid_distribution.models import Delivery
from beneficiaries import services
from beneficiaries.models import DuplicateFlag, Member
from grievances.models import Grievance
from programs.models import CohortStatus, Enrollment
from tests.factories.aid_distribution import DistributionRoundFactory, entitled_household, worker_of
from tests.factories.beneficiaries import HouseholdFactory, MemberFactory
from tests.factories.grievances import GrievanceFactory
from tests.factories.programs import CohortFactory
from tests.programs.conftest import enroll


@pytest.fixture
def pair(keramasan):
    household = HouseholdFactory(kelurahan=keramasan)
    keep = MemberFactory(household=household, full_name="Siti Aminah", female=True)
    drop = MemberFactory(household=household, full_name="Siti Aminah ", female=True, relationship=4)
    flag = DuplicateFlag.objects.create(kind=DuplicateFlag.Kind.NAME_BIRTH, member=keep, other=drop, score=0.95)
    return keep, drop, flag


@pytest.mark.django_db
def test_merge_moves_enrollments_deliveries_and_grievances(pair, keramasan, user_kecamatan):
    keep, drop, flag = pair
    enrollment = enroll(CohortFactory(status=CohortStatus.OPEN, capacity=5), drop)
    round_ = DistributionRoundFactory(status="distributing")
    entitlement = entitled_household(round_, kelurahan=keramasan)
    entitlement.household = drop.household  # the delivery goes to the duplicate's own household
    entitlement.save(update_fields=["household"])
    delivery = aid_services.delivery_record(
        actor=worker_of(round_.institution), entitlement=entitlement, client_uuid=uuid.uuid4(), recipient_member=drop
    ).delivery
    grievance = GrievanceFactory(kelurahan=keramasan, member=drop, household=drop.household)

    services.duplicate_transition(actor=user_kecamatan, flag=flag, action=DuplicateFlag.Action.MERGE, keep=keep)

    assert Enrollment.objects.get(pk=enrollment.pk).member == keep
    assert Delivery.objects.get(pk=delivery.pk).recipient_member == keep
    assert Grievance.objects.get(pk=grievance.pk).member == keep
    assert not Member.objects.get(pk=drop.pk).is_active


@pytest.mark.django_db
def test_merge_refused_as_a_whole_when_both_are_in_the_same_cohort(pair, user_kecamatan):
    keep, drop, flag = pair
    cohort = CohortFactory(status=CohortStatus.OPEN, capacity=5)
    enroll(cohort, keep)
    enrollment = enroll(cohort, drop)
    with pytest.raises(ValidationError) as error:
        services.duplicate_transition(actor=user_kecamatan, flag=flag, action=DuplicateFlag.Action.MERGE, keep=keep)
    assert "angkatan atau program yang sama" in str(error.value)
    assert Enrollment.objects.get(pk=enrollment.pk).member == drop
    assert Member.objects.get(pk=drop.pk).is_active
