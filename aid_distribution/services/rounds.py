"""Rounds and entitlements: creating and editing a round, who is entitled, and the round's status changes."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role
from aid_distribution.models import (
    EDITABLE_STATUSES,
    DistributionRound,
    Entitlement,
    Institution,
    RoundAction,
    RoundStatus,
)
from aid_distribution.services.institutions import (
    is_district_staff,
    member_institution_ids,
    require_institution_actor,
    require_round_manager,
)
from core.services import apply_changes

#: What `round_update` (and the admin's change form) may change; the status moves only by `round_transition`.
ROUND_EDITABLE_FIELDS = ("institution", "name", "period", "package")


def _check_institution(actor, institution: Institution) -> None:
    require_institution_actor(actor, institution.pk)
    if not institution.is_active:
        raise ValidationError({"institution": ValidationError(_("Lembaga tidak aktif."), code="institution_inactive")})


@transaction.atomic
def round_create(*, actor, institution: Institution, name: str, period: datetime.date, package) -> DistributionRound:
    _check_institution(actor, institution)
    round_ = DistributionRound(
        institution=institution, name=name, period=period.replace(day=1), package=package, created_by=actor
    )
    round_.full_clean()
    round_.save()
    return round_


def locked_round(round_id: int) -> DistributionRound:
    # Row lock: a status change and an entitlement change on the same round serialise here.
    return DistributionRound.objects.select_for_update().get(pk=round_id)


def _require_editable(round_: DistributionRound, message: str) -> None:
    if round_.status not in EDITABLE_STATUSES:
        raise ValidationError(message, code="round_locked")


@transaction.atomic
def round_update(*, actor, round_: DistributionRound, data: dict) -> DistributionRound:
    """Changes the round's name, month, package or institution (`ROUND_EDITABLE_FIELDS` in `data`), only before
    approval: after it, households and stock were planned on them."""
    round_ = locked_round(round_.pk)
    require_round_manager(actor, round_)
    _require_editable(round_, _("Putaran hanya dapat diubah sebelum disetujui."))
    if "institution" in data and data["institution"] != round_.institution:
        _check_institution(actor, data["institution"])
    changed = apply_changes(round_, data, ROUND_EDITABLE_FIELDS)
    if "period" in changed:
        round_.period = round_.period.replace(day=1)
    if changed:
        round_.full_clean()
        round_.save(update_fields=[*changed, "updated_at"])
    return round_


@transaction.atomic
def entitlements_add(*, actor, round_: DistributionRound, household_ids) -> int:
    """Adds households to a round that is not approved yet; households already in it are skipped."""
    round_ = locked_round(round_.pk)
    require_round_manager(actor, round_)
    _require_editable(round_, _("Penerima hanya dapat diubah sebelum putaran disetujui."))
    from beneficiaries.models import Household

    households = Household.objects.filter(pk__in=list(household_ids), is_active=True)
    served = list(round_.institution.kelurahan_served.values_list("pk", flat=True))
    if served:
        households = households.filter(kelurahan_id__in=served)
    ids = list(households.values_list("pk", flat=True))
    existing = set(
        Entitlement.objects.filter(round=round_, household_id__in=ids).values_list("household_id", flat=True)
    )
    new_ids = [pk for pk in ids if pk not in existing]
    _require_aid_consent(new_ids)
    new = [Entitlement(round=round_, household_id=pk, added_by=actor) for pk in new_ids]
    Entitlement.objects.bulk_create(new, batch_size=1000, ignore_conflicts=True)
    return len(new)


#: How many households a refusal names; the rest are counted.
NAMED_IN_REFUSAL = 10


def _require_aid_consent(household_ids: list[int]) -> None:
    """Aid delivery by institutions rests on the family's consent (privacy notice, core.privacy): a household
    whose consent for `ConsentPurpose.AID` is withdrawn is no recipient. All or nothing: the worker unticks
    those named and saves again."""
    from beneficiaries.choices import ConsentPurpose, Relationship
    from beneficiaries.models import Household, Member
    from beneficiaries.selectors import households_lacking_consent

    lacking = households_lacking_consent(household_ids=household_ids, purpose=ConsentPurpose.AID)
    if not lacking:
        return
    head = Member.objects.filter(household=OuterRef("pk"), relationship=Relationship.HEAD, is_active=True)
    rows = (
        Household.objects.filter(pk__in=lacking)
        .annotate(head_name=Subquery(head.order_by("pk").values("full_name")[:1]))
        .order_by("head_name", "pk")
        .values_list("head_name", "address")
    )
    named = [f"{name} ({address})" if name else address for name, address in rows[:NAMED_IN_REFUSAL]]
    households = ", ".join(named)
    if len(lacking) > len(named):
        households += " " + _("dan %(count)s keluarga lainnya") % {"count": len(lacking) - len(named)}
    raise ValidationError(
        _(
            "%(count)s keluarga sudah menarik persetujuan untuk penyaluran bantuan lembaga sosial, sehingga tidak "
            "dapat ditambahkan sebagai penerima: %(households)s. Hapus centang keluarga tersebut, lalu simpan lagi."
        )
        % {"count": len(lacking), "households": households},
        code="aid_consent_withdrawn",
    )


@transaction.atomic
def entitlement_remove(*, actor, entitlement: Entitlement) -> None:
    round_ = locked_round(entitlement.round_id)
    require_round_manager(actor, round_)
    _require_editable(round_, _("Penerima hanya dapat diubah sebelum putaran disetujui."))
    entitlement.delete()


TRANSITIONS = {
    # action: (from, to)
    RoundAction.SUBMIT: (RoundStatus.DRAFT, RoundStatus.SUBMITTED),
    RoundAction.RETURN: (RoundStatus.SUBMITTED, RoundStatus.DRAFT),
    RoundAction.APPROVE: (RoundStatus.SUBMITTED, RoundStatus.APPROVED),
    RoundAction.START: (RoundStatus.APPROVED, RoundStatus.DISTRIBUTING),
    RoundAction.CLOSE: (RoundStatus.DISTRIBUTING, RoundStatus.CLOSED),
}
#: The decisions of Staf Kecamatan: never taken by someone working for the round's institution.
APPROVER_ACTIONS = (RoundAction.APPROVE, RoundAction.RETURN)


def can_approve(*, actor, round_: DistributionRound) -> bool:
    """Only Staf Kecamatan (or Admin) approve, and never someone working for the round's institution."""
    return (
        actor.has_perm("aid_distribution.approve_distributionround")
        and actor.role != Role.PETUGAS_LEMBAGA
        and round_.institution_id not in member_institution_ids(actor)
    )


def allowed_actions(*, actor, round_: DistributionRound) -> list[str]:
    actions: list[str] = []
    for action, (source, _target) in TRANSITIONS.items():
        if round_.status != source:
            continue
        if action in APPROVER_ACTIONS:
            if can_approve(actor=actor, round_=round_):
                actions.append(action.value)
        elif round_.institution_id in member_institution_ids(actor) or is_district_staff(actor):
            actions.append(action.value)
    return actions


@transaction.atomic
def round_transition(*, actor, round_: DistributionRound, action: str) -> DistributionRound:
    if action not in TRANSITIONS:
        raise ValidationError(_("Tindakan tidak dikenal."), code="unknown_action")
    round_ = locked_round(round_.pk)
    source, target = TRANSITIONS[RoundAction(action)]
    if round_.status != source:
        raise ValidationError(
            _("Putaran berstatus %(status)s; tindakan ini tidak dapat dilakukan.")
            % {"status": round_.get_status_display()},
            code="bad_status",
        )
    if action in APPROVER_ACTIONS:
        if not can_approve(actor=actor, round_=round_):
            raise PermissionDenied(_("Hanya Staf Kecamatan di luar lembaga ini yang dapat menyetujui putaran."))
    else:
        require_round_manager(actor, round_)
    now = timezone.now()
    fields = ["status", "updated_at"]
    if action == RoundAction.SUBMIT:
        if not round_.entitlements.exists():
            raise ValidationError(_("Tambahkan penerima sebelum mengajukan putaran."), code="no_entitlements")
        round_.submitted_at = now
        fields.append("submitted_at")
    elif action == RoundAction.APPROVE:
        round_.approved_by, round_.approved_at = actor, now
        fields += ["approved_by", "approved_at"]
    elif action == RoundAction.CLOSE:
        round_.closed_at = now
        fields.append("closed_at")
    round_.status = target
    round_.full_clean()
    round_.save(update_fields=fields)
    return round_
