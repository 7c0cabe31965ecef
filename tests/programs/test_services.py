"""Lifecycle guards, capacity and waitlist, attendance, completion, follow-ups and outcomes (given/when/then)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from programs import services
from programs.models import (
    Attendance,
    Cohort,
    CohortStatus,
    Enrollment,
    EnrollmentStatus,
    FollowUp,
    Outcome,
)
from tests.factories.beneficiaries import MemberFactory
from tests.factories.programs import CohortFactory, ProgramFactory, SessionFactory
from tests.programs.conftest import enroll, make_women

pytestmark = pytest.mark.django_db


def test_cohort_create_new_cohort_always_starts_as_draft():
    program = ProgramFactory()
    today = timezone.localdate()
    cohort = services.cohort_create(
        actor=None,
        program=program,
        data={
            "number": 1,
            "starts_on": today,
            "ends_on": today,
            "venue": "Aula",
            "capacity": 5,
            "status": CohortStatus.FINISHED,
        },
    )
    assert cohort.status == CohortStatus.DRAFT


def test_cohort_update_refuses_direct_status_change():
    cohort = CohortFactory(status=CohortStatus.DRAFT)
    with pytest.raises(ValidationError) as error:
        services.cohort_update(actor=None, cohort=cohort, data={"status": CohortStatus.RUNNING})
    assert error.value.code == "status_direct"


def test_cohort_update_refuses_capacity_below_accepted_seats(open_cohort):
    for woman in make_women(2):
        enroll(open_cohort, woman)
    with pytest.raises(ValidationError, match="Kuota tidak boleh lebih kecil dari 2"):
        services.cohort_update(actor=None, cohort=open_cohort, data={"capacity": 1})


def test_cohort_transition_follows_the_lifecycle_in_order():
    cohort = CohortFactory(status=CohortStatus.DRAFT)
    with pytest.raises(ValidationError) as error:
        services.cohort_transition(actor=None, cohort=cohort, action="start")
    assert error.value.code == "wrong_status"
    assert "Draf" in error.value.messages[0]
    cohort = services.cohort_transition(actor=None, cohort=cohort, action="open")
    assert cohort.status == CohortStatus.OPEN


def test_cohort_start_needs_trainer_session_and_participants():
    cohort = CohortFactory(status=CohortStatus.OPEN, trainers="")
    with pytest.raises(ValidationError) as error:
        services.cohort_transition(actor=None, cohort=cohort, action="start")
    message = error.value.messages[0]
    assert "belum ada pelatih" in message
    assert "belum ada sesi pelatihan" in message
    assert "belum ada peserta yang diterima" in message
    assert Cohort.objects.get(pk=cohort.pk).status == CohortStatus.OPEN


def test_cohort_start_turns_accepted_into_enrolled_and_cancels_undecided(running_cohort):
    accepted, applied = make_women(2)
    enroll(running_cohort, accepted)
    enroll(running_cohort, applied, accept=False)
    services.cohort_transition(actor=None, cohort=running_cohort, action="start")
    statuses = dict(Enrollment.objects.values_list("member_id", "status"))
    assert statuses == {accepted.pk: EnrollmentStatus.ENROLLED, applied.pk: EnrollmentStatus.CANCELLED}


def test_cohort_finish_refuses_while_participants_undecided(running_cohort):
    enroll(running_cohort, make_women(1)[0])
    services.cohort_transition(actor=None, cohort=running_cohort, action="start")
    with pytest.raises(ValidationError, match="Masih ada 1 peserta berstatus terdaftar"):
        services.cohort_transition(actor=None, cohort=running_cohort, action="finish")


def test_enrollment_refused_into_finished_cohort():
    cohort = CohortFactory(status=CohortStatus.FINISHED)
    with pytest.raises(ValidationError) as error:
        enroll(cohort, make_women(1)[0])
    assert error.value.code == "cohort_not_open"
    assert "Selesai" in error.value.messages[0]
    assert not Enrollment.objects.exists()


def test_enrollment_over_capacity_goes_to_waitlist(open_cohort):
    first, second, third = make_women(3)
    assert enroll(open_cohort, first).status == EnrollmentStatus.ACCEPTED
    assert enroll(open_cohort, second).status == EnrollmentStatus.ACCEPTED
    third_enrollment = enroll(open_cohort, third)
    assert third_enrollment.status == EnrollmentStatus.WAITLISTED
    assert third_enrollment.waitlisted_at is not None


def test_enrollment_drop_promotes_waitlist_in_order(open_cohort):
    a, b, c, d = make_women(4)
    first = enroll(open_cohort, a)
    enroll(open_cohort, b)
    waiting_first = enroll(open_cohort, c)
    waiting_second = enroll(open_cohort, d)
    services.enrollment_transition(actor=None, enrollment=first, action="drop", reason="Pindah domisili")
    waiting_first.refresh_from_db()
    waiting_second.refresh_from_db()
    assert waiting_first.status == EnrollmentStatus.ACCEPTED
    assert waiting_second.status == EnrollmentStatus.WAITLISTED
    first.refresh_from_db()
    assert first.status == EnrollmentStatus.DROPPED
    assert first.exit_reason == "Pindah domisili"


def test_enrollment_drop_needs_a_reason(open_cohort):
    enrollment = enroll(open_cohort, make_women(1)[0])
    with pytest.raises(ValidationError, match="Alasan keluar wajib diisi"):
        services.enrollment_transition(actor=None, enrollment=enrollment, action="drop", reason="  ")


def test_enrollment_refused_twice_in_same_program():
    program = ProgramFactory()
    first, second = CohortFactory(program=program), CohortFactory(program=program)
    member = make_women(1)[0]
    enroll(first, member)
    with pytest.raises(ValidationError) as error:
        enroll(second, member)
    assert error.value.code == "open_in_program"
    assert Enrollment.objects.count() == 1


def test_enrollment_database_refuses_second_open_participation_in_program():
    """The constraint behind the service check (a race between two cohorts of one program)."""
    from django.db import IntegrityError, transaction

    program = ProgramFactory()
    first, second = CohortFactory(program=program), CohortFactory(program=program)
    member = make_women(1)[0]
    enroll(first, member)
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrollment.objects.create(cohort=second, program=program, member=member, status=EnrollmentStatus.ACCEPTED)


def test_enrollment_violating_rule_needs_override_reason(open_cohort):
    open_cohort.eligibility_rule = {"combinator": "and", "conditions": [{"type": "sex", "value": 2}]}
    open_cohort.save()
    man = MemberFactory(female=False)
    with pytest.raises(ValidationError) as error:
        enroll(open_cohort, man)
    assert "tidak memenuhi aturan kelayakan" in error.value.messages[0]
    assert not Enrollment.objects.exists()
    enrollment = enroll(open_cohort, man, override_reason="Kepala keluarga tunggal, disetujui camat")
    assert enrollment.is_eligible_at_entry is False
    assert enrollment.override_reason == "Kepala keluarga tunggal, disetujui camat"


def test_enrollment_outside_recruiting_kelurahan_is_not_eligible(open_cohort, keramasan, member_kemang):
    open_cohort.kelurahan_set.set([keramasan])
    with pytest.raises(ValidationError) as error:
        enroll(open_cohort, member_kemang)
    assert "override_reason" in error.value.message_dict


def _start(cohort, n=3):
    women = make_women(n)
    enrollments = [enroll(cohort, w) for w in women]
    services.cohort_transition(actor=None, cohort=cohort, action="start")
    return [Enrollment.objects.get(pk=e.pk) for e in enrollments]


def test_attendance_for_future_session_refused(running_cohort):
    enrollments = _start(running_cohort)
    future = running_cohort.sessions.get(topic="Menjahit blus")
    with pytest.raises(ValidationError) as error:
        services.attendance_record(actor=None, session=future, present_ids=[enrollments[0].pk])
    assert "belum berlangsung" in error.value.messages[0]
    assert not Attendance.objects.exists()


def test_attendance_refuses_unknown_participant_and_saves_nothing(running_cohort):
    enrollments = _start(running_cohort)
    session = running_cohort.sessions.first()
    with pytest.raises(ValidationError):
        services.attendance_record(actor=None, session=session, present_ids=[enrollments[0].pk, 999999])
    assert not Attendance.objects.exists()


def test_attendance_record_is_repeatable_and_updates(running_cohort):
    enrollments = _start(running_cohort)
    session = running_cohort.sessions.first()
    services.attendance_record(actor=None, session=session, present_ids=[enrollments[0].pk])
    services.attendance_record(actor=None, session=session, present_ids=[enrollments[1].pk])
    present = set(Attendance.objects.filter(is_present=True).values_list("enrollment_id", flat=True))
    assert present == {enrollments[1].pk}
    assert Attendance.objects.count() == 3


def test_completion_requires_minimum_attendance(running_cohort):
    enrollments = _start(running_cohort)
    s1, s2 = running_cohort.sessions.filter(held_on__lte=timezone.localdate())
    services.attendance_record(actor=None, session=s1, present_ids=[e.pk for e in enrollments])
    services.attendance_record(actor=None, session=s2, present_ids=[enrollments[0].pk])
    with pytest.raises(ValidationError, match="belum memenuhi kehadiran minimal 75%: hadir 1 dari 2 sesi"):
        services.enrollment_transition(actor=None, enrollment=enrollments[1], action="complete")
    done = services.enrollment_transition(actor=None, enrollment=enrollments[0], action="complete")
    assert done.status == EnrollmentStatus.COMPLETED
    assert len(done.certificate_code) == 12
    assert sorted(done.follow_ups.values_list("months_after", flat=True)) == [3, 6, 12]


def test_cohort_complete_all_splits_by_attendance(running_cohort):
    enrollments = _start(running_cohort)
    s1, s2 = running_cohort.sessions.filter(held_on__lte=timezone.localdate())
    services.attendance_record(actor=None, session=s1, present_ids=[e.pk for e in enrollments])
    services.attendance_record(actor=None, session=s2, present_ids=[e.pk for e in enrollments[:2]])
    assert services.cohort_complete_all(actor=None, cohort=running_cohort) == (2, 1)
    services.cohort_transition(actor=None, cohort=running_cohort, action="finish")
    assert Cohort.objects.get(pk=running_cohort.pk).status == CohortStatus.FINISHED


def test_follow_up_dates_follow_completion_date():
    assert services.add_months(datetime.date(2025, 8, 31), 6) == datetime.date(2026, 2, 28)
    assert services.add_months(datetime.date(2025, 11, 15), 3) == datetime.date(2026, 2, 15)
    assert services.add_months(datetime.date(2025, 1, 10), 12) == datetime.date(2026, 1, 10)


def _graduate(cohort):
    enrollments = _start(cohort, n=1)
    for session in cohort.sessions.filter(held_on__lte=timezone.localdate()):
        services.attendance_record(actor=None, session=session, present_ids=[enrollments[0].pk])
    return services.enrollment_transition(
        actor=None, enrollment=enrollments[0], action="complete", completed_on=datetime.date(2025, 1, 10)
    )


def test_followups_list_due_is_idempotent_per_day(running_cohort):
    graduate = _graduate(running_cohort)
    today = datetime.date(2025, 7, 15)
    assert services.followups_list_due(actor=None, today=today) == 2  # 3 and 6 months are due, 12 not yet
    assert services.followups_list_due(actor=None, today=today) == 0
    assert set(FollowUp.objects.filter(listed_due_on=today).values_list("months_after", flat=True)) == {3, 6}
    assert graduate.follow_ups.get(months_after=12).listed_due_on is None


def test_list_due_followups_task_runs(running_cohort):
    from programs.tasks import list_due_followups_task

    _graduate(running_cohort)
    assert list_due_followups_task.delay().get() == 3  # completed 10-01-2025: all three are due by now


def test_outcome_negative_income_refused(running_cohort):
    follow_up = _graduate(running_cohort).follow_ups.get(months_after=6)
    data = {"recorded_on": timezone.localdate(), "income_before": -1, "income_after": 500_000}
    with pytest.raises(ValidationError) as error:
        services.outcome_record(actor=None, follow_up=follow_up, data=data)
    assert "income_before" in error.value.message_dict
    assert not Outcome.objects.exists()


def test_outcome_online_needs_a_channel_and_business_needs_a_kind(running_cohort):
    follow_up = _graduate(running_cohort).follow_ups.get(months_after=6)
    with pytest.raises(ValidationError, match="saluran penjualan daring"):
        services.outcome_record(
            actor=None, follow_up=follow_up, data={"recorded_on": timezone.localdate(), "sells_online": True}
        )
    with pytest.raises(ValidationError, match="jenis usaha"):
        services.outcome_record(
            actor=None, follow_up=follow_up, data={"recorded_on": timezone.localdate(), "has_business": True}
        )
    outcome = services.outcome_record(
        actor=None,
        follow_up=follow_up,
        data={
            "recorded_on": timezone.localdate(),
            "has_business": True,
            "business_kind": "jahit",
            "business_name": "Jahit Bu Siti",
            "income_before": 300_000,
            "income_after": 1_250_000,
            "sells_online": True,
            "sells_on_whatsapp": True,
        },
    )
    assert outcome.channels == ["WhatsApp"]


def test_session_outside_cohort_dates_refused(open_cohort):
    data = {"held_on": open_cohort.ends_on + datetime.timedelta(days=1), "topic": "X"}
    with pytest.raises(ValidationError) as error:
        services.session_create(actor=None, cohort=open_cohort, data=data)
    assert "held_on" in error.value.message_dict


def test_session_refused_for_finished_cohort():
    cohort = CohortFactory(status=CohortStatus.FINISHED)
    with pytest.raises(ValidationError, match="Angkatan sudah selesai"):
        services.session_create(actor=None, cohort=cohort, data={"held_on": cohort.starts_on, "topic": "X"})


def test_history_records_enrollment_with_acting_user(open_cohort, user_kecamatan):
    from core import history

    with history.acting_as(user_kecamatan, command="test"):
        enrollment = enroll(open_cohort, make_women(1)[0], actor=user_kecamatan)
    assert history.events_for(enrollment).count() == 1


def test_session_factory_smoke():
    assert SessionFactory().cohort.status == CohortStatus.OPEN


def test_cohort_capacity_increase_seats_the_waitlist(open_cohort):
    a, b, c = make_women(3)
    enroll(open_cohort, a)
    enroll(open_cohort, b)
    waiting = enroll(open_cohort, c)
    services.cohort_update(actor=None, cohort=open_cohort, data={"capacity": 3})
    waiting.refresh_from_db()
    assert waiting.status == EnrollmentStatus.ACCEPTED


def test_enrollment_decide_waitlists_when_full_and_reject_cancels():
    cohort = CohortFactory(status=CohortStatus.OPEN, capacity=1)
    a, b, c = make_women(3)
    enroll(cohort, a)
    applied = enroll(cohort, b, accept=False)
    rejected = enroll(cohort, c, accept=False)
    assert (
        services.enrollment_transition(actor=None, enrollment=applied, action="accept").status
        == EnrollmentStatus.WAITLISTED
    )
    assert (
        services.enrollment_transition(actor=None, enrollment=rejected, action="reject").status
        == EnrollmentStatus.CANCELLED
    )
    with pytest.raises(ValidationError, match="Hanya pengajuan"):
        services.enrollment_transition(actor=None, enrollment=rejected, action="accept")
