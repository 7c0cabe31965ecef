"""The registry follows docs/conventions.md: services check the actor, enqueue their own tasks, and admin writes
through them. Each test here failed before the sweep of issue 22."""

import datetime
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from beneficiaries import choices, services
from beneficiaries.models import Consent, DuplicateFlag, ImportBatch
from beneficiaries.services import importing
from core.models import AuditAction, AuditEvent
from tests.factories.beneficiaries import HouseholdFactory, MemberFactory

pytestmark = pytest.mark.django_db

CSV = b"no_kk,kelurahan,rt,alamat,nama_lengkap,jenis_kelamin,tanggal_lahir,hubungan,nik\n"


def test_consent_services_check_the_actors_permission(user_lembaga, household_keramasan):
    with pytest.raises(PermissionDenied):
        services.consent_record(
            actor=user_lembaga,
            household=household_keramasan,
            consenter_name="Budi",
            purpose=choices.ConsentPurpose.values[0],
            notice_version="v1",
            consented_on=datetime.date(2026, 1, 5),
        )
    consent = Consent.objects.create(
        household=household_keramasan,
        consenter_name="Budi",
        purpose=choices.ConsentPurpose.values[0],
        notice_version="v1",
        consented_on=datetime.date(2026, 1, 5),
    )
    with pytest.raises(PermissionDenied):
        services.consent_withdraw(actor=user_lembaga, consent=consent, withdrawn_on=datetime.date(2026, 1, 6))


def test_import_services_check_the_actor_and_the_batch_owner(user_lembaga, user_kelurahan, user_kelurahan_other):
    with pytest.raises(PermissionDenied):
        importing.import_batch_create(actor=user_lembaga, uploaded_file=SimpleUploadedFile("a.csv", CSV))
    batch = importing.import_batch_create(actor=user_kelurahan, uploaded_file=SimpleUploadedFile("a.csv", CSV))
    with pytest.raises(PermissionDenied):
        importing.import_batch_transition(actor=user_kelurahan_other, batch=batch, action=ImportBatch.Action.CANCEL)
    batch.refresh_from_db()
    assert batch.status == ImportBatch.Status.UPLOADED


def test_upload_service_enqueues_the_validation_on_commit(user_kelurahan, django_capture_on_commit_callbacks):
    with (
        mock.patch("beneficiaries.tasks.validate_import_batch_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        batch = importing.import_batch_create(actor=user_kelurahan, uploaded_file=SimpleUploadedFile("a.csv", CSV))
        assert not delay.called  # not before the upload's transaction commits
    delay.assert_called_once_with(batch.pk)


def test_cancel_is_audited(user_kelurahan):
    batch = importing.import_batch_create(actor=user_kelurahan, uploaded_file=SimpleUploadedFile("a.csv", CSV))
    importing.import_batch_transition(
        actor=user_kelurahan, batch=batch, action=ImportBatch.Action.CANCEL, ip="10.0.0.7"
    )
    event = AuditEvent.objects.filter(action=AuditAction.IMPORT).latest("created_at")
    assert event.ip_address == "10.0.0.7"
    assert "cancel" in event.detail["keterangan"]


def test_duplicate_scan_is_enqueued_by_the_service_per_kelurahan_in_scope(
    client_for, user_kelurahan, django_capture_on_commit_callbacks
):
    with (
        mock.patch("beneficiaries.tasks.detect_duplicates_task.delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client_for(user_kelurahan).post(reverse("beneficiaries:duplicate_list"))
    assert response.status_code == 302
    delay.assert_called_once_with(user_kelurahan.kelurahan_id)


def test_duplicate_decision_refused_when_one_member_is_out_of_scope(
    user_kelurahan, household_keramasan, household_kemang
):
    mine = household_keramasan.members.first()
    theirs = household_kemang.members.first()
    low, high = sorted([mine, theirs], key=lambda m: m.pk)
    flag = DuplicateFlag.objects.create(kind=DuplicateFlag.Kind.NAME_BIRTH, member=low, other=high)
    with pytest.raises(PermissionDenied):
        services.duplicate_transition(actor=user_kelurahan, flag=flag, action=DuplicateFlag.Action.DISMISS)
    flag.refresh_from_db()
    assert flag.status == DuplicateFlag.Status.OPEN


def test_list_page_ignores_a_garbled_cursor(client_for, user_kelurahan, household_keramasan):
    response = client_for(user_kelurahan).get(reverse("beneficiaries:household_list"), {"after": "x'1", "last": "0"})
    assert response.status_code == 200
    assert response.context["page"].is_first


def test_admin_consent_is_recorded_through_the_service(client_for, user_admin, household_keramasan):
    response = client_for(user_admin).post(
        reverse("admin:beneficiaries_consent_add"),
        {
            "household": household_keramasan.pk,
            "consenter_name": "Budi Santoso",
            "purpose": choices.ConsentPurpose.values[0],
            "notice_version": "v1",
            "consented_on": "2026-01-05",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Consent.objects.get().recorded_by == user_admin  # set by consent_record, not by a raw save


def test_admin_member_household_cannot_be_changed_raw(client_for, user_admin, household_keramasan, rt_keramasan):
    wife = household_keramasan.members.get(relationship=choices.Relationship.WIFE)
    other = HouseholdFactory(kelurahan=rt_keramasan.kelurahan, rt=rt_keramasan)
    MemberFactory(household=other)
    response = client_for(user_admin).post(
        reverse("admin:beneficiaries_member_change", args=[wife.pk]),
        {
            "household": other.pk,
            "nik": wife.nik,
            "full_name": wife.full_name,
            "sex": wife.sex,
            "birth_date": wife.birth_date.isoformat(),
            "relationship": wife.relationship,
        },
    )
    assert response.status_code == 302
    wife.refresh_from_db()
    assert wife.household == household_keramasan  # a move is services.member_move, with its own checks
