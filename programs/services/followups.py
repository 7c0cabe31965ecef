"""Follow-ups 3, 6 and 12 months after graduation, and their outcomes (business, income, online sales)."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.services import apply_changes
from programs.models import FOLLOW_UP_MONTHS, OUTCOME_EDITABLE, Enrollment, FollowUp, Outcome
from programs.services._common import add_months, require, require_visible
from programs.services._common import today as _today


def plan_follow_ups(enrollment: Enrollment) -> None:
    """At graduation (the enrollment service calls it): one follow-up per month in FOLLOW_UP_MONTHS."""
    completed_on = enrollment.completed_on
    assert completed_on is not None  # graduation (_graduate) sets it before planning the follow-ups
    FollowUp.objects.bulk_create(
        [
            FollowUp(enrollment=enrollment, months_after=months, due_on=add_months(completed_on, months))
            for months in FOLLOW_UP_MONTHS
        ],
        ignore_conflicts=True,
    )


@transaction.atomic
def followups_list_due(*, actor, today: datetime.date | None = None) -> int:
    """Marks follow-ups due by `today` that have no outcome yet; running twice a day changes nothing."""
    require(actor, "programs.change_followup", _("memperbarui daftar tindak lanjut"))
    day = today or _today()
    due = FollowUp.objects.filter(due_on__lte=day, outcome__isnull=True).exclude(listed_due_on=day)
    return due.update(listed_due_on=day)


def _apply(outcome: Outcome, data: dict) -> list[str]:
    """Sets the editable fields and the rules between them; returns the names that changed."""
    changed = apply_changes(outcome, data, OUTCOME_EDITABLE)
    if outcome.recorded_on and outcome.recorded_on > _today():
        raise ValidationError({"recorded_on": _("Tanggal pendataan tidak boleh di masa depan.")}, code="future")
    channels = ["sells_on_marketplace", "sells_on_social_media", "sells_on_whatsapp"]
    if not outcome.sells_online:
        for name in channels:
            if getattr(outcome, name):
                setattr(outcome, name, False)
                changed.append(name)
    elif not any(getattr(outcome, name) for name in channels):
        raise ValidationError(
            {"sells_online": _("Pilih paling sedikit satu saluran penjualan daring.")}, code="no_channel"
        )
    if outcome.has_business and not outcome.business_kind:
        raise ValidationError({"business_kind": _("Pilih jenis usaha yang dimulai.")}, code="no_business_kind")
    if not outcome.has_business:
        for name in ("business_kind", "business_name"):
            if getattr(outcome, name):
                setattr(outcome, name, "")
                changed.append(name)
    return sorted(set(changed))


@transaction.atomic
def outcome_record(*, actor, follow_up: FollowUp, data: dict) -> Outcome:
    """The outcome of one follow-up (at most one)."""
    require(actor, "programs.add_outcome", _("mencatat hasil tindak lanjut"))
    require_visible(actor, Enrollment.objects, follow_up.enrollment_id, _("Peserta ini"))
    follow_up = FollowUp.objects.select_for_update().get(pk=follow_up.pk)
    if Outcome.objects.filter(follow_up=follow_up).exists():
        raise ValidationError(_("Hasil tindak lanjut ini sudah dicatat."), code="duplicate_outcome")
    outcome = Outcome(follow_up=follow_up, recorded_by=actor if getattr(actor, "pk", None) else None)
    _apply(outcome, data)
    outcome.full_clean()
    outcome.save()
    return outcome


@transaction.atomic
def outcome_update(*, actor, outcome: Outcome, data: dict) -> Outcome:
    require(actor, "programs.change_outcome", _("mengubah hasil tindak lanjut"))
    outcome = Outcome.objects.select_for_update().select_related("follow_up").get(pk=outcome.pk)
    require_visible(actor, Enrollment.objects, outcome.follow_up.enrollment_id, _("Peserta ini"))
    changed = _apply(outcome, data)
    if not changed:
        return outcome
    if getattr(actor, "pk", None):
        outcome.recorded_by = actor
        changed.append("recorded_by")
    outcome.full_clean()
    outcome.save(update_fields=[*changed, "updated_at"])
    return outcome
