"""Django admin writes go through the services: the same guards as the screens."""

import pytest
from django.urls import reverse

from infrastructure.models import InfrastructureProject, ProgressUpdate, ProjectStatus
from tests.factories.infrastructure import ProjectFactory

pytestmark = pytest.mark.django_db


def test_changelists_and_change_pages_open(client_for, user_admin, project_keramasan):
    client = client_for(user_admin)
    for model in ("infrastructureproject", "progressupdate", "progressphoto", "projectstatuschange"):
        assert client.get(reverse(f"admin:infrastructure_{model}_changelist")).status_code == 200
    assert (
        client.get(
            reverse("admin:infrastructure_infrastructureproject_change", args=[project_keramasan.pk])
        ).status_code
        == 200
    )
    update = project_keramasan.progress_updates.first()
    assert client.get(reverse("admin:infrastructure_progressupdate_change", args=[update.pk])).status_code == 200


def project_admin_data(project, **overrides):
    data = {
        "name": project.name,
        "kind": project.kind,
        "description": "",
        "fiscal_year": project.fiscal_year,
        "kelurahan_served": [k.pk for k in project.kelurahan_served.all()] if project.pk else [],
        "budget": project.budget,
        "funding_source": project.funding_source,
        "contractor": project.contractor,
        "contract_number": project.contract_number,
        "planned_start_on": "2025-03-01",
        "planned_end_on": "2025-08-31",
        "latitude": "-3.01",
        "longitude": "104.72",
        "route": "[]",
        "status_changes-TOTAL_FORMS": "0",
        "status_changes-INITIAL_FORMS": "0",
        "status_changes-MIN_NUM_FORMS": "0",
        "status_changes-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


def test_admin_status_change_is_guarded(client_for, user_admin, keramasan):
    project = ProjectFactory(kelurahan_served=[keramasan])
    client = client_for(user_admin)
    url = reverse("admin:infrastructure_infrastructureproject_change", args=[project.pk])
    response = client.post(url, project_admin_data(project, to_status="konstruksi"))
    assert response.status_code == 200
    assert "tidak dapat diubah" in response.content.decode()
    project.refresh_from_db()
    assert project.status == ProjectStatus.USULAN
    response = client.post(url, project_admin_data(project, to_status="direncanakan", status_changed_on="2025-02-01"))
    assert response.status_code == 302
    project.refresh_from_db()
    assert project.status == ProjectStatus.DIRENCANAKAN
    assert project.status_changes.last().changed_by == user_admin


def test_admin_add_project_uses_service(client_for, user_admin, keramasan):
    template = ProjectFactory.build()
    data = project_admin_data(template, kelurahan_served=[keramasan.pk], name="Sumur Bor Keramasan")
    response = client_for(user_admin).post(reverse("admin:infrastructure_infrastructureproject_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    project = InfrastructureProject.objects.get(name="Sumur Bor Keramasan")
    assert project.created_by == user_admin
    assert list(project.kelurahan_served.all()) == [keramasan]
    assert project.status_changes.count() == 1


def test_admin_progress_update_follows_rules(client_for, user_admin, project_keramasan):
    client = client_for(user_admin)
    url = reverse("admin:infrastructure_progressupdate_add")
    base = {
        "project": project_keramasan.pk,
        "reported_on": "2025-04-20",
        "spent_cumulative": "120000000",
        "note": "",
        "regression_reason": "",
        "photos-TOTAL_FORMS": "0",
        "photos-INITIAL_FORMS": "0",
        "photos-MIN_NUM_FORMS": "0",
        "photos-MAX_NUM_FORMS": "1000",
    }
    response = client.post(url, {**base, "physical_progress": "20"})
    assert response.status_code == 200
    assert "Tuliskan alasannya" in response.content.decode()
    response = client.post(url, {**base, "physical_progress": "45"})
    assert response.status_code == 302
    assert ProgressUpdate.objects.filter(project=project_keramasan).count() == 2


def test_status_timeline_is_read_only_in_admin(client_for, user_admin, keramasan):
    from infrastructure.models import ProjectStatusChange

    change = ProjectFactory(kelurahan_served=[keramasan]).status_changes.get()
    response = client_for(user_admin).post(
        reverse("admin:infrastructure_projectstatuschange_delete", args=[change.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert ProjectStatusChange.objects.filter(pk=change.pk).exists()


def test_admin_edit_and_status_move_are_checked_together(client_for, user_admin, keramasan):
    """Emptying the planned dates while moving to "direncanakan" is refused on the form (the move was checked
    against the old dates and then failed in save_model with a 500); nothing of the post is saved."""
    project = ProjectFactory(kelurahan_served=[keramasan])
    url = reverse("admin:infrastructure_infrastructureproject_change", args=[project.pk])
    data = project_admin_data(
        project, to_status="direncanakan", status_changed_on="2025-02-01", planned_start_on="", planned_end_on=""
    )
    response = client_for(user_admin).post(url, data)
    assert response.status_code == 200
    assert "Isi rencana mulai dan rencana selesai proyek" in response.content.decode()
    project.refresh_from_db()
    assert project.status == ProjectStatus.USULAN
    assert project.planned_start_on is not None


def test_admin_adds_a_project_and_moves_it_in_one_go_through_the_services(client_for, user_admin, keramasan):
    template = ProjectFactory.build()
    data = project_admin_data(
        template,
        kelurahan_served=[keramasan.pk],
        name="Drainase Lorong Sepakat",
        to_status="direncanakan",
        status_changed_on="2025-02-01",
    )
    response = client_for(user_admin).post(reverse("admin:infrastructure_infrastructureproject_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    project = InfrastructureProject.objects.get(name="Drainase Lorong Sepakat")
    assert project.status == ProjectStatus.DIRENCANAKAN
    assert list(project.status_changes.values_list("to_status", flat=True)) == ["usulan", "direncanakan"]


def test_admin_corrects_only_the_note_of_a_recorded_report(client_for, user_admin, project_keramasan):
    update = project_keramasan.progress_updates.get()
    url = reverse("admin:infrastructure_progressupdate_change", args=[update.pk])
    data = {
        "note": "Catatan dikoreksi admin.",
        "physical_progress": "99",
        "photos-TOTAL_FORMS": "0",
        "photos-INITIAL_FORMS": "0",
        "photos-MIN_NUM_FORMS": "0",
        "photos-MAX_NUM_FORMS": "1000",
    }
    response = client_for(user_admin).post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    update.refresh_from_db()
    assert update.note == "Catatan dikoreksi admin."
    assert update.physical_progress == 30
