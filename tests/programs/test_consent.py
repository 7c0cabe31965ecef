"""Issue 22 B3 (programs): a household that withdrew its consent to program participation
(ConsentPurpose.PROGRAM) cannot be enrolled, with a clear Indonesian message, on the page, in the service and
in admin. A household with no consent record may be enrolled: programs rest on the kecamatan's public task
(core.privacy); the registry's demo data and the factories record no consent.

The consent is read through `beneficiaries.selectors.households_lacking_consent`: a household lacks it when it
has a record for the purpose that is withdrawn and no later active one.
"""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from beneficiaries.choices import ConsentPurpose
from beneficiaries.models import Consent
from beneficiaries.selectors import households_lacking_consent
from programs import services
from programs.models import CohortStatus, Enrollment, EnrollmentStatus
from tests.factories.beneficiaries import HouseholdFactory
from tests.factories.programs import CohortFactory
from tests.programs.conftest import enroll, make_women

pytestmark = pytest.mark.django_db

JAN, MAR, JUN = datetime.date(2025, 1, 10), datetime.date(2025, 3, 10), datetime.date(2025, 6, 10)
MESSAGE = "telah menarik persetujuan keikutsertaan program pemberdayaan"


def consent(household, *, on=JAN, withdrawn=None, purpose=ConsentPurpose.PROGRAM):
    return Consent.objects.create(
        household=household,
        consenter_name="Kepala Keluarga",
        purpose=purpose,
        notice_version="2026-11",
        consented_on=on,
        withdrawn_on=withdrawn,
    )


# --- the selector -----------------------------------------------------------------------------------------


def test_households_lacking_consent_reads_the_latest_record_per_household(db):
    never, given, withdrawn, regiven, stale, other_purpose = (HouseholdFactory() for _ in range(6))
    consent(given)
    consent(withdrawn, withdrawn=MAR)
    consent(regiven, withdrawn=MAR)
    consent(regiven, on=JUN)  # given again after the withdrawal
    consent(stale, on=JAN)  # still active, but given before the later withdrawal
    consent(stale, on=MAR, withdrawn=JUN)
    consent(other_purpose, withdrawn=MAR, purpose=ConsentPurpose.SHARING)
    ids = [h.pk for h in (never, given, withdrawn, regiven, stale, other_purpose)]
    assert households_lacking_consent(household_ids=ids, purpose=ConsentPurpose.PROGRAM) == {withdrawn.pk, stale.pk}
    assert households_lacking_consent(household_ids=ids, purpose=ConsentPurpose.SHARING) == {other_purpose.pk}
    assert households_lacking_consent(household_ids=[], purpose=ConsentPurpose.PROGRAM) == set()


def test_households_lacking_consent_is_one_query(django_assert_num_queries, db):
    households = [HouseholdFactory() for _ in range(5)]
    for household in households:
        consent(household, withdrawn=MAR)
    with django_assert_num_queries(1):
        lacking = households_lacking_consent(household_ids=[h.pk for h in households], purpose=ConsentPurpose.PROGRAM)
    assert lacking == {h.pk for h in households}


# --- the gate ---------------------------------------------------------------------------------------------


def test_enrollment_refused_when_the_household_withdrew_program_consent(open_cohort, member_keramasan):
    consent(member_keramasan.household, withdrawn=MAR)
    with pytest.raises(ValidationError) as error:
        enroll(open_cohort, member_keramasan)
    assert error.value.code == "consent_withdrawn"
    assert error.value.messages == [
        "Siti Rahmawati tidak dapat didaftarkan: keluarganya telah menarik persetujuan keikutsertaan program "
        "pemberdayaan. Catat persetujuan baru di halaman keluarga bila keluarga setuju kembali."
    ]
    assert not Enrollment.objects.exists()


def test_enrollment_accepted_without_any_consent_record_or_after_consent_given_again(open_cohort, member_keramasan):
    assert enroll(open_cohort, member_keramasan).status == EnrollmentStatus.ACCEPTED
    other = CohortFactory(status=CohortStatus.OPEN)
    household = HouseholdFactory()
    consent(household, withdrawn=MAR)
    consent(household, on=JUN)
    (woman,) = make_women(1, household=household)
    assert enroll(other, woman).status == EnrollmentStatus.ACCEPTED


def test_withdrawn_sharing_consent_does_not_block_programs(open_cohort, member_keramasan):
    consent(member_keramasan.household, withdrawn=MAR, purpose=ConsentPurpose.SHARING)
    assert enroll(open_cohort, member_keramasan).status == EnrollmentStatus.ACCEPTED


def test_application_cannot_be_accepted_after_the_household_withdrew(open_cohort, member_keramasan):
    applied = enroll(open_cohort, member_keramasan, accept=False)
    consent(member_keramasan.household, withdrawn=MAR)
    with pytest.raises(ValidationError, match=MESSAGE):
        services.enrollment_transition(actor=None, enrollment=applied, action="accept")
    assert Enrollment.objects.get(pk=applied.pk).status == EnrollmentStatus.APPLIED
    # Rejecting the application stays possible.
    services.enrollment_transition(actor=None, enrollment=applied, action="reject")
    assert Enrollment.objects.get(pk=applied.pk).status == EnrollmentStatus.CANCELLED


def test_enroll_page_says_why(client_for, user_kecamatan, open_cohort, member_keramasan):
    consent(member_keramasan.household, withdrawn=MAR)
    response = client_for(user_kecamatan).post(
        reverse("programs:enrollment_create", args=[open_cohort.pk]), {"member": [member_keramasan.pk]}, follow=True
    )
    assert f"Siti Rahmawati tidak dapat didaftarkan: keluarganya {MESSAGE}" in response.content.decode()
    assert not Enrollment.objects.exists()


def test_admin_enrollment_add_says_why(client_for, user_admin, open_cohort, member_keramasan):
    consent(member_keramasan.household, withdrawn=MAR)
    response = client_for(user_admin).post(
        reverse("admin:programs_enrollment_add"), {"cohort": open_cohort.pk, "member": member_keramasan.pk}
    )
    assert response.status_code == 200
    assert MESSAGE in response.content.decode()
    assert not Enrollment.objects.exists()
