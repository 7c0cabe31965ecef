"""Audit history with django-pghistory (docs/quality.md R8).

`track()` installs triggers for insert, update and delete, so bulk `update()`, imports via COPY and raw SQL
are recorded too. The acting user comes from the request (pghistory's HistoryMiddleware) or, in commands
and tasks, from `acting_as(user)`.
"""

import pghistory


def track(*trackers, **kwargs):
    return pghistory.track(
        *(trackers or (pghistory.InsertEvent(), pghistory.UpdateEvent(), pghistory.DeleteEvent())),
        **kwargs,
    )


def acting_as(user=None, **extra):
    """Context for writes outside a request: `with acting_as(user, command="import_households"): ...`."""
    return pghistory.context(user=user.pk if user is not None else None, **extra)


def events_for(obj):
    """Every recorded event of one object, newest first, with the acting user id from the context."""
    return pghistory.models.Events.objects.tracks(obj).order_by("-pgh_created_at")
