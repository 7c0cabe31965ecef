from core.models import Kelurahan
from core.stats import stats_for


def kelurahan_overview(*, user) -> tuple[list, list[dict]]:
    """The six kelurahan with every registered count the user may see, in one query per count."""
    stats = stats_for(user)
    rows = []
    for kelurahan in Kelurahan.objects.all():
        rows.append(
            {
                "kelurahan": kelurahan,
                "counts": [(stat.label, counts.get(kelurahan.pk, 0)) for stat, counts in stats],
            }
        )
    return [stat for stat, _counts in stats], rows
