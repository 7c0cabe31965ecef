"""Attendance: one session's checklist, recorded at once."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from programs.models import Attendance, Cohort, Enrollment, EnrollmentStatus, TrainingSession
from programs.services._common import require, today


@transaction.atomic
def attendance_record(*, actor, session: TrainingSession, present_ids, enrollment_ids=None) -> int:
    """Records one session's checklist: each participant present or absent. Returns the number present.

    The checklist covers the enrolled participants the actor may see (`visible_to`), or only those of
    `enrollment_ids` among them (the admin records one row); ids the actor may not record are refused and
    nothing is saved.
    """
    require(actor, "programs.add_attendance", _("mencatat kehadiran"))
    cohort = Cohort.objects.select_for_update().get(pk=session.cohort_id)
    if session.held_on > today():
        raise ValidationError(
            _("Sesi %(d)s belum berlangsung: kehadiran untuk sesi di masa depan tidak dapat dicatat.")
            % {"d": f"{session.held_on:%d-%m-%Y}"},
            code="session_in_future",
        )
    if not cohort.is_running:
        raise ValidationError(
            _("Kehadiran hanya dicatat saat angkatan berjalan (status sekarang: %(s)s).")
            % {"s": cohort.get_status_display()},
            code="cohort_not_running",
        )
    participants = Enrollment.objects.filter(cohort=cohort, status=EnrollmentStatus.ENROLLED)
    if actor is not None:
        participants = participants.visible_to(actor)
    allowed = set(participants.values_list("pk", flat=True))
    present_ids = {int(pk) for pk in present_ids}
    if enrollment_ids is not None:
        requested = {int(pk) for pk in enrollment_ids}
        unknown = (requested | present_ids) - allowed
        allowed = requested & allowed
    else:
        unknown = present_ids - allowed
    if unknown:
        raise ValidationError(_("Daftar hadir memuat peserta yang tidak terdaftar di angkatan ini."), code="unknown")
    recorder = actor if getattr(actor, "pk", None) else None
    existing = {a.enrollment_id: a for a in Attendance.objects.filter(session=session, enrollment_id__in=allowed)}
    to_create, to_update = [], []
    for pk in allowed:
        is_present = pk in present_ids
        if pk in existing:
            if existing[pk].is_present != is_present:
                existing[pk].is_present = is_present
                existing[pk].recorded_by = recorder
                to_update.append(existing[pk])
        else:
            to_create.append(Attendance(session=session, enrollment_id=pk, is_present=is_present, recorded_by=recorder))
    Attendance.objects.bulk_create(to_create)
    if to_update:
        Attendance.objects.bulk_update(to_update, ["is_present", "recorded_by"])
    return len(present_ids)
