"""Household cards: fresh codes for a set-based insert, and reissuing a lost card.

A card carries two credentials that mean the same household: `card_token` (the QR) and `card_code` (the short
code under it, typed where the phone cannot scan). Reissuing replaces both at once, so the lost card stops
working everywhere a card is looked up (aid's card lookup, the field app's offline card list once it syncs).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from beneficiaries.models import Household, new_card_code, new_card_token
from beneficiaries.services.common import _audited, _check_household_scope, _require
from beneficiaries.validators import card_code_display
from core.audit import audit_event
from core.models import AuditAction

REASON_MAX_LENGTH = 300


def card_codes_new(count: int) -> list[str]:
    """`count` fresh card codes, distinct among themselves and from every stored one (one query per round; a
    collision at 50 bits is rare, so there is almost always a single round)."""
    codes: set[str] = set()
    while len(codes) < count:
        candidates = {new_card_code() for _i in range(count - len(codes))} - codes
        taken = set(Household.objects.filter(card_code__in=candidates).values_list("card_code", flat=True))
        codes |= candidates - taken
    return list(codes)


@transaction.atomic
def household_card_reissue(*, actor, household: Household, reason: str, ip: str | None = None) -> Household:
    """A new card for a lost or damaged one: a new token and code; the old ones stop working at once.

    Needs the registry's change permission within the actor's kelurahan; the reason is required and goes, with
    the old code, into the audit log (`AuditAction.CARD_REISSUE`)."""
    _require(actor, "beneficiaries.change_household")
    _check_household_scope(actor, household)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(
            {"reason": ValidationError(_("Alasan penggantian kartu wajib diisi."), code="reason_required")}
        )
    if len(reason) > REASON_MAX_LENGTH:
        too_long = _("Alasan penggantian kartu paling banyak %(n)s karakter.") % {"n": REASON_MAX_LENGTH}
        raise ValidationError({"reason": ValidationError(too_long, code="reason_too_long")})
    household = Household.objects.select_for_update().get(pk=household.pk)
    if not household.is_active:
        raise ValidationError(_("Keluarga ini sudah nonaktif: kartunya tidak dapat diganti."), code="inactive")
    old_code = household.card_code
    for _attempt in range(3):
        household.card_token, household.card_code = new_card_token(), card_codes_new(1)[0]
        try:
            with transaction.atomic(), _audited(actor, "household_card_reissue"):
                household.save(update_fields=["card_token", "card_code", "updated_at"])
            break
        except IntegrityError:  # another reissue took the same fresh code in the meantime
            continue
    else:
        raise ValidationError(_("Kartu baru belum dapat dibuat. Coba sekali lagi."), code="conflict")
    audit_event(
        action=AuditAction.CARD_REISSUE,
        actor=actor,
        obj=household,
        ip_address=ip,
        detail={"reason": reason, "old_code": card_code_display(old_code)},
    )
    return household
