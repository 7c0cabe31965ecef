"""Anonymisation past the retention period (UU PDP Pasal 42-44), for every app.

Clearing a field on the row is not enough: the audit history (pghistory event tables) holds a copy of every
earlier version. `anonymise` clears the same fields in the history of the same rows, in one transaction.

Each app registers one handler per record type of the privacy notice (`register_handler` in its
`AppConfig.ready()`); the daily `core.tasks.anonymise_expired_records_task` runs them all through
`run_handlers`, which records one security audit event per run with the counts.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass

import pgtrigger
from django.apps import apps
from django.db import transaction
from django.utils import timezone

from core import privacy

logger = logging.getLogger(__name__)

#: What replaces a name or an address that must stay non-empty (stored data, so never translated).
ANONYMISED = "(dianonimkan)"

#: The one trigger the retention purge may bypass; nothing else in the code base names it (tested).
AUDIT_DELETE_TRIGGER = "core.AuditEvent:audit_append_only_delete"


def years_before(moment, years: int):
    """The same calendar day `years` earlier (28 February for 29 February); works for dates and datetimes."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:  # 29 February
        return moment.replace(year=moment.year - years, day=28)


def cutoff(key: str, *, now: datetime.datetime | None = None) -> datetime.datetime:
    """The moment before which records of this kind are past retention (period from the privacy notice)."""
    period = next(item for item in privacy.RETENTION if item.key == key)
    return years_before(now or timezone.now(), period.years)


def event_models(model):
    """The pghistory event models that record `model`."""
    for candidate in apps.get_models():
        tracked = getattr(candidate, "pgh_tracked_model", None)
        if tracked is model:
            yield candidate


@transaction.atomic
def anonymise(queryset, values: dict) -> int:
    """Sets `values` on the rows and on their history rows; returns how many rows were anonymised.

    A value may be an expression (`TruncYear("birth_date")`): it is evaluated on each row, history rows included.
    """
    ids = list(queryset.values_list("pk", flat=True))
    if not ids:
        return 0
    model = queryset.model
    model.objects.filter(pk__in=ids).update(**values)
    for event_model in event_models(model):
        history_values = {name: value for name, value in values.items() if _has_field(event_model, name)}
        if history_values:
            event_model.objects.filter(pgh_obj_id__in=ids).update(**history_values)
    return len(ids)


def history_values(model, ids, field: str) -> set:
    """The distinct non-empty values `field` has had in the history of these rows (e.g. stored file names)."""
    found = set()
    for event_model in event_models(model):
        if _has_field(event_model, field):
            found.update(
                event_model.objects.filter(pgh_obj_id__in=ids).exclude(**{field: ""}).values_list(field, flat=True)
            )
    found.discard(None)
    return found


def _has_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except Exception:
        return False
    return True


def audit_events_purge_expired(*, now: datetime.datetime | None = None) -> int:
    """Deletes security audit events older than their retention period; returns how many.

    The table is append-only by database triggers. Only this function lifts the DELETE trigger, for this one
    statement, inside its own transaction: an ordinary delete anywhere else is still refused.
    """
    from core.models import AuditEvent

    with transaction.atomic(), pgtrigger.ignore(AUDIT_DELETE_TRIGGER):
        deleted, _details = AuditEvent.objects.filter(created_at__lt=cutoff("audit_event", now=now)).delete()
    return deleted


# --------------------------------------------------------------------------------------------------------------
# Registry of handlers, one per record type of the privacy notice
# --------------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RetentionHandler:
    key: str
    #: run(now=None) -> number of records anonymised or deleted; must be safe to run twice
    run: Callable[..., int]


_HANDLERS: dict[str, RetentionHandler] = {}


class RetentionRunError(Exception):
    """One or more handlers failed; the others ran and the run was recorded."""


def register_handler(*, key: str, run: Callable[..., int]) -> None:
    if key not in {item.key for item in privacy.RETENTION}:
        raise ValueError(f"{key!r} is not a record type of the privacy notice (core.privacy.RETENTION)")
    _HANDLERS[key] = RetentionHandler(key, run)


def registered_keys() -> set[str]:
    return set(_HANDLERS)


def run_handlers(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Runs every handler (in the notice's order), each in its own transaction, and records one audit event.

    A failing handler does not stop the others; the run is recorded with the failures, then
    `RetentionRunError` is raised so that the task is retried (every handler is safe to run twice).
    """
    from core.audit import audit_event
    from core.models import AuditAction

    counts: dict[str, int] = {}
    failed: list[str] = []
    for item in privacy.RETENTION:
        handler = _HANDLERS.get(item.key)
        if handler is None:
            failed.append(item.key)
            logger.error("No retention handler registered for %s", item.key)
            continue
        try:
            counts[item.key] = handler.run(now=now)
        except Exception:
            failed.append(item.key)
            logger.exception("Retention handler %s failed", item.key)
    audit_event(action=AuditAction.RETENTION, detail={"counts": counts, "failed": failed})
    if failed:
        raise RetentionRunError(", ".join(failed))
    return counts
