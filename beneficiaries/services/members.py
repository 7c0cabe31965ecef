"""Members: add, update, deactivate, move to another family (Pecah KK).

Each keeps its households at exactly one active Kepala Keluarga (services.heads): the head cannot leave unless
another member becomes head in the same operation (`new_head=`).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries import choices
from beneficiaries.models import Household, Member
from beneficiaries.services import heads
from beneficiaries.services.common import (
    HOUSEHOLD_EDITABLE,
    _audited,
    _check_household_scope,
    _clean_member_data,
    _confirm_warnings,
    _require,
    _save_new,
    kk_collision,
    nik_collision,
)
from beneficiaries.validators import mask_number, normalise_number

HEAD = choices.Relationship.HEAD


@transaction.atomic
def member_add(*, actor, household: Household, data: dict, warnings_confirmed: bool = False) -> Member:
    _require(actor, "beneficiaries.add_member")
    _check_household_scope(actor, household)
    data = _clean_member_data(data, actor=actor)
    if error := nik_collision(actor=actor, nik=data.get("nik")):
        raise ValidationError({"nik": error}, code="nik_exists")
    if (
        not heads.is_deferred(household)
        and int(data.get("relationship") or 0) == HEAD
        and household.members.active().filter(relationship=HEAD).exists()
    ):
        raise ValidationError(
            {"relationship": _("Hubungan dalam keluarga: keluarga ini sudah memiliki Kepala Keluarga.")},
            code="two_heads",
        )
    _confirm_warnings([data], warnings_confirmed)
    member = Member(household=household, **data)
    with _audited(actor, "member_add"):
        _save_new(member)
        heads.assert_one_head(household, actor=actor)
    return member


@transaction.atomic
def member_update(*, actor, member: Member, data: dict, warnings_confirmed: bool = False) -> Member:
    _require(actor, "beneficiaries.change_member")
    _check_household_scope(actor, member.household)
    data = _clean_member_data(data, actor=actor)
    error = nik_collision(actor=actor, nik=data["nik"], exclude_member_id=member.pk) if "nik" in data else None
    if error:
        raise ValidationError({"nik": error}, code="nik_exists")
    changed = [field for field, value in data.items() if getattr(member, field) != value]
    if not changed:
        return member
    if {"nik", "sex", "birth_date"} & set(changed):
        merged = {f: data.get(f, getattr(member, f)) for f in ("nik", "sex", "birth_date", "full_name")}
        _confirm_warnings([merged], warnings_confirmed)
    if "relationship" in changed and not heads.is_deferred(member.household):
        _check_relationship_change(member, int(data["relationship"] or 0))
    for field in changed:
        setattr(member, field, data[field])
    member.full_clean()
    with _audited(actor, "member_update"):
        member.save(update_fields=[*changed, "updated_at"])
        if "relationship" in changed:
            heads.assert_one_head(member.household, actor=actor)
    return member


def _check_relationship_change(member: Member, relationship: int) -> None:
    """One member's relationship alone: the head cannot stop being head, nor can a second one appear."""
    household = member.household
    if member.relationship == HEAD and relationship != HEAD:
        raise ValidationError(
            {
                "relationship": ValidationError(
                    _(
                        "%(name)s adalah Kepala Keluarga KK %(kk)s. Untuk mengganti Kepala Keluarga, ubah "
                        "hubungan kedua anggota sekaligus di halaman Ubah keluarga."
                    ),
                    params={"name": member.full_name, "kk": mask_number(household.kk_number)},
                )
            },
            code="head_required",
        )
    if relationship == HEAD and household.members.active().filter(relationship=HEAD).exclude(pk=member.pk).exists():
        raise ValidationError(
            {"relationship": _("Hubungan dalam keluarga: keluarga ini sudah memiliki Kepala Keluarga.")},
            code="two_heads",
        )


def _check_not_last(member: Member) -> None:
    if not member.household.members.active().exclude(pk=member.pk).exists():
        raise ValidationError(
            _(
                "%(name)s adalah satu-satunya anggota aktif %(household)s: nonaktifkan keluarganya (menu "
                "Nonaktifkan keluarga) alih-alih anggota ini."
            ),
            code="last_member",
            params={"name": member.full_name, "household": str(member.household)},
        )


@transaction.atomic
def member_deactivate(*, actor, member: Member, reason: int, note: str = "", new_head: Member | None = None) -> Member:
    """Deactivates one member; when it is the head, `new_head` (another active member) becomes head with it."""
    _require(actor, "beneficiaries.change_member")
    _check_household_scope(actor, member.household)
    if reason not in choices.RemovalReason.values:
        raise ValidationError({"removed_reason": _("Alasan dinonaktifkan wajib dipilih.")}, code="reason_required")
    _check_not_last(member)
    successor = heads.successor_for(leaving=member, new_head=new_head, verb=_("dinonaktifkan"))
    member.is_active = False
    member.removed_at = timezone.now()
    member.removed_reason = reason
    member.removed_note = note
    with _audited(actor, "member_deactivate"):
        member.save(update_fields=["is_active", "removed_at", "removed_reason", "removed_note", "updated_at"])
        if successor is not None:
            heads.promote(successor)
        heads.assert_one_head(member.household, actor=actor)
    return member


@transaction.atomic
def member_move(
    *,
    actor,
    member: Member,
    to_household: Household | None = None,
    new_household_data: dict | None = None,
    relationship: int,
    note: str = "",
    new_head: Member | None = None,
) -> Member:
    """Pecah KK: the member moves to another Keluarga, or to a new one, as one audited operation.

    Both families keep one head: in a new KK the member who moves is its head; when the head moves out of a
    family that keeps other members, `new_head` becomes head there; a family left with no member is deactivated."""
    _require(actor, "beneficiaries.change_member")
    _check_household_scope(actor, member.household)
    if (to_household is None) == (new_household_data is None):
        raise ValidationError(_("Pilih keluarga tujuan atau isi data KK baru (salah satu)."), code="target_required")
    if relationship not in choices.Relationship.values:
        raise ValidationError({"relationship": _("Hubungan dalam keluarga wajib dipilih.")}, code="relationship")
    if new_household_data is not None and relationship != HEAD:
        raise ValidationError(
            {"relationship": _('Di KK baru, anggota yang pindah menjadi Kepala Keluarga: pilih "Kepala Keluarga".')},
            code="new_kk_head",
        )
    source = member.household
    is_last = not source.members.active().exclude(pk=member.pk).exists()
    successor = None if is_last else heads.successor_for(leaving=member, new_head=new_head, verb=_("pindah"))
    with _audited(actor, f"member_move:{note[:80]}" if note else "member_move"):
        if to_household is None:
            assert new_household_data is not None  # exactly one of the two is given (checked above)
            data = {key: value for key, value in new_household_data.items() if key in HOUSEHOLD_EDITABLE}
            data["kk_number"] = normalise_number(data.get("kk_number"))
            if error := kk_collision(actor=actor, kk_number=data["kk_number"]):
                raise ValidationError({"kk_number": error}, code="kk_exists")
            rt = data.get("rt")
            # Unsaved and not yet validated: without an RT there is no kelurahan, and full_clean() says so.
            data["kelurahan_id"] = rt.kelurahan_id if rt else None
            to_household = Household(**data, created_by=actor)
            _check_household_scope(actor, to_household)
            _save_new(to_household)
        else:
            if not to_household.is_active:
                raise ValidationError(_("Keluarga tujuan sudah tidak aktif."), code="target_inactive")
            if to_household.pk == member.household_id:
                raise ValidationError(_("Keluarga tujuan sama dengan keluarga asal."), code="same_household")
            _check_household_scope(actor, to_household)
        if (
            relationship == choices.Relationship.HEAD
            and to_household.members.active().filter(relationship=choices.Relationship.HEAD).exists()
        ):
            raise ValidationError(
                {"relationship": _("Hubungan dalam keluarga: keluarga tujuan sudah memiliki Kepala Keluarga.")},
                code="two_heads",
            )
        member.household = to_household
        member.relationship = relationship
        member.full_clean()
        member.save(update_fields=["household", "relationship", "updated_at"])
        if successor is not None:
            heads.promote(successor)
        if is_last:
            _close_empty(source, note=_("Semua anggota pindah ke %(household)s.") % {"household": to_household})
        heads.assert_one_head(source, actor=actor)
        heads.assert_one_head(to_household, actor=actor)
    return member


def _close_empty(household: Household, *, note: str) -> None:
    """A family whose last member moved out: deactivated, so that no active household is left without a head."""
    household.is_active = False
    household.removed_at = timezone.now()
    household.removed_reason = choices.RemovalReason.OTHER
    household.removed_note = note[:300]
    household.save(update_fields=["is_active", "removed_at", "removed_reason", "removed_note", "updated_at"])
