"""Writes with business meaning for programs: cohort lifecycle, enrollment with capacity and waitlist,
attendance, completion with certificates, follow-ups and outcomes, group enterprises.

Lock order (to avoid deadlocks between concurrent staff): the cohort row first, then enrollment rows.
"""

import calendar
import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from beneficiaries.models import Member
from programs import eligibility
from programs.models import (
    FOLLOW_UP_MONTHS,
    OPEN_STATUSES,
    SEAT_STATUSES,
    Attendance,
    Cohort,
    CohortStatus,
    Enrollment,
    EnrollmentStatus,
    FollowUp,
    GroupEnterprise,
    GroupMembership,
    GroupSale,
    Outcome,
    Program,
    TrainingSession,
    new_certificate_code,
)

ENROLLABLE = [CohortStatus.OPEN, CohortStatus.RUNNING]


def _today() -> datetime.date:
    return timezone.localdate()


def add_months(date: datetime.date, months: int) -> datetime.date:
    """Same day `months` later, clipped to the month's last day (31 Aug + 6 months = 28/29 Feb)."""
    index = date.month - 1 + months
    year, month = date.year + index // 12, index % 12 + 1
    return date.replace(year=year, month=month, day=min(date.day, calendar.monthrange(year, month)[1]))


# --- programs and cohorts ---------------------------------------------------------------------------------


@transaction.atomic
def program_save(*, program: Program) -> Program:
    program.full_clean()
    program.save()
    return program


@transaction.atomic
def cohort_save(*, cohort: Cohort, kelurahan_set=None) -> Cohort:
    """Create or edit a cohort's details; the status only moves through `cohort_transition`."""
    if cohort.pk:
        current = Cohort.objects.select_for_update().get(pk=cohort.pk)
        if cohort.status != current.status:
            raise ValidationError(_("Status angkatan hanya dapat diubah lewat tombol tahapan."), code="status_direct")
        if current.status in (CohortStatus.FINISHED, CohortStatus.EVALUATED):
            raise ValidationError(_("Angkatan yang sudah selesai tidak dapat diubah."), code="cohort_closed")
        seats = current.enrollments.filter(status__in=SEAT_STATUSES).count()
        if cohort.capacity < seats:
            raise ValidationError(
                {"capacity": _("Kuota tidak boleh lebih kecil dari %(n)s peserta yang sudah diterima.") % {"n": seats}},
                code="capacity_below_seats",
            )
    else:
        cohort.status = CohortStatus.DRAFT
    cohort.eligibility_rule = eligibility.validate_rule(cohort.eligibility_rule)
    cohort.full_clean()
    cohort.save()
    if kelurahan_set is not None:
        cohort.kelurahan_set.set(kelurahan_set)
    if cohort.status in ENROLLABLE:
        _promote_waitlist(cohort)  # a larger capacity seats the waitlist at once
    return cohort


@transaction.atomic
def cohort_set_rule(*, cohort: Cohort, rule: dict) -> Cohort:
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if cohort.status in (CohortStatus.FINISHED, CohortStatus.EVALUATED):
        raise ValidationError(_("Aturan angkatan yang sudah selesai tidak dapat diubah."), code="cohort_closed")
    cohort.eligibility_rule = eligibility.validate_rule(rule)
    cohort.save(update_fields=["eligibility_rule", "updated_at"])
    return cohort


TRANSITIONS = {
    "open": (CohortStatus.DRAFT, CohortStatus.OPEN),
    "start": (CohortStatus.OPEN, CohortStatus.RUNNING),
    "finish": (CohortStatus.RUNNING, CohortStatus.FINISHED),
    "evaluate": (CohortStatus.FINISHED, CohortStatus.EVALUATED),
}


@transaction.atomic
def cohort_transition(*, cohort: Cohort, action: str) -> Cohort:
    """draft → dibuka → berjalan → selesai → dievaluasi, each step with its guard."""
    if action not in TRANSITIONS:
        raise ValidationError(_("Tahapan tidak dikenal."), code="unknown_action")
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    source, target = TRANSITIONS[action]
    if cohort.status != source:
        raise ValidationError(
            _("Angkatan berstatus %(now)s; langkah ini hanya untuk status %(need)s.")
            % {"now": cohort.get_status_display(), "need": CohortStatus(source).label},
            code="wrong_status",
        )
    if action == "start":
        problems = []
        if not cohort.trainer_list:
            problems.append(_("belum ada pelatih"))
        if not cohort.sessions.exists():
            problems.append(_("belum ada sesi pelatihan"))
        if not cohort.enrollments.filter(status=EnrollmentStatus.ACCEPTED).exists():
            problems.append(_("belum ada peserta yang diterima"))
        if problems:
            raise ValidationError(
                _("Angkatan belum dapat dimulai: %(p)s.") % {"p": ", ".join(problems)}, code="cannot_start"
            )
        now = timezone.now()
        cohort.enrollments.filter(status=EnrollmentStatus.ACCEPTED).update(
            status=EnrollmentStatus.ENROLLED, status_changed_at=now
        )
        # Applications never decided do not carry over into a running cohort.
        cohort.enrollments.filter(status=EnrollmentStatus.APPLIED).update(
            status=EnrollmentStatus.CANCELLED, status_changed_at=now
        )
    elif action == "finish":
        undecided = cohort.enrollments.filter(status=EnrollmentStatus.ENROLLED).count()
        if undecided:
            raise ValidationError(
                _("Masih ada %(n)s peserta berstatus terdaftar: tetapkan lulus/tidak lulus dahulu.") % {"n": undecided},
                code="undecided_participants",
            )
        cohort.enrollments.filter(status__in=[EnrollmentStatus.APPLIED, EnrollmentStatus.WAITLISTED]).update(
            status=EnrollmentStatus.CANCELLED, status_changed_at=timezone.now()
        )
    cohort.status = target
    cohort.save(update_fields=["status", "updated_at"])
    return cohort


@transaction.atomic
def session_save(*, session: TrainingSession) -> TrainingSession:
    cohort = Cohort.objects.select_for_update().get(pk=session.cohort_id)
    if cohort.status in (CohortStatus.FINISHED, CohortStatus.EVALUATED):
        raise ValidationError(_("Angkatan sudah selesai: sesi tidak dapat ditambah atau diubah."), code="cohort_closed")
    if not cohort.starts_on <= session.held_on <= cohort.ends_on:
        raise ValidationError(
            {
                "held_on": _("Tanggal sesi harus di antara %(a)s dan %(b)s (jadwal angkatan).")
                % {"a": f"{cohort.starts_on:%d-%m-%Y}", "b": f"{cohort.ends_on:%d-%m-%Y}"}
            },
            code="session_outside_cohort",
        )
    session.full_clean()
    session.save()
    return session


# --- enrollment -------------------------------------------------------------------------------------------


def member_is_eligible(*, cohort: Cohort, member: Member) -> bool:
    if cohort.kelurahan_set.exists() and not cohort.kelurahan_set.filter(pk=member.household.kelurahan_id).exists():
        return False
    return eligibility.eligible_members(Member.objects.filter(pk=member.pk), cohort=cohort).exists()


def _seats_taken(cohort: Cohort) -> int:
    return cohort.enrollments.filter(status__in=SEAT_STATUSES).count()


@transaction.atomic
def enrollment_create(
    *, cohort: Cohort, member: Member, actor=None, accept: bool = True, override_reason: str = ""
) -> Enrollment:
    """Registers a member in a cohort: accepted while seats last, waitlisted after; applied if not `accept`.

    Two staff taking the last seat at once: the cohort row lock makes the second wait and then count the
    first one's seat, so exactly one is accepted.
    """
    cohort = Cohort.objects.select_for_update().select_related("program").get(pk=cohort.pk)
    if cohort.status not in ENROLLABLE:
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
        status = EnrollmentStatus.ENROLLED if cohort.status == CohortStatus.RUNNING else EnrollmentStatus.ACCEPTED
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


def _promote_waitlist(cohort: Cohort) -> list[Enrollment]:
    """Fill free seats from the waitlist, first come first served (the cohort row is already locked)."""
    free = cohort.capacity - _seats_taken(cohort)
    if free <= 0:
        return []
    status = EnrollmentStatus.ENROLLED if cohort.status == CohortStatus.RUNNING else EnrollmentStatus.ACCEPTED
    promoted = list(
        cohort.enrollments.select_for_update()
        .filter(status=EnrollmentStatus.WAITLISTED)
        .order_by("waitlisted_at", "pk")[:free]
    )
    for enrollment in promoted:
        _set_status(enrollment, status, waitlisted_at=None)
    return promoted


@transaction.atomic
def enrollment_decide(*, enrollment: Enrollment, accept: bool) -> Enrollment:
    """An application (diajukan) is accepted (seat or waitlist) or cancelled."""
    cohort, enrollment = _locked_enrollment(enrollment)
    if enrollment.status != EnrollmentStatus.APPLIED:
        raise ValidationError(_("Hanya pengajuan yang dapat diputuskan."), code="wrong_status")
    if not accept:
        return _set_status(enrollment, EnrollmentStatus.CANCELLED)
    if cohort.status not in ENROLLABLE:
        raise ValidationError(_("Angkatan tidak lagi menerima peserta."), code="cohort_not_open")
    if _seats_taken(cohort) < cohort.capacity:
        status = EnrollmentStatus.ENROLLED if cohort.status == CohortStatus.RUNNING else EnrollmentStatus.ACCEPTED
        return _set_status(enrollment, status)
    return _set_status(enrollment, EnrollmentStatus.WAITLISTED, waitlisted_at=timezone.now())


@transaction.atomic
def enrollment_drop(*, enrollment: Enrollment, reason: str) -> Enrollment:
    """The participant leaves (keluar); the first on the waitlist takes the seat."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Alasan keluar wajib diisi.")}, code="reason_required")
    cohort, enrollment = _locked_enrollment(enrollment)
    if enrollment.status not in OPEN_STATUSES:
        raise ValidationError(
            _("Peserta berstatus %(s)s tidak dapat dikeluarkan.") % {"s": enrollment.get_status_display()},
            code="wrong_status",
        )
    _set_status(enrollment, EnrollmentStatus.DROPPED, exit_reason=reason[:300], waitlisted_at=None)
    if cohort.status in ENROLLABLE:
        _promote_waitlist(cohort)
    return enrollment


def attendance_rate(enrollment: Enrollment) -> tuple[int, int]:
    """(sessions attended, sessions held so far) for one participant."""
    held = TrainingSession.objects.filter(cohort_id=enrollment.cohort_id, held_on__lte=_today()).count()
    present = enrollment.attendances.filter(is_present=True).count()
    return present, held


def meets_attendance(*, present: int, held: int, minimum_pct: int) -> bool:
    if held == 0:
        return False
    return present * 100 >= minimum_pct * held


def _create_follow_ups(enrollment: Enrollment) -> None:
    FollowUp.objects.bulk_create(
        [
            FollowUp(
                enrollment=enrollment,
                months_after=months,
                due_on=add_months(enrollment.completed_on, months),
            )
            for months in FOLLOW_UP_MONTHS
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def enrollment_complete(*, enrollment: Enrollment, completed_on: datetime.date | None = None) -> Enrollment:
    """Graduation (lulus): needs the cohort's minimum attendance; issues the certificate code and plans follow-ups."""
    cohort, enrollment = _locked_enrollment(enrollment)
    if enrollment.status != EnrollmentStatus.ENROLLED:
        raise ValidationError(
            _("Hanya peserta berstatus terdaftar yang dapat diluluskan (status sekarang: %(s)s).")
            % {"s": enrollment.get_status_display()},
            code="wrong_status",
        )
    if cohort.status != CohortStatus.RUNNING:
        raise ValidationError(_("Kelulusan hanya ditetapkan saat angkatan berjalan."), code="cohort_not_running")
    present, held = attendance_rate(enrollment)
    if not meets_attendance(present=present, held=held, minimum_pct=cohort.min_attendance_pct):
        raise ValidationError(
            _("%(name)s belum memenuhi kehadiran minimal %(min)s%%: hadir %(p)s dari %(h)s sesi.")
            % {"name": enrollment.member.full_name, "min": cohort.min_attendance_pct, "p": present, "h": held},
            code="attendance_too_low",
        )
    completed_on = completed_on or min(_today(), cohort.ends_on)
    _set_status(
        enrollment, EnrollmentStatus.COMPLETED, completed_on=completed_on, certificate_code=new_certificate_code()
    )
    _create_follow_ups(enrollment)
    return enrollment


@transaction.atomic
def enrollment_fail(*, enrollment: Enrollment) -> Enrollment:
    cohort, enrollment = _locked_enrollment(enrollment)
    if enrollment.status != EnrollmentStatus.ENROLLED or cohort.status != CohortStatus.RUNNING:
        raise ValidationError(_("Hanya peserta terdaftar di angkatan berjalan."), code="wrong_status")
    return _set_status(enrollment, EnrollmentStatus.NOT_COMPLETED)


@transaction.atomic
def cohort_complete_all(*, cohort: Cohort) -> tuple[int, int]:
    """Graduates every enrolled participant who meets the minimum attendance; the rest become tidak lulus."""
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    if cohort.status != CohortStatus.RUNNING:
        raise ValidationError(_("Kelulusan hanya ditetapkan saat angkatan berjalan."), code="cohort_not_running")
    held = cohort.sessions.filter(held_on__lte=_today()).count()
    if held == 0:
        raise ValidationError(_("Belum ada sesi yang terlaksana."), code="no_sessions_held")
    rows = cohort.enrollments.filter(status=EnrollmentStatus.ENROLLED).annotate(
        present=Count("attendances", filter=Q(attendances__is_present=True))
    )
    passed = failed = 0
    completed_on = min(_today(), cohort.ends_on)
    for enrollment in rows:
        if meets_attendance(present=enrollment.present, held=held, minimum_pct=cohort.min_attendance_pct):
            _set_status(
                enrollment,
                EnrollmentStatus.COMPLETED,
                completed_on=completed_on,
                certificate_code=new_certificate_code(),
            )
            _create_follow_ups(enrollment)
            passed += 1
        else:
            _set_status(enrollment, EnrollmentStatus.NOT_COMPLETED)
            failed += 1
    return passed, failed


# --- attendance -------------------------------------------------------------------------------------------


@transaction.atomic
def attendance_record(*, session: TrainingSession, present_ids, enrollments, actor=None) -> int:
    """Records one session's checklist: each given enrollment present or absent. Returns the number present.

    `enrollments` are the participants the actor may record (already scoped); ids outside them are refused.
    """
    cohort = Cohort.objects.select_for_update().get(pk=session.cohort_id)
    if session.held_on > _today():
        raise ValidationError(
            _("Sesi %(d)s belum berlangsung: kehadiran untuk sesi di masa depan tidak dapat dicatat.")
            % {"d": f"{session.held_on:%d-%m-%Y}"},
            code="session_in_future",
        )
    if cohort.status != CohortStatus.RUNNING:
        raise ValidationError(
            _("Kehadiran hanya dicatat saat angkatan berjalan (status sekarang: %(s)s).")
            % {"s": cohort.get_status_display()},
            code="cohort_not_running",
        )
    allowed = {e.pk: e for e in enrollments if e.status == EnrollmentStatus.ENROLLED and e.cohort_id == cohort.pk}
    present_ids = {int(pk) for pk in present_ids}
    unknown = present_ids - set(allowed)
    if unknown:
        raise ValidationError(_("Daftar hadir memuat peserta yang tidak terdaftar di angkatan ini."), code="unknown")
    existing = {a.enrollment_id: a for a in Attendance.objects.filter(session=session, enrollment_id__in=allowed)}
    to_create, to_update = [], []
    for pk in allowed:
        is_present = pk in present_ids
        if pk in existing:
            if existing[pk].is_present != is_present:
                existing[pk].is_present = is_present
                existing[pk].recorded_by = actor
                to_update.append(existing[pk])
        else:
            to_create.append(Attendance(session=session, enrollment_id=pk, is_present=is_present, recorded_by=actor))
    Attendance.objects.bulk_create(to_create)
    if to_update:
        Attendance.objects.bulk_update(to_update, ["is_present", "recorded_by"])
    return len(present_ids)


# --- follow-ups and outcomes ------------------------------------------------------------------------------


@transaction.atomic
def followups_list_due(*, today: datetime.date | None = None) -> int:
    """Marks follow-ups due by `today` that have no outcome yet; running twice a day changes nothing."""
    today = today or _today()
    due = FollowUp.objects.filter(due_on__lte=today, outcome__isnull=True).exclude(listed_due_on=today)
    return due.update(listed_due_on=today)


@transaction.atomic
def outcome_record(*, follow_up: FollowUp, outcome: Outcome, actor=None) -> Outcome:
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if Outcome.objects.filter(follow_up=follow_up).exclude(pk=outcome.pk).exists():
        raise ValidationError(_("Hasil tindak lanjut ini sudah dicatat."), code="duplicate_outcome")
    if outcome.recorded_on and outcome.recorded_on > _today():
        raise ValidationError({"recorded_on": _("Tanggal pendataan tidak boleh di masa depan.")}, code="future")
    if not outcome.sells_online:
        outcome.sells_on_marketplace = outcome.sells_on_social_media = outcome.sells_on_whatsapp = False
    elif not (outcome.sells_on_marketplace or outcome.sells_on_social_media or outcome.sells_on_whatsapp):
        raise ValidationError(
            {"sells_online": _("Pilih paling sedikit satu saluran penjualan daring.")}, code="no_channel"
        )
    if outcome.has_business and not outcome.business_kind:
        raise ValidationError({"business_kind": _("Pilih jenis usaha yang dimulai.")}, code="no_business_kind")
    if not outcome.has_business:
        outcome.business_kind = ""
        outcome.business_name = ""
    outcome.follow_up = follow_up
    if actor is not None and getattr(actor, "pk", None):
        outcome.recorded_by = actor
    outcome.full_clean()
    outcome.save()
    return outcome


# --- group enterprises ------------------------------------------------------------------------------------


@transaction.atomic
def enterprise_save(*, enterprise: GroupEnterprise) -> GroupEnterprise:
    enterprise.full_clean()
    enterprise.save()
    return enterprise


@transaction.atomic
def enterprise_add_member(
    *, enterprise: GroupEnterprise, member: Member, role: str = "", joined_on: datetime.date | None = None
) -> GroupMembership:
    membership = GroupMembership(enterprise=enterprise, member=member, role=role, joined_on=joined_on or _today())
    membership.full_clean()
    membership.save()
    return membership


@transaction.atomic
def sale_record(*, sale: GroupSale) -> GroupSale:
    if sale.month:
        sale.month = sale.month.replace(day=1)
        if sale.month > _today():
            raise ValidationError({"month": _("Bulan penjualan tidak boleh di masa depan.")}, code="future_month")
    sale.full_clean()
    sale.save()
    return sale
