import pytest
from django.db import InternalError, transaction
from django.urls import reverse

from core.audit import audit_event
from core.models import AuditAction, AuditEvent
from tests.factories.accounts import PASSWORD


def login(client, username, password):
    return client.post(reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR="10.1.2.3")


@pytest.mark.django_db
def test_login_success_and_failure_are_audited_without_password(client, user_kecamatan):
    login(client, user_kecamatan.username, "salah-sekali-123")
    login(client, user_kecamatan.username, PASSWORD)
    events = list(AuditEvent.objects.order_by("created_at").values_list("action", "username", "ip_address"))
    assert events == [
        (AuditAction.LOGIN_FAILURE, user_kecamatan.username, "10.1.2.3"),
        (AuditAction.LOGIN_SUCCESS, user_kecamatan.username, "10.1.2.3"),
    ]
    for event in AuditEvent.objects.all():
        assert PASSWORD not in str(event.detail)
        assert "salah-sekali-123" not in str(event.detail)


@pytest.mark.django_db
def test_lockout_is_audited(client, user_kecamatan):
    for _ in range(5):
        login(client, user_kecamatan.username, "salah-sekali-123")
    assert AuditEvent.objects.filter(action=AuditAction.LOCKOUT, username=user_kecamatan.username).exists()


@pytest.mark.django_db
def test_logout_is_audited(client_for, user_kecamatan):
    client = client_for(user_kecamatan)
    client.post(reverse("accounts:logout"))
    assert AuditEvent.objects.filter(action=AuditAction.LOGOUT, actor=user_kecamatan).exists()


@pytest.mark.django_db
def test_audit_table_refuses_update_and_delete(user_admin):
    event = audit_event(action=AuditAction.EXPORT, actor=user_admin, detail={"rows": 3})
    with pytest.raises(InternalError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action=AuditAction.OTHER)
    with pytest.raises(InternalError), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.get(pk=event.pk).action == AuditAction.EXPORT


@pytest.mark.django_db
def test_audit_admin_is_read_only(client_for, user_admin):
    event = audit_event(action=AuditAction.EXPORT, actor=user_admin)
    client = client_for(user_admin)
    assert client.get(reverse("admin:core_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:core_auditevent_add")).status_code == 403
    response = client.post(reverse("admin:core_auditevent_delete", args=[event.pk]), {"post": "yes"})
    assert response.status_code == 403
