"""Sembako and support figures (aid_distribution, read-only): deliveries per institution, coverage of desil 1–4,
households served by several institutions, desil 1–4 households not reached in 3 months, support cases.

The month of a delivery is the month of its distribution round (`round.period`), as on the aid pages, so the
counts here equal the counts in their lists.
"""

import datetime

from django.db import connections
from django.db.models import Count, Q

from reports.builders.common import percent, rows_by_kelurahan
from reports.builders.periods import add_months, month_start

NOT_REACHED_MONTHS = 3
TARGET_DESIL = (1, 4)


def coordination(*, start: datetime.date, end: datetime.date, kelurahan: list[dict], db: str) -> dict:
    """Per kelurahan: target households, those served this month, several institutions, not reached in 3 months.

    One pass over the deliveries of the 3-month window, grouped per household (institutions this month), then
    one hash join to the households with a COUNT(*) FILTER per figure. Four separate ORM queries each joined
    delivery → entitlement → round again (29 s at 5 M deliveries); Django's ORM cannot group a derived table,
    so this one is SQL, written with the models' table names and bound parameters.
    """
    from aid_distribution.models import Delivery, DistributionRound, Entitlement
    from beneficiaries.models import Household

    period = month_start(start)
    since = add_months(period, -(NOT_REACHED_MONTHS - 1))
    ids = [k["id"] for k in kelurahan]
    sql = f"""
        SELECT h.kelurahan_id,
               COUNT(*) FILTER (WHERE h.desil BETWEEN %(low)s AND %(high)s) AS target,
               COUNT(*) FILTER (WHERE a.institutions > 0) AS served,
               COUNT(*) FILTER (WHERE a.institutions > 0 AND h.desil BETWEEN %(low)s AND %(high)s) AS target_served,
               COUNT(*) FILTER (WHERE a.household_id IS NULL AND h.desil BETWEEN %(low)s AND %(high)s) AS not_reached,
               COUNT(*) FILTER (WHERE a.institutions > 1) AS multi_served
        FROM {Household._meta.db_table} h
        LEFT JOIN (
            SELECT e.household_id,
                   COUNT(DISTINCT r.institution_id) FILTER (WHERE r.period = %(period)s) AS institutions
            FROM {Delivery._meta.db_table} d
            JOIN {Entitlement._meta.db_table} e ON e.id = d.entitlement_id
            JOIN {DistributionRound._meta.db_table} r ON r.id = e.round_id
            WHERE r.period BETWEEN %(since)s AND %(period)s
            GROUP BY e.household_id
        ) a ON a.household_id = h.id
        WHERE h.is_active AND h.kelurahan_id = ANY(%(ids)s)
        GROUP BY h.kelurahan_id
    """  # noqa: S608 - table names come from model metadata, every value is a bound parameter
    params = {"low": TARGET_DESIL[0], "high": TARGET_DESIL[1], "period": period, "since": since, "ids": ids}
    with connections[db].cursor() as cursor:
        cursor.execute(sql, params)
        columns = [col[0] for col in cursor.description]
        rows = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    fields = ["served", "target", "target_served", "not_reached", "multi_served"]
    by_kelurahan, total = rows_by_kelurahan(rows, "kelurahan_id", fields, kelurahan)
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
