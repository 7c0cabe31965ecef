"""Django admin writes rounds through the services (core.admin.ServiceAdmin): the same checks as the pages."""

import datetime

import pytest
from django.urls import reverse

from aid_distribution.models import DistributionRound, RoundStatus
from tests.factories.aid_distribution import AidPackageFactory, DistributionRoundFactory, InstitutionFactory

pytestmark = pytest.mark.django_db


def round_data(institution, package, **overrides) -> dict:
    data = {"institution": institution.pk, "name": "Sembako Admin", "period": "2026-08-01", "package": package.pk}
    data.update(overrides)
    return data


def test_admin_add_round_goes_through_round_create(client_for, user_admin):
    institution, package = InstitutionFactory(), AidPackageFactory()
    response = client_for(user_admin).post(
        reverse("admin:aid_distribution_distributionround_add"), round_data(institution, package)
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    round_ = DistributionRound.objects.get(name="Sembako Admin")
    assert (round_.created_by, round_.status, round_.period) == (
        user_admin,
        RoundStatus.DRAFT,
        datetime.date(2026, 8, 1),
    )


def test_admin_add_round_for_an_inactive_institution_is_refused_on_the_form(client_for, user_admin):
    """Before: the admin saved the row raw, skipping round_create's check of the institution."""
    institution, package = InstitutionFactory(is_active=False), AidPackageFactory()
    response = client_for(user_admin).post(
        reverse("admin:aid_distribution_distributionround_add"), round_data(institution, package)
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["institution"] == ["Lembaga tidak aktif."]
    assert not DistributionRound.objects.exists()


def test_admin_change_of_an_approved_round_is_refused(client_for, user_admin):
    round_ = DistributionRoundFactory(status=RoundStatus.APPROVED, name="Sembako Lama")
    response = client_for(user_admin).post(
        reverse("admin:aid_distribution_distributionround_change", args=[round_.pk]),
        round_data(round_.institution, round_.package, name="Sembako Baru"),
    )
    assert response.status_code == 200
    assert "hanya dapat diubah sebelum disetujui" in response.content.decode()
    round_.refresh_from_db()
    assert round_.name == "Sembako Lama"


def test_admin_change_of_a_draft_round_saves_through_round_update(client_for, user_admin):
    round_ = DistributionRoundFactory(name="Sembako Lama")
    response = client_for(user_admin).post(
        reverse("admin:aid_distribution_distributionround_change", args=[round_.pk]),
        round_data(round_.institution, round_.package, name="Sembako Baru"),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    round_.refresh_from_db()
    assert round_.name == "Sembako Baru"


def test_admin_pages_of_rows_only_services_write_open_read_only(client_for, user_admin, round_a):
    client = client_for(user_admin)
    for model in ("entitlement", "delivery", "undeliveredvisit", "stockmovement", "supportcase", "supportsession"):
        assert client.get(reverse(f"admin:aid_distribution_{model}_changelist")).status_code == 200, model
        assert client.get(reverse(f"admin:aid_distribution_{model}_add")).status_code == 403, model
