"""Django admin goes through the services: lifecycle guards hold there too, and refusals are form errors."""

import datetime

import pytest
from django.urls import reverse

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
    assert enrollment.status == EnrollmentStatus.ACCEPTED and not enrollment.is_eligible_at_entry


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
    future = SessionFactory(cohort=cohort, held_on=datetime.date.today() + datetime.timedelta(days=3))
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
    assert task.enabled and str(task.crontab.timezone) == "Asia/Jakarta"
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
