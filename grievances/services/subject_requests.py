"""Data-subject requests (UU PDP Pasal 5-13, 32): recorded with a 3 x 24 hour deadline, answered in writing.

The services take the acting user and the client's address (`ip=core.audit.client_ip(request)`), never the HTTP
request; the list and detail reads are `grievances.selectors.subject_request_list/_get_for_user`.
"""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_event
from core.models import AuditAction
from grievances.models import SUBJECT_REQUEST_DEADLINE, SubjectRequest, SubjectRequestStatus
from grievances.services.common import (
    ADD_SUBJECT_REQUEST_PERMISSION,
    CHANGE_SUBJECT_REQUEST_PERMISSION,
    require,
)

TRANSITIONS = {
    SubjectRequestStatus.BARU: {
        SubjectRequestStatus.DIPROSES,
        SubjectRequestStatus.SELESAI,
        SubjectRequestStatus.DITOLAK,
    },
    SubjectRequestStatus.DIPROSES: {SubjectRequestStatus.SELESAI, SubjectRequestStatus.DITOLAK},
    SubjectRequestStatus.SELESAI: set(),
    SubjectRequestStatus.DITOLAK: set(),
}
CLOSED = {SubjectRequestStatus.SELESAI, SubjectRequestStatus.DITOLAK}


@transaction.atomic
def subject_request_create(
    *,
    actor,
    kind: str,
    requester_name: str,
    requester_contact: str,
    detail: str,
    kelurahan=None,
    member=None,
    received_at: datetime.datetime | None = None,
    ip: str | None = None,
) -> SubjectRequest:
    """`member` must come from a scoped selector; the kelurahan then follows the member's household."""
    require(actor, ADD_SUBJECT_REQUEST_PERMISSION)
    if member is not None:
        kelurahan = member.household.kelurahan
    if kelurahan is None:
        raise ValidationError({"kelurahan": _("Pilih kelurahan subjek data.")}, code="no_kelurahan")
    scope = actor.kelurahan_scope()
    if scope is not None and kelurahan.pk not in scope:
        raise ValidationError({"kelurahan": _("Kelurahan ini di luar wilayah tugas Anda.")}, code="out_of_scope")
    received_at = received_at or timezone.now()
    if received_at > timezone.now() + datetime.timedelta(minutes=5):
        raise ValidationError({"received_at": _("Waktu diterima tidak boleh di masa depan.")}, code="future")
    obj = SubjectRequest(
        kind=kind,
        kelurahan=kelurahan,
        member=member,
        household=member.household if member is not None else None,
        requester_name=requester_name,
        requester_contact=requester_contact,
        detail=detail,
        received_at=received_at,
        due_at=received_at + SUBJECT_REQUEST_DEADLINE,
        created_by=actor,
    )
    obj.full_clean()
    obj.save()
    audit_event(
        action=AuditAction.DATA_SUBJECT_REQUEST,
        actor=actor,
        obj=obj,
        ip_address=ip,
        detail={"kind": kind, "step": "dicatat"},
    )
    return obj


@transaction.atomic
def subject_request_transition(
    *, actor, subject_request: SubjectRequest, to_status: str, response: str, ip: str | None = None
) -> SubjectRequest:
    """baru → diproses → selesai / ditolak with the written answer to the requester (required to close); the same
    status again only updates the answer."""
    require(actor, CHANGE_SUBJECT_REQUEST_PERMISSION)
    try:
        obj = SubjectRequest.objects.visible_to(actor).select_for_update().get(pk=subject_request.pk)
    except SubjectRequest.DoesNotExist:
        raise ValidationError(_("Permintaan tidak ditemukan atau di luar wewenang Anda."), code="not_visible")
    to_status = SubjectRequestStatus(to_status)
    if to_status != obj.status and to_status not in TRANSITIONS[SubjectRequestStatus(obj.status)]:
        raise ValidationError(
            {
                "status": _("Status tidak dapat diubah dari %(old)s ke %(new)s.")
                % {"old": obj.get_status_display(), "new": to_status.label}
            },
            code="bad_transition",
        )
    if to_status in CLOSED and not response.strip():
        raise ValidationError(
            {"response": _("Tulis jawaban kepada pemohon sebelum menutup permintaan.")}, code="no_response"
        )
    obj.status = to_status
    obj.response = response.strip()
    obj.handled_by = actor
    obj.closed_at = timezone.now() if to_status in CLOSED else None
    obj.full_clean()
    obj.save(update_fields=["status", "response", "handled_by", "closed_at", "updated_at"])
    audit_event(
        action=AuditAction.DATA_SUBJECT_REQUEST,
        actor=actor,
        obj=obj,
        ip_address=ip,
        detail={"status": to_status.value},
    )
    return obj
