"""Cohorts (angkatan) and their training sessions: details, eligibility rule, lifecycle.

Lock order (to avoid deadlocks between concurrent staff): the cohort row first, then enrollment rows.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.services import apply_changes
from programs import eligibility
from programs.models import (
    COHORT_EDITABLE,
    COHORT_TRANSITIONS,
    SEAT_STATUSES,
    SESSION_EDITABLE,
    Cohort,
    CohortStatus,
    EnrollmentStatus,
    Program,
    TrainingSession,
)
from programs.services._common import pick, require
from programs.services.enrollments import promote_waitlist


def _fields(data: dict) -> tuple[dict, list | None]:
    """(model fields, kelurahan_set or None when not given), the rule in canonical form."""
    fields = pick(data, COHORT_EDITABLE)
    kelurahan_set = fields.pop("kelurahan_set", None)
    if "eligibility_rule" in fields:
        try:
            fields["eligibility_rule"] = eligibility.validate_rule(fields["eligibility_rule"])
        except ValidationError as error:
            raise ValidationError({"eligibility_rule": error.messages}, code="bad_rule")
    return fields, kelurahan_set


@transaction.atomic
def cohort_create(*, actor, program: Program, data: dict) -> Cohort:
    """A new cohort always starts as draft, whatever `data` says; the status moves by `cohort_transition` only."""
    require(actor, "programs.add_cohort", _("menambah angkatan"))
    fields, kelurahan_set = _fields(data)
    fields.setdefault("eligibility_rule", eligibility.validate_rule(None))
    cohort = Cohort(program=program, status=CohortStatus.DRAFT, **fields)
    cohort.full_clean()
    cohort.save()
    if kelurahan_set is not None:
        cohort.kelurahan_set.set(kelurahan_set)
    return cohort


@transaction.atomic
def cohort_update(*, actor, cohort: Cohort, data: dict) -> Cohort:
    """A cohort's details or eligibility rule (the rule builder sends `{"eligibility_rule": …}` alone).

    Refused once the cohort is finished; a smaller capacity may not drop accepted participants, a larger one
    seats the waitlist at once.
    """
    require(actor, "programs.change_cohort", _("mengubah angkatan"))
    cohort = Cohort.objects.select_for_update().select_related("program").get(pk=cohort.pk)
    if "status" in data and data["status"] != cohort.status:
        raise ValidationError(_("Status angkatan hanya dapat diubah lewat tombol tahapan."), code="status_direct")
    if cohort.is_closed:
        raise ValidationError(_("Angkatan yang sudah selesai tidak dapat diubah."), code="cohort_closed")
    fields, kelurahan_set = _fields(data)
    capacity = fields.get("capacity")
    if capacity is not None:
        seats = cohort.enrollments.filter(status__in=SEAT_STATUSES).count()
        if capacity < seats:
            raise ValidationError(
                {"capacity": _("Kuota tidak boleh lebih kecil dari %(n)s peserta yang sudah diterima.") % {"n": seats}},
                code="capacity_below_seats",
            )
    changed = [name for name, value in fields.items() if getattr(cohort, name) != value]
    for name in changed:
        setattr(cohort, name, fields[name])
    if changed:
        cohort.full_clean()
        cohort.save(update_fields=[*changed, "updated_at"])
    if kelurahan_set is not None:
        cohort.kelurahan_set.set(kelurahan_set)
    if "capacity" in changed and cohort.is_enrollable:
        promote_waitlist(cohort)
    return cohort


@transaction.atomic
def cohort_transition(*, actor, cohort: Cohort, action: str) -> Cohort:
    """draft → dibuka → berjalan → selesai → dievaluasi (`COHORT_TRANSITIONS`), each step with its guard."""
    require(actor, "programs.change_cohort", _("mengubah tahapan angkatan"))
    if action not in COHORT_TRANSITIONS:
        raise ValidationError(_("Tahapan tidak dikenal."), code="unknown_action")
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    source, target = COHORT_TRANSITIONS[action]
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


# --- training sessions ------------------------------------------------------------------------------------


def _check_session(cohort: Cohort, session: TrainingSession) -> None:
    if cohort.is_closed:
        raise ValidationError(_("Angkatan sudah selesai: sesi tidak dapat ditambah atau diubah."), code="cohort_closed")
    if session.held_on and not cohort.starts_on <= session.held_on <= cohort.ends_on:
        raise ValidationError(
            {
                "held_on": _("Tanggal sesi harus di antara %(a)s dan %(b)s (jadwal angkatan).")
                % {"a": f"{cohort.starts_on:%d-%m-%Y}", "b": f"{cohort.ends_on:%d-%m-%Y}"}
            },
            code="session_outside_cohort",
        )


@transaction.atomic
def session_create(*, actor, cohort: Cohort, data: dict) -> TrainingSession:
    require(actor, "programs.add_trainingsession", _("menambah sesi pelatihan"))
    cohort = Cohort.objects.select_for_update().get(pk=cohort.pk)
    session = TrainingSession(cohort=cohort, **pick(data, SESSION_EDITABLE))
    _check_session(cohort, session)
    session.full_clean()
    session.save()
    return session


@transaction.atomic
def session_update(*, actor, session: TrainingSession, data: dict) -> TrainingSession:
    require(actor, "programs.change_trainingsession", _("mengubah sesi pelatihan"))
    cohort = Cohort.objects.select_for_update().get(pk=session.cohort_id)
    session = TrainingSession.objects.select_for_update().get(pk=session.pk)
    changed = apply_changes(session, data, SESSION_EDITABLE)
    if not changed:
        return session
    _check_session(cohort, session)
    session.full_clean()
    session.save(update_fields=[*changed, "updated_at"])
    return session
