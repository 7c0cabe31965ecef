"""Empowerment-program figures (programs, read-only): participation, completions and outcomes in the month."""

import datetime

from django.db.models import Count, Q

from reports.builders.common import rows_by_kelurahan
from reports.builders.periods import bounds

FIELDS = [
    "enrolled_new",
    "participating",
    "completed",
    "not_completed",
    "outcomes",
    "working",
    "business",
    "online",
]


def participation(*, start: datetime.date, end: datetime.date, kelurahan: list[dict], db: str) -> dict:
    from programs.models import Enrollment, EnrollmentStatus, Outcome

    start_at, end_at = bounds(start, end)
    ids = [k["id"] for k in kelurahan]
    enrollment_rows = (
        Enrollment.objects.using(db)
        .filter(member__household__kelurahan_id__in=ids)
        .values("member__household__kelurahan_id")
        .annotate(
            enrolled_new=Count("pk", filter=Q(created_at__gte=start_at, created_at__lt=end_at)),
            # Status as of the moment the report is generated (the portal keeps no status-by-date table).
            participating=Count("pk", filter=Q(status__in=[EnrollmentStatus.ACCEPTED, EnrollmentStatus.ENROLLED])),
            completed=Count(
                "pk", filter=Q(status=EnrollmentStatus.COMPLETED, completed_on__gte=start, completed_on__lte=end)
            ),
            not_completed=Count(
                "pk",
                filter=Q(
                    status__in=[EnrollmentStatus.NOT_COMPLETED, EnrollmentStatus.DROPPED],
                    status_changed_at__gte=start_at,
                    status_changed_at__lt=end_at,
                ),
            ),
        )
        .order_by()
    )
    outcome_rows = (
        Outcome.objects.using(db)
        .filter(
            follow_up__enrollment__member__household__kelurahan_id__in=ids, recorded_on__gte=start, recorded_on__lte=end
        )
        .values("follow_up__enrollment__member__household__kelurahan_id")
        .annotate(
            outcomes=Count("pk"),
            working=Count("pk", filter=Q(is_working=True)),
            business=Count("pk", filter=Q(has_business=True)),
            online=Count("pk", filter=Q(sells_online=True)),
        )
        .order_by()
    )
    merged: dict[int, dict] = {}
    for row in enrollment_rows:
        merged.setdefault(row["member__household__kelurahan_id"], {}).update(row)
    for row in outcome_rows:
        merged.setdefault(row["follow_up__enrollment__member__household__kelurahan_id"], {}).update(row)
    rows = [{"kelurahan_id": key, **values} for key, values in merged.items()]
    by_kelurahan, total = rows_by_kelurahan(rows, "kelurahan_id", FIELDS, kelurahan)
    return {"rows": by_kelurahan, "total": total}
