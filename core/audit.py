"""The one service that writes security audit events (docs/quality.md S10)."""

from core.models import AuditAction, AuditEvent


def client_ip(request) -> str | None:
    """The client's address as the WSGI server saw it (a TLS proxy in front must set REMOTE_ADDR correctly)."""
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


def audit_event(
    *, action: str, request=None, actor=None, obj=None, username: str = "", detail: dict | None = None, ip_address=None
):
    """Records one event. `obj` may be a model instance; `detail` must never hold a full NIK or a password."""
    if actor is None and request is not None and getattr(request, "user", None) is not None:
        actor = request.user if request.user.is_authenticated else None
    return AuditEvent.objects.create(
        action=AuditAction(action),
        actor=actor,
        username=username or (actor.get_username() if actor is not None else ""),
        object_type=obj._meta.label if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        ip_address=ip_address or client_ip(request),
        path=(request.path[:300] if request is not None else ""),
        detail=detail or {},
    )
