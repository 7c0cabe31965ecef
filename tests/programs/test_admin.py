"""Django admin goes through the services: lifecycle guards hold there too, and refusals are form errors."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from programs.models import Attendance, Cohort, CohortStatus, Enrollment, EnrollmentStatus
from tests.factories.programs import CohortFactory, SessionFactory
from tests.programs.conftest import enroll, make_women

pytestmark = pytest.mark.django_db


def test_admin_start_action_refuses_cohort_without_trainer(client_for, user_admin):
    cohort = CohortFactory(status=CohortStatus.OPEN, trainers="")
    response = client_for(user_admin).post(
        reverse("admin:programs_cohort_changelist"),
        {"action": "start_cohort", "_selected_action": [cohort.pk]},
        follow=True,
    )
    assert "belum ada pelatih" in response.content.decode()
    assert Cohort.objects.get(pk=cohort.pk).status == CohortStatus.OPEN


def test_admin_open_action_moves_draft_to_open(client_for, user_admin):
    cohort = CohortFactory(status=CohortStatus.DRAFT)
    client_for(user_admin).post(
        reverse("admin:programs_cohort_changelist"), {"action": "open_cohort", "_selected_action": [cohort.pk]}
    )
    assert Cohort.objects.get(pk=cohort.pk).status == CohortStatus.OPEN


def test_admin_cohort_status_is_read_only(client_for, user_admin):
    cohort = CohortFactory(status=CohortStatus.DRAFT)
    response = client_for(user_admin).get(reverse("admin:programs_cohort_change", args=[cohort.pk]))
    assert response.status_code == 200
    assert 'name="status"' not in response.content.decode()


def test_admin_enrollment_add_refuses_ineligible_without_reason(client_for, user_admin):
    cohort = CohortFactory(status=CohortStatus.OPEN)
    cohort.eligibility_rule = {"combinator": "and", "conditions": [{"type": "sex", "value": 1}]}
    cohort.save()
    (woman,) = make_women(1)
    client = client_for(user_admin)
    response = client.post(reverse("admin:programs_enrollment_add"), {"cohort": cohort.pk, "member": woman.pk})
    assert response.status_code == 200
    assert "tidak memenuhi aturan kelayakan" in response.content.decode()
    assert not Enrollment.objects.exists()
    response = client.post(
        reverse("admin:programs_enrollment_add"),
        {"cohort": cohort.pk, "member": woman.pk, "override_reason": "Disetujui rapat kecamatan"},
    )
    assert response.status_code == 302
    enrollment = Enrollment.objects.get()
    assert enrollment.status == EnrollmentStatus.ACCEPTED
    assert not enrollment.is_eligible_at_entry


def test_admin_enrollment_add_refuses_finished_cohort(client_for, user_admin):
    cohort = CohortFactory(status=CohortStatus.FINISHED)
    (woman,) = make_women(1)
    response = client_for(user_admin).post(
        reverse("admin:programs_enrollment_add"), {"cohort": cohort.pk, "member": woman.pk}
    )
    # The service's own refusal (the admin used to show a copy of it: "Angkatan tidak sedang menerima peserta.").
    assert "Pendaftaran ditolak: angkatan berstatus Selesai, bukan dibuka atau berjalan." in response.content.decode()
    assert not Enrollment.objects.exists()


def test_admin_attendance_refuses_future_session(client_for, user_admin):
    cohort = CohortFactory(status=CohortStatus.OPEN)
    SessionFactory(cohort=cohort)
    enrollment = enroll(cohort, make_women(1)[0])
    from programs import services

    services.cohort_transition(actor=None, cohort=cohort, action="start")
    future = SessionFactory(cohort=cohort, held_on=timezone.localdate() + datetime.timedelta(days=3))
    response = client_for(user_admin).post(
        reverse("admin:programs_attendance_add"),
        {"session": future.pk, "enrollment": enrollment.pk, "is_present": "on"},
    )
    assert "sesi di masa depan" in response.content.decode()
    assert not Attendance.objects.exists()


def test_beat_schedule_migration_creates_one_daily_task():
    """Run the data migration's function directly: transactional tests elsewhere may have flushed its row."""
    import importlib

    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    migration = importlib.import_module("programs.migrations.0002_beat_schedule")
    migration.create_schedule(apps, None)
    migration.create_schedule(apps, None)
    task = PeriodicTask.objects.get(task="programs.tasks.list_due_followups_task")
    assert task.enabled
    assert str(task.crontab.timezone) == "Asia/Jakarta"
    assert (task.crontab.hour, task.crontab.minute) == ("6", "30")


def test_admin_cohort_bad_rule_is_a_form_error(client_for, user_admin):
    cohort = CohortFactory(status=CohortStatus.DRAFT)
    response = client_for(user_admin).post(
        reverse("admin:programs_cohort_change", args=[cohort.pk]),
        {
            "program": cohort.program_id,
            "number": cohort.number,
            "starts_on": cohort.starts_on.isoformat(),
            "ends_on": cohort.ends_on.isoformat(),
            "venue": cohort.venue,
            "trainers": cohort.trainers,
            "capacity": 5,
            "min_attendance_pct": 75,
            "eligibility_rule": '{"combinator": "and", "conditions": [{"type": "desil_max", "value": 99}]}',
            "sessions-TOTAL_FORMS": 0,
            "sessions-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    assert "harus antara 1 dan 10" in response.content.decode()
    assert Cohort.objects.get(pk=cohort.pk).eligibility_rule == {}


def test_admin_session_outside_cohort_dates_is_a_form_error(client_for, user_admin):
    cohort = CohortFactory(status=CohortStatus.OPEN)
    response = client_for(user_admin).post(
        reverse("admin:programs_trainingsession_add"),
        {
            "cohort": cohort.pk,
            "held_on": (cohort.ends_on + datetime.timedelta(days=5)).isoformat(),
            "topic": "X",
            "duration_minutes": 60,
        },
    )
    assert response.status_code == 200
    assert "Tanggal sesi harus di antara" in response.content.decode()


# --- every admin writes through its service (core.admin.ServiceAdmin): the service's rule, its own message ----


def _graduate(cohort, member):
    from programs import services

    enrollment = enroll(cohort, member)
    services.cohort_transition(actor=None, cohort=cohort, action="start")
    for session in cohort.sessions.filter(held_on__lte=timezone.localdate()):
        services.attendance_record(actor=None, session=session, present_ids=[enrollment.pk])
    return services.enrollment_transition(actor=None, enrollment=enrollment, action="complete")


def _group(**fields):
    from programs.models import GroupEnterprise

    return GroupEnterprise.objects.create(
        **{
            "name": "Kelompok Jahit",
            "kelurahan_id": make_women(1)[0].household.kelurahan_id,
            "business_kind": "jahit",
            "founded_on": datetime.date(2025, 1, 1),
            **fields,
        }
    )


INLINES = {
    "memberships-TOTAL_FORMS": 0,
    "memberships-INITIAL_FORMS": 0,
    "sales-TOTAL_FORMS": 0,
    "sales-INITIAL_FORMS": 0,
}


def test_admin_program_shows_the_service_error(client_for, user_admin):
    from programs.models import Program

    response = client_for(user_admin).post(
        reverse("admin:programs_program_add"),
        {"name": "Pelatihan Sablon", "kind": "pelatihan", "organiser_kind": "lembaga", "funding_source": "csr"},
    )
    assert response.status_code == 200
    assert "Nama lembaga penyelenggara wajib diisi." in response.content.decode()
    assert not Program.objects.filter(name="Pelatihan Sablon").exists()


def test_admin_cohort_capacity_below_seats_shows_the_service_message(client_for, user_admin):
    cohort = CohortFactory(status=CohortStatus.OPEN, capacity=5)
    for woman in make_women(2):
        enroll(cohort, woman)
    response = client_for(user_admin).post(
        reverse("admin:programs_cohort_change", args=[cohort.pk]),
        {
            "number": cohort.number,
            "starts_on": cohort.starts_on.isoformat(),
            "ends_on": cohort.ends_on.isoformat(),
            "venue": cohort.venue,
            "trainers": cohort.trainers,
            "capacity": 1,
            "min_attendance_pct": 75,
            "eligibility_rule": "{}",
            "sessions-TOTAL_FORMS": 0,
            "sessions-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 200
    # The service's message (with the count), not the admin's old copy "… dari jumlah peserta yang sudah diterima."
    assert "Kuota tidak boleh lebih kecil dari 2 peserta yang sudah diterima." in response.content.decode()
    assert Cohort.objects.get(pk=cohort.pk).capacity == 5


def test_admin_cohort_change_saves_through_the_service_and_keeps_the_program(client_for, user_admin, keramasan):
    from tests.factories.programs import ProgramFactory

    cohort = CohortFactory(status=CohortStatus.DRAFT)
    response = client_for(user_admin).post(
        reverse("admin:programs_cohort_change", args=[cohort.pk]),
        {
            "program": ProgramFactory().pk,  # read-only on change: ignored
            "number": cohort.number,
            "starts_on": cohort.starts_on.isoformat(),
            "ends_on": cohort.ends_on.isoformat(),
            "venue": "Balai Kelurahan Keramasan",
            "trainers": cohort.trainers,
            "capacity": 8,
            "min_attendance_pct": 80,
            "kelurahan_set": [keramasan.pk],
            "eligibility_rule": '{"combinator": "and", "conditions": [{"type": "sex", "value": 2}]}',
            "sessions-TOTAL_FORMS": 0,
            "sessions-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    saved = Cohort.objects.get(pk=cohort.pk)
    assert (saved.venue, saved.capacity, saved.program_id) == ("Balai Kelurahan Keramasan", 8, cohort.program_id)
    assert list(saved.kelurahan_set.all()) == [keramasan]
    assert saved.eligibility_rule == {"combinator": "and", "conditions": [{"type": "sex", "value": 2}]}


def test_admin_session_outside_dates_shows_the_service_message(client_for, user_admin):
    cohort = CohortFactory(status=CohortStatus.OPEN)
    response = client_for(user_admin).post(
        reverse("admin:programs_trainingsession_add"),
        {
            "cohort": cohort.pk,
            "held_on": (cohort.ends_on + datetime.timedelta(days=5)).isoformat(),
            "topic": "X",
            "duration_minutes": 60,
        },
    )
    assert response.status_code == 200
    window = f"{cohort.starts_on:%d-%m-%Y} dan {cohort.ends_on:%d-%m-%Y} (jadwal angkatan)"
    assert f"Tanggal sesi harus di antara {window}." in response.content.decode()
    assert not cohort.sessions.exists()


def test_admin_enrollment_add_refuses_second_open_cohort_of_the_program(client_for, user_admin):
    """Before: the admin copied two of the service's checks and the others raised in save_model (a 500)."""
    first = CohortFactory(status=CohortStatus.OPEN)
    second = CohortFactory(status=CohortStatus.OPEN, program=first.program)
    (woman,) = make_women(1)
    enroll(first, woman)
    response = client_for(user_admin).post(
        reverse("admin:programs_enrollment_add"), {"cohort": second.pk, "member": woman.pk}
    )
    assert response.status_code == 200
    assert "sudah ikut angkatan lain dari program" in response.content.decode()
    assert Enrollment.objects.count() == 1


def test_admin_attendance_refuses_participant_of_another_cohort(client_for, user_admin):
    from programs import services

    cohort = CohortFactory(status=CohortStatus.OPEN)
    session = SessionFactory(cohort=cohort)
    enroll(cohort, make_women(1)[0])
    services.cohort_transition(actor=None, cohort=cohort, action="start")
    elsewhere = enroll(CohortFactory(status=CohortStatus.OPEN), make_women(1)[0])
    response = client_for(user_admin).post(
        reverse("admin:programs_attendance_add"),
        {"session": session.pk, "enrollment": elsewhere.pk, "is_present": "on"},
    )
    assert response.status_code == 200
    assert "tidak terdaftar di angkatan ini" in response.content.decode()
    assert not Attendance.objects.exists()


def test_admin_attendance_records_one_row_only(client_for, user_admin):
    from programs import services

    cohort = CohortFactory(status=CohortStatus.OPEN)
    session = SessionFactory(cohort=cohort)
    first, second = (enroll(cohort, woman) for woman in make_women(2))
    services.cohort_transition(actor=None, cohort=cohort, action="start")
    response = client_for(user_admin).post(
        reverse("admin:programs_attendance_add"), {"session": session.pk, "enrollment": first.pk, "is_present": "on"}
    )
    assert response.status_code == 302
    assert list(Attendance.objects.values_list("enrollment_id", "is_present")) == [(first.pk, True)]


def test_admin_follow_ups_are_read_only(client_for, user_admin, running_cohort):
    """Before: the follow-up form and its outcome inline saved raw (an outcome without its rules)."""
    from programs.models import FollowUp, Outcome

    follow_up = _graduate(running_cohort, make_women(1)[0]).follow_ups.get(months_after=3)
    client = client_for(user_admin)
    url = reverse("admin:programs_followup_change", args=[follow_up.pk])
    page = client.get(url).content.decode()
    assert 'name="outcome-0-income_before"' not in page
    response = client.post(
        url,
        {
            "outcome-TOTAL_FORMS": 1,
            "outcome-INITIAL_FORMS": 0,
            "outcome-0-recorded_on": timezone.localdate().isoformat(),
            "outcome-0-has_business": "on",  # without a business kind: the service refuses it
            "outcome-0-income_before": 0,
            "outcome-0-income_after": 0,
        },
    )
    assert response.status_code == 403
    assert not Outcome.objects.exists()
    assert FollowUp.objects.get(pk=follow_up.pk).listed_due_on is None


def test_admin_outcome_shows_the_service_rule(client_for, user_admin, running_cohort):
    """Before: outcome_record raised in save_model, after the form had passed (a 500)."""
    from programs.models import Outcome

    follow_up = _graduate(running_cohort, make_women(1)[0]).follow_ups.get(months_after=3)
    response = client_for(user_admin).post(
        reverse("admin:programs_outcome_add"),
        {
            "follow_up": follow_up.pk,
            "recorded_on": timezone.localdate().isoformat(),
            "income_before": 0,
            "income_after": 0,
            "sells_online": "on",
        },
    )
    assert response.status_code == 200
    assert "Pilih paling sedikit satu saluran penjualan daring." in response.content.decode()
    assert not Outcome.objects.exists()


def test_admin_enterprise_founded_in_the_future_is_refused(client_for, user_admin, keramasan):
    """Before: GroupEnterpriseAdmin saved raw."""
    from programs.models import GroupEnterprise

    response = client_for(user_admin).post(
        reverse("admin:programs_groupenterprise_add"),
        {
            "name": "Kelompok Esok",
            "kelurahan": keramasan.pk,
            "business_kind": "jahit",
            "founded_on": (timezone.localdate() + datetime.timedelta(days=3)).isoformat(),
            **INLINES,
        },
    )
    assert response.status_code == 200
    assert "Tanggal berdiri tidak boleh di masa depan." in response.content.decode()
    assert not GroupEnterprise.objects.exists()


def test_admin_enterprise_inlines_are_read_only(client_for, user_admin):
    """Before: members and sales were added raw through the enterprise's inlines."""
    group = _group()
    page = client_for(user_admin).get(reverse("admin:programs_groupenterprise_change", args=[group.pk]))
    content = page.content.decode()
    assert page.status_code == 200
    assert 'name="sales-__prefix__-amount"' not in content  # no "add another" row
    assert 'name="memberships-__prefix__-member"' not in content


def test_admin_group_member_must_be_a_graduate(client_for, user_admin):
    """Before: GroupMembershipAdmin saved raw."""
    from programs.models import GroupMembership

    group = _group()
    (outsider,) = make_women(1)
    response = client_for(user_admin).post(
        reverse("admin:programs_groupmembership_add"),
        {"enterprise": group.pk, "member": outsider.pk, "role": "anggota", "joined_on": "2025-02-01"},
    )
    assert response.status_code == 200
    assert "belum lulus dari program mana pun" in response.content.decode()
    assert not GroupMembership.objects.exists()


def test_admin_sale_in_a_future_month_is_refused(client_for, user_admin):
    """Before: sale_record raised in save_model, after the form had passed (a 500)."""
    from programs.models import GroupSale

    group = _group()
    next_month = (timezone.localdate().replace(day=1) + datetime.timedelta(days=40)).replace(day=1)
    response = client_for(user_admin).post(
        reverse("admin:programs_groupsale_add"),
        {"enterprise": group.pk, "month": next_month.isoformat(), "amount": 1000, "online_amount": 0, "units_sold": 1},
    )
    assert response.status_code == 200
    assert "Bulan penjualan tidak boleh di masa depan." in response.content.decode()
    assert not GroupSale.objects.exists()
