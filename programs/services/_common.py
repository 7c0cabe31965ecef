"""What every programs service shares: who may act (permission and kelurahan scope), today, month arithmetic.

`actor` is the signed-in user who acts, or None for the system itself (the demo seed, a Celery task, a
registry merge that already checked its own actor). Every view passes `request.user`; a user without the
permission, or acting on a resident outside their kelurahan, gets PermissionDenied (403) with an Indonesian
message, whatever the page or admin did before. Scope is decided by the same `visible_to(user)` the selectors
use, so a service can never reach what a page cannot show.
"""

import calendar
import datetime

from django.core.exceptions import PermissionDenied
from django.utils import timezone
from django.utils.translation import gettext as _


def today() -> datetime.date:
    return timezone.localdate()


def add_months(date: datetime.date, months: int) -> datetime.date:
    """Same day `months` later, clipped to the month's last day (31 Aug + 6 months = 28/29 Feb)."""
    index = date.month - 1 + months
    year, month = date.year + index // 12, index % 12 + 1
    return date.replace(year=year, month=month, day=min(date.day, calendar.monthrange(year, month)[1]))


def require(actor, perm: str, doing: str) -> None:
    """The actor holds `perm` (`doing` completes "Anda tidak berwenang …", e.g. "mengubah angkatan")."""
    if actor is None:
        return
    if not actor.has_perm(perm):
        raise PermissionDenied(_("Anda tidak berwenang %(doing)s.") % {"doing": doing})


def require_visible(actor, queryset, pk: int, what: str) -> None:
    """The row `pk` of `queryset`'s model lies in the actor's kelurahan scope (`what` names it, e.g. "Peserta")."""
    if actor is None:
        return
    if not queryset.visible_to(actor).filter(pk=pk).exists():
        raise PermissionDenied(_("%(what)s berada di luar wilayah tugas Anda.") % {"what": what})


def pick(data: dict, editable: list[str]) -> dict:
    """The editable fields present in `data` (anything else a caller passes is ignored)."""
    return {name: value for name, value in data.items() if name in editable}
