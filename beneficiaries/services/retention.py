"""Registry retention (privacy notice: `registry_inactive`): deactivated families and members, 5 years on.

Name, NIK, birth date and address are anonymised, in the rows and in their history. The number of the family
card goes too (Dukcapil can name every member from it), as do the GPS position, birth place, free-text removal
notes and the consent-giver's name. What stays (kelurahan, RT, sex, birth year, housing and asset codes,
removal reason and date) keeps the counts and reports of earlier years right without naming anyone.

Other apps keep copies of these fields (a correction request holds the old and new name); they register a
follow-on with `register_follow_on` in their `AppConfig.ready()`, and it runs in the same transaction with the
ids that were anonymised (this app must not import them, docs/architecture.md §2).
"""

import datetime
from collections.abc import Callable

from django.db import transaction
from django.db.models import Q
from django.db.models.functions import TruncYear

from beneficiaries import choices
from beneficiaries.models import Consent, Household, Member
from core import retention
from core.retention import ANONYMISED

HOUSEHOLD_VALUES = {
    "kk_number": "",  # never valid for a live record (16 digits required), so it also marks the row as done
    "address": ANONYMISED,
    "house_number": "",
    "latitude": None,
    "longitude": None,
    "removed_note": "",
}
MEMBER_VALUES = {
    "full_name": ANONYMISED,
    "nik": None,
    # A missing NIK needs a reason (database constraint): "Lainnya" rather than inventing one.
    "nik_missing_reason": choices.NikMissingReason.OTHER,
    "birth_place": "",
    "birth_date": TruncYear("birth_date"),  # 1 January of the same year: ages by year still add up
    "removed_note": "",
}
CONSENT_VALUES = {"consenter_name": ANONYMISED}

_FOLLOW_ONS: dict[str, Callable] = {}


def register_follow_on(key: str, handler: Callable) -> None:
    """`handler(*, member_ids: list[int], household_ids: list[int])` clears another app's copies of their data."""
    _FOLLOW_ONS[key] = handler


@transaction.atomic
def registry_anonymise_inactive(*, now: datetime.datetime | None = None) -> int:
    """Anonymises families and members deactivated before the retention period; returns how many rows changed."""
    before = retention.cutoff("registry_inactive", now=now)
    members = Member.objects.filter(is_active=False, removed_at__lt=before).exclude(full_name=ANONYMISED)
    member_ids = list(members.values_list("pk", flat=True))
    households = Household.objects.filter(is_active=False, removed_at__lt=before).exclude(kk_number="")
    household_ids = list(households.values_list("pk", flat=True))
    changed = retention.anonymise(Member.objects.filter(pk__in=member_ids), MEMBER_VALUES)
    changed += retention.anonymise(Household.objects.filter(pk__in=household_ids), HOUSEHOLD_VALUES)
    consents = Consent.objects.filter(Q(household_id__in=household_ids) | Q(member_id__in=member_ids))
    retention.anonymise(consents.exclude(consenter_name=ANONYMISED), CONSENT_VALUES)
    if member_ids or household_ids:
        for handler in list(_FOLLOW_ONS.values()):
            handler(member_ids=member_ids, household_ids=household_ids)
    return changed


def import_files_delete_expired(*, now: datetime.datetime | None = None) -> int:
    """Privacy notice `import_files`: an import's uploaded spreadsheet and its staged rows (every NIK and name of
    the file) are deleted a year after the import was last touched; the batch row stays as the record of who
    imported what and how many rows changed. Returns how many imports were cleared."""
    from beneficiaries.models import ImportBatch, ImportRow

    busy = (ImportBatch.Status.VALIDATING, ImportBatch.Status.COMMITTING)
    expired = ImportBatch.objects.filter(updated_at__lt=retention.cutoff("import_files", now=now)).exclude(
        status__in=busy
    )
    cleared = 0
    for batch in expired.iterator():
        has_rows = ImportRow.objects.filter(batch=batch).exists()
        if not batch.file and not has_rows:
            continue
        with transaction.atomic():
            ImportRow.objects.filter(batch=batch).delete()
            if batch.file:
                batch.file.delete(save=False)
            ImportBatch.objects.filter(pk=batch.pk).update(file="")
        cleared += 1
    return cleared
