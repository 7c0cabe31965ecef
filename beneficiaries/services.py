"""Writes to the registry (style.md rule 2): keyword-only, one transaction each, `full_clean()` first.

Every function raises `ValidationError` with a `code` and an Indonesian message naming the field. History
rows come from the pghistory triggers; `_audited` adds the acting user and the operation to their context.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries import choices, merging
from beneficiaries.models import Consent, DuplicateFlag, Household, Member
from beneficiaries.validators import mask_number, nik_crosscheck, normalise_number
from core import history
from core.models import AuditAction

HOUSEHOLD_EDITABLE = [
    "kk_number",
    "rt",
    "address",
    "house_number",
    "latitude",
    "longitude",
    "families_in_house",
    "home_ownership",
    "land_proof",
    "floor_area_m2",
    "floor_material",
    "wall_material",
    "roof_material",
    "drinking_water",
    "lighting",
    "installed_power",
    "cooking_fuel",
    "toilet_facility",
    "toilet_type",
    "faeces_disposal",
    "desil",
    "is_in_dtks",
    "is_in_dtsen",
    "welfare_source",
    "welfare_as_of",
]
MEMBER_EDITABLE = [
    "nik",
    "nik_missing_reason",
    "full_name",
    "sex",
    "birth_place",
    "birth_date",
    "relationship",
    "marital_status",
    "religion",
    "education",
    "school_participation",
    "occupation",
    "disability",
    "chronic_illness",
]
SENSITIVE_FIELDS = ("disability", "chronic_illness")
WARNING_CODE = "nik_warning_unconfirmed"


def _audited(actor, operation: str):
    """History context: who did it and which registry operation the trigger rows belong to."""
    return history.acting_as(actor, operation=operation)


def _require(actor, perm: str) -> None:
    if actor is not None and not actor.has_perm(perm):
        raise ValidationError(_("Anda tidak berwenang melakukan tindakan ini."), code="forbidden")


def _check_household_scope(actor, household: Household) -> None:
    if actor is None:
        return
    scope = actor.kelurahan_scope()
    if scope is not None and household.kelurahan_id not in scope:
        raise ValidationError({"rt": _("RT/RW: kelurahan ini di luar wilayah tugas Anda.")}, code="out_of_scope")


# --- NIK/KK collisions ---------------------------------------------------------------------------------


def nik_collision(*, actor, nik: str | None, exclude_member_id: int | None = None) -> ValidationError | None:
    """An active member already holds this NIK: an error that links to it only if the actor may see it."""
    if not nik:
        return None
    existing = Member.objects.active().filter(nik=nik)
    if exclude_member_id:
        existing = existing.exclude(pk=exclude_member_id)
    other = existing.only("pk", "household_id").first()
    if other is None:
        return None
    url = ""
    if actor is not None and Member.objects.visible_to(actor).filter(pk=other.pk).exists():
        url = reverse("beneficiaries:household_detail", args=[other.household_id])
    return ValidationError(
        _("NIK %(nik)s sudah terdaftar pada anggota keluarga lain."),
        code="nik_exists",
        params={"nik": mask_number(nik), "url": url},
    )


def kk_collision(*, actor, kk_number: str, exclude_household_id: int | None = None) -> ValidationError | None:
    existing = Household.objects.active().filter(kk_number=kk_number)
    if exclude_household_id:
        existing = existing.exclude(pk=exclude_household_id)
    other = existing.only("pk").first()
    if other is None:
        return None
    url = ""
    if actor is not None and Household.objects.visible_to(actor).filter(pk=other.pk).exists():
        url = reverse("beneficiaries:household_detail", args=[other.pk])
    return ValidationError(
        _("Nomor KK %(kk)s sudah terdaftar pada keluarga lain."),
        code="kk_exists",
        params={"kk": mask_number(kk_number), "url": url},
    )


def member_warnings(members: Iterable[dict]) -> list[str]:
    """NIK cross-check warnings (sex, birth date) for every member: shown, confirmed by the user, never blocking."""
    warnings = []
    for index, data in enumerate(members, start=1):
        nik = normalise_number(data.get("nik"))
        if not nik:
            continue
        sex = data.get("sex")
        is_female = None if sex in (None, "") else int(sex) == choices.Sex.FEMALE
        for warning in nik_crosscheck(nik, is_female=is_female, birth_date=data.get("birth_date")):
            warnings.append(
                _("Anggota %(n)s (%(name)s): %(warning)s")
                % {"n": index, "name": data.get("full_name", ""), "warning": warning}
            )
    return warnings


def _confirm_warnings(members: list[dict], warnings_confirmed: bool) -> None:
    warnings = member_warnings(members)
    if warnings and not warnings_confirmed:
        raise ValidationError([ValidationError(w, code=WARNING_CODE) for w in warnings])


def is_unconfirmed_warning(error: ValidationError) -> bool:
    return not hasattr(error, "error_dict") and all(e.code == WARNING_CODE for e in error.error_list)


def _clean_member_data(data: dict, *, actor) -> dict:
    data = {key: value for key, value in data.items() if key in MEMBER_EDITABLE}
    if "nik" in data:
        data["nik"] = normalise_number(data["nik"]) or None
        if data["nik"]:
            data["nik_missing_reason"] = None
    if actor is not None and not actor.has_perm("beneficiaries.view_sensitive"):
        # A user who cannot see specific personal data cannot write it either (UU PDP Pasal 4).
        for field in SENSITIVE_FIELDS:
            data.pop(field, None)
    return data


def _save_new(obj) -> None:
    obj.full_clean()
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError:
        # The partial unique constraints are the last word when two people save the same NIK/KK at once.
        # The database's message would carry the full number, so it is not passed on.
        raise ValidationError(
            _("NIK atau nomor KK baru saja didaftarkan oleh pengguna lain. Periksa kembali datanya."), code="conflict"
        )


# --- Households ------------------------------------------------------------------------------------------


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
    household = Household(**data, kelurahan_id=rt.kelurahan_id if rt else None, created_by=actor)
    _check_household_scope(actor, household)
    if error := kk_collision(actor=actor, kk_number=data["kk_number"]):
        raise ValidationError({"kk_number": error}, code="kk_exists")
    _check_members(actor=actor, members=members)
    _confirm_warnings(members, warnings_confirmed)
    with _audited(actor, "household_register"):
        _save_new(household)
        for member_data in members:
            _save_new(Member(household=household, **member_data))
    return household


def _check_members(*, actor, members: list[dict], exclude_ids: Iterable[int | None] = ()) -> None:
    seen: dict[str, int] = {}
    exclude_ids = list(exclude_ids) or [None] * len(members)
    heads = sum(1 for m in members if int(m.get("relationship") or 0) == choices.Relationship.HEAD)
    if heads > 1:
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
    """The edit screen: household fields and its members (existing ones carry `id`) in one transaction."""
    members = [{**_clean_member_data(m, actor=actor), "id": m.get("id")} for m in members]
    _check_members(actor=actor, members=members, exclude_ids=[m["id"] for m in members])
    _confirm_warnings(members, warnings_confirmed)
    household_update(actor=actor, household=household, data=data)
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


# --- Members ---------------------------------------------------------------------------------------------


@transaction.atomic
def member_add(*, actor, household: Household, data: dict, warnings_confirmed: bool = False) -> Member:
    _require(actor, "beneficiaries.add_member")
    _check_household_scope(actor, household)
    data = _clean_member_data(data, actor=actor)
    if error := nik_collision(actor=actor, nik=data.get("nik")):
        raise ValidationError({"nik": error}, code="nik_exists")
    if (
        int(data.get("relationship") or 0) == choices.Relationship.HEAD
        and household.members.active().filter(relationship=choices.Relationship.HEAD).exists()
    ):
        raise ValidationError(
            {"relationship": _("Hubungan dalam keluarga: keluarga ini sudah memiliki Kepala Keluarga.")},
            code="two_heads",
        )
    _confirm_warnings([data], warnings_confirmed)
    member = Member(household=household, **data)
    with _audited(actor, "member_add"):
        _save_new(member)
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
    for field in changed:
        setattr(member, field, data[field])
    member.full_clean()
    with _audited(actor, "member_update"):
        member.save(update_fields=[*changed, "updated_at"])
    return member


@transaction.atomic
def member_deactivate(*, actor, member: Member, reason: int, note: str = "") -> Member:
    _require(actor, "beneficiaries.change_member")
    _check_household_scope(actor, member.household)
    if reason not in choices.RemovalReason.values:
        raise ValidationError({"removed_reason": _("Alasan dinonaktifkan wajib dipilih.")}, code="reason_required")
    member.is_active = False
    member.removed_at = timezone.now()
    member.removed_reason = reason
    member.removed_note = note
    with _audited(actor, "member_deactivate"):
        member.save(update_fields=["is_active", "removed_at", "removed_reason", "removed_note", "updated_at"])
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
) -> Member:
    """Pecah KK: the member moves to another Keluarga, or to a new one, as one audited operation."""
    _require(actor, "beneficiaries.change_member")
    _check_household_scope(actor, member.household)
    if (to_household is None) == (new_household_data is None):
        raise ValidationError(_("Pilih keluarga tujuan atau isi data KK baru (salah satu)."), code="target_required")
    if relationship not in choices.Relationship.values:
        raise ValidationError({"relationship": _("Hubungan dalam keluarga wajib dipilih.")}, code="relationship")
    with _audited(actor, f"member_move:{note[:80]}" if note else "member_move"):
        if to_household is None:
            data = {key: value for key, value in new_household_data.items() if key in HOUSEHOLD_EDITABLE}
            data["kk_number"] = normalise_number(data.get("kk_number"))
            if error := kk_collision(actor=actor, kk_number=data["kk_number"]):
                raise ValidationError({"kk_number": error}, code="kk_exists")
            rt = data.get("rt")
            to_household = Household(**data, kelurahan_id=rt.kelurahan_id if rt else None, created_by=actor)
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
    return member


# --- Consent ---------------------------------------------------------------------------------------------


@transaction.atomic
def consent_record(
    *,
    actor,
    household: Household,
    consenter_name: str,
    purpose: str,
    notice_version: str,
    consented_on: datetime.date,
    member: Member | None = None,
) -> Consent:
    _check_household_scope(actor, household)
    if member is not None and member.household_id != household.pk:
        raise ValidationError({"member": _("Pemberi persetujuan harus anggota keluarga ini.")}, code="member_other")
    consent = Consent(
        household=household,
        member=member,
        consenter_name=consenter_name,
        purpose=purpose,
        notice_version=notice_version,
        consented_on=consented_on,
        recorded_by=actor,
    )
    with _audited(actor, "consent_record"):
        _save_new(consent)
    return consent


@transaction.atomic
def consent_withdraw(*, actor, consent: Consent, withdrawn_on: datetime.date) -> Consent:
    _check_household_scope(actor, consent.household)
    if consent.withdrawn_on:
        raise ValidationError(_("Persetujuan ini sudah ditarik."), code="already_withdrawn")
    consent.withdrawn_on = withdrawn_on
    try:
        consent.full_clean()
    except ValidationError:
        consent.withdrawn_on = None
        raise
    with _audited(actor, "consent_withdraw"):
        consent.save(update_fields=["withdrawn_on", "updated_at"])
    return consent


# --- Access events ---------------------------------------------------------------------------------------


def access_event_record(*, actor, action: str, object_label: str, ip: str | None = None, obj=None):
    """Writes to the one security audit log (core.audit, quality.md S10); never a full NIK or KK."""
    from core.audit import audit_event

    return audit_event(
        action=action, actor=actor, obj=obj, ip_address=ip or None, detail={"keterangan": object_label[:200]}
    )


# --- Duplicates ------------------------------------------------------------------------------------------


@transaction.atomic
def duplicate_dismiss(*, actor, flag: DuplicateFlag, note: str = "") -> DuplicateFlag:
    _require(actor, "beneficiaries.change_duplicateflag")
    if flag.status != DuplicateFlag.Status.OPEN:
        raise ValidationError(_("Dugaan data ganda ini sudah diputuskan."), code="already_reviewed")
    flag.status = DuplicateFlag.Status.DISMISSED
    flag.reviewed_by = actor
    flag.reviewed_at = timezone.now()
    flag.note = note
    with _audited(actor, "duplicate_dismiss"):
        flag.save(update_fields=["status", "reviewed_by", "reviewed_at", "note", "updated_at"])
    return flag


@transaction.atomic
def duplicate_merge(*, actor, flag: DuplicateFlag, keep: Member, note: str = "") -> Member:
    """Keeps one member; the other's records (consents, and other apps' rows via merge handlers) move to it,
    then the other is deactivated as "data ganda". One transaction, one history context."""
    _require(actor, "beneficiaries.change_duplicateflag")
    flag = DuplicateFlag.objects.select_for_update().get(pk=flag.pk)
    if flag.status != DuplicateFlag.Status.OPEN:
        raise ValidationError(_("Dugaan data ganda ini sudah diputuskan."), code="already_reviewed")
    if keep.pk not in (flag.member_id, flag.other_id):
        raise ValidationError(_("Anggota yang dipertahankan harus salah satu dari pasangan ini."), code="keep_invalid")
    drop = Member.objects.get(pk=flag.other_id if keep.pk == flag.member_id else flag.member_id)
    with _audited(actor, "duplicate_merge"):
        Consent.objects.filter(member=drop).update(member=keep)
        merging.run_member_handlers(drop, keep)
        if not keep.nik and drop.nik:
            nik = drop.nik
            drop.nik = None
            drop.nik_missing_reason = choices.NikMissingReason.OTHER
            drop.save(update_fields=["nik", "nik_missing_reason", "updated_at"])
            keep.nik = nik
            keep.nik_missing_reason = None
            keep.save(update_fields=["nik", "nik_missing_reason", "updated_at"])
        drop.is_active = False
        drop.removed_at = timezone.now()
        drop.removed_reason = choices.RemovalReason.DUPLICATE
        drop.removed_note = (_("Digabung ke anggota #%(id)s. ") % {"id": keep.pk} + note)[:300]
        drop.save(update_fields=["is_active", "removed_at", "removed_reason", "removed_note", "updated_at"])
        flag.status = DuplicateFlag.Status.MERGED
        flag.reviewed_by = actor
        flag.reviewed_at = timezone.now()
        flag.note = note
        flag.save(update_fields=["status", "reviewed_by", "reviewed_at", "note", "updated_at"])
        # Other open flags on the dropped member are now moot.
        DuplicateFlag.objects.open().filter(member=drop).update(
            status=DuplicateFlag.Status.DISMISSED, note=_("anggota sudah digabung")
        )
        DuplicateFlag.objects.open().filter(other=drop).update(
            status=DuplicateFlag.Status.DISMISSED, note=_("anggota sudah digabung")
        )
    access_event_record(
        actor=actor, action=AuditAction.MERGE, object_label=f"Member #{drop.pk} -> #{keep.pk}", obj=keep
    )
    return keep
