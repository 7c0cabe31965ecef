"""Consent given by a family or one of its members, and its withdrawal."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from beneficiaries.models import Consent, Household, Member
from beneficiaries.services.common import (
    _audited,
    _check_household_scope,
    _require,
    _save_new,
)


@transaction.atomic
def consent_record(
    *,
    actor,
    household: Household,
    consenter_name: str,
    purpose: str,
    notice_version: str,
    consented_on: datetime.date,
    member: Member | None = None,
) -> Consent:
    _require(actor, "beneficiaries.add_consent")
    _check_household_scope(actor, household)
    if member is not None and member.household_id != household.pk:
        raise ValidationError({"member": _("Pemberi persetujuan harus anggota keluarga ini.")}, code="member_other")
    consent = Consent(
        household=household,
        member=member,
        consenter_name=consenter_name,
        purpose=purpose,
        notice_version=notice_version,
        consented_on=consented_on,
        recorded_by=actor,
    )
    with _audited(actor, "consent_record"):
        _save_new(consent)
    return consent


@transaction.atomic
def consent_withdraw(*, actor, consent: Consent, withdrawn_on: datetime.date) -> Consent:
    _require(actor, "beneficiaries.change_consent")
    _check_household_scope(actor, consent.household)
    if consent.withdrawn_on:
        raise ValidationError(_("Persetujuan ini sudah ditarik."), code="already_withdrawn")
    consent.withdrawn_on = withdrawn_on
    try:
        consent.full_clean()
    except ValidationError:
        consent.withdrawn_on = None
        raise
    with _audited(actor, "consent_withdraw"):
        consent.save(update_fields=["withdrawn_on", "updated_at"])
    return consent
