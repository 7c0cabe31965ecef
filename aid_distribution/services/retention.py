"""Retention of aid records (privacy notice: `support_case_closed`, `delivery_photo`).

Psychosocial support: 5 years after the case was closed, or until the child turns 21 if that is later, the
case loses what was said and who said it (session notes, the reason for supporting a young adult, the
guardian's name and relation). The case row itself stays, with its institution, dates and status, because
the monthly reports count cases per kelurahan; it is visible only to the assigned counsellors, as before.

Handover photos: 2 years after the round was closed, the stored files are deleted and the field is cleared,
in the history rows too (they hold the file name).
"""

import datetime

from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from aid_distribution.models import Delivery, RoundStatus, SupportCase, SupportCaseStatus, SupportSession
from core import retention
from core.retention import ANONYMISED

#: A child's support notes are kept at least until this age (privacy notice).
SUPPORT_KEEP_UNTIL_AGE = 21
PHOTO_BATCH = 500

CASE_VALUES = {"guardian_name": ANONYMISED, "guardian_relation": ANONYMISED, "reason_over_18": ""}
SESSION_VALUES = {"notes": ""}


@transaction.atomic
def support_cases_anonymise_expired(*, now: datetime.datetime | None = None) -> int:
    """Clears the content of closed support cases past retention; returns how many cases changed."""
    now = now or timezone.now()
    closed_before = timezone.localdate(retention.cutoff("support_case_closed", now=now))
    born_on_or_before = retention.years_before(timezone.localdate(now), SUPPORT_KEEP_UNTIL_AGE)
    expired = SupportCase.objects.filter(
        status=SupportCaseStatus.CLOSED, closed_on__lt=closed_before, member__birth_date__lte=born_on_or_before
    )
    has_notes = Exists(SupportSession.objects.filter(case=OuterRef("pk")).exclude(notes=""))
    pending = expired.filter(
        ~Q(guardian_name=ANONYMISED) | ~Q(guardian_relation=ANONYMISED) | ~Q(reason_over_18="") | has_notes
    )
    case_ids = list(pending.values_list("pk", flat=True))
    if not case_ids:
        return 0
    # SupportCase.objects is the counsellors' door (visible_to); the task is no user, so it filters by id.
    retention.anonymise(SupportSession.objects.filter(case_id__in=case_ids).exclude(notes=""), SESSION_VALUES)
    return retention.anonymise(SupportCase.objects.filter(pk__in=case_ids), CASE_VALUES)


def delivery_photos_delete_expired(*, now: datetime.datetime | None = None) -> int:
    """Deletes handover photos of rounds closed before the retention period; returns how many deliveries changed.

    Files go first, then the field, batch by batch: a failure half-way leaves names pointing at files that are
    already gone (the next run clears them), never a photo that no row leads to any more.
    """
    before = retention.cutoff("delivery_photo", now=now)
    in_expired_rounds = Delivery.objects.filter(
        entitlement__round__status=RoundStatus.CLOSED, entitlement__round__closed_at__lt=before
    )
    event_model = next(retention.event_models(Delivery), None)
    with_photo = Q(photo__gt="")
    if event_model is not None:
        with_photo |= Q(Exists(event_model.objects.filter(pgh_obj_id=OuterRef("pk"), photo__gt="")))
    ids = list(in_expired_rounds.filter(with_photo).order_by("pk").values_list("pk", flat=True))
    changed = 0
    for start in range(0, len(ids), PHOTO_BATCH):
        batch = ids[start : start + PHOTO_BATCH]
        names = set(Delivery.objects.filter(pk__in=batch).exclude(photo="").values_list("photo", flat=True))
        names |= retention.history_values(Delivery, batch, "photo")
        for name in sorted(names):
            default_storage.delete(name)
        changed += retention.anonymise(Delivery.objects.filter(pk__in=batch), {"photo": ""})
    return changed
