"""Writes of the grievances app, split by sub-domain (docs/conventions.md); reads live in `grievances.selectors`.

- `grievances`: logging, editing, assigning and moving grievances along their lifecycle (one or in bulk)
- `change_requests`: maker-checker corrections of the registry
- `subject_requests`: data-subject requests under UU PDP
- `notifications`: the daily overdue notice
- `merging`: the registry's member-merge handler
- `retention`: anonymising closed grievances and the registry copies requests hold

`from grievances import services; services.grievance_create(...)` keeps working: the public names are here.
"""

from grievances.services.change_requests import (
    EVIDENCE_MAX_BYTES,
    EVIDENCE_SIGNATURES,
    change_request_approve,
    change_request_create,
    change_request_reject,
)
from grievances.services.common import (
    ADD_CHANGE_REQUEST_PERMISSION,
    ADD_PERMISSION,
    ADD_SUBJECT_REQUEST_PERMISSION,
    APPROVE_PERMISSION,
    CHANGE_PERMISSION,
    CHANGE_SUBJECT_REQUEST_PERMISSION,
)
from grievances.services.grievances import (
    EDITABLE_FIELDS,
    TRANSITIONS,
    BulkResult,
    due_date,
    grievance_assign,
    grievance_create,
    grievance_transition,
    grievance_update,
    grievances_bulk_assign,
    grievances_bulk_transition,
)
from grievances.services.merging import move_member
from grievances.services.notifications import notify_overdue_grievances
from grievances.services.retention import grievances_anonymise_expired, registry_copies_anonymise
from grievances.services.subject_requests import subject_request_create, subject_request_transition

__all__ = [
    "ADD_CHANGE_REQUEST_PERMISSION",
    "ADD_PERMISSION",
    "ADD_SUBJECT_REQUEST_PERMISSION",
    "APPROVE_PERMISSION",
    "CHANGE_PERMISSION",
    "CHANGE_SUBJECT_REQUEST_PERMISSION",
    "EDITABLE_FIELDS",
    "EVIDENCE_MAX_BYTES",
    "EVIDENCE_SIGNATURES",
    "TRANSITIONS",
    "BulkResult",
    "change_request_approve",
    "change_request_create",
    "change_request_reject",
    "due_date",
    "grievance_assign",
    "grievance_create",
    "grievance_transition",
    "grievance_update",
    "grievances_anonymise_expired",
    "grievances_bulk_assign",
    "grievances_bulk_transition",
    "move_member",
    "notify_overdue_grievances",
    "registry_copies_anonymise",
    "subject_request_create",
    "subject_request_transition",
]
