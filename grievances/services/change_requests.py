"""Writes on change requests (maker-checker corrections of the registry).

Approved change requests are applied through the registry's own services (`household_update`,
`member_update`), so its rules (KK/NIK collisions, scope, history) hold for corrections too.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries import services as registry
from beneficiaries.models import Household, Member
from grievances import changes
from grievances.models import ChangeRequest, ChangeRequestStatus, Grievance
from grievances.services.common import (
    ADD_CHANGE_REQUEST_PERMISSION,
    APPROVE_PERMISSION,
    audited,
    check_kelurahan_scope,
    require,
)

EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
# Evidence is checked by its content, not its name (docs/quality.md S9): PDF, JPEG or PNG.
EVIDENCE_SIGNATURES = {b"%PDF-": "pdf", b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png"}


def _check_evidence(evidence) -> None:
    if evidence is None:
        return
    if evidence.size > EVIDENCE_MAX_BYTES:
        raise ValidationError({"evidence": _("Bukti: ukuran berkas paling besar 5 MB.")}, code="evidence_too_big")
    head = evidence.read(16)
    evidence.seek(0)
    if not any(head.startswith(signature) for signature in EVIDENCE_SIGNATURES):
        raise ValidationError({"evidence": _("Bukti: berkas harus PDF, JPG atau PNG.")}, code="evidence_type")


@transaction.atomic
def change_request_create(
    *,
    actor,
    household: Household | None = None,
    member: Member | None = None,
    field_name: str,
    new_value,
    reason: str,
    evidence=None,
    grievance: Grievance | None = None,
) -> ChangeRequest:
    """Captures the current value as the old value; nothing in the registry changes until approval."""
    require(actor, ADD_CHANGE_REQUEST_PERMISSION)
    if member is not None:
        household = member.household
    if household is None:
        raise ValidationError(_("Pilih keluarga atau anggota keluarga yang datanya dikoreksi."), code="target_required")
    check_kelurahan_scope(actor, household.kelurahan_id)
    is_member = member is not None
    if field_name not in changes.allowed_fields(is_member=is_member):
        raise ValidationError(
            {"field_name": _("Data yang dikoreksi: pilihan tidak tersedia.")}, code="field_not_allowed"
        )
    target: Member | Household = member if member is not None else household
    model_field = target._meta.get_field(field_name)
    assert isinstance(model_field, models.Field)  # allowed_fields() are the model's own fields, no reverse relation
    old = changes.current_value(target, field_name)
    new = changes.serialize(model_field, new_value)
    if field_name in changes.MASKED_FIELDS:
        new = "".join(ch for ch in new if ch.isdigit())
    if new == old:
        raise ValidationError({"new_value": _("Nilai baru sama dengan nilai sekarang.")}, code="unchanged")
    if not (reason or "").strip():
        raise ValidationError({"reason": _("Alasan koreksi wajib diisi.")}, code="reason_required")
    if grievance is not None and grievance.household_id not in (None, household.pk):
        raise ValidationError(_("Pengaduan asal tidak terkait dengan keluarga ini."), code="grievance_other")
    if ChangeRequest.objects.pending().filter(household=household, member=member, field_name=field_name).exists():
        raise ValidationError(
            {
                "field_name": _("Sudah ada permintaan perubahan %(field)s yang menunggu persetujuan.")
                % {"field": changes.field_label(is_member=is_member, field_name=field_name)}
            },
            code="already_pending",
        )
    _check_evidence(evidence)
    change_request = ChangeRequest(
        household=household,
        member=member,
        grievance=grievance,
        field_name=field_name,
        old_value=old,
        new_value=new,
        reason=reason.strip(),
        requested_by=actor,
    )
    if evidence is not None:
        change_request.evidence = evidence
    change_request.full_clean(exclude=["evidence"])
    with audited(actor, "change_request_create"):
        change_request.save()
    return change_request


def _locked_request(actor, change_request: ChangeRequest) -> ChangeRequest:
    require(actor, APPROVE_PERMISSION)
    try:
        locked = ChangeRequest.objects.visible_to(actor).select_for_update(of=("self",)).get(pk=change_request.pk)
    except ChangeRequest.DoesNotExist:
        raise ValidationError(_("Permintaan tidak ditemukan atau di luar wewenang Anda."), code="not_visible")
    if locked.status != ChangeRequestStatus.MENUNGGU:
        raise ValidationError(_("Permintaan ini sudah diputuskan."), code="already_decided")
    if locked.requested_by_id == actor.pk:
        raise ValidationError(
            _("Permintaan tidak boleh diputuskan oleh pengajunya sendiri; minta pengguna lain memeriksanya."),
            code="maker_is_checker",
        )
    return locked


def _decide(*, actor, change_request: ChangeRequest, status: str, note: str) -> None:
    change_request.status = status
    change_request.decided_by = actor
    change_request.decided_at = timezone.now()
    change_request.decision_note = note
    try:
        with transaction.atomic():
            change_request.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "updated_at"])
    except IntegrityError:
        # The check constraint is the last word on maker ≠ checker.
        raise ValidationError(_("Permintaan tidak boleh diputuskan oleh pengajunya sendiri."), code="maker_is_checker")


@transaction.atomic
def change_request_approve(*, actor, change_request: ChangeRequest, note: str = "") -> ChangeRequest:
    """Applies the correction through the registry's services, refusing it if the data changed meanwhile."""
    locked = _locked_request(actor, change_request)
    is_member = locked.member_id is not None
    # Lock order: the request, then the registry row it corrects.
    model = changes.model_for(is_member=is_member)
    target = model.objects.select_for_update(of=("self",)).get(
        pk=locked.member_id if is_member else locked.household_id
    )
    current = changes.current_value(target, locked.field_name)
    model_field = target._meta.get_field(locked.field_name)
    if current != locked.old_value:
        raise ValidationError(
            _(
                "%(field)s sudah berubah sejak permintaan dibuat (semula %(old)s, sekarang %(now)s). "
                "Tolak permintaan ini dan ajukan permintaan baru bila masih perlu."
            )
            % {
                "field": str(model_field.verbose_name).capitalize(),
                "old": changes.display(model_field, locked.old_value, masked=True),
                "now": changes.display(model_field, current, masked=True),
            },
            code="stale",
        )
    value = changes.deserialize(model_field, locked.new_value)
    with audited(actor, "change_request_approve"):
        if is_member:
            registry.member_update(actor=actor, member=target, data={locked.field_name: value}, warnings_confirmed=True)
        else:
            registry.household_update(actor=actor, household=target, data={locked.field_name: value})
        _decide(actor=actor, change_request=locked, status=ChangeRequestStatus.DISETUJUI, note=(note or "").strip())
    return locked


@transaction.atomic
def change_request_reject(*, actor, change_request: ChangeRequest, note: str) -> ChangeRequest:
    locked = _locked_request(actor, change_request)
    if not (note or "").strip():
        raise ValidationError({"note": _("Alasan penolakan wajib diisi.")}, code="note_required")
    with audited(actor, "change_request_reject"):
        _decide(actor=actor, change_request=locked, status=ChangeRequestStatus.DITOLAK, note=note.strip())
    return locked
