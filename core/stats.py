"""Per-kelurahan counts for the home page, registered by each app (computed from the data, never stored)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count


@dataclass(frozen=True)
class KelurahanStat:
    key: str
    label: str
    order: int
    #: counter(user) -> {kelurahan_id: count}, or None when the user may not see this figure
    counter: Callable


_STATS: dict[str, KelurahanStat] = {}


def register_kelurahan_stat(*, key: str, label, order: int, counter: Callable) -> None:
    _STATS[key] = KelurahanStat(key, label, order, counter)


def stats_for(user) -> list[tuple[KelurahanStat, dict]]:
    result = []
    for stat in sorted(_STATS.values(), key=lambda s: s.order):
        counts = stat.counter(user)
        if counts is not None:
            result.append((stat, counts))
    return result


def count_rt(user) -> dict:
    from core.models import RT

    rows = RT.objects.filter(is_active=True).values("kelurahan_id").annotate(n=Count("id"))
    return {row["kelurahan_id"]: row["n"] for row in rows}
