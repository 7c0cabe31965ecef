"""Duplicate members: detection for human review (openIMIS-style groups in plain PostgreSQL), and the
reviewer's decision (dismiss, or merge the two into one).

Rules (each pair stored once, in id order; a pair already reviewed is never raised again):
1. similar names (pg_trgm similarity >= NAME_THRESHOLD) and the same birth date;
2. the same NIK region+birth-date prefix (first 12 digits) and similar names: a NIK mistyped in its serial.
"Same KK in two households" cannot happen among active households (the partial unique constraint on
kk_number forbids it), so it needs no detection; the flag kind exists for imports from other systems.
"""

from __future__ import annotations

from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries import choices
from beneficiaries.models import Consent, DuplicateFlag, Member
from beneficiaries.services import heads, merging
from beneficiaries.services.access_events import access_event_record
from beneficiaries.services.common import _audited, _require
from beneficiaries.validators import mask_number
from core.errors import Conflict
from core.models import AuditAction

NAME_THRESHOLD = 0.55
PREFIX_NAME_THRESHOLD = 0.4

_SQL = """
INSERT INTO beneficiaries_duplicateflag (created_at, updated_at, kind, member_id, other_id, score, status, note)
SELECT now(), now(), %(kind)s, a.id, b.id, similarity(a.full_name, b.full_name), %(open)s, ''
FROM beneficiaries_member a
JOIN beneficiaries_member b ON {join} AND a.id < b.id
JOIN beneficiaries_household ha ON ha.id = a.household_id
WHERE a.is_active AND b.is_active
  AND similarity(a.full_name, b.full_name) >= %(threshold)s
  {scope}
ON CONFLICT (member_id, other_id) DO NOTHING
"""


def duplicates_detect(*, actor=None, kelurahan_id: int | None = None) -> int:
    """Adds flags for new likely-duplicate pairs; returns how many were added. Safe to run again: a pair is
    stored once (unique constraint), whatever its status, so a second run adds nothing."""
    _require(actor, "beneficiaries.change_duplicateflag")
    scope = "AND ha.kelurahan_id = %(kelurahan)s" if kelurahan_id else ""
    added = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for kind, join, threshold in (
            (DuplicateFlag.Kind.NAME_BIRTH, "b.birth_date = a.birth_date", NAME_THRESHOLD),
            (
                DuplicateFlag.Kind.NIK_PREFIX,
                "left(b.nik, 12) = left(a.nik, 12) AND b.nik <> a.nik AND b.birth_date <> a.birth_date",
                PREFIX_NAME_THRESHOLD,
            ),
        ):
            cursor.execute(
                _SQL.format(join=join, scope=scope),
                {
                    "kind": kind.value,
                    "threshold": threshold,
                    "kelurahan": kelurahan_id,
                    "open": DuplicateFlag.Status.OPEN.value,
                },
            )
            added += cursor.rowcount
    return added


def duplicates_scan_request(*, actor) -> int:
    """The "Cari data ganda" button: a background scan of each kelurahan the actor may see (all of them for a
    kecamatan-wide role), enqueued once the caller's transaction commits. Returns how many scans were queued."""
    from beneficiaries.tasks import detect_duplicates_task

    _require(actor, "beneficiaries.change_duplicateflag")
    scope = actor.kelurahan_scope() if actor is not None else None
    kelurahan_ids: list[int | None] = list(scope) if scope is not None else [None]  # None: the whole kecamatan
    for kelurahan_id in kelurahan_ids:
        transaction.on_commit(partial(detect_duplicates_task.delay, kelurahan_id))
    return len(kelurahan_ids)


def _check_pair_visible(actor, flag: DuplicateFlag) -> None:
    """Both members must be in the actor's scope: a decision touches both records."""
    if actor is None:
        return
    visible = Member.objects.visible_to(actor).filter(pk__in=[flag.member_id, flag.other_id]).count()
    if visible != 2:
        raise PermissionDenied(_("Anda tidak berwenang melakukan tindakan ini."))


@transaction.atomic
def duplicate_transition(
    *, actor, flag: DuplicateFlag, action: str, keep: Member | None = None, note: str = ""
) -> DuplicateFlag:
    """The reviewer's decision on an open flag: `DuplicateFlag.Action.DISMISS` ("not the same person") or
    `MERGE` (keep `keep`, one of the pair; the other's records move to it and it is deactivated)."""
    _require(actor, "beneficiaries.change_duplicateflag")
    flag = DuplicateFlag.objects.select_for_update().get(pk=flag.pk)
    _check_pair_visible(actor, flag)
    if action not in DuplicateFlag.ACTIONS.get(flag.status, ()):
        if flag.status != DuplicateFlag.Status.OPEN:
            raise Conflict(_("Dugaan data ganda ini sudah diputuskan."), code="already_reviewed")
        raise ValidationError(_("Keputusan tidak dikenal."), code="action_invalid")
    if action == DuplicateFlag.Action.DISMISS:
        return _dismiss(actor=actor, flag=flag, note=note)
    _merge(actor=actor, flag=flag, keep=keep, note=note)
    return flag


def _dismiss(*, actor, flag: DuplicateFlag, note: str) -> DuplicateFlag:
    flag.status = DuplicateFlag.Status.DISMISSED
    flag.reviewed_by = actor
    flag.reviewed_at = timezone.now()
    flag.note = note
    with _audited(actor, "duplicate_dismiss"):
        flag.save(update_fields=["status", "reviewed_by", "reviewed_at", "note", "updated_at"])
    return flag


def _merge(*, actor, flag: DuplicateFlag, keep: Member | None, note: str) -> Member:
    """Keeps one member; the other's records (consents, and other apps' rows via merge handlers) move to it,
    then the other is deactivated as "data ganda". One transaction, one history context."""
    if keep is None or keep.pk not in (flag.member_id, flag.other_id):
        raise ValidationError(_("Anggota yang dipertahankan harus salah satu dari pasangan ini."), code="keep_invalid")
    drop = Member.objects.select_related("household").get(
        pk=flag.other_id if keep.pk == flag.member_id else flag.member_id
    )
    family = drop.household
    is_last = not family.members.active().exclude(pk=drop.pk).exists()
    if drop.relationship == choices.Relationship.HEAD and not is_last:
        raise ValidationError(
            _(
                "%(name)s adalah Kepala Keluarga KK %(kk)s: pertahankan data ini, atau tetapkan dulu Kepala "
                "Keluarga lain di keluarga tersebut."
            ),
            code="head_dropped",
            params={"name": drop.full_name, "kk": mask_number(family.kk_number)},
        )
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
        if is_last and family.pk != keep.household_id:
            # The duplicate was its family's only member: the family itself was the duplicate record.
            family.is_active = False
            family.removed_at = timezone.now()
            family.removed_reason = choices.RemovalReason.DUPLICATE
            family.removed_note = drop.removed_note
            family.save(update_fields=["is_active", "removed_at", "removed_reason", "removed_note", "updated_at"])
        heads.assert_one_head(family, actor=actor)
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
