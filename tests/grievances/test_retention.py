import datetime

import pytest
from django.apps import apps
from django.utils import timezone

from core.tasks import anonymise_expired_records_task
from grievances import services
from grievances.models import Grievance
from tests.factories.grievances import GrievanceFactory


@pytest.mark.django_db
def test_closed_grievances_past_retention_lose_identity_also_in_history(keramasan):
    old = GrievanceFactory(kelurahan=keramasan, complainant_name="Siti Aminah", complainant_phone="081234567890")
    recent = GrievanceFactory(kelurahan=keramasan, complainant_name="Budi", complainant_phone="081200000000")
    now = timezone.now()
    Grievance.objects.filter(pk=old.pk).update(
        status="selesai", answer="Sudah ditangani", closed_at=now - datetime.timedelta(days=3 * 365)
    )
    Grievance.objects.filter(pk=recent.pk).update(
        status="selesai", answer="Sudah ditangani", closed_at=now - datetime.timedelta(days=30)
    )

    assert anonymise_expired_records_task.delay().get()["grievance_closed"] == 1

    old.refresh_from_db()
    recent.refresh_from_db()
    assert (old.complainant_name, old.complainant_phone, old.is_anonymous) == ("", "", True)
    assert recent.complainant_name == "Budi"
    event_model = apps.get_model("grievances", "GrievanceEvent")
    assert not event_model.objects.filter(pgh_obj_id=old.pk, complainant_name="Siti Aminah").exists()
    assert event_model.objects.filter(pgh_obj_id=recent.pk, complainant_name="Budi").exists()
    # Running again changes nothing.
    assert services.grievances_anonymise_expired() == 0


@pytest.mark.django_db
def test_open_grievances_are_never_anonymised(keramasan):
    GrievanceFactory(kelurahan=keramasan, complainant_name="Siti")
    assert services.grievances_anonymise_expired(now=timezone.now() + datetime.timedelta(days=3650)) == 0


@pytest.mark.django_db
def test_registry_anonymisation_clears_copies_in_change_and_subject_requests(user_kecamatan, keramasan):
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from beneficiaries import choices
    from beneficiaries.models import Member
    from beneficiaries.services import member_deactivate
    from beneficiaries.services.retention import registry_anonymise_inactive
    from core import history, retention
    from core.retention import ANONYMISED
    from grievances.models import ChangeRequest, SubjectRequest
    from tests.factories.beneficiaries import HouseholdFactory, MemberFactory
    from tests.factories.grievances import ChangeRequestFactory

    household = HouseholdFactory(kelurahan=keramasan)
    gone = MemberFactory(household=household, full_name="Siti Lama")
    kept = MemberFactory(household=household, full_name="Budi Tetap")
    requests = {}
    for member, old in ((gone, "Siti Lama"), (kept, "Budi Tetap")):
        change = ChangeRequestFactory(
            household=household,
            member=member,
            field_name="full_name",
            old_value=old,
            new_value=f"{old} Baru",
            reason=f"KTP atas nama {old} Baru",
            requested_by=user_kecamatan,
        )
        change.evidence.save("ktp.pdf", ContentFile(b"%PDF-1.4 " + old.encode()), save=True)
        subject = SubjectRequest.objects.create(
            kind="akses",
            kelurahan=keramasan,
            household=household,
            member=member,
            requester_name=old,
            requester_contact="0812000111",
            detail=f"{old} minta salinan",
            due_at=timezone.now(),
            status="selesai",
            response=f"Salinan untuk {old}",
            created_by=user_kecamatan,
        )
        requests[member.pk] = (change, subject)
    member_deactivate(actor=user_kecamatan, member=gone, reason=choices.RemovalReason.MOVED_OUT)
    now = timezone.now()
    Member.objects.filter(pk=gone.pk).update(removed_at=retention.cutoff("registry_inactive", now=now))
    gone_file = requests[gone.pk][0].evidence.name

    assert registry_anonymise_inactive(now=now + datetime.timedelta(seconds=1)) == 1

    change, subject = (obj.__class__.objects.get(pk=obj.pk) for obj in requests[gone.pk])
    assert (change.old_value, change.new_value, change.reason, change.evidence.name) == ("", "", ANONYMISED, "")
    assert change.field_name == "full_name"
    assert not default_storage.exists(gone_file)
    assert (subject.requester_name, subject.requester_contact, subject.detail, subject.response) == (
        ANONYMISED,
        "",
        ANONYMISED,
        ANONYMISED,
    )
    for obj in (change, subject):
        assert "Siti Lama" not in str([event.pgh_data for event in history.events_for(obj)])
    kept_change, kept_subject = (obj.__class__.objects.get(pk=obj.pk) for obj in requests[kept.pk])
    assert kept_change.old_value == "Budi Tetap"
    assert default_storage.exists(kept_change.evidence.name)
    assert kept_subject.requester_name == "Budi Tetap"
    default_storage.delete(kept_change.evidence.name)
    assert ChangeRequest.objects.filter(reason=ANONYMISED).count() == 1
