"""Login, logout, failure and lockout events go to the audit log (docs/quality.md S10). Never the password."""

from core.audit import audit_event
from core.models import AuditAction


def on_logged_in(sender, request, user, **kwargs):
    audit_event(action=AuditAction.LOGIN_SUCCESS, request=request, actor=user)


def on_logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_event(action=AuditAction.LOGOUT, request=request, actor=user)


def on_login_failed(sender, credentials, request=None, **kwargs):
    # Django already replaces the password in `credentials` with a mask; only the username is kept.
    audit_event(action=AuditAction.LOGIN_FAILURE, request=request, username=str(credentials.get("username", ""))[:150])


def on_locked_out(sender, request, username, ip_address, **kwargs):
    audit_event(action=AuditAction.LOCKOUT, request=request, username=str(username or "")[:150])
