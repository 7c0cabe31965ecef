"""Django admin: approval goes through the same service, so maker ≠ checker holds there too."""

import pytest
from django.urls import reverse

from accounts.models import Role
from grievances import services
from grievances.models import ChangeRequestStatus, Grievance
from tests.factories.accounts import UserFactory

pytestmark = pytest.mark.django_db


def test_admin_approve_action_refuses_author_and_applies_for_other(client_for, user_admin, household):
    cr = services.change_request_create(
        actor=user_admin, household=household, field_name="address", new_value="Jl. Admin", reason="r"
    )
    url = reverse("admin:grievances_changerequest_changelist")
    data = {"action": "approve_selected", "_selected_action": [cr.pk]}
    response = client_for(user_admin).post(url, data, follow=True)
    assert "pengajunya sendiri" in response.content.decode()
    cr.refresh_from_db()
    assert cr.status == ChangeRequestStatus.MENUNGGU
    other_admin = UserFactory(username="uji.admin2", role=Role.ADMIN)
    client_for(other_admin).post(url, data, follow=True)
    cr.refresh_from_db()
    household.refresh_from_db()
    assert cr.status == ChangeRequestStatus.DISETUJUI
    assert household.address == "Jl. Admin"


def test_admin_add_grievance_goes_through_service(client_for, user_admin, keramasan):
    response = client_for(user_admin).post(
        reverse("admin:grievances_grievance_add"),
        {
            "channel": "surat",
            "category": "masukan",
            "title": "Usul dari admin",
            "description": "Isi",
            "kelurahan": keramasan.pk,
            "complainant_name": "Budi",
            "priority": 2,
            "received_on": "2026-01-05",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    grievance = Grievance.objects.get()
    assert grievance.submitted_by == user_admin
    assert str(grievance.due_on) == "2026-01-19"


def test_subject_requests_are_read_only_in_admin(client_for, user_admin, keramasan):
    from grievances.models import SubjectRequest

    obj = services.subject_request_create(
        actor=user_admin, kind="akses", requester_name="Siti", requester_contact="", detail="x", kelurahan=keramasan
    )
    client = client_for(user_admin)
    assert client.get(reverse("admin:grievances_subjectrequest_change", args=[obj.pk])).status_code == 200
    response = client.post(reverse("admin:grievances_subjectrequest_delete", args=[obj.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert SubjectRequest.objects.filter(pk=obj.pk).exists()


def _change_data(grievance, **overrides):
    data = {
        "channel": grievance.channel,
        "category": grievance.category,
        "title": grievance.title,
        "description": grievance.description,
        "kelurahan": grievance.kelurahan_id,
        "household": grievance.household_id or "",
        "member": grievance.member_id or "",
        "infrastructure_project": "",
        "distribution_round": "",
        "cohort": "",
        "complainant_name": grievance.complainant_name,
        "complainant_phone": grievance.complainant_phone,
        "complainant_address": grievance.complainant_address,
        "priority": grievance.priority,
        "received_on": grievance.received_on.isoformat(),
        "assigned_to": grievance.assigned_to_id or "",
        "to_status": "",
        "answer_input": "",
    }
    data.update(overrides)
    return data


def test_admin_change_checks_the_assignee_like_the_service(client_for, user_admin, user_kelurahan_other, keramasan):
    """An assignee of another kelurahan is refused on the admin form too (it was saved raw before)."""
    from tests.factories.grievances import GrievanceFactory

    grievance = GrievanceFactory(kelurahan=keramasan)
    url = reverse("admin:grievances_grievance_change", args=[grievance.pk])
    response = client_for(user_admin).post(url, _change_data(grievance, assigned_to=user_kelurahan_other.pk))
    assert response.status_code == 200
    assert "tidak bertugas di kelurahan" in response.content.decode()
    grievance.refresh_from_db()
    assert grievance.assigned_to is None


def test_admin_change_of_category_recomputes_the_due_date(client_for, user_admin, keramasan):
    import datetime

    from grievances.models import Category, GrievanceCategorySLA
    from tests.factories.grievances import GrievanceFactory

    GrievanceCategorySLA.objects.create(category=Category.KELUHAN_PETUGAS, days=3)
    grievance = GrievanceFactory(kelurahan=keramasan, category=Category.MASUKAN)
    assert grievance.due_on == grievance.received_on + datetime.timedelta(days=14)
    url = reverse("admin:grievances_grievance_change", args=[grievance.pk])
    response = client_for(user_admin).post(url, _change_data(grievance, category=Category.KELUHAN_PETUGAS))
    assert response.status_code == 302, response.content.decode()[:3000]
    grievance.refresh_from_db()
    assert grievance.category == Category.KELUHAN_PETUGAS
    assert grievance.due_on == grievance.received_on + datetime.timedelta(days=3)


def test_admin_status_change_shows_the_services_errors(client_for, user_admin, keramasan):
    from grievances.models import Status
    from tests.factories.grievances import GrievanceFactory

    grievance = GrievanceFactory(kelurahan=keramasan)
    url = reverse("admin:grievances_grievance_change", args=[grievance.pk])
    client = client_for(user_admin)
    response = client.post(url, _change_data(grievance, to_status=Status.SELESAI))
    assert response.status_code == 200
    assert "Jawaban tertulis wajib diisi untuk menutup pengaduan." in response.content.decode()
    grievance.refresh_from_db()
    assert grievance.status == Status.BARU
    response = client.post(url, _change_data(grievance, to_status=Status.SELESAI, answer_input="Sudah diantar."))
    assert response.status_code == 302
    grievance.refresh_from_db()
    assert grievance.status == Status.SELESAI
    assert grievance.closed_by == user_admin
    response = client.post(url, _change_data(grievance, to_status=Status.DIPROSES))
    assert response.status_code == 200
    assert "Status tidak dapat diubah dari Selesai menjadi Diproses." in response.content.decode()
