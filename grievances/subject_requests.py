"""Data-subject requests (UU PDP Pasal 5-13, 32): recorded with a 3 x 24 hour deadline, answered in writing."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from core.audit import audit_event
from core.models import AuditAction
from grievances.models import SUBJECT_REQUEST_DEADLINE, SubjectRequest, SubjectRequestStatus

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


def subject_request_list(*, user):
    return (
        SubjectRequest.objects.visible_to(user)
        .select_related("kelurahan", "member", "handled_by")
        .order_by("closed_at", "due_at")
    )


def subject_request_get_for_user(*, user, pk: int) -> SubjectRequest:
    obj = subject_request_list(user=user).filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


@transaction.atomic
def subject_request_create(
    *,
    request,
    kind: str,
    requester_name: str,
    requester_contact: str,
    detail: str,
    kelurahan=None,
    member=None,
    received_at: datetime.datetime | None = None,
) -> SubjectRequest:
    """`member` must come from a scoped selector; the kelurahan then follows the member's household."""
    user = request.user
    if member is not None:
        kelurahan = member.household.kelurahan
    if kelurahan is None:
        raise ValidationError({"kelurahan": _("Pilih kelurahan subjek data.")}, code="no_kelurahan")
    scope = user.kelurahan_scope()
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
        created_by=user,
    )
    obj.full_clean()
    obj.save()
    audit_event(
        action=AuditAction.DATA_SUBJECT_REQUEST, request=request, obj=obj, detail={"kind": kind, "step": "dicatat"}
    )
    return obj


@transaction.atomic
def subject_request_update(*, request, subject_request: SubjectRequest, status: str, response: str) -> SubjectRequest:
    obj = SubjectRequest.objects.select_for_update().get(pk=subject_request.pk)
    status = SubjectRequestStatus(status)
    if status != obj.status and status not in TRANSITIONS[SubjectRequestStatus(obj.status)]:
        raise ValidationError(
            {
                "status": _("Status tidak dapat diubah dari %(old)s ke %(new)s.")
                % {"old": obj.get_status_display(), "new": status.label}
            },
            code="bad_transition",
        )
    if status in CLOSED and not response.strip():
        raise ValidationError(
            {"response": _("Tulis jawaban kepada pemohon sebelum menutup permintaan.")}, code="no_response"
        )
    obj.status = status
    obj.response = response.strip()
    obj.handled_by = request.user
    obj.closed_at = timezone.now() if status in CLOSED else None
    obj.full_clean()
    obj.save(update_fields=["status", "response", "handled_by", "closed_at", "updated_at"])
    audit_event(action=AuditAction.DATA_SUBJECT_REQUEST, request=request, obj=obj, detail={"status": status.value})
    return obj
