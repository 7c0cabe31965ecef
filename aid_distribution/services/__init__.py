"""Writes with business rules, by sub-domain (docs/conventions.md): `from aid_distribution import services` and
`services.delivery_record(...)` work for every public name below.

- `institutions`: who may act for an institution (every service starts with these checks);
- `rounds`: rounds, entitlements and the round's status changes;
- `deliveries`: deliveries and "tidak tersalurkan" visits, one at a time or a device's batch;
- `photos`: handover photos sent with or after the delivery;
- `stock`: packages received and adjusted;
- `support`: psychosocial support cases and sessions;
- `retention`: what the privacy notice's retention periods remove;
- `merging`: aid rows following a registry merge.

Every service takes `actor=` and checks the actor's permission and scope itself; reads are in `selectors`.
"""

from aid_distribution.services.deliveries import (
    DeliveryConflict,
    DeliveryResult,
    VisitResult,
    batch_record,
    delivery_record,
    display_name,
    recipient_not_member,
    record_item,
    same_delivery,
    undelivered_record,
)
from aid_distribution.services.institutions import member_institution_ids
from aid_distribution.services.merging import member_merge_move
from aid_distribution.services.photos import (
    PhotoResult,
    delivery_attach_photo,
    delivery_photo_clean,
    delivery_photo_name,
)
from aid_distribution.services.retention import delivery_photos_delete_expired, support_cases_anonymise_expired
from aid_distribution.services.rounds import (
    ROUND_EDITABLE_FIELDS,
    TRANSITIONS,
    allowed_actions,
    can_approve,
    entitlement_remove,
    entitlements_add,
    round_create,
    round_transition,
    round_update,
)
from aid_distribution.services.stock import stock_movement_record
from aid_distribution.services.support import (
    age_on,
    counsellor_membership,
    support_case_log_view,
    support_case_open,
    support_session_add,
)

__all__ = [
    "ROUND_EDITABLE_FIELDS",
    "TRANSITIONS",
    "DeliveryConflict",
    "DeliveryResult",
    "PhotoResult",
    "VisitResult",
    "age_on",
    "allowed_actions",
    "batch_record",
    "can_approve",
    "counsellor_membership",
    "delivery_attach_photo",
    "delivery_photo_clean",
    "delivery_photo_name",
    "delivery_photos_delete_expired",
    "delivery_record",
    "display_name",
    "entitlement_remove",
    "entitlements_add",
    "member_institution_ids",
    "member_merge_move",
    "recipient_not_member",
    "record_item",
    "round_create",
    "round_transition",
    "round_update",
    "same_delivery",
    "stock_movement_record",
    "support_case_log_view",
    "support_case_open",
    "support_session_add",
    "support_cases_anonymise_expired",
    "undelivered_record",
]
