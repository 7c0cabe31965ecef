import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from core.models import AuditAction, AuditEvent
from grievances import services
from grievances.models import SubjectRequest, SubjectRequestStatus
from tests.factories.beneficiaries import HouseholdFactory, MemberFactory
from tests.helpers import assert_queries


@pytest.fixture
def member_keramasan(keramasan):
    return MemberFactory(household=HouseholdFactory(kelurahan=keramasan))


@pytest.mark.django_db
def test_create_sets_72_hour_deadline_and_audits(user_kelurahan, member_keramasan):
    received = timezone.now() - datetime.timedelta(hours=1)
    obj = services.subject_request_create(
        actor=user_kelurahan,
        kind="akses",
        requester_name="Siti",
        requester_contact="0812",
        detail="Minta salinan data",
        member=member_keramasan,
        received_at=received,
    )
    assert obj.due_at == received + datetime.timedelta(hours=72)
    assert obj.kelurahan == member_keramasan.household.kelurahan
    assert AuditEvent.objects.filter(action=AuditAction.DATA_SUBJECT_REQUEST, object_id=str(obj.pk)).exists()


@pytest.mark.django_db
def test_create_refuses_out_of_scope_kelurahan(user_kelurahan, kemang_agung):
    with pytest.raises(ValidationError) as error:
        services.subject_request_create(
            actor=user_kelurahan,
            kind="akses",
            requester_name="Siti",
            requester_contact="",
            detail="x",
            kelurahan=kemang_agung,
        )
    assert "di luar wilayah tugas" in str(error.value)
    assert not SubjectRequest.objects.exists()


@pytest.mark.django_db
def test_closing_needs_written_response(user_kelurahan, member_keramasan):
    obj = services.subject_request_create(
        actor=user_kelurahan,
        kind="penghapusan",
        requester_name="Siti",
        requester_contact="",
        detail="Hapus data saya",
        member=member_keramasan,
    )
    with pytest.raises(ValidationError) as error:
        services.subject_request_transition(
            actor=user_kelurahan, subject_request=obj, to_status="selesai", response=" "
        )
    assert "jawaban" in str(error.value)
    obj.refresh_from_db()
    assert obj.status == SubjectRequestStatus.BARU
    services.subject_request_transition(
        actor=user_kelurahan,
        subject_request=obj,
        to_status="ditolak",
        response="Data masih diperlukan untuk bansos.",
    )
    obj.refresh_from_db()
    assert obj.status == SubjectRequestStatus.DITOLAK
    assert obj.closed_at is not None
    with pytest.raises(ValidationError):
        services.subject_request_transition(
            actor=user_kelurahan, subject_request=obj, to_status="diproses", response="x"
        )


@pytest.mark.django_db
def test_pages_scoped_and_overdue_highlighted(client_for, user_kelurahan, user_kelurahan_other, member_keramasan):
    obj = services.subject_request_create(
        actor=user_kelurahan,
        kind="akses",
        requester_name="Siti <script>alert(1)</script>",
        requester_contact="",
        detail="x",
        member=member_keramasan,
        received_at=timezone.now() - datetime.timedelta(hours=80),
    )
    client = client_for(user_kelurahan)
    body = client.get(reverse("grievances:subjectrequest_list")).content.decode()
    assert "Lewat batas" in body
    assert "<script>alert(1)</script>" not in body
    detail = reverse("grievances:subjectrequest_detail", args=[obj.pk])
    assert client.get(detail).status_code == 200
    assert client_for(user_kelurahan_other).get(detail).status_code == 404
    assert (
        list(client_for(user_kelurahan_other).get(reverse("grievances:subjectrequest_list")).context["requests"]) == []
    )


@pytest.mark.django_db
def test_create_page_from_member_and_out_of_scope_member(
    client_for, user_kelurahan, user_kelurahan_other, member_keramasan
):
    url = reverse("grievances:subjectrequest_create") + f"?member={member_keramasan.pk}"
    response = client_for(user_kelurahan).post(
        url, {"kind": "perbaikan", "requester_name": "Siti", "requester_contact": "", "detail": "Nama salah eja"}
    )
    assert response.status_code == 302
    assert SubjectRequest.objects.get().member == member_keramasan
    assert client_for(user_kelurahan_other).get(url).status_code == 404
    empty = client_for(user_kelurahan).post(reverse("grievances:subjectrequest_create"), {"kind": "akses"})
    assert empty.status_code == 200
    assert set(empty.context["form"].errors) == {"requester_name", "detail"}
    no_kelurahan = client_for(user_kelurahan).post(
        reverse("grievances:subjectrequest_create"), {"kind": "akses", "requester_name": "Siti", "detail": "x"}
    )
    assert "Pilih kelurahan subjek data." in no_kelurahan.content.decode()
    assert SubjectRequest.objects.count() == 1


@pytest.mark.django_db
def test_list_query_count_does_not_grow(client_for, user_kecamatan, member_keramasan):
    client = client_for(user_kecamatan)
    services.subject_request_create(
        actor=user_kecamatan,
        kind="akses",
        requester_name="A",
        requester_contact="",
        detail="x",
        member=member_keramasan,
    )
    client.get(reverse("grievances:subjectrequest_list"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        client.get(reverse("grievances:subjectrequest_list"))
    for i in range(10):
        services.subject_request_create(
            actor=user_kecamatan,
            kind="akses",
            requester_name=f"B{i}",
            requester_contact="",
            detail="x",
            member=member_keramasan,
        )
    with assert_queries(len(first.captured_queries)):
        client.get(reverse("grievances:subjectrequest_list"))


@pytest.mark.django_db
def test_services_take_the_actor_and_the_client_ip_not_the_request(user_kelurahan, member_keramasan):
    obj = services.subject_request_create(
        actor=user_kelurahan,
        ip="203.0.113.7",
        kind="akses",
        requester_name="Siti",
        requester_contact="",
        detail="Minta salinan data",
        member=member_keramasan,
    )
    services.subject_request_transition(
        actor=user_kelurahan, ip="203.0.113.8", subject_request=obj, to_status="diproses", response=""
    )
    events = AuditEvent.objects.filter(action=AuditAction.DATA_SUBJECT_REQUEST, object_id=str(obj.pk))
    assert sorted(events.values_list("ip_address", flat=True)) == ["203.0.113.7", "203.0.113.8"]
    assert set(events.values_list("actor", flat=True)) == {user_kelurahan.pk}


@pytest.mark.django_db
def test_transition_checks_permission_and_scope_itself(
    user_kelurahan, user_kelurahan_other, user_lembaga, member_keramasan
):
    from django.core.exceptions import PermissionDenied

    obj = services.subject_request_create(
        actor=user_kelurahan,
        kind="akses",
        requester_name="Siti",
        requester_contact="",
        detail="x",
        member=member_keramasan,
    )
    with pytest.raises(PermissionDenied):
        services.subject_request_transition(actor=user_lembaga, subject_request=obj, to_status="diproses", response="")
    with pytest.raises(PermissionDenied):
        services.subject_request_create(
            actor=user_lembaga,
            kind="akses",
            requester_name="Siti",
            requester_contact="",
            detail="x",
            member=member_keramasan,
        )
    with pytest.raises(ValidationError) as error:
        services.subject_request_transition(
            actor=user_kelurahan_other, subject_request=obj, to_status="selesai", response="Selesai."
        )
    assert error.value.code == "not_visible"
    obj.refresh_from_db()
    assert obj.status == SubjectRequestStatus.BARU
    assert obj.handled_by is None
