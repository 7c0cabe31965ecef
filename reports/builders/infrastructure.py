"""Infrastructure figures (infrastructure, read-only): projects by status, budget against spending, delays.

A project serving two kelurahan appears in both kelurahan rows; the kecamatan total counts it once.
Spending is the cumulative figure of the latest progress report up to the end of the period.
"""

import datetime

from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from reports.builders.common import percent


def projects(*, start: datetime.date, end: datetime.date, kelurahan: list[dict], db: str) -> dict:
    from infrastructure.models import OPEN_STATUSES, InfrastructureProject, ProgressUpdate, ProjectStatus

    def spent_by_end(project_ref: str):
        return Coalesce(
            Subquery(
                ProgressUpdate.objects.using(db)
                .filter(project=OuterRef(project_ref), reported_on__lte=end)
                .order_by("-reported_on", "-pk")
                .values("spent_cumulative")[:1]
            ),
            0,
        )

    def figures(prefix: str) -> dict:
        live = ~Q(**{f"{prefix}status": ProjectStatus.DIHENTIKAN})
        return {
            **{
                f"status_{value}": Count("pk", filter=Q(**{f"{prefix}status": value})) for value in ProjectStatus.values
            },
            "projects": Count("pk"),
            "overdue": Count(
                "pk", filter=Q(**{f"{prefix}status__in": OPEN_STATUSES, f"{prefix}planned_end_on__lt": end})
            ),
            "flagged": Count("pk", filter=Q(**{f"{prefix}is_delayed": True})),
            "budget": Coalesce(Sum(f"{prefix}budget", filter=live), 0),
            "spent": Coalesce(Sum("spent_by_end", filter=live), 0),
        }

    ids = [k["id"] for k in kelurahan]
    through = InfrastructureProject.kelurahan_served.through
    rows = (
        through.objects.using(db)
        .filter(kelurahan_id__in=ids)
        .annotate(spent_by_end=spent_by_end("infrastructureproject_id"))
        .values("kelurahan_id")
        .annotate(**figures("infrastructureproject__"))
        .order_by()
    )
    found = {row["kelurahan_id"]: row for row in rows}
    fields = [f"status_{value}" for value in ProjectStatus.values] + [
        "projects",
        "overdue",
        "flagged",
        "budget",
        "spent",
    ]
    result = []
    for kel in kelurahan:
        row = {f: found.get(kel["id"], {}).get(f) or 0 for f in fields}
        row["spent_pct"] = percent(row["spent"], row["budget"])
        result.append({"kelurahan_id": kel["id"], "name": kel["name"], **row})
    served = through.objects.using(db).filter(kelurahan_id__in=ids).values("infrastructureproject_id")
    total = (
        InfrastructureProject.objects.using(db)
        .filter(pk__in=served)
        .annotate(spent_by_end=spent_by_end("pk"))
        .aggregate(**figures(""))
    )
    total["spent_pct"] = percent(total["spent"], total["budget"])
    return {"rows": result, "total": total}
