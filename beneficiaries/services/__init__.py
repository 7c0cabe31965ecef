"""Writes to the registry (docs/architecture.md §6 rule 2): keyword-only, one transaction each, `full_clean()` first.

Every function raises `ValidationError` with a `code` and an Indonesian message naming the field. History
rows come from the pghistory triggers; `_audited` adds the acting user and the operation to their context.

Split by sub-domain (docs/conventions.md): `households`, `members`, `heads` (one Kepala Keluarga per
household, and its data-quality flags), `consents`, `duplicates` (detection and decisions), `cards` (card codes,
reissuing a lost card), `access_events`, `importing/` (the bulk import), `merging` (other apps' merge handlers),
`retention`; `common` holds what they share. The public names are re-exported here, so that
`from beneficiaries import services; services.household_register(...)` is the way callers use them.
"""

from beneficiaries.services.access_events import access_event_record
from beneficiaries.services.cards import card_codes_new, household_card_reissue
from beneficiaries.services.common import (
    HOUSEHOLD_EDITABLE,
    MEMBER_EDITABLE,
    SENSITIVE_FIELDS,
    WARNING_CODE,
    is_unconfirmed_warning,
    kk_collision,
    member_warnings,
    nik_collision,
)
from beneficiaries.services.consents import consent_record, consent_withdraw
from beneficiaries.services.duplicates import duplicate_transition, duplicates_detect, duplicates_scan_request
from beneficiaries.services.heads import household_flag_transition, household_flags_detect
from beneficiaries.services.households import (
    household_deactivate,
    household_register,
    household_save_with_members,
    household_update,
)
from beneficiaries.services.members import member_add, member_deactivate, member_move, member_update
from beneficiaries.services.retention import import_files_delete_expired, registry_anonymise_inactive

__all__ = [
    "HOUSEHOLD_EDITABLE",
    "MEMBER_EDITABLE",
    "SENSITIVE_FIELDS",
    "WARNING_CODE",
    "access_event_record",
    "card_codes_new",
    "consent_record",
    "consent_withdraw",
    "duplicate_transition",
    "duplicates_detect",
    "duplicates_scan_request",
    "household_card_reissue",
    "household_deactivate",
    "household_flag_transition",
    "household_flags_detect",
    "household_register",
    "household_save_with_members",
    "household_update",
    "import_files_delete_expired",
    "is_unconfirmed_warning",
    "kk_collision",
    "member_add",
    "member_deactivate",
    "member_move",
    "member_update",
    "member_warnings",
    "nik_collision",
    "registry_anonymise_inactive",
]
