"""Enrollment (peserta): registration with capacity and waitlist, the participant's status changes, graduation.

A participant's status changes by one door, `enrollment_transition(actor, enrollment, action)`, with the
actions `ENROLLMENT_ACTIONS` (models) lists: accept/reject an application, complete (lulus), fail (tidak
lulus), drop (keluar). `cohort_complete_all` decides a whole running cohort by attendance.

Lock order (to avoid deadlocks between concurrent staff): the cohort row first, then enrollment rows.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries import selectors as registry
from beneficiaries.choices import ConsentPurpose
from beneficiaries.models import Member
from programs import eligibility
from programs.models import (
    ENROLLMENT_ACTIONS,
    OPEN_STATUSES,
    SEAT_STATUSES,
    Cohort,
    CohortStatus,
    Enrollment,
    EnrollmentStatus,
    TrainingSession,
    new_certificate_code,
)
from programs.services._common import require, require_visible, today
from programs.services.followups import plan_follow_ups


def member_is_eligible(*, cohort: Cohort, member: Member) -> bool:
    if cohort.kelurahan_set.exists() and not cohort.kelurahan_set.filter(pk=member.household.kelurahan_id).exists():
        return False
    return eligibility.eligible_members(Member.objects.filter(pk=member.pk), cohort=cohort).exists()


def _seats_taken(cohort: Cohort) -> int:
    return cohort.enrollments.filter(status__in=SEAT_STATUSES).count()


def _seat_status(cohort: Cohort) -> EnrollmentStatus:
    return EnrollmentStatus.ENROLLED if cohort.status == CohortStatus.RUNNING else EnrollmentStatus.ACCEPTED


def _check_program_consent(member: Member) -> None:
    """A household that withdrew its consent to program participation (beneficiaries.Consent) is not enrolled.

    A household with no consent record at all may be: programs rest on the kecamatan's public task
    (core.privacy); the consent record is what the family may withdraw.
    """
    lacking = registry.households_lacking_consent(household_ids=[member.household_id], purpose=ConsentPurpose.PROGRAM)
    if member.household_id in lacking:
        raise ValidationError(
            _(
                "%(name)s tidak dapat didaftarkan: keluarganya telah menarik persetujuan keikutsertaan program "
                "pemberdayaan. Catat persetujuan baru di halaman keluarga bila keluarga setuju kembali."
            )
            % {"name": member.full_name},
            code="consent_withdrawn",
        )


@transaction.atomic
def enrollment_create(
    *, actor, cohort: Cohort, member: Member, accept: bool = True, override_reason: str = ""
) -> Enrollment:
    """Registers a member in a cohort: accepted while seats last, waitlisted after; applied if not `accept`.

    Two staff taking the last seat at once: the cohort row lock makes the second wait and then count the
    first one's seat, so exactly one is accepted.
    """
    require(actor, "programs.add_enrollment", _("mendaftarkan peserta"))
    require_visible(actor, Member.objects, member.pk, _("Anggota ini"))
    cohort = Cohort.objects.select_for_update().select_related("program").get(pk=cohort.pk)
    if not cohort.is_enrollable:
        raise ValidationError(
            _("Pendaftaran ditolak: angkatan berstatus %(s)s, bukan dibuka atau berjalan.")
            % {"s": cohort.get_status_display()},
            code="cohort_not_open",
        )
    if not member.is_active or not member.household.is_active:
        raise ValidationError(_("Anggota atau keluarganya sudah tidak aktif."), code="member_inactive")
    if Enrollment.objects.filter(cohort=cohort, member=member).exists():
        raise ValidationError(_("%(name)s sudah terdaftar di angkatan ini.") % {"name": member.full_name}, code="dup")
    if Enrollment.objects.filter(program=cohort.program, member=member, status__in=OPEN_STATUSES).exists():
        raise ValidationError(
            _("%(name)s sudah ikut angkatan lain dari program %(p)s yang belum selesai.")
            % {"name": member.full_name, "p": cohort.program.name},
            code="open_in_program",
        )
    _check_program_consent(member)
    eligible = member_is_eligible(cohort=cohort, member=member)
    override_reason = (override_reason or "").strip()
    if not eligible and not override_reason:
        raise ValidationError(
            {
                "override_reason": _(
                    "%(name)s tidak memenuhi aturan kelayakan angkatan ini; isi alasan pengecualian untuk tetap mendaftarkan."
                )
                % {"name": member.full_name}
            },
            code="not_eligible",
        )
    now = timezone.now()
    if not accept:
        status = EnrollmentStatus.APPLIED
    elif _seats_taken(cohort) < cohort.capacity:
        status = _seat_status(cohort)
    else:
        status = EnrollmentStatus.WAITLISTED
    enrollment = Enrollment(
        cohort=cohort,
        program=cohort.program,
        member=member,
        status=status,
        waitlisted_at=now if status == EnrollmentStatus.WAITLISTED else None,
        is_eligible_at_entry=eligible,
        override_reason="" if eligible else override_reason,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    enrollment.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            enrollment.save()
    except IntegrityError:
        # The constraint behind the check above, for a race on another cohort of the same program.
        raise ValidationError(
            _("%(name)s sudah ikut angkatan lain dari program yang sama.") % {"name": member.full_name},
            code="open_in_program",
        )
    return enrollment


def _locked_enrollment(enrollment: Enrollment) -> tuple[Cohort, Enrollment]:
    cohort = Cohort.objects.select_for_update().get(pk=enrollment.cohort_id)
    # of=("self",): lock the enrollment row only, never the registry's member row joined for messages.
    enrollment = Enrollment.objects.select_for_update(of=("self",)).select_related("member").get(pk=enrollment.pk)
    return cohort, enrollment


def _set_status(enrollment: Enrollment, status: str, **fields) -> Enrollment:
    enrollment.status = status
    enrollment.status_changed_at = timezone.now()
    for name, value in fields.items():
        setattr(enrollment, name, value)
    enrollment.save(update_fields=["status", "status_changed_at", "updated_at", *fields])
    return enrollment


def promote_waitlist(cohort: Cohort) -> list[Enrollment]:
    """Fill free seats from the waitlist, first come first served (the caller holds the cohort row lock)."""
    free = cohort.capacity - _seats_taken(cohort)
    if free <= 0:
        return []
    status = _seat_status(cohort)
    promoted = list(
        cohort.enrollments.select_for_update()
        .filter(status=EnrollmentStatus.WAITLISTED)
        .order_by("waitlisted_at", "pk")[:free]
    )
    for enrollment in promoted:
        _set_status(enrollment, status, waitlisted_at=None)
    return promoted


def attendance_rate(enrollment: Enrollment) -> tuple[int, int]:
    """(sessions attended, sessions held so far) for one participant."""
    held = TrainingSession.objects.filter(cohort_id=enrollment.cohort_id, held_on__lte=today()).count()
    present = enrollment.attendances.filter(is_present=True).count()
    return present, held


def meets_attendance(*, present: int, held: int, minimum_pct: int) -> bool:
    if held == 0:
        return False
    return present * 100 >= minimum_pct * held


def _graduate(enrollment: Enrollment, completed_on: datetime.date) -> Enrollment:
    _set_status(
        enrollment, EnrollmentStatus.COMPLETED, completed_on=completed_on, certificate_code=new_certificate_code()
    )
    plan_follow_ups(enrollment)
    return enrollment


# --- the participant's status changes ---------------------------------------------------------------------


def _accept(cohort, enrollment, **_details):
    if enrollment.status != EnrollmentStatus.APPLIED:
        raise ValidationError(_("Hanya pengajuan yang dapat diputuskan."), code="wrong_status")
    if not cohort.is_enrollable:
        raise ValidationError(_("Angkatan tidak lagi menerima peserta."), code="cohort_not_open")
    _check_program_consent(enrollment.member)
    if _seats_taken(cohort) < cohort.capacity:
        return _set_status(enrollment, _seat_status(cohort))
    return _set_status(enrollment, EnrollmentStatus.WAITLISTED, waitlisted_at=timezone.now())


def _reject(cohort, enrollment, **_details):
    if enrollment.status != EnrollmentStatus.APPLIED:
        raise ValidationError(_("Hanya pengajuan yang dapat diputuskan."), code="wrong_status")
    return _set_status(enrollment, EnrollmentStatus.CANCELLED)


def _drop(cohort, enrollment, *, reason: str = "", **_details):
    """The participant leaves (keluar); the first on the waitlist takes the seat."""
    if enrollment.status not in OPEN_STATUSES:
        raise ValidationError(
            _("Peserta berstatus %(s)s tidak dapat dikeluarkan.") % {"s": enrollment.get_status_display()},
            code="wrong_status",
        )
    _set_status(enrollment, EnrollmentStatus.DROPPED, exit_reason=reason[:300], waitlisted_at=None)
    if cohort.is_enrollable:
        promote_waitlist(cohort)
    return enrollment


def _complete(cohort, enrollment, *, completed_on: datetime.date | None = None, **_details):
    """Graduation (lulus): needs the cohort's minimum attendance; issues the certificate code, plans follow-ups."""
    if enrollment.status != EnrollmentStatus.ENROLLED:
        raise ValidationError(
            _("Hanya peserta berstatus terdaftar yang dapat diluluskan (status sekarang: %(s)s).")
            % {"s": enrollment.get_status_display()},
            code="wrong_status",
        )
    if not cohort.is_running:
        raise ValidationError(_("Kelulusan hanya ditetapkan saat angkatan berjalan."), code="cohort_not_running")
    present, held = attendance_rate(enrollment)
    if not meets_attendance(present=present, held=held, minimum_pct=cohort.min_attendance_pct):
        raise ValidationError(
            _("%(name)s belum memenuhi kehadiran minimal %(min)s%%: hadir %(p)s dari %(h)s sesi.")
            % {"name": enrollment.member.full_name, "min": cohort.min_attendance_pct, "p": present, "h": held},
            code="attendance_too_low",
        )
    return _graduate(enrollment, completed_on or min(today(), cohort.ends_on))


def _fail(cohort, enrollment, **_details):
    if enrollment.status != EnrollmentStatus.ENROLLED or not cohort.is_running:
        raise ValidationError(_("Hanya peserta terdaftar di angkatan berjalan."), code="wrong_status")
    return _set_status(enrollment, EnrollmentStatus.NOT_COMPLETED)


_ACTIONS = {"accept": _accept, "reject": _reject, "drop": _drop, "complete": _complete, "fail": _fail}
assert set(_ACTIONS) == set(ENROLLMENT_ACTIONS)


@transaction.atomic
def enrollment_transition(
    *,
    actor,
    enrollment: Enrollment,
    action: str,
    reason: str = "",
    completed_on: datetime.date | None = None,
) -> Enrollment:
    """One participant's status change: `action` is one of `ENROLLMENT_ACTIONS`.

    "drop" needs `reason` (kept as the exit reason); "complete" may be given the graduation date
    (default today, at most the cohort's last day).
    """
    require(actor, "programs.change_enrollment", _("mengubah status peserta"))
    require_visible(actor, Enrollment.objects, enrollment.pk, _("Peserta ini"))
    if action not in _ACTIONS:
        raise ValidationError(_("Tindakan tidak dikenal."), code="unknown_action")
    reason = (reason or "").strip()
    if action == "drop" and not reason:
        raise ValidationError({"reason": _("Alasan keluar wajib diisi.")}, code="reason_required")
    cohort, enrollment = _locked_enrollment(enrollment)
    return _ACTIONS[action](cohort, enrollment, reason=reason, completed_on=completed_on)


@transaction.atomic
def cohort_complete_all(*, actor, cohort: Cohort) -> tuple[int, int]:
    """Graduates every enrolled participant who meets the minimum attendance; the rest become tidak lulus."""
    require(actor, "programs.change_cohort", _("menetapkan kelulusan angkatan"))
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if not cohort.is_running:
        raise ValidationError(_("Kelulusan hanya ditetapkan saat angkatan berjalan."), code="cohort_not_running")
    held = cohort.sessions.filter(held_on__lte=today()).count()
    if held == 0:
        raise ValidationError(_("Belum ada sesi yang terlaksana."), code="no_sessions_held")
    rows = cohort.enrollments.filter(status=EnrollmentStatus.ENROLLED).annotate(
        present=Count("attendances", filter=Q(attendances__is_present=True))
    )
    passed = failed = 0
    completed_on = min(today(), cohort.ends_on)
    for enrollment in rows:
        if meets_attendance(present=enrollment.present, held=held, minimum_pct=cohort.min_attendance_pct):
            _graduate(enrollment, completed_on)
            passed += 1
        else:
            _set_status(enrollment, EnrollmentStatus.NOT_COMPLETED)
            failed += 1
    return passed, failed
