"""What every registry write shares: the editable fields (defined once, in `beneficiaries.fields`), the
permission and scope checks, the history context, NIK/KK collisions, the NIK cross-check warnings and the save
that turns a unique-constraint race into a message.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from beneficiaries import choices
from beneficiaries.fields import HOUSEHOLD_EDITABLE, MEMBER_EDITABLE, SENSITIVE_FIELDS  # noqa: F401 - read from here
from beneficiaries.models import Household, Member
from beneficiaries.validators import mask_number, nik_crosscheck, normalise_number
from core import history

WARNING_CODE = "nik_warning_unconfirmed"


def _audited(actor, operation: str):
    """History context: who did it and which registry operation the trigger rows belong to."""
    return history.acting_as(actor, operation=operation)


def _require(actor, perm: str) -> None:
    """The actor's permission (docs/conventions.md: each service checks its own). `actor=None` is the system:
    a management command, a data migration, a Celery task acting for no one."""
    if actor is not None and not actor.has_perm(perm):
        raise PermissionDenied(_("Anda tidak berwenang melakukan tindakan ini."))


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
