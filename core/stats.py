"""Per-kelurahan counts for the home page, registered by each app (computed from the data, never stored)."""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db.models import Count

_MISSING = object()


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
    """Every registered count the user may see. Each result is kept for a few minutes per user
    (`KELURAHAN_STATS_CACHE_SECONDS`): at a million households a count over the member table takes seconds, and
    the home page is the first page of every visit. Per user, so no figure crosses a scope."""
    seconds = getattr(settings, "KELURAHAN_STATS_CACHE_SECONDS", 300)
    result = []
    for stat in sorted(_STATS.values(), key=lambda s: s.order):
        key = f"kelurahan-stat:{stat.key}:{user.pk}"
        counts = cache.get(key, _MISSING) if seconds else _MISSING
        if counts is _MISSING:
            counts = stat.counter(user)
            if seconds:
                cache.set(key, counts, seconds)
        if counts is not None:
            result.append((stat, counts))
    return result


def count_rt(user) -> dict:
    from core.models import RT

    rows = RT.objects.filter(is_active=True).values("kelurahan_id").annotate(n=Count("id"))
    return {row["kelurahan_id"]: row["n"] for row in rows}
