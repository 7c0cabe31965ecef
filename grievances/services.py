"""Writes on grievances and change requests (style.md rule 2): keyword-only, one transaction each.

Approved change requests are applied through the registry's own services (`household_update`,
`member_update`), so its rules (KK/NIK collisions, scope, history) hold for corrections too.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries import services as registry
from beneficiaries.models import Household, Member
from core import history
from grievances import changes
from grievances.models import (
    CLOSED_STATUSES,
    ChangeRequest,
    ChangeRequestStatus,
    Grievance,
    GrievanceCategorySLA,
    Status,
    SubjectRequest,
)

CHANGE_PERMISSION = "grievances.change_grievance"
APPROVE_PERMISSION = "grievances.approve_changerequest"
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
# Evidence is checked by its content, not its name (quality.md S9): PDF, JPEG or PNG.
EVIDENCE_SIGNATURES = {b"%PDF-": "pdf", b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png"}

# Which status may follow which (closing always needs an answer).
TRANSITIONS = {
    Status.BARU: {Status.DIPROSES, Status.SELESAI, Status.DITOLAK},
    Status.DIPROSES: {Status.SELESAI, Status.DITOLAK},
    Status.SELESAI: set(),
    Status.DITOLAK: set(),
}


def _audited(actor, operation: str):
    return history.acting_as(actor, operation=operation)


def _require(actor, perm: str) -> None:
    if actor is None or not actor.has_perm(perm):
        raise ValidationError(_("Anda tidak berwenang melakukan tindakan ini."), code="forbidden")


def _check_kelurahan_scope(actor, kelurahan_id: int) -> None:
    if actor is None or actor.role == "petugas_lembaga":
        return
    scope = actor.kelurahan_scope()
    if scope is not None and kelurahan_id not in scope:
        raise ValidationError({"kelurahan": _("Kelurahan: di luar wilayah tugas Anda.")}, code="out_of_scope")


def due_date(*, category: str, received_on: datetime.date) -> datetime.date:
    return received_on + datetime.timedelta(days=GrievanceCategorySLA.days_for(category))


# --- Grievances -------------------------------------------------------------------------------------------


@transaction.atomic
def grievance_create(
    *,
    actor,
    channel: str,
    category: str,
    title: str,
    description: str,
    kelurahan=None,
    household: Household | None = None,
    member: Member | None = None,
    infrastructure_project=None,
    distribution_round=None,
    cohort=None,
    is_anonymous: bool = False,
    complainant_name: str = "",
    complainant_phone: str = "",
    complainant_address: str = "",
    priority: int = 2,
    is_sensitive: bool = False,
    received_on: datetime.date | None = None,
    assigned_to=None,
) -> Grievance:
    """Logs a grievance; its kelurahan comes from the linked household when there is one, and its due date from
    the category's service level."""
    _require(actor, "grievances.add_grievance")
    if member is not None and household is None:
        household = member.household
    if household is not None:
        kelurahan = household.kelurahan
    if kelurahan is None:
        raise ValidationError(
            {"kelurahan": _("Kelurahan wajib dipilih bila tidak ada keluarga terkait.")}, code="kelurahan_required"
        )
    _check_kelurahan_scope(actor, kelurahan.pk)
    received_on = received_on or timezone.localdate()
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("Tanggal diterima tidak boleh di masa depan.")}, code="future")
    if is_anonymous:
        complainant_name = ""
    grievance = Grievance(
        channel=channel,
        category=category,
        title=title.strip(),
        description=description.strip(),
        kelurahan=kelurahan,
        household=household,
        member=member,
        infrastructure_project=infrastructure_project,
        distribution_round=distribution_round,
        cohort=cohort,
        is_anonymous=is_anonymous,
        complainant_name=complainant_name.strip(),
        complainant_phone=complainant_phone.strip(),
        complainant_address=complainant_address.strip(),
        priority=priority,
        is_sensitive=is_sensitive,
        received_on=received_on,
        due_on=due_date(category=category, received_on=received_on),
        submitted_by=actor,
    )
    if assigned_to is not None:
        _check_assignee(assigned_to, grievance)
        grievance.assigned_to = assigned_to
    grievance.full_clean()
    with _audited(actor, "grievance_create"):
        grievance.save()
    return grievance


def _check_assignee(assignee, grievance: Grievance) -> None:
    if not assignee.is_active or not assignee.has_perm(CHANGE_PERMISSION):
        raise ValidationError(
            {"assigned_to": _("Petugas %(user)s tidak dapat menangani pengaduan.") % {"user": assignee}},
            code="assignee_not_allowed",
        )
    scope = assignee.kelurahan_scope()
    if scope is not None and grievance.kelurahan_id not in scope:
        raise ValidationError(
            {
                "assigned_to": _("Petugas %(user)s tidak bertugas di kelurahan %(kel)s.")
                % {"user": assignee, "kel": grievance.kelurahan}
            },
            code="assignee_out_of_scope",
        )


def assignable_users(*, kelurahan_id: int | None = None):
    """Active staff who may handle grievances (optionally: of one kelurahan)."""
    users = (
        get_user_model()
        .objects.filter(is_active=True, role__in=["admin", "staf_kecamatan", "staf_kelurahan"])
        .order_by("first_name", "last_name", "username")
    )
    if kelurahan_id is not None:
        users = users.filter(Q(role__in=["admin", "staf_kecamatan"]) | Q(kelurahan_id=kelurahan_id))
    return users


def _locked(actor, grievance: Grievance) -> Grievance:
    """The grievance, locked, if the actor may touch it; otherwise a refusal that says nothing about it."""
    _require(actor, CHANGE_PERMISSION)
    try:
        return Grievance.objects.visible_to(actor).select_for_update(of=("self",)).get(pk=grievance.pk)
    except Grievance.DoesNotExist:
        raise ValidationError(_("Pengaduan tidak ditemukan atau di luar wewenang Anda."), code="not_visible")


def _assign(*, actor, grievance: Grievance, assignee) -> Grievance:
    if not grievance.is_open:
        raise ValidationError(_("Pengaduan yang sudah ditutup tidak dapat ditugaskan ulang."), code="closed")
    _check_assignee(assignee, grievance)
    if grievance.assigned_to_id == assignee.pk:
        return grievance
    grievance.assigned_to = assignee
    with _audited(actor, "grievance_assign"):
        grievance.save(update_fields=["assigned_to", "updated_at"])
    return grievance


@transaction.atomic
def grievance_assign(*, actor, grievance: Grievance, assignee) -> Grievance:
    return _assign(actor=actor, grievance=_locked(actor, grievance), assignee=assignee)


def _change_status(*, actor, grievance: Grievance, to_status: str, answer: str = "") -> Grievance:
    answer = (answer or "").strip()
    if to_status not in TRANSITIONS.get(grievance.status, set()):
        raise ValidationError(
            {
                "status": _("Status tidak dapat diubah dari %(old)s menjadi %(new)s.")
                % {
                    "old": Status(grievance.status).label,
                    "new": Status(to_status).label if to_status in Status.values else to_status,
                }
            },
            code="bad_transition",
        )
    fields = ["status", "updated_at"]
    if to_status in CLOSED_STATUSES:
        if not answer:
            raise ValidationError(
                {"answer": _("Jawaban tertulis wajib diisi untuk menutup pengaduan.")}, code="answer_required"
            )
        grievance.answer = answer
        grievance.closed_at = timezone.now()
        grievance.closed_by = actor
        fields += ["answer", "closed_at", "closed_by"]
    grievance.status = to_status
    grievance.full_clean()
    with _audited(actor, f"grievance_{to_status}"):
        grievance.save(update_fields=fields)
    return grievance


@transaction.atomic
def grievance_change_status(*, actor, grievance: Grievance, to_status: str, answer: str = "") -> Grievance:
    """baru → diproses → selesai / ditolak; closing needs a written answer."""
    return _change_status(actor=actor, grievance=_locked(actor, grievance), to_status=to_status, answer=answer)


@dataclass
class BulkResult:
    changed: list[int] = field(default_factory=list)
    #: (grievance id, why it was left alone)
    skipped: list[tuple[int, str]] = field(default_factory=list)


def _bulk(*, actor, ids, operation) -> BulkResult:
    _require(actor, CHANGE_PERMISSION)
    ids = sorted({int(pk) for pk in ids})
    result = BulkResult()
    if not ids:
        raise ValidationError(_("Pilih minimal satu pengaduan."), code="nothing_selected")
    with transaction.atomic():
        # Locked in id order, so two bulk actions over overlapping selections cannot deadlock.
        rows = {
            g.pk: g
            for g in Grievance.objects.visible_to(actor)
            .select_for_update(of=("self",))
            .select_related("kelurahan")
            .filter(pk__in=ids)
            .order_by("pk")
        }
        for pk in ids:
            grievance = rows.get(pk)
            if grievance is None:
                result.skipped.append((pk, _("tidak ditemukan atau di luar wewenang Anda")))
                continue
            try:
                with transaction.atomic():
                    operation(grievance)
            except ValidationError as exc:
                result.skipped.append((pk, " ".join(exc.messages)))
            else:
                result.changed.append(pk)
    return result


def grievances_bulk_assign(*, actor, ids, assignee) -> BulkResult:
    return _bulk(actor=actor, ids=ids, operation=lambda g: _assign(actor=actor, grievance=g, assignee=assignee))


def grievances_bulk_change_status(*, actor, ids, to_status: str, answer: str = "") -> BulkResult:
    if to_status in CLOSED_STATUSES and not (answer or "").strip():
        raise ValidationError(
            {"answer": _("Jawaban tertulis wajib diisi untuk menutup pengaduan.")}, code="answer_required"
        )

    def operation(grievance):
        if grievance.status == to_status:
            raise ValidationError(_("statusnya sudah %(status)s") % {"status": Status(to_status).label}, code="same")
        _change_status(actor=actor, grievance=grievance, to_status=to_status, answer=answer)

    return _bulk(actor=actor, ids=ids, operation=operation)


# --- Change requests --------------------------------------------------------------------------------------


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
    _require(actor, "grievances.add_changerequest")
    if member is not None:
        household = member.household
    if household is None:
        raise ValidationError(_("Pilih keluarga atau anggota keluarga yang datanya dikoreksi."), code="target_required")
    if actor.role != "petugas_lembaga":
        _check_kelurahan_scope(actor, household.kelurahan_id)
    is_member = member is not None
    if field_name not in changes.allowed_fields(is_member=is_member):
        raise ValidationError(
            {"field_name": _("Data yang dikoreksi: pilihan tidak tersedia.")}, code="field_not_allowed"
        )
    target = member if is_member else household
    model_field = target._meta.get_field(field_name)
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
    with _audited(actor, "change_request_create"):
        change_request.save()
    return change_request


def _locked_request(actor, change_request: ChangeRequest) -> ChangeRequest:
    _require(actor, APPROVE_PERMISSION)
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
    with _audited(actor, "change_request_approve"):
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
    with _audited(actor, "change_request_reject"):
        _decide(actor=actor, change_request=locked, status=ChangeRequestStatus.DITOLAK, note=note.strip())
    return locked


def grievances_anonymise_expired(*, now=None) -> int:
    """Clears the complainant's identity from grievances closed longer ago than the retention period."""
    from core import retention

    expired = Grievance.objects.filter(
        closed_at__lt=retention.cutoff("grievance_closed", now=now), status__in=CLOSED_STATUSES
    ).exclude(complainant_name="", complainant_phone="", complainant_address="")
    return retention.anonymise(
        expired, {"complainant_name": "", "complainant_phone": "", "complainant_address": "", "is_anonymous": True}
    )


def registry_copies_anonymise(*, member_ids: list[int], household_ids: list[int]) -> int:
    """Registry retention follow-on: correction and data-subject requests about anonymised families and members
    lose the copies they hold (old and new values, reasons, evidence scans, the requester); returns rows changed.

    What was corrected (the field), when and by whom, and the request's kind and status stay as the record that
    the request was handled. Evidence files are deleted before their names are cleared, as for handover photos.
    """
    from django.core.files.storage import default_storage

    from core import retention
    from core.retention import ANONYMISED

    about = Q(member_id__in=member_ids) | Q(household_id__in=household_ids)
    changes = ChangeRequest.objects.filter(about).exclude(reason=ANONYMISED)
    change_ids = list(changes.values_list("pk", flat=True))
    files = set(ChangeRequest.objects.filter(pk__in=change_ids).exclude(evidence="").values_list("evidence", flat=True))
    for name in sorted(files | retention.history_values(ChangeRequest, change_ids, "evidence")):
        default_storage.delete(name)
    changed = retention.anonymise(
        ChangeRequest.objects.filter(pk__in=change_ids),
        {"old_value": "", "new_value": "", "reason": ANONYMISED, "decision_note": "", "evidence": ""},
    )
    requests = SubjectRequest.objects.filter(about).exclude(requester_name=ANONYMISED)
    changed += retention.anonymise(
        requests,
        {
            "requester_name": ANONYMISED,
            "requester_contact": "",
            "detail": ANONYMISED,
            # A closed request must keep a written answer (database constraint): its text goes, the fact stays.
            "response": Case(When(response="", then=Value("")), default=Value(ANONYMISED)),
        },
    )
    return changed
