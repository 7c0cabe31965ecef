"""Services: lifecycle guards, assignment, bulk actions, change requests with maker-checker and stale data."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from beneficiaries.models import Household, Member
from core import history
from grievances import services
from grievances.models import (
    Category,
    ChangeRequest,
    ChangeRequestStatus,
    Channel,
    Grievance,
    GrievanceCategorySLA,
    Status,
)
from tests.factories.grievances import GrievanceFactory

pytestmark = pytest.mark.django_db


def _create(actor, **overrides):
    data = {
        "channel": Channel.TELEPON,
        "category": Category.BANTUAN_TIDAK_DITERIMA,
        "title": "Sembako belum diterima",
        "description": "Putaran Mei belum sampai.",
        "complainant_name": "Siti",
    }
    data.update(overrides)
    return services.grievance_create(actor=actor, **data)


# --- creation ---------------------------------------------------------------------------------------------


def test_grievance_create_takes_kelurahan_from_household_and_due_from_sla(user_kelurahan, household, kemang_agung):
    GrievanceCategorySLA.objects.create(category=Category.BANTUAN_TIDAK_DITERIMA, days=7)
    received = timezone.localdate() - datetime.timedelta(days=1)
    grievance = _create(user_kelurahan, household=household, kelurahan=kemang_agung, received_on=received)
    assert grievance.kelurahan_id == household.kelurahan_id
    assert grievance.due_on == received + datetime.timedelta(days=7)
    assert grievance.status == Status.BARU
    assert grievance.submitted_by == user_kelurahan


def test_grievance_create_default_sla_is_14_days(user_kecamatan, keramasan):
    grievance = _create(user_kecamatan, kelurahan=keramasan, category=Category.MASUKAN)
    assert grievance.due_on == grievance.received_on + datetime.timedelta(days=14)


def test_grievance_create_refuses_other_kelurahan_for_staf_kelurahan(user_kelurahan, kemang_agung):
    with pytest.raises(ValidationError) as exc:
        _create(user_kelurahan, kelurahan=kemang_agung)
    assert "kelurahan" in exc.value.message_dict
    assert Grievance.objects.count() == 0


def test_grievance_create_needs_name_or_anonymous(user_kecamatan, keramasan):
    with pytest.raises(ValidationError) as exc:
        _create(user_kecamatan, kelurahan=keramasan, complainant_name="")
    assert "complainant_name" in exc.value.message_dict
    grievance = _create(user_kecamatan, kelurahan=keramasan, complainant_name="Budi", is_anonymous=True)
    assert grievance.complainant_name == ""


def test_grievance_create_refused_for_pimpinan(user_pimpinan, keramasan):
    with pytest.raises(PermissionDenied):
        _create(user_pimpinan, kelurahan=keramasan)


def test_grievance_create_by_worker(user_lembaga, keramasan):
    grievance = _create(user_lembaga, kelurahan=keramasan, channel=Channel.LEMBAGA)
    assert grievance.submitted_by == user_lembaga


# --- lifecycle --------------------------------------------------------------------------------------------


def test_closing_without_answer_is_refused(user_kelurahan, keramasan):
    grievance = GrievanceFactory(kelurahan=keramasan)
    for status in (Status.SELESAI, Status.DITOLAK):
        with pytest.raises(ValidationError) as exc:
            services.grievance_transition(actor=user_kelurahan, grievance=grievance, to_status=status, answer="  ")
        assert "answer" in exc.value.message_dict
    grievance.refresh_from_db()
    assert grievance.status == Status.BARU


def test_database_refuses_closed_grievance_without_answer(keramasan):
    grievance = GrievanceFactory(kelurahan=keramasan)
    with pytest.raises(IntegrityError), transaction.atomic():
        Grievance.objects.filter(pk=grievance.pk).update(status=Status.SELESAI, closed_at=timezone.now())


def test_lifecycle_new_to_in_progress_to_closed(user_kelurahan, keramasan):
    grievance = GrievanceFactory(kelurahan=keramasan)
    services.grievance_transition(actor=user_kelurahan, grievance=grievance, to_status=Status.DIPROSES)
    grievance = services.grievance_transition(
        actor=user_kelurahan, grievance=grievance, to_status=Status.SELESAI, answer="Paket diantar hari ini."
    )
    assert grievance.status == Status.SELESAI
    assert grievance.closed_by == user_kelurahan
    assert grievance.closed_at is not None
    with pytest.raises(ValidationError) as exc:
        services.grievance_transition(actor=user_kelurahan, grievance=grievance, to_status=Status.DIPROSES)
    assert "status" in exc.value.message_dict
    assert history.events_for(grievance).count() >= 3


def test_change_status_out_of_scope_is_refused(user_kelurahan, kemang_agung):
    grievance = GrievanceFactory(kelurahan=kemang_agung)
    with pytest.raises(ValidationError) as exc:
        services.grievance_transition(actor=user_kelurahan, grievance=grievance, to_status=Status.DIPROSES)
    assert exc.value.code == "not_visible"


def test_assign_checks_assignee_kelurahan(
    user_kecamatan, user_kelurahan, user_kelurahan_other, keramasan, user_pimpinan
):
    grievance = GrievanceFactory(kelurahan=keramasan)
    with pytest.raises(ValidationError):
        services.grievance_assign(actor=user_kecamatan, grievance=grievance, assignee=user_kelurahan_other)
    with pytest.raises(ValidationError):
        services.grievance_assign(actor=user_kecamatan, grievance=grievance, assignee=user_pimpinan)
    services.grievance_assign(actor=user_kecamatan, grievance=grievance, assignee=user_kelurahan)
    grievance.refresh_from_db()
    assert grievance.assigned_to == user_kelurahan


def test_grievance_update_recomputes_due_date_and_checks_assignee_and_scope(
    user_kecamatan, user_kelurahan, user_kelurahan_other, keramasan, kemang_agung
):
    GrievanceCategorySLA.objects.create(category=Category.KELUHAN_PETUGAS, days=5)
    grievance = GrievanceFactory(kelurahan=keramasan, category=Category.MASUKAN)
    grievance = services.grievance_update(
        actor=user_kecamatan, grievance=grievance, data={"category": Category.KELUHAN_PETUGAS, "title": "  Baru  "}
    )
    assert grievance.due_on == grievance.received_on + datetime.timedelta(days=5)
    assert grievance.title == "Baru"
    with pytest.raises(ValidationError) as exc:
        services.grievance_update(actor=user_kecamatan, grievance=grievance, data={"assigned_to": user_kelurahan_other})
    assert "tidak bertugas di kelurahan" in exc.value.message_dict["assigned_to"][0]
    with pytest.raises(ValidationError) as exc:
        services.grievance_update(actor=user_kelurahan, grievance=grievance, data={"kelurahan": kemang_agung})
    assert "kelurahan" in exc.value.message_dict
    with pytest.raises(TypeError):
        services.grievance_update(actor=user_kecamatan, grievance=grievance, data={"status": Status.SELESAI})
    grievance.refresh_from_db()
    assert grievance.kelurahan == keramasan
    assert grievance.assigned_to is None


# --- bulk ---------------------------------------------------------------------------------------------------


def test_bulk_close_changes_only_what_the_user_may_touch(user_kelurahan, keramasan, kemang_agung, user_admin):
    mine = [GrievanceFactory(kelurahan=keramasan) for _ in range(3)]
    closed = GrievanceFactory(kelurahan=keramasan, status=Status.SELESAI, answer="sudah", closed_at=timezone.now())
    other = GrievanceFactory(kelurahan=kemang_agung)
    sensitive = GrievanceFactory(kelurahan=keramasan, is_sensitive=True, assigned_to=user_admin)
    ids = [g.pk for g in mine] + [closed.pk, other.pk, sensitive.pk, 999999]
    result = services.grievances_bulk_transition(
        actor=user_kelurahan, ids=ids, to_status=Status.SELESAI, answer="Sudah ditindaklanjuti."
    )
    assert sorted(result.changed) == sorted(g.pk for g in mine)
    skipped = dict(result.skipped)
    assert set(skipped) == {closed.pk, other.pk, sensitive.pk, 999999}
    assert "di luar wewenang" in skipped[other.pk]
    assert "di luar wewenang" in skipped[sensitive.pk]
    other.refresh_from_db()
    sensitive.refresh_from_db()
    assert other.status == Status.BARU
    assert sensitive.status == Status.BARU
    assert Grievance.objects.filter(status=Status.SELESAI, answer="Sudah ditindaklanjuti.").count() == 3


def test_bulk_close_without_answer_changes_nothing(user_kelurahan, keramasan):
    grievances = [GrievanceFactory(kelurahan=keramasan) for _ in range(2)]
    with pytest.raises(ValidationError):
        services.grievances_bulk_transition(
            actor=user_kelurahan, ids=[g.pk for g in grievances], to_status=Status.SELESAI
        )
    assert Grievance.objects.filter(status=Status.BARU).count() == 2


def test_bulk_assign(user_kecamatan, user_kelurahan, keramasan, kemang_agung):
    here = GrievanceFactory(kelurahan=keramasan)
    there = GrievanceFactory(kelurahan=kemang_agung)
    result = services.grievances_bulk_assign(actor=user_kecamatan, ids=[here.pk, there.pk], assignee=user_kelurahan)
    assert result.changed == [here.pk]
    assert [pk for pk, _why in result.skipped] == [there.pk]


def test_bulk_refused_for_worker(user_lembaga, keramasan):
    grievance = GrievanceFactory(kelurahan=keramasan, submitted_by=user_lembaga)
    with pytest.raises(PermissionDenied):
        services.grievances_bulk_transition(actor=user_lembaga, ids=[grievance.pk], to_status=Status.DIPROSES)


# --- change requests --------------------------------------------------------------------------------------


def test_change_request_captures_old_value_and_changes_nothing_yet(user_kelurahan, household):
    cr = services.change_request_create(
        actor=user_kelurahan, household=household, field_name="address", new_value="Jl. Baru 7", reason="KK baru"
    )
    assert cr.old_value == "Jl. Lama No. 5"
    assert cr.new_value == "Jl. Baru 7"
    household.refresh_from_db()
    assert household.address == "Jl. Lama No. 5"


def test_change_request_refuses_field_outside_allowed_list(user_kelurahan, household):
    with pytest.raises(ValidationError) as exc:
        services.change_request_create(
            actor=user_kelurahan, household=household, field_name="desil", new_value=1, reason="x"
        )
    assert "field_name" in exc.value.message_dict


def test_change_request_evidence_checked_by_content(user_kelurahan, household):
    fake = SimpleUploadedFile("bukti.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError) as exc:
        services.change_request_create(
            actor=user_kelurahan,
            household=household,
            field_name="address",
            new_value="Jl. X",
            reason="r",
            evidence=fake,
        )
    assert "evidence" in exc.value.message_dict
    assert ChangeRequest.objects.count() == 0


def test_approval_applies_change_through_registry(user_kelurahan, user_kecamatan, member):
    cr = services.change_request_create(
        actor=user_kelurahan, member=member, field_name="full_name", new_value="Ahmad Fauzan", reason="KTP"
    )
    services.change_request_approve(actor=user_kecamatan, change_request=cr, note="cocok dengan KTP")
    member.refresh_from_db()
    cr.refresh_from_db()
    assert member.full_name == "Ahmad Fauzan"
    assert cr.status == ChangeRequestStatus.DISETUJUI
    assert cr.decided_by == user_kecamatan
    assert history.events_for(member).filter(pgh_label="update").exists()


def test_author_cannot_approve_own_request(user_kecamatan, user_kecamatan2, household):
    cr = services.change_request_create(
        actor=user_kecamatan, household=household, field_name="address", new_value="Jl. Baru", reason="r"
    )
    with pytest.raises(ValidationError) as exc:
        services.change_request_approve(actor=user_kecamatan, change_request=cr)
    assert exc.value.code == "maker_is_checker"
    household.refresh_from_db()
    assert household.address == "Jl. Lama No. 5"
    services.change_request_approve(actor=user_kecamatan2, change_request=cr)
    household.refresh_from_db()
    assert household.address == "Jl. Baru"


def test_database_refuses_maker_as_checker(user_kecamatan, household):
    cr = services.change_request_create(
        actor=user_kecamatan, household=household, field_name="address", new_value="Jl. Baru", reason="r"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        ChangeRequest.objects.filter(pk=cr.pk).update(
            status=ChangeRequestStatus.DISETUJUI, decided_by=user_kecamatan, decided_at=timezone.now()
        )


def test_kelurahan_staff_cannot_approve(user_kelurahan, user_kecamatan, household):
    cr = services.change_request_create(
        actor=user_kecamatan, household=household, field_name="address", new_value="Jl. Baru", reason="r"
    )
    # "Not allowed" is PermissionDenied (docs/conventions.md), which pages and the API answer with 403.
    with pytest.raises(PermissionDenied):
        services.change_request_approve(actor=user_kelurahan, change_request=cr)


def test_stale_request_is_refused_and_nothing_changes(user_kelurahan, user_kecamatan, household):
    cr = services.change_request_create(
        actor=user_kelurahan, household=household, field_name="address", new_value="Jl. Usulan", reason="r"
    )
    Household.objects.filter(pk=household.pk).update(address="Jl. Diubah Orang Lain")
    with pytest.raises(ValidationError) as exc:
        services.change_request_approve(actor=user_kecamatan, change_request=cr)
    assert exc.value.code == "stale"
    assert "sudah berubah" in exc.value.messages[0]
    household.refresh_from_db()
    cr.refresh_from_db()
    assert household.address == "Jl. Diubah Orang Lain"
    assert cr.status == ChangeRequestStatus.MENUNGGU


def test_registry_rule_failure_rolls_back_the_decision(user_kelurahan, user_kecamatan, member, household):
    from tests.factories.beneficiaries import MemberFactory

    other = MemberFactory(household=household, relationship=2)
    cr = services.change_request_create(
        actor=user_kelurahan, member=member, field_name="nik", new_value=other.nik, reason="r"
    )
    with pytest.raises(ValidationError):
        services.change_request_approve(actor=user_kecamatan, change_request=cr)
    cr.refresh_from_db()
    assert cr.status == ChangeRequestStatus.MENUNGGU
    assert Member.objects.get(pk=member.pk).nik != other.nik


def test_reject_needs_note_and_other_user(user_kelurahan, user_kecamatan, household):
    cr = services.change_request_create(
        actor=user_kelurahan, household=household, field_name="house_number", new_value="12A", reason="r"
    )
    with pytest.raises(ValidationError):
        services.change_request_reject(actor=user_kecamatan, change_request=cr, note="")
    services.change_request_reject(actor=user_kecamatan, change_request=cr, note="Bukti tidak cocok.")
    cr.refresh_from_db()
    assert cr.status == ChangeRequestStatus.DITOLAK
    with pytest.raises(ValidationError) as exc:
        services.change_request_approve(actor=user_kecamatan, change_request=cr)
    assert exc.value.code == "already_decided"


def test_second_pending_request_for_same_field_is_refused(user_kelurahan, household):
    services.change_request_create(
        actor=user_kelurahan, household=household, field_name="address", new_value="A", reason="r"
    )
    with pytest.raises(ValidationError) as exc:
        services.change_request_create(
            actor=user_kelurahan, household=household, field_name="address", new_value="B", reason="r"
        )
    assert "menunggu persetujuan" in exc.value.message_dict["field_name"][0]
