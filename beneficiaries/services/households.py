"""Households: register, update (with the edit screen's members), deactivate."""

from __future__ import annotations

from collections.abc import Iterable

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
from beneficiaries.services.members import member_add, member_update
from beneficiaries.validators import normalise_number


@transaction.atomic
def household_register(
    *, actor, household_data: dict, members: list[dict], warnings_confirmed: bool = False
) -> Household:
    """A new Keluarga with its members, in one transaction; nothing is saved if any member is wrong."""
    _require(actor, "beneficiaries.add_household")
    data = {key: value for key, value in household_data.items() if key in HOUSEHOLD_EDITABLE}
    data["kk_number"] = normalise_number(data.get("kk_number"))
    if not members:
        raise ValidationError(_("Keluarga harus memiliki minimal satu anggota."), code="no_members")
    members = [_clean_member_data(member, actor=actor) for member in members]
    rt = data.get("rt")
    # Unsaved and not yet validated: without an RT there is no kelurahan, and full_clean() says so.
    data["kelurahan_id"] = rt.kelurahan_id if rt else None
    household = Household(**data, created_by=actor)
    _check_household_scope(actor, household)
    if error := kk_collision(actor=actor, kk_number=data["kk_number"]):
        raise ValidationError({"kk_number": error}, code="kk_exists")
    _check_members(actor=actor, members=members)
    if error := heads.head_count_error(household, _head_rows(members)):
        raise error
    _confirm_warnings(members, warnings_confirmed)
    with _audited(actor, "household_register"):
        _save_new(household)
        for member_data in members:
            _save_new(Member(household=household, **member_data))
    return household


def _head_rows(members: list[dict]) -> int:
    return sum(1 for m in members if int(m.get("relationship") or 0) == choices.Relationship.HEAD)


def _check_members(*, actor, members: list[dict], exclude_ids: Iterable[int | None] = ()) -> None:
    seen: dict[str, int] = {}
    exclude_ids = list(exclude_ids) or [None] * len(members)
    if _head_rows(members) > 1:
        raise ValidationError(_("Hubungan dalam keluarga: hanya boleh ada satu Kepala Keluarga."), code="two_heads")
    for index, member in enumerate(members):
        nik = member.get("nik")
        if not nik:
            continue
        if nik in seen:
            raise ValidationError(
                _("NIK anggota %(a)s dan %(b)s sama."),
                code="nik_duplicate_in_form",
                params={"a": seen[nik] + 1, "b": index + 1, "index": index},
            )
        seen[nik] = index
        if error := nik_collision(actor=actor, nik=nik, exclude_member_id=exclude_ids[index]):
            assert error.params is not None  # nik_collision() always names the NIK and the link in params
            error.params["index"] = index
            raise error


@transaction.atomic
def household_update(*, actor, household: Household, data: dict) -> Household:
    _require(actor, "beneficiaries.change_household")
    _check_household_scope(actor, household)
    data = {key: value for key, value in data.items() if key in HOUSEHOLD_EDITABLE}
    if "kk_number" in data:
        data["kk_number"] = normalise_number(data["kk_number"])
        if error := kk_collision(actor=actor, kk_number=data["kk_number"], exclude_household_id=household.pk):
            raise ValidationError({"kk_number": error}, code="kk_exists")
    changed = [field for field, value in data.items() if getattr(household, field) != value]
    for field in changed:
        setattr(household, field, data[field])
    if "rt" in changed:
        household.kelurahan_id = household.rt.kelurahan_id
        changed.append("kelurahan")
        _check_household_scope(actor, household)
    if not changed:
        return household
    household.full_clean()
    with _audited(actor, "household_update"):
        household.save(update_fields=[*changed, "updated_at"])
    return household


@transaction.atomic
def household_save_with_members(
    *, actor, household: Household, data: dict, members: list[dict], warnings_confirmed: bool = False
) -> Household:
    """The edit screen: household fields and its members (existing ones carry `id`) in one transaction. The
    members may swap roles (a new head and the old one's new relationship): the one-head rule is checked once
    all of them are saved."""
    _require(actor, "beneficiaries.change_household")
    _check_household_scope(actor, household)
    members = [{**_clean_member_data(m, actor=actor), "id": m.get("id")} for m in members]
    _check_members(actor=actor, members=members, exclude_ids=[m["id"] for m in members])
    _confirm_warnings(members, warnings_confirmed)
    household_update(actor=actor, household=household, data=data)
    with heads.one_head_after(household, actor=actor):
        for member_data in members:
            member_id = member_data.pop("id")
            if member_id:
                member = household.members.get(pk=member_id)
                member_update(actor=actor, member=member, data=member_data, warnings_confirmed=True)
            else:
                member_add(actor=actor, household=household, data=member_data, warnings_confirmed=True)
    return household


@transaction.atomic
def household_deactivate(*, actor, household: Household, reason: int, note: str = "") -> Household:
    """Soft delete: the household and its active members, with a reason; nothing is erased."""
    _require(actor, "beneficiaries.change_household")
    _check_household_scope(actor, household)
    if reason not in choices.RemovalReason.values:
        raise ValidationError({"removed_reason": _("Alasan dinonaktifkan wajib dipilih.")}, code="reason_required")
    now = timezone.now()
    with _audited(actor, "household_deactivate"):
        household.members.active().update(is_active=False, removed_at=now, removed_reason=reason, removed_note=note)
        household.is_active = False
        household.removed_at = now
        household.removed_reason = reason
        household.removed_note = note
        household.save(update_fields=["is_active", "removed_at", "removed_reason", "removed_note", "updated_at"])
    return household
