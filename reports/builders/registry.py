"""Registry figures: households and members registered, changed, removed; desil; age, sex, education,
disability; the education challenge (school-age children not in school, adults without primary school).

Each figure is one COUNT(...) FILTER (WHERE ...) in a single grouped query per table, so the registry is read
once per table however many figures there are (docs/quality.md P5).
"""

import datetime

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from beneficiaries.choices import Disability, Education, SchoolParticipation, Sex
from beneficiaries.models import Household, Member
from reports.builders.common import rows_by_kelurahan
from reports.builders.periods import bounds, years_before

#: (key, label, youngest age, oldest age or None), ages in whole years at the end of the period.
AGE_BANDS = [
    ("age_0_6", "0–6", 0, 6),
    ("age_7_12", "7–12", 7, 12),
    ("age_13_15", "13–15", 13, 15),
    ("age_16_18", "16–18", 16, 18),
    ("age_19_59", "19–59", 19, 59),
    ("age_60", "60+", 60, None),
]
SCHOOL_AGE = (7, 18)
ADULT_AGE = 19
DESIL_KEYS = [f"desil_{d}" for d in range(1, 11)] + ["desil_none"]
EDUCATION_KEYS = [f"edu_{value}" for value in Education.values] + ["edu_none"]
DISABILITY_KEYS = [f"dis_{value}" for value in Disability.values]

HOUSEHOLD_FIELDS = ["active", "new", "changed", "removed", "dtks", *DESIL_KEYS]
MEMBER_FIELDS = [
    "active",
    "new",
    "removed",
    "male",
    "female",
    *[band[0] for band in AGE_BANDS],
    *EDUCATION_KEYS,
    "disabled",
    *DISABILITY_KEYS,
    "school_age",
    "school_in",
    "school_not",
    "school_unknown",
    "adults",
    "adults_no_primary",
]


def age_between(reference: datetime.date, youngest: int, oldest: int | None, prefix: str = "") -> Q:
    """Members aged youngest..oldest (inclusive) on `reference`, as a range on birth_date (index-friendly)."""
    q = Q(**{f"{prefix}birth_date__lte": years_before(reference, youngest)})
    if oldest is not None:
        q &= Q(**{f"{prefix}birth_date__gt": years_before(reference, oldest + 1)})
    return q


def registered(prefix: str = "") -> Q:
    """Registered and active when the report is computed.

    Stock figures are the registry's state at computation time (labelled with it), as SIKS-NG reports do; the
    scheduled run computes them at 01.00 on the 1st, i.e. the state at the end of the month. Flows (new,
    changed, removed) are counted for the month itself from the timestamps.
    """
    return Q(**{f"{prefix}is_active": True})


def households(*, start: datetime.date, end: datetime.date, kelurahan: list[dict], db: str) -> dict:
    start_at, end_at = bounds(start, end)
    active = registered()
    in_month = {"gte": start_at, "lt": end_at}
    removed_in_month = Q(is_active=False, removed_at__gte=start_at, removed_at__lt=end_at)
    aggregates = {
        "active": Count("pk", filter=active),
        "new": Count("pk", filter=Q(created_at__gte=in_month["gte"], created_at__lt=in_month["lt"])),
        # Changed: an earlier household whose row was last updated this month, other than by its removal.
        "changed": Count(
            "pk",
            filter=Q(created_at__lt=start_at, updated_at__gte=start_at, updated_at__lt=end_at) & ~removed_in_month,
        ),
        "removed": Count("pk", filter=removed_in_month),
        "dtks": Count("pk", filter=active & Q(is_in_dtks=True)),
        **{f"desil_{d}": Count("pk", filter=active & Q(desil=d)) for d in range(1, 11)},
        "desil_none": Count("pk", filter=active & Q(desil__isnull=True)),
    }
    ids = [k["id"] for k in kelurahan]
    rows = (
        Household.objects.using(db)
        .filter(kelurahan_id__in=ids)
        .values("kelurahan_id")
        .annotate(**aggregates)
        .order_by()
    )
    by_kelurahan, total = rows_by_kelurahan(rows, "kelurahan_id", HOUSEHOLD_FIELDS, kelurahan)
    total["desil_1_4"] = sum(total[f"desil_{d}"] for d in range(1, 5))
    for row in by_kelurahan:
        row["desil_1_4"] = sum(row[f"desil_{d}"] for d in range(1, 5))
    return {"rows": by_kelurahan, "total": total}


def members(*, start: datetime.date, end: datetime.date, kelurahan: list[dict], db: str) -> dict:
    start_at, end_at = bounds(start, end)
    # Member.is_active, as the registry's lists and home-page counts use (deactivating a household
    # deactivates its members in the same service call).
    active = registered()
    school_age = active & age_between(end, *SCHOOL_AGE)
    adults = active & age_between(end, ADULT_AGE, None)
    aggregates = {
        "active": Count("pk", filter=active),
        "new": Count("pk", filter=Q(created_at__gte=start_at, created_at__lt=end_at)),
        "removed": Count("pk", filter=Q(is_active=False, removed_at__gte=start_at, removed_at__lt=end_at)),
        "male": Count("pk", filter=active & Q(sex=Sex.MALE)),
        "female": Count("pk", filter=active & Q(sex=Sex.FEMALE)),
        **{key: Count("pk", filter=active & age_between(end, lo, hi)) for key, _label, lo, hi in AGE_BANDS},
        **{f"edu_{value}": Count("pk", filter=active & Q(education=value)) for value in Education.values},
        "edu_none": Count("pk", filter=active & Q(education__isnull=True)),
        "disabled": Count("pk", filter=active & Q(disability__isnull=False)),
        **{f"dis_{value}": Count("pk", filter=active & Q(disability=value)) for value in Disability.values},
        "school_age": Count("pk", filter=school_age),
        "school_in": Count("pk", filter=school_age & Q(school_participation=SchoolParticipation.IN_SCHOOL)),
        # The education challenge: never enrolled, or no longer in school (Regsosek codes 1 and 3).
        "school_not": Count(
            "pk",
            filter=school_age & Q(school_participation__in=[SchoolParticipation.NEVER, SchoolParticipation.NO_LONGER]),
        ),
        "school_unknown": Count("pk", filter=school_age & Q(school_participation__isnull=True)),
        "adults": Count("pk", filter=adults),
        "adults_no_primary": Count(
            "pk", filter=adults & Q(education__in=[Education.NONE, Education.PRIMARY_INCOMPLETE])
        ),
    }
    ids = [k["id"] for k in kelurahan]
    rows = (
        Member.objects.using(db)
        .filter(household__kelurahan_id__in=ids)
        .values("household__kelurahan_id")
        .annotate(**aggregates)
        .order_by()
    )
    by_kelurahan, total = rows_by_kelurahan(rows, "household__kelurahan_id", MEMBER_FIELDS, kelurahan)
    return {"rows": by_kelurahan, "total": total}


def labels() -> dict:
    """Category labels as ordered [key, label] pairs (a list: jsonb does not keep the order of object keys)."""
    return {
        "age": [[key, _("%(band)s tahun") % {"band": label}] for key, label, _lo, _hi in AGE_BANDS],
        "education": [[f"edu_{v}", str(label)] for v, label in Education.choices]
        + [["edu_none", _("Tidak diketahui")]],
        "disability": [[f"dis_{v}", str(label)] for v, label in Disability.choices],
        "desil": [[f"desil_{d}", _("Desil %(d)s") % {"d": d}] for d in range(1, 11)]
        + [["desil_none", _("Tanpa desil")]],
    }
