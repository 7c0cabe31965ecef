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
    assert cr.status == ChangeRequestStatus.DISETUJUI and household.address == "Jl. Admin"


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
    assert response.status_code == 403 and SubjectRequest.objects.filter(pk=obj.pk).exists()
