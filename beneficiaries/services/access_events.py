"""Access events (reveal, export, data-subject request, import, merge) into the one security audit log."""

from __future__ import annotations


def access_event_record(*, actor, action: str, object_label: str, ip: str | None = None, obj=None):
    """Writes to the one security audit log (core.audit, docs/quality.md S10); never a full NIK or KK."""
    from core.audit import audit_event

    return audit_event(
        action=action, actor=actor, obj=obj, ip_address=ip or None, detail={"keterangan": object_label[:200]}
    )
