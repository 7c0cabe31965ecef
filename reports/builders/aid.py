"""Sembako and support figures (aid_distribution, read-only): deliveries per institution, coverage of desil 1–4,
households served by several institutions, desil 1–4 households not reached in 3 months, support cases.

The month of a delivery is the month of its distribution round (`round.period`), as on the aid pages, so the
counts here equal the counts in their lists.
"""

import datetime

from django.db.models import Count, Exists, OuterRef, Q

from reports.builders.common import percent, rows_by_kelurahan
from reports.builders.periods import add_months, month_start

NOT_REACHED_MONTHS = 3
TARGET_DESIL = (1, 4)


def _multi_served_household_ids(period: datetime.date, db: str):
    from aid_distribution.models import Delivery

    return (
        Delivery.objects.using(db)
        .filter(entitlement__round__period=period)
        .values("entitlement__household_id")
        .annotate(n=Count("entitlement__round__institution_id", distinct=True))
        .filter(n__gt=1)
        .values("entitlement__household_id")
    )


def coordination(*, start: datetime.date, end: datetime.date, kelurahan: list[dict], db: str) -> dict:
    """Per kelurahan: target households, those served this month, several institutions, not reached in 3 months.

    Each figure is its own grouped query whose EXISTS / IN sits in WHERE, where PostgreSQL plans it as a hash
    semi- or anti-join; in a COUNT(...) FILTER it would be a subplan run once per household (seconds at 1M).
    """
    from aid_distribution.models import Delivery
    from beneficiaries.models import Household

    period = month_start(start)
    since = add_months(period, -(NOT_REACHED_MONTHS - 1))
    served = Delivery.objects.using(db).filter(entitlement__household=OuterRef("pk"), entitlement__round__period=period)
    reached = Delivery.objects.using(db).filter(
        entitlement__household=OuterRef("pk"),
        entitlement__round__period__gte=since,
        entitlement__round__period__lte=period,
    )
    target = Q(desil__gte=TARGET_DESIL[0], desil__lte=TARGET_DESIL[1])
    ids = [k["id"] for k in kelurahan]
    households = Household.objects.using(db).filter(kelurahan_id__in=ids, is_active=True)

    def per_kelurahan(queryset, **aggregates) -> list[dict]:
        return list(queryset.values("kelurahan_id").annotate(**aggregates).order_by())

    rows: dict[int, dict] = {}
    for group in (
        per_kelurahan(households, target=Count("pk", filter=target)),
        per_kelurahan(households.filter(Exists(served)), served=Count("pk"), target_served=Count("pk", filter=target)),
        per_kelurahan(households.filter(target).exclude(Exists(reached)), not_reached=Count("pk")),
        per_kelurahan(households.filter(pk__in=_multi_served_household_ids(period, db)), multi_served=Count("pk")),
    ):
        for row in group:
            rows.setdefault(row["kelurahan_id"], {}).update(row)
    fields = ["served", "target", "target_served", "not_reached", "multi_served"]
    by_kelurahan, total = rows_by_kelurahan(rows.values(), "kelurahan_id", fields, kelurahan)
    for row in [*by_kelurahan, total]:
        row["coverage_pct"] = percent(row["target_served"], row["target"])
    return {
        "rows": by_kelurahan,
        "total": total,
        "since": since.isoformat(),
        "months": NOT_REACHED_MONTHS,
    }


def deliveries_per_institution(*, start: datetime.date, end: datetime.date, kelurahan: list[dict], db: str) -> dict:
    from aid_distribution.models import Delivery

    period = month_start(start)
    ids = [k["id"] for k in kelurahan]
    rows = (
        Delivery.objects.using(db)
        .filter(entitlement__round__period=period, entitlement__household__kelurahan_id__in=ids)
        .values("entitlement__round__institution_id", "entitlement__round__institution__name")
        .annotate(
            deliveries=Count("pk"),
            households=Count("entitlement__household_id", distinct=True),
            rounds=Count("entitlement__round_id", distinct=True),
        )
        .order_by("entitlement__round__institution__name")
    )
    institutions = [
        {
            "institution_id": row["entitlement__round__institution_id"],
            "name": row["entitlement__round__institution__name"],
            "deliveries": row["deliveries"],
            "households": row["households"],
            "rounds": row["rounds"],
        }
        for row in rows
    ]
    total = {
        "deliveries": sum(r["deliveries"] for r in institutions),
        "rounds": sum(r["rounds"] for r in institutions),
    }
    return {"rows": institutions, "total": total}


def support_cases(*, start: datetime.date, end: datetime.date, kelurahan: list[dict], db: str) -> dict:
    """Counts only: a support case is specific personal data about a child (UU PDP)."""
    from aid_distribution.models import SupportCase

    ids = [k["id"] for k in kelurahan]
    rows = (
        SupportCase.objects.using(db)
        .filter(member__household__kelurahan_id__in=ids)
        .values("member__household__kelurahan_id")
        .annotate(
            opened=Count("pk", filter=Q(opened_on__gte=start, opened_on__lte=end)),
            closed=Count("pk", filter=Q(closed_on__gte=start, closed_on__lte=end)),
            open_at_end=Count("pk", filter=Q(opened_on__lte=end) & (Q(closed_on__isnull=True) | Q(closed_on__gt=end))),
        )
        .order_by()
    )
    by_kelurahan, total = rows_by_kelurahan(
        rows, "member__household__kelurahan_id", ["opened", "closed", "open_at_end"], kelurahan
    )
    return {"rows": by_kelurahan, "total": total}
