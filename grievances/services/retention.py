"""Retention of grievances and of the copies of registry data that change and data-subject requests hold
(registered with `core.retention` in `GrievancesConfig.ready`); run by the nightly retention task, no actor."""

from __future__ import annotations

from django.db.models import Case, Q, Value, When

from grievances.models import CLOSED_STATUSES, ChangeRequest, Grievance, SubjectRequest


def grievances_anonymise_expired(*, now=None) -> int:
    """Clears the complainant's identity from grievances closed longer ago than the retention period."""
    from core import retention

    expired = Grievance.objects.filter(
        closed_at__lt=retention.cutoff("grievance_closed", now=now), status__in=CLOSED_STATUSES
    ).exclude(complainant_name="", complainant_phone="", complainant_address="")
    return retention.anonymise(
        expired, {"complainant_name": "", "complainant_phone": "", "complainant_address": "", "is_anonymous": True}
    )


def registry_copies_anonymise(*, member_ids: list[int], household_ids: list[int]) -> int:
    """Registry retention follow-on: correction and data-subject requests about anonymised families and members
    lose the copies they hold (old and new values, reasons, evidence scans, the requester); returns rows changed.

    What was corrected (the field), when and by whom, and the request's kind and status stay as the record that
    the request was handled. Evidence files are deleted before their names are cleared, as for handover photos.
    """
    from django.core.files.storage import default_storage

    from core import retention
    from core.retention import ANONYMISED

    about = Q(member_id__in=member_ids) | Q(household_id__in=household_ids)
    changes = ChangeRequest.objects.filter(about).exclude(reason=ANONYMISED)
    change_ids = list(changes.values_list("pk", flat=True))
    files = set(ChangeRequest.objects.filter(pk__in=change_ids).exclude(evidence="").values_list("evidence", flat=True))
    for name in sorted(files | retention.history_values(ChangeRequest, change_ids, "evidence")):
        default_storage.delete(name)
    changed = retention.anonymise(
        ChangeRequest.objects.filter(pk__in=change_ids),
        {"old_value": "", "new_value": "", "reason": ANONYMISED, "decision_note": "", "evidence": ""},
    )
    requests = SubjectRequest.objects.filter(about).exclude(requester_name=ANONYMISED)
    changed += retention.anonymise(
        requests,
        {
            "requester_name": ANONYMISED,
            "requester_contact": "",
            "detail": ANONYMISED,
            # A closed request must keep a written answer (database constraint): its text goes, the fact stays.
            "response": Case(When(response="", then=Value("")), default=Value(ANONYMISED)),
        },
    )
    return changed
