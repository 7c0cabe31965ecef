"""Reads for programs, always through the scoped door for personal data (Enrollment, Member)."""

import statistics

from django.db.models import BooleanField, Case, Count, Exists, ExpressionWrapper, OuterRef, Prefetch, Q, Value, When
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.models import Role
from beneficiaries.choices import Sex
from beneficiaries.models import Member
from programs import eligibility
from programs.models import (
    ENROLLABLE_COHORT_STATUSES,
    FINISHED_STATUSES,
    OPEN_STATUSES,
    SEAT_STATUSES,
    Attendance,
    Cohort,
    Enrollment,
    EnrollmentStatus,
    FollowUp,
    GroupEnterprise,
    Program,
    TrainingSession,
)


def program_list(*, user):
    return Program.objects.annotate(
        cohort_count=Count("cohorts", distinct=True),
        open_count=Count("cohorts", filter=Q(cohorts__status__in=ENROLLABLE_COHORT_STATUSES), distinct=True),
    ).order_by("-is_active", "name")


def program_get(*, pk: int) -> Program:
    return get_object_or_404(Program, pk=pk)


def cohort_get(*, pk: int) -> Cohort:
    return get_object_or_404(Cohort.objects.select_related("program"), pk=pk)


def cohorts_of_program(*, program: Program):
    return program.cohorts.annotate(
        seats=Count("enrollments", filter=Q(enrollments__status__in=SEAT_STATUSES)),
        waiting=Count("enrollments", filter=Q(enrollments__status=EnrollmentStatus.WAITLISTED)),
    ).order_by("-number")


def enrollments_visible(*, user):
    return Enrollment.objects.visible_to(user)


def enrollment_get_for_user(*, user, pk: int) -> Enrollment:
    enrollment = (
        enrollments_visible(user=user)
        .select_related("member__household__kelurahan", "cohort__program")
        .filter(pk=pk)
        .first()
    )
    if enrollment is None:
        raise Http404
    return enrollment


def cohort_participants(*, user, cohort: Cohort):
    """Participants the user may see, with attendance counts, in one query."""
    return (
        enrollments_visible(user=user)
        .filter(cohort=cohort)
        .select_related("member__household__kelurahan")
        .annotate(
            present=Count("attendances", filter=Q(attendances__is_present=True)),
            rank=Case(*[When(status=s, then=Value(i)) for i, s in enumerate(PARTICIPANT_ORDER)], default=Value(99)),
        )
        .order_by("rank", "waitlisted_at", "member__full_name", "pk")
    )


#: Participants first, then applications and the waitlist, then those who left.
PARTICIPANT_ORDER = [
    EnrollmentStatus.ENROLLED,
    EnrollmentStatus.ACCEPTED,
    EnrollmentStatus.COMPLETED,
    EnrollmentStatus.APPLIED,
    EnrollmentStatus.WAITLISTED,
    EnrollmentStatus.NOT_COMPLETED,
    EnrollmentStatus.DROPPED,
    EnrollmentStatus.CANCELLED,
]


def cohort_seat_summary(*, cohort: Cohort) -> dict:
    """Seat counts over the whole cohort (numbers only, no personal data)."""
    return cohort.enrollments.aggregate(
        seats=Count("pk", filter=Q(status__in=SEAT_STATUSES)),
        waiting=Count("pk", filter=Q(status=EnrollmentStatus.WAITLISTED)),
        applied=Count("pk", filter=Q(status=EnrollmentStatus.APPLIED)),
        completed=Count("pk", filter=Q(status=EnrollmentStatus.COMPLETED)),
    )


def candidates(*, user, cohort: Cohort):
    """Members the user may see who meet the cohort's rule and recruiting area and are not in the cohort yet."""
    members = eligibility.eligible_members(Member.objects.visible_to(user), cohort=cohort)
    kelurahan_ids = [k.pk for k in cohort.kelurahan_set.all()]
    if kelurahan_ids:
        members = members.filter(household__kelurahan_id__in=kelurahan_ids)
    in_cohort = Enrollment.objects.filter(cohort=cohort, member_id=OuterRef("pk"))
    open_elsewhere = Enrollment.objects.filter(
        program_id=cohort.program_id,
        member_id=OuterRef("pk"),
        status__in=OPEN_STATUSES,
    )
    return (
        members.exclude(Exists(in_cohort))
        .exclude(Exists(open_elsewhere))
        .select_related("household__kelurahan")
        .order_by("full_name", "pk")
    )


def member_search_for_cohort(*, user, cohort: Cohort, query: str):
    """Any active member the user may see, by name, marked eligible or not (an ineligible one needs an override)."""
    rule = eligibility.rule_q(cohort.eligibility_rule, program_id=cohort.program_id, ref_date=cohort.starts_on)
    kelurahan_ids = [k.pk for k in cohort.kelurahan_set.all()]
    if kelurahan_ids:
        rule &= Q(household__kelurahan_id__in=kelurahan_ids)
    flag = ExpressionWrapper(rule, output_field=BooleanField()) if rule else Value(True)
    return (
        Member.objects.visible_to(user)
        .filter(is_active=True, household__is_active=True, full_name__icontains=query.strip())
        .exclude(Exists(Enrollment.objects.filter(cohort=cohort, member_id=OuterRef("pk"))))
        .annotate(is_eligible=flag)
        .select_related("household__kelurahan")
        .order_by("full_name", "pk")
    )


def session_get(*, pk: int) -> TrainingSession:
    return get_object_or_404(TrainingSession.objects.select_related("cohort__program"), pk=pk)


def session_checklist(*, user, session: TrainingSession) -> list[tuple[Enrollment, bool]]:
    """Enrolled participants the user may see, each with whether they were marked present (one query)."""
    present = Attendance.objects.filter(session=session, enrollment_id=OuterRef("pk"), is_present=True)
    rows = (
        enrollments_visible(user=user)
        .filter(
            cohort_id=session.cohort_id,
            status__in=[EnrollmentStatus.ENROLLED, EnrollmentStatus.COMPLETED, EnrollmentStatus.NOT_COMPLETED],
        )
        .select_related("member__household__kelurahan")
        .annotate(is_present=Exists(present))
        .order_by("member__full_name", "pk")
    )
    return list(rows)


def followups_due(*, user, today):
    return (
        FollowUp.objects.filter(enrollment__in=enrollments_visible(user=user), due_on__lte=today, outcome__isnull=True)
        .select_related("enrollment__member__household__kelurahan", "enrollment__cohort__program")
        .order_by("due_on", "pk")
    )


def followup_get_for_user(*, user, pk: int) -> FollowUp:
    follow_up = (
        FollowUp.objects.filter(enrollment__in=enrollments_visible(user=user), pk=pk)
        .select_related("enrollment__member", "enrollment__cohort__program")
        .first()
    )
    if follow_up is None:
        raise Http404
    return follow_up


def certificate_by_code(*, code: str) -> Enrollment | None:
    return (
        Enrollment.objects.filter(certificate_code=code.strip().upper(), status=EnrollmentStatus.COMPLETED)
        .select_related("member", "cohort__program")
        .first()
    )


def initials(full_name: str) -> str:
    return " ".join(f"{part[0].upper()}." for part in full_name.split() if part[:1].isalpha())


def enterprise_list(*, user):
    return GroupEnterprise.objects.select_related("kelurahan", "program").annotate(
        member_count=Count("memberships", distinct=True)
    )


def enterprise_get(*, user, pk: int) -> GroupEnterprise:
    return get_object_or_404(GroupEnterprise.objects.visible_to(user).select_related("kelurahan", "program"), pk=pk)


def enterprise_memberships(*, user, enterprise: GroupEnterprise):
    """The members of a group the user may see (others are counted, never named)."""
    return (
        enterprise.memberships.filter(member__in=Member.objects.visible_to(user))
        .select_related("member")
        .order_by("member__full_name")
    )


def members_get_for_user(*, user, ids) -> list[Member]:
    """The members with these ids, or Http404 when any of them is missing or outside the user's scope."""
    ids = {int(pk) for pk in ids}
    members = list(Member.objects.visible_to(user).select_related("household").filter(pk__in=ids))
    if len(members) != len(ids):
        raise Http404
    return members


def enterprise_member_choices(*, user, enterprise: GroupEnterprise):
    """Members the user may see who graduated from the enterprise's program (any program if none) and are not in it."""
    graduates = Enrollment.objects.filter(status=EnrollmentStatus.COMPLETED)
    if enterprise.program_id:
        graduates = graduates.filter(program_id=enterprise.program_id)
    return (
        Member.objects.visible_to(user)
        .filter(is_active=True, pk__in=graduates.values("member_id"))
        .exclude(pk__in=enterprise.memberships.values("member_id"))
        .order_by("full_name")
    )


def household_programs(viewer, household) -> dict | None:
    """Panel on the household 360° page: each member's enrollments with their outcomes (two queries)."""
    if not viewer.has_perm("programs.view_enrollment"):
        return None
    enrollments = list(
        Enrollment.objects.visible_to(viewer)
        .filter(member__household_id=household.pk)
        .select_related("member", "cohort__program")
        .prefetch_related(
            Prefetch("follow_ups", queryset=FollowUp.objects.select_related("outcome").order_by("months_after"))
        )
        .order_by("member__full_name", "-cohort__starts_on")
    )
    return {"enrollments": enrollments}


def active_participants_by_kelurahan(user) -> dict | None:
    if not user.has_perm("programs.view_enrollment"):
        return None
    rows = (
        Enrollment.objects.visible_to(user)
        .filter(status__in=[EnrollmentStatus.ACCEPTED, EnrollmentStatus.ENROLLED])
        .values("member__household__kelurahan_id")
        .annotate(n=Count("pk"))
    )
    return {row["member__household__kelurahan_id"]: row["n"] for row in rows}


# --- dashboard --------------------------------------------------------------------------------------------


def _dashboard_enrollments(user):
    # Pimpinan sees aggregates over the whole kecamatan, never rows; staff see their own scope.
    if user.role == Role.PIMPINAN:
        return Enrollment.objects.all()
    return Enrollment.objects.visible_to(user)


def dashboard(*, user, program: Program | None = None, cohort: Cohort | None = None) -> dict:
    """Aggregates per program/cohort: by kelurahan and sex, completion, attendance, business at 6 months,
    median income change. A fixed number of queries whatever the size of the data."""
    enrollments = _dashboard_enrollments(user).exclude(
        status__in=[EnrollmentStatus.CANCELLED, EnrollmentStatus.APPLIED]
    )
    if program is not None:
        enrollments = enrollments.filter(program=program)
    if cohort is not None:
        enrollments = enrollments.filter(cohort=cohort)

    by_kelurahan = list(
        enrollments.values("member__household__kelurahan__name")
        .annotate(
            male=Count("pk", filter=Q(member__sex=Sex.MALE)),
            female=Count("pk", filter=Q(member__sex=Sex.FEMALE)),
        )
        .order_by("member__household__kelurahan__name")
    )
    totals = enrollments.aggregate(
        total=Count("pk"),
        finished=Count("pk", filter=Q(status__in=FINISHED_STATUSES)),
        completed=Count("pk", filter=Q(status=EnrollmentStatus.COMPLETED)),
    )
    attendance = Attendance.objects.filter(enrollment__in=enrollments).aggregate(
        records=Count("pk"), present=Count("pk", filter=Q(is_present=True))
    )
    six_months = FollowUp.objects.filter(enrollment__in=enrollments, months_after=6, outcome__isnull=False).aggregate(
        surveyed=Count("pk"), with_business=Count("pk", filter=Q(outcome__has_business=True))
    )
    changes = list(
        FollowUp.objects.filter(enrollment__in=enrollments, outcome__isnull=False)
        .order_by("enrollment_id", "-months_after")
        .distinct("enrollment_id")
        .values_list("outcome__income_before", "outcome__income_after")
    )
    income_changes = [after - before for before, after in changes]

    def pct(part, whole):
        return round(part * 100 / whole, 1) if whole else None

    breakdown = []
    if cohort is None:
        # One row per cohort of the chosen program, or per program: three grouped queries, whatever the size.
        key = "cohort_id" if program is not None else "program_id"
        groups = {
            row[key]: row
            for row in enrollments.values(key)
            .annotate(
                total=Count("pk"),
                finished=Count("pk", filter=Q(status__in=FINISHED_STATUSES)),
                completed=Count("pk", filter=Q(status=EnrollmentStatus.COMPLETED)),
            )
            .order_by(key)
        }
        present = {
            row[f"enrollment__{key}"]: row
            for row in Attendance.objects.filter(enrollment__in=enrollments)
            .values(f"enrollment__{key}")
            .annotate(records=Count("pk"), present=Count("pk", filter=Q(is_present=True)))
            .order_by()
        }
        business = {
            row[f"enrollment__{key}"]: row
            for row in FollowUp.objects.filter(enrollment__in=enrollments, months_after=6, outcome__isnull=False)
            .values(f"enrollment__{key}")
            .annotate(surveyed=Count("pk"), with_business=Count("pk", filter=Q(outcome__has_business=True)))
            .order_by()
        }
        for pk, row in groups.items():
            att = present.get(pk, {"records": 0, "present": 0})
            biz = business.get(pk, {"surveyed": 0, "with_business": 0})
            breakdown.append(
                {
                    "id": pk,
                    "total": row["total"],
                    "completion_rate": pct(row["completed"], row["finished"]),
                    "attendance_rate": pct(att["present"], att["records"]),
                    "business_rate_6m": pct(biz["with_business"], biz["surveyed"]),
                }
            )

    return {
        "breakdown": breakdown,
        "by_kelurahan": by_kelurahan,
        "total": totals["total"],
        "completed": totals["completed"],
        "completion_rate": pct(totals["completed"], totals["finished"]),
        "attendance_rate": pct(attendance["present"], attendance["records"]),
        "business_rate_6m": pct(six_months["with_business"], six_months["surveyed"]),
        "surveyed_6m": six_months["surveyed"],
        "median_income_change": statistics.median(income_changes) if income_changes else None,
        "chart": {
            "labels": [row["member__household__kelurahan__name"] for row in by_kelurahan],
            "male": [row["male"] for row in by_kelurahan],
            "female": [row["female"] for row in by_kelurahan],
            "legend": {
                "male": _("Laki-laki"),
                "female": _("Perempuan"),
                "rates": [_("Kelulusan"), _("Kehadiran"), _("Punya usaha (6 bulan)")],
            },
            "rates": {
                "completion": pct(totals["completed"], totals["finished"]),
                "attendance": pct(attendance["present"], attendance["records"]),
                "business_6m": pct(six_months["with_business"], six_months["surveyed"]),
            },
        },
    }
