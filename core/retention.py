"""Anonymisation past the retention period (UU PDP Pasal 42-44), for every app.

Clearing a field on the row is not enough: the audit history (pghistory event tables) holds a copy of every
earlier version. `anonymise` clears the same fields in the history of the same rows, in one transaction.
"""

import datetime

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from core import privacy


def cutoff(key: str, *, now: datetime.datetime | None = None) -> datetime.datetime:
    """The moment before which records of this kind are past retention (period from the privacy notice)."""
    period = next(item for item in privacy.RETENTION if item.key == key)
    now = now or timezone.now()
    try:
        return now.replace(year=now.year - period.years)
    except ValueError:  # 29 February
        return now.replace(year=now.year - period.years, day=28)


def _event_models(model):
    for candidate in apps.get_models():
        tracked = getattr(candidate, "pgh_tracked_model", None)
        if tracked is model:
            yield candidate


@transaction.atomic
def anonymise(queryset, values: dict) -> int:
    """Sets `values` on the rows and on their history rows; returns how many rows were anonymised."""
    ids = list(queryset.values_list("pk", flat=True))
    if not ids:
        return 0
    model = queryset.model
    model.objects.filter(pk__in=ids).update(**values)
    for event_model in _event_models(model):
        history_values = {name: value for name, value in values.items() if _has_field(event_model, name)}
        if history_values:
            event_model.objects.filter(pgh_obj_id__in=ids).update(**history_values)
    return len(ids)


def _has_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except Exception:
        return False
    return True
