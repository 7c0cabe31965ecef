"""Writes on grievances: logging, editing, assigning and moving them along their lifecycle, one by one or in bulk.

Every service takes `actor=` and checks the actor's permission and kelurahan scope itself (docs/conventions.md);
one transaction each.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Field
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.models import Household, Member
from grievances.models import CLOSED_STATUSES, Grievance, GrievanceCategorySLA, Status
from grievances.services.common import (
    ADD_PERMISSION,
    CHANGE_PERMISSION,
    audited,
    check_kelurahan_scope,
    require,
)

# Which status may follow which (closing always needs an answer). Forms offer these choices; no one copies them.
TRANSITIONS: dict[str, set[Status]] = {  # keyed by the stored status (a plain str on the model)
    Status.BARU: {Status.DIPROSES, Status.SELESAI, Status.DITOLAK},
    Status.DIPROSES: {Status.SELESAI, Status.DITOLAK},
    Status.SELESAI: set(),
    Status.DITOLAK: set(),
}

#: What `grievance_update` may change; the status, the answer and the due date change only through their rules.
EDITABLE_FIELDS = (
    "channel",
    "category",
    "title",
    "description",
    "kelurahan",
    "household",
    "member",
    "infrastructure_project",
    "distribution_round",
    "cohort",
    "is_anonymous",
    "complainant_name",
    "complainant_phone",
    "complainant_address",
    "priority",
    "is_sensitive",
    "received_on",
    "assigned_to",
)
_TEXT_FIELDS = ("title", "description", "complainant_name", "complainant_phone", "complainant_address")


def due_date(*, category: str, received_on: datetime.date) -> datetime.date:
    return received_on + datetime.timedelta(days=GrievanceCategorySLA.days_for(category))


def _check_received_on(received_on: datetime.date) -> None:
    if received_on > timezone.localdate():
        raise ValidationError({"received_on": _("Tanggal diterima tidak boleh di masa depan.")}, code="future")


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
    require(actor, ADD_PERMISSION)
    if member is not None and household is None:
        household = member.household
    if household is not None:
        kelurahan = household.kelurahan
    if kelurahan is None:
        raise ValidationError(
            {"kelurahan": _("Kelurahan wajib dipilih bila tidak ada keluarga terkait.")}, code="kelurahan_required"
        )
    check_kelurahan_scope(actor, kelurahan.pk)
    received_on = received_on or timezone.localdate()
    _check_received_on(received_on)
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
    with audited(actor, "grievance_create"):
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


def _locked(actor, grievance: Grievance) -> Grievance:
    """The grievance, locked, if the actor may touch it; otherwise a refusal that says nothing about it."""
    require(actor, CHANGE_PERMISSION)
    try:
        return Grievance.objects.visible_to(actor).select_for_update(of=("self",)).get(pk=grievance.pk)
    except Grievance.DoesNotExist:
        raise ValidationError(_("Pengaduan tidak ditemukan atau di luar wewenang Anda."), code="not_visible")


def _attname(name: str) -> str:
    """The attribute that holds an editable field's value (`member_id` for `member`)."""
    model_field = Grievance._meta.get_field(name)
    assert isinstance(model_field, Field)  # EDITABLE_FIELDS are the model's own fields, never reverse relations
    return model_field.attname


@transaction.atomic
def grievance_update(*, actor, grievance: Grievance, data: dict) -> Grievance:
    """Applies the editable fields in `data` with the rules of `grievance_create`: the kelurahan follows the linked
    household and must be in the actor's scope, an assignee must be allowed to handle it there, and a new category
    or date of receipt recomputes the due date from the category's service level."""
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"grievance_update() got unexpected fields: {sorted(unknown)}")
    grievance = _locked(actor, grievance)
    before = {name: getattr(grievance, _attname(name)) for name in EDITABLE_FIELDS}
    for name, value in data.items():
        if name in _TEXT_FIELDS:
            value = (value or "").strip()
        setattr(grievance, name, value)
    if grievance.member_id is not None and grievance.household_id is None:
        member = grievance.member
        assert member is not None  # member_id is set: the related row loads (or raises DoesNotExist)
        grievance.household = member.household
    if grievance.household_id is not None:
        household = grievance.household
        assert household is not None  # household_id is set, as above
        grievance.kelurahan = household.kelurahan
    if grievance.kelurahan_id is None:
        raise ValidationError(
            {"kelurahan": _("Kelurahan wajib dipilih bila tidak ada keluarga terkait.")}, code="kelurahan_required"
        )
    if grievance.is_anonymous:
        grievance.complainant_name = ""
    changed = [name for name in EDITABLE_FIELDS if getattr(grievance, _attname(name)) != before[name]]
    if not changed:
        return grievance
    if "kelurahan" in changed:
        check_kelurahan_scope(actor, grievance.kelurahan_id)
    if "received_on" in changed:
        _check_received_on(grievance.received_on)
    if grievance.assigned_to_id is not None and {"assigned_to", "kelurahan"} & set(changed):
        if not grievance.is_open and "assigned_to" in changed:
            raise ValidationError(
                {"assigned_to": _("Pengaduan yang sudah ditutup tidak dapat ditugaskan ulang.")}, code="closed"
            )
        _check_assignee(grievance.assigned_to, grievance)
    update_fields = [*changed, "updated_at"]
    if {"category", "received_on"} & set(changed):
        grievance.due_on = due_date(category=grievance.category, received_on=grievance.received_on)
        update_fields.append("due_on")
    grievance.full_clean()
    with audited(actor, "grievance_update"):
        grievance.save(update_fields=update_fields)
    return grievance


def _assign(*, actor, grievance: Grievance, assignee) -> Grievance:
    if not grievance.is_open:
        raise ValidationError(_("Pengaduan yang sudah ditutup tidak dapat ditugaskan ulang."), code="closed")
    _check_assignee(assignee, grievance)
    if grievance.assigned_to_id == assignee.pk:
        return grievance
    grievance.assigned_to = assignee
    with audited(actor, "grievance_assign"):
        grievance.save(update_fields=["assigned_to", "updated_at"])
    return grievance


@transaction.atomic
def grievance_assign(*, actor, grievance: Grievance, assignee) -> Grievance:
    return _assign(actor=actor, grievance=_locked(actor, grievance), assignee=assignee)


def _transition(*, actor, grievance: Grievance, to_status: str, answer: str = "") -> Grievance:
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
    with audited(actor, f"grievance_{to_status}"):
        grievance.save(update_fields=fields)
    return grievance


@transaction.atomic
def grievance_transition(*, actor, grievance: Grievance, to_status: str, answer: str = "") -> Grievance:
    """baru → diproses → selesai / ditolak; closing needs a written answer."""
    return _transition(actor=actor, grievance=_locked(actor, grievance), to_status=to_status, answer=answer)


@dataclass
class BulkResult:
    changed: list[int] = field(default_factory=list)
    #: (grievance id, why it was left alone)
    skipped: list[tuple[int, str]] = field(default_factory=list)


def _bulk(*, actor, ids, operation) -> BulkResult:
    require(actor, CHANGE_PERMISSION)
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


def grievances_bulk_transition(*, actor, ids, to_status: str, answer: str = "") -> BulkResult:
    if to_status in CLOSED_STATUSES and not (answer or "").strip():
        raise ValidationError(
            {"answer": _("Jawaban tertulis wajib diisi untuk menutup pengaduan.")}, code="answer_required"
        )

    def operation(grievance):
        if grievance.status == to_status:
            raise ValidationError(_("statusnya sudah %(status)s") % {"status": Status(to_status).label}, code="same")
        _transition(actor=actor, grievance=grievance, to_status=to_status, answer=answer)

    return _bulk(actor=actor, ids=ids, operation=operation)
