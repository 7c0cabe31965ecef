"""Psychosocial support (specific personal data of children, UU PDP Pasal 4 and 25): cases, sessions, and the
audited opening of a case."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from aid_distribution.models import Institution, InstitutionMembership, SupportCase, SupportSession

MAX_SUPPORT_AGE = 24
ADULT_AGE = 18


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def counsellor_membership(user, institution_id: int) -> InstitutionMembership:
    membership = InstitutionMembership.objects.filter(
        user=user, institution_id=institution_id, is_counsellor=True
    ).first()
    if membership is None:
        raise PermissionDenied(_("Hanya konselor lembaga ini yang dapat membuka kasus dukungan."))
    return membership


@transaction.atomic
def support_case_open(
    *,
    actor,
    institution: Institution,
    member,
    opened_on: datetime.date,
    guardian_name: str,
    guardian_relation: str,
    consent_on: datetime.date,
    reason_over_18: str = "",
    other_counsellors=(),
) -> SupportCase:
    membership = counsellor_membership(actor, institution.pk)
    age = age_on(member.birth_date, opened_on)
    if age > MAX_SUPPORT_AGE:
        raise ValidationError(
            {"member": ValidationError(_("Dukungan psikososial hanya untuk usia sampai 24 tahun."), code="too_old")}
        )
    if age >= ADULT_AGE and not reason_over_18.strip():
        raise ValidationError(
            {
                "reason_over_18": ValidationError(
                    _("Usia 18 tahun atau lebih: tuliskan alasan pendampingan."), code="reason_required"
                )
            }
        )
    if not guardian_name.strip() or not guardian_relation.strip():
        raise ValidationError(
            {
                "guardian_name": ValidationError(
                    _("Nama dan hubungan wali yang menyetujui wajib diisi (UU PDP Pasal 25)."), code="guardian_required"
                )
            }
        )
    if consent_on > opened_on:
        raise ValidationError(
            {
                "consent_on": ValidationError(
                    _("Persetujuan wali harus ada sebelum kasus dibuka."), code="consent_after_opening"
                )
            }
        )
    case = SupportCase(
        institution=institution,
        member=member,
        opened_on=opened_on,
        guardian_name=guardian_name.strip(),
        guardian_relation=guardian_relation.strip(),
        consent_on=consent_on,
        reason_over_18=reason_over_18.strip(),
        opened_by=actor,
    )
    case.full_clean()
    case.save()
    others = [m for m in other_counsellors if m.institution_id == institution.pk and m.is_counsellor]
    case.counsellors.set([membership, *others])
    return case


@transaction.atomic
def support_session_add(*, actor, case: SupportCase, held_on: datetime.date, kind: str, notes: str) -> SupportSession:
    if not SupportCase.objects.visible_to(actor).filter(pk=case.pk).exists():
        raise PermissionDenied(_("Hanya konselor yang ditugaskan yang dapat mencatat sesi."))
    session = SupportSession(case=case, held_on=held_on, kind=kind, notes=notes, recorded_by=actor)
    session.full_clean()
    session.save()
    return session


def support_case_log_view(*, actor, case: SupportCase, ip: str | None):
    """An access event in the one security audit log (UU PDP, children's data): user, case, time, IP; never notes.

    Only the case's assigned counsellors open it (the page reads it through `support_case_get_for_user`); the
    service checks again, so that no caller records an opening that could not happen."""
    from core.audit import audit_event
    from core.models import AuditAction

    if not SupportCase.objects.visible_to(actor).filter(pk=case.pk).exists():
        raise PermissionDenied(_("Hanya konselor yang ditugaskan yang dapat membuka kasus ini."))
    return audit_event(action=AuditAction.SUPPORT_CASE_OPEN, actor=actor, obj=case, ip_address=ip or None)
