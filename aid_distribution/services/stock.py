"""Stock of a round: packages received, and adjustments (damage, loss, count correction) with their reason."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from aid_distribution.models import DistributionRound, RoundStatus, StockKind, StockMovement
from aid_distribution.services.institutions import require_round_manager
from aid_distribution.services.rounds import locked_round


@transaction.atomic
def stock_movement_record(
    *, actor, round_: DistributionRound, kind: str, quantity: int, reason: str = "", moved_on: datetime.date
) -> StockMovement:
    round_ = locked_round(round_.pk)
    require_round_manager(actor, round_)
    if round_.status == RoundStatus.CLOSED:
        raise ValidationError(_("Putaran sudah ditutup; stok tidak dapat diubah."), code="round_closed")
    if kind == StockKind.RECEIVED and quantity <= 0:
        raise ValidationError(
            {"quantity": ValidationError(_("Jumlah paket diterima harus lebih dari nol."), code="bad_quantity")}
        )
    if kind == StockKind.ADJUSTMENT and (quantity == 0 or not reason.strip()):
        raise ValidationError(
            {
                "reason": ValidationError(
                    _("Penyesuaian stok wajib memiliki jumlah bukan nol dan alasan."), code="adjustment_reason"
                )
            }
        )
    movement = StockMovement(
        round=round_, kind=kind, quantity=quantity, reason=reason.strip(), moved_on=moved_on, recorded_by=actor
    )
    movement.full_clean()
    movement.save()
    return movement
