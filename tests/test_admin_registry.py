"""Every model of ours is usable in Django admin (admins work there), and only staff reach admin."""

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse

OUR_APPS = [
    "core",
    "accounts",
    "beneficiaries",
    "programs",
    "aid_distribution",
    "infrastructure",
    "grievances",
    "reports",
    "field_app",
]


def our_models():
    for label in OUR_APPS:
        for model in apps.get_app_config(label).get_models():
            # pghistory's event tables are browsed through the history view of their tracked model.
            if model._meta.object_name.endswith("Event") and hasattr(model, "pgh_obj"):
                continue
            yield model


def test_every_model_is_registered_in_admin():
    missing = [m._meta.label for m in our_models() if not admin.site.is_registered(m)]
    assert missing == []


@pytest.mark.django_db
def test_admin_changelists_open_for_admin(client_for, user_admin):
    client = client_for(user_admin)
    for model in our_models():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Administrasi Portal Kesejahteraan Sosial Kertapati" in response.content.decode()


@pytest.mark.django_db
def test_admin_refuses_non_staff_roles(client_for, user_kecamatan, user_kelurahan, user_lembaga, user_pimpinan):
    for user in (user_kecamatan, user_kelurahan, user_lembaga, user_pimpinan):
        response = client_for(user).get(reverse("admin:index"))
        assert response.status_code == 302, user.role
