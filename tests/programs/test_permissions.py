"""Every programs service checks its actor itself (docs/conventions.md): permission, then kelurahan scope.

Before issue 22 `program_save`, `cohort_save`, `session_save`, `enrollment_decide/drop/complete`,
`cohort_complete_all`, `enterprise_save` and `sale_record` took no actor at all, and `attendance_record` /
`outcome_record` an optional one they never checked: any caller could write. The refusal is PermissionDenied
with an Indonesian message (the page answers 403).
"""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from programs import services
from programs.models import (
    Cohort,
    CohortStatus,
    Enrollment,
    EnrollmentStatus,
    GroupEnterprise,
    GroupMembership,
    GroupSale,
    Program,
)
from tests.factories.beneficiaries import HouseholdFactory, MemberFactory
from tests.factories.programs import ProgramFactory
from tests.programs.conftest import enroll, make_women

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _graduate(cohort, member):
    enrollment = enroll(cohort, member)
    services.cohort_transition(actor=None, cohort=cohort, action="start")
    for session in cohort.sessions.filter(held_on__lte=TODAY):
        services.attendance_record(actor=None, session=session, present_ids=[enrollment.pk])
    return services.enrollment_transition(actor=None, enrollment=enrollment, action="complete")


@pytest.fixture
def enterprise(keramasan):
    return GroupEnterprise.objects.create(
        name="Kelompok Jahit", kelurahan=keramasan, business_kind="jahit", founded_on=datetime.date(2025, 1, 1)
    )


#: service -> (role fixture without the permission, call(world) -> the write)
CALLS = {
    "program_create": (
        "user_kelurahan",
        lambda w, actor: services.program_create(
            actor=actor, data={"name": "Pelatihan Sablon", "kind": "pelatihan", "funding_source": "apbd"}
        ),
    ),
    "program_update": (
        "user_kelurahan",
        lambda w, actor: services.program_update(actor=actor, program=w["cohort"].program, data={"budget": 1}),
    ),
    "cohort_create": (
        "user_kelurahan",
        lambda w, actor: services.cohort_create(
            actor=actor,
            program=w["cohort"].program,
            data={"number": 99, "starts_on": TODAY, "ends_on": TODAY, "venue": "Aula", "capacity": 5},
        ),
    ),
    "cohort_update": (
        "user_kelurahan",
        lambda w, actor: services.cohort_update(actor=actor, cohort=w["cohort"], data={"capacity": 9}),
    ),
    "cohort_transition": (
        "user_kelurahan",
        lambda w, actor: services.cohort_transition(actor=actor, cohort=w["cohort"], action="start"),
    ),
    "session_create": (
        "user_kelurahan",
        lambda w, actor: services.session_create(
            actor=actor, cohort=w["cohort"], data={"held_on": w["cohort"].starts_on, "topic": "X"}
        ),
    ),
    "enrollment_create": (
        "user_lembaga",
        lambda w, actor: services.enrollment_create(actor=actor, cohort=w["cohort"], member=w["member"]),
    ),
    "enrollment_transition": (
        "user_lembaga",
        lambda w, actor: services.enrollment_transition(
            actor=actor, enrollment=w["enrollment"], action="drop", reason="Pindah"
        ),
    ),
    "cohort_complete_all": (
        "user_kelurahan",
        lambda w, actor: services.cohort_complete_all(actor=actor, cohort=w["cohort"]),
    ),
    "attendance_record": (
        "user_lembaga",
        lambda w, actor: services.attendance_record(
            actor=actor, session=w["cohort"].sessions.first(), present_ids=[w["enrollment"].pk]
        ),
    ),
    "enterprise_create": (
        "user_kelurahan",
        lambda w, actor: services.enterprise_create(
            actor=actor,
            data={
                "name": "Kelompok Baru",
                "kelurahan": w["enterprise"].kelurahan,
                "business_kind": "jahit",
                "founded_on": TODAY,
            },
        ),
    ),
    "enterprise_add_member": (
        "user_kelurahan",
        lambda w, actor: services.enterprise_add_member(actor=actor, enterprise=w["enterprise"], member=w["member"]),
    ),
    "sale_record": (
        "user_lembaga",
        lambda w, actor: services.sale_record(
            actor=actor, enterprise=w["enterprise"], data={"month": datetime.date(2025, 6, 1), "amount": 100}
        ),
    ),
}


@pytest.fixture
def world(running_cohort, keramasan, enterprise):
    member = MemberFactory(household=HouseholdFactory(kelurahan=keramasan), female=True)
    enrollment = enroll(running_cohort, make_women(1, household=HouseholdFactory(kelurahan=keramasan))[0])
    return {"cohort": running_cohort, "member": member, "enrollment": enrollment, "enterprise": enterprise}


def _counts():
    return (
        Program.objects.count(),
        Cohort.objects.count(),
        list(Cohort.objects.values_list("status", "capacity")),
        Enrollment.objects.count(),
        list(Enrollment.objects.values_list("status", flat=True)),
        GroupEnterprise.objects.count(),
        GroupMembership.objects.count(),
        GroupSale.objects.count(),
    )


@pytest.mark.parametrize("name", sorted(CALLS))
def test_service_refuses_actor_without_permission(request, world, name):
    role, call = CALLS[name]
    actor = request.getfixturevalue(role)
    before = _counts()
    with pytest.raises(PermissionDenied) as error:
        call(world, actor)
    assert str(error.value).startswith("Anda tidak berwenang"), str(error.value)
    assert _counts() == before


def test_enrollment_create_refuses_member_outside_actor_kelurahan(user_kelurahan, open_cohort, member_kemang):
    with pytest.raises(PermissionDenied, match="di luar wilayah tugas Anda"):
        services.enrollment_create(actor=user_kelurahan, cohort=open_cohort, member=member_kemang)
    assert not Enrollment.objects.exists()


def test_enrollment_transition_refuses_participant_outside_actor_kelurahan(user_kelurahan, open_cohort, member_kemang):
    enrollment = enroll(open_cohort, member_kemang)
    with pytest.raises(PermissionDenied, match="di luar wilayah tugas Anda"):
        services.enrollment_transition(actor=user_kelurahan, enrollment=enrollment, action="drop", reason="x")
    assert Enrollment.objects.get(pk=enrollment.pk).status == EnrollmentStatus.ACCEPTED


def test_attendance_record_refuses_participant_outside_actor_kelurahan(
    user_kelurahan, running_cohort, keramasan, kemang_agung
):
    mine = enroll(running_cohort, make_women(1, household=HouseholdFactory(kelurahan=keramasan))[0])
    other = enroll(running_cohort, make_women(1, household=HouseholdFactory(kelurahan=kemang_agung))[0])
    services.cohort_transition(actor=None, cohort=running_cohort, action="start")
    session = running_cohort.sessions.first()
    with pytest.raises(ValidationError, match="tidak terdaftar di angkatan ini"):
        services.attendance_record(actor=user_kelurahan, session=session, present_ids=[mine.pk, other.pk])
    assert not session.attendances.exists()
    assert services.attendance_record(actor=user_kelurahan, session=session, present_ids=[mine.pk]) == 1
    assert list(session.attendances.values_list("enrollment_id", flat=True)) == [mine.pk]


def test_outcome_record_refuses_participant_outside_actor_kelurahan(user_kelurahan, running_cohort, member_kemang):
    follow_up = _graduate(running_cohort, member_kemang).follow_ups.get(months_after=3)
    with pytest.raises(PermissionDenied, match="di luar wilayah tugas Anda"):
        services.outcome_record(actor=user_kelurahan, follow_up=follow_up, data={"recorded_on": TODAY})


def test_sale_record_refuses_enterprise_outside_actor_kelurahan(user_kelurahan_other, enterprise):
    with pytest.raises(PermissionDenied, match="di luar wilayah tugas Anda"):
        services.sale_record(
            actor=user_kelurahan_other, enterprise=enterprise, data={"month": datetime.date(2025, 6, 1), "amount": 1}
        )
    assert not GroupSale.objects.exists()


def test_services_accept_the_actor_with_the_permission(user_kecamatan, keramasan):
    program = services.program_create(
        actor=user_kecamatan, data={"name": "Pelatihan Sablon", "kind": "pelatihan", "funding_source": "apbd"}
    )
    program = services.program_update(actor=user_kecamatan, program=program, data={"budget": 5_000_000})
    assert Program.objects.get(pk=program.pk).budget == 5_000_000
    cohort = services.cohort_create(
        actor=user_kecamatan,
        program=program,
        data={"number": 1, "starts_on": TODAY, "ends_on": TODAY, "venue": "Aula", "capacity": 5},
    )
    cohort = services.cohort_transition(actor=user_kecamatan, cohort=cohort, action="open")
    member = MemberFactory(household=HouseholdFactory(kelurahan=keramasan), female=True)
    enrollment = services.enrollment_create(actor=user_kecamatan, cohort=cohort, member=member)
    assert enrollment.status == EnrollmentStatus.ACCEPTED
    assert enrollment.created_by == user_kecamatan
    assert cohort.status == CohortStatus.OPEN


# --- rules that moved into the services with the sweep ------------------------------------------------------


def test_enterprise_add_member_refuses_a_member_who_did_not_graduate(user_kecamatan, enterprise, member_keramasan):
    enterprise.program = ProgramFactory()
    enterprise.save()
    with pytest.raises(ValidationError) as error:
        services.enterprise_add_member(actor=user_kecamatan, enterprise=enterprise, member=member_keramasan)
    assert "belum lulus dari" in error.value.message_dict["member"][0]
    assert not GroupMembership.objects.exists()


def test_enterprise_add_member_accepts_a_graduate(user_kecamatan, enterprise, running_cohort, member_keramasan):
    _graduate(running_cohort, member_keramasan)
    enterprise.program = running_cohort.program
    enterprise.save()
    membership = services.enterprise_add_member(
        actor=user_kecamatan, enterprise=enterprise, member=member_keramasan, role="ketua"
    )
    assert membership.role == "ketua"
    assert membership.joined_on == TODAY


def test_sale_record_refuses_a_second_row_for_the_same_month(user_kecamatan, enterprise):
    services.sale_record(
        actor=user_kecamatan, enterprise=enterprise, data={"month": datetime.date(2025, 6, 1), "amount": 100}
    )
    with pytest.raises(ValidationError) as error:
        services.sale_record(
            actor=user_kecamatan, enterprise=enterprise, data={"month": datetime.date(2025, 6, 15), "amount": 200}
        )
    assert error.value.message_dict["month"] == ["Penjualan bulan 06-2025 sudah dicatat: ubah catatan yang ada."]
    assert GroupSale.objects.get().amount == 100


def test_enterprise_founded_in_the_future_is_refused(user_kecamatan, keramasan):
    with pytest.raises(ValidationError) as error:
        services.enterprise_create(
            actor=user_kecamatan,
            data={
                "name": "Kelompok Esok",
                "kelurahan": keramasan,
                "business_kind": "jahit",
                "founded_on": TODAY + datetime.timedelta(days=3),
            },
        )
    assert "founded_on" in error.value.message_dict
    assert not GroupEnterprise.objects.exists()


def test_cohort_update_only_writes_what_changed_and_keeps_the_program(user_kecamatan, open_cohort):
    other = ProgramFactory()
    cohort = services.cohort_update(
        actor=user_kecamatan, cohort=open_cohort, data={"venue": "Balai Kelurahan", "program": other}
    )
    assert cohort.venue == "Balai Kelurahan"
    assert Cohort.objects.get(pk=open_cohort.pk).program_id == open_cohort.program_id


def test_enrollment_transition_unknown_action_is_refused(open_cohort):
    enrollment = enroll(open_cohort, make_women(1)[0])
    with pytest.raises(ValidationError) as error:
        services.enrollment_transition(actor=None, enrollment=enrollment, action="promote")
    assert error.value.code == "unknown_action"
