"""One active Kepala Keluarga per household (SHDK 1 on the Kartu Keluarga; issue 22 B4).

Every service that changes who is in a household, or their relationship, ends with `assert_one_head(household)`
inside its transaction: an active household has exactly one active member whose relationship is "Kepala
Keluarga", or the whole operation is rolled back with an Indonesian message naming the household. An operation
made of several steps (the edit screen: a swap of head and spouse passes through zero or two heads) runs them
inside `one_head_after(household)`, which checks once, at the end.

Households that broke the rule before it was enforced are found by `household_flags_detect` and wait in the
data-quality queue (`HouseholdFlag`) next to the duplicate pairs; a fix through the services resolves their flag.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries import choices
from beneficiaries.models import Household, HouseholdFlag, Member
from beneficiaries.services.common import _audited, _require
from beneficiaries.validators import mask_number
from core.errors import Conflict

HEAD = choices.Relationship.HEAD
_DEFERRED: ContextVar[frozenset] = ContextVar("beneficiaries_deferred_head_checks", default=frozenset())


def is_deferred(household: Household) -> bool:
    return household.pk in _DEFERRED.get()


@contextmanager
def one_head_after(*households: Household, actor=None):
    """The steps inside may pass through zero or two heads; the rule is checked once they are all done."""
    token = _DEFERRED.set(_DEFERRED.get() | {h.pk for h in households if h.pk})
    try:
        yield
    finally:
        _DEFERRED.reset(token)
    for household in households:
        assert_one_head(household, actor=actor)


def active_heads(household: Household) -> int:
    return household.members.active().filter(relationship=HEAD).count()


def head_count_error(household: Household, heads: int) -> ValidationError | None:
    """The message for a household that would have `heads` active heads (None when it is exactly one)."""
    if heads == 1:
        return None
    if heads == 0:
        return ValidationError(
            _(
                '%(household)s harus memiliki satu Kepala Keluarga aktif: pilih hubungan "Kepala Keluarga" '
                "untuk salah satu anggotanya."
            ),
            code="no_head",
            params={"household": str(household)},
        )
    return ValidationError(
        _(
            "%(household)s hanya boleh memiliki satu Kepala Keluarga aktif, bukan %(n)s: ubah hubungan anggota "
            "yang lain."
        ),
        code="two_heads",
        params={"household": str(household), "n": heads},
    )


def assert_one_head(household: Household, *, actor=None) -> None:
    """The rule, on the database state inside the caller's transaction. A household with no active member left
    is checked by the caller (it is deactivated, or the operation refused), not here."""
    if is_deferred(household) or not household.is_active:
        return
    heads = active_heads(household)
    if heads == 0 and not household.members.active().exists():
        return
    if error := head_count_error(household, heads):
        raise ValidationError({"relationship": error}, code=error.code)
    # The household is right now: an open data-quality flag on it is resolved by this operation.
    HouseholdFlag.objects.open().filter(household=household).update(
        status=HouseholdFlag.Status.RESOLVED,
        resolved_by=actor,
        resolved_at=timezone.now(),
        note=_("Diperbaiki lewat perubahan data keluarga."),
        updated_at=timezone.now(),
    )


def successor_for(*, leaving: Member, new_head: Member | None, verb: str) -> Member | None:
    """When the head leaves the household (moves out, is deactivated), another active member of it must become
    head in the same operation. Returns the successor to promote, or None when `leaving` is not the head."""
    household = leaving.household
    if leaving.relationship != HEAD:
        if new_head is not None:
            raise ValidationError(
                {
                    "new_head": ValidationError(
                        _("Kepala Keluarga baru hanya dipilih bila anggota yang %(verb)s adalah Kepala Keluarga."),
                        params={"verb": verb},
                    )
                },
                code="successor_not_needed",
            )
        return None
    others = household.members.active().exclude(pk=leaving.pk)
    if new_head is None and others.filter(relationship=HEAD).exists():
        return None  # a household with two heads (registered before the rule) keeps the other one
    if new_head is None:
        raise ValidationError(
            {
                "new_head": ValidationError(
                    _(
                        "%(name)s adalah Kepala Keluarga KK %(kk)s: pilih anggota keluarga ini yang menjadi Kepala "
                        "Keluarga baru, agar keluarga tetap memiliki Kepala Keluarga."
                    ),
                    params={"name": leaving.full_name, "kk": mask_number(household.kk_number)},
                )
            },
            code="successor_required",
        )
    if not others.filter(pk=new_head.pk).exists():
        raise ValidationError(
            {
                "new_head": ValidationError(
                    _("Kepala Keluarga baru harus anggota aktif lain dari %(household)s."),
                    params={"household": str(household)},
                )
            },
            code="successor_invalid",
        )
    return new_head


def promote(successor: Member) -> None:
    """The successor becomes head (inside the caller's audited operation)."""
    successor.relationship = HEAD
    successor.save(update_fields=["relationship", "updated_at"])


# --- The data-quality queue ------------------------------------------------------------------------------

_HEADS = """
    SELECT h.id AS household_id, coalesce(c.heads, 0) AS heads
    FROM beneficiaries_household h
    LEFT JOIN (
        SELECT household_id, count(*) AS heads FROM beneficiaries_member
        WHERE is_active AND relationship = %(head)s GROUP BY household_id
    ) c ON c.household_id = h.id
    WHERE h.is_active {scope}
"""
_INSERT = """
    INSERT INTO beneficiaries_householdflag (created_at, updated_at, household_id, kind, heads, status, note)
    SELECT now(), now(), s.household_id,
           CASE WHEN s.heads = 0 THEN %(no_head)s ELSE %(two_heads)s END, s.heads, %(open)s, ''
    FROM ({heads}) s
    WHERE s.heads <> 1
    ON CONFLICT (household_id, kind) WHERE status = 'open' DO NOTHING
"""
_RESOLVE = """
    UPDATE beneficiaries_householdflag f SET status = %(resolved)s, resolved_at = now(), updated_at = now(),
           note = %(note)s
    FROM beneficiaries_household h
    LEFT JOIN (
        SELECT household_id, count(*) AS heads FROM beneficiaries_member
        WHERE is_active AND relationship = %(head)s GROUP BY household_id
    ) c ON c.household_id = h.id
    WHERE f.household_id = h.id AND f.status = %(open)s {scope}
      AND (NOT h.is_active
           OR (f.kind = %(no_head)s AND coalesce(c.heads, 0) > 0)
           OR (f.kind = %(two_heads)s AND coalesce(c.heads, 0) <= 1))
"""


def household_flags_detect(*, actor=None, kelurahan_id: int | None = None) -> int:
    """Opens a flag for each active household without exactly one active head, and resolves the open flags of
    households that are right again. Returns how many flags were opened; running it twice opens nothing more
    (one open flag per household and kind, a partial unique constraint)."""
    _require(actor, "beneficiaries.change_householdflag")
    scope = "AND h.kelurahan_id = %(kelurahan)s" if kelurahan_id else ""
    params: dict[str, int | str | None] = {
        "head": int(HEAD),
        "no_head": HouseholdFlag.Kind.NO_HEAD.value,
        "two_heads": HouseholdFlag.Kind.TWO_HEADS.value,
        "open": HouseholdFlag.Status.OPEN.value,
        "resolved": HouseholdFlag.Status.RESOLVED.value,
        "kelurahan": kelurahan_id,
        "note": _("Sudah sesuai saat pemeriksaan berikutnya."),
    }
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_RESOLVE.format(scope=scope), params)
        cursor.execute(_INSERT.format(heads=_HEADS.format(scope=scope)), params)
        return cursor.rowcount


@transaction.atomic
def household_flag_transition(*, actor, flag: HouseholdFlag, action: str, note: str = "") -> HouseholdFlag:
    """`HouseholdFlag.Action.RESOLVE`: the reviewer says the household is fixed; refused while it is not (the
    rule is checked again, so a flag cannot be closed over a household that still breaks it)."""
    _require(actor, "beneficiaries.change_householdflag")
    flag = HouseholdFlag.objects.select_for_update().select_related("household").get(pk=flag.pk)
    if actor is not None and not Household.objects.visible_to(actor).filter(pk=flag.household_id).exists():
        raise PermissionDenied(_("Anda tidak berwenang melakukan tindakan ini."))
    if action not in HouseholdFlag.ACTIONS.get(flag.status, ()):
        raise Conflict(_("Masalah data ini sudah ditandai diperbaiki."), code="already_resolved")
    household = flag.household
    if household.is_active:
        heads = active_heads(household)
        if heads != 1:
            raise Conflict(
                _(
                    "%(household)s masih memiliki %(n)s Kepala Keluarga aktif. Perbaiki hubungan anggotanya lewat "
                    "halaman Ubah keluarga; masalah ini tertutup sendiri setelah disimpan."
                ),
                code="still_broken",
                params={"household": str(household), "n": heads},
            )
    flag.status = HouseholdFlag.Status.RESOLVED
    flag.resolved_by = actor
    flag.resolved_at = timezone.now()
    flag.note = note
    with _audited(actor, "household_flag_resolve"):
        flag.save(update_fields=["status", "resolved_by", "resolved_at", "note", "updated_at"])
    return flag
