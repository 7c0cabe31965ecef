"""Tasks survive a broker outage (issue #11, docs/quality.md R4/R5).

Every task is enqueued with `transaction.on_commit(lambda: some_task.delay(...))`. While Redis is down, `delay()`
used to fail after ~20 s of retries (the Redis result backend gives up with a RuntimeError): the request answered
500 although its rows were committed, and the task was lost (an import stayed "uploaded", a report "queued").

The project's Celery app is an `OutboxCelery`: when the broker cannot be reached, `send_task` keeps the message in
`core.TaskOutbox` (PostgreSQL) and returns its AsyncResult as usual, so the caller carries on. `relay()` sends the
kept messages again, with the same task id; `core.tasks.relay_task_outbox_task` calls it every minute (beat) and
when a worker starts. A message can in rare cases go out twice (the broker took it but the answer was lost):
tasks are idempotent (R5), so that costs one extra run, never a second result.

Only the relay task itself is never kept (beat sends the next one a minute later), nor is anything in eager mode
(tests), where no broker is involved.
"""

from __future__ import annotations

import datetime
import logging

import redis.exceptions
from celery import Celery
from kombu.exceptions import OperationalError as KombuOperationalError

logger = logging.getLogger("kertapati.outbox")

RELAY_TASK = "core.tasks.relay_task_outbox_task"
BROKER_ERRORS = (
    KombuOperationalError,
    redis.exceptions.ConnectionError,
    redis.exceptions.TimeoutError,
    ConnectionError,
    TimeoutError,
)
#: send_task options worth keeping (JSON); the task's own options (time limits...) come back from its registry entry.
KEPT_OPTIONS = ("queue", "routing_key", "priority", "retries", "expires")


def broker_unreachable(exc: BaseException) -> bool:
    if isinstance(exc, BROKER_ERRORS):
        return True
    # The Redis result backend subscribes to the task's result before publishing; when it cannot reconnect it
    # raises RuntimeError("Retry limit exceeded ...") from the connection error.
    return isinstance(exc, RuntimeError) and isinstance(exc.__cause__, BROKER_ERRORS)


class OutboxCelery(Celery):
    def send_task(self, name, args=None, kwargs=None, **options):
        keep = options.pop("outbox", True)
        try:
            return super().send_task(name, args, kwargs, **options)
        except Exception as exc:
            if not keep or name == RELAY_TASK or not broker_unreachable(exc):
                raise
            return store(self, name=name, args=args, kwargs=kwargs, options=options, exc=exc)


def _jsonable(value):
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return getattr(value, "name", value)  # a kombu Queue is kept by name


def store(app: Celery, *, name: str, args, kwargs, options: dict, exc: BaseException):
    from celery.utils import uuid
    from django.utils import timezone

    from core.models import TaskOutbox

    task_id = options.get("task_id") or uuid()
    kept = {key: _jsonable(options[key]) for key in KEPT_OPTIONS if options.get(key) is not None}
    eta = options.get("eta")
    if options.get("countdown"):
        eta = timezone.now() + datetime.timedelta(seconds=float(options["countdown"]))
    if eta is not None:
        kept["eta"] = _jsonable(eta)
    TaskOutbox.objects.create(
        task_id=task_id,
        name=name,
        args=list(args or ()),
        kwargs=dict(kwargs or {}),
        options=kept,
        last_error=_describe(exc),
    )
    logger.warning("broker unreachable (%s): task %s [%s] kept in the outbox", type(exc).__name__, name, task_id)
    return app.AsyncResult(task_id)


def _describe(exc: BaseException) -> str:
    cause = exc.__cause__ if isinstance(exc, RuntimeError) and exc.__cause__ else exc
    return f"{type(cause).__name__}: {cause}"[:300]


def relay(app: Celery, *, limit: int = 500) -> int:
    """Sends the kept messages, oldest first; stops at the first that the broker still refuses. Returns the number
    sent. Rows are locked (SKIP LOCKED), so two relays at once never send the same row twice."""
    from django.db import transaction
    from django.db.models import F
    from django.utils.dateparse import parse_datetime

    from core.models import TaskOutbox

    sent = 0
    with transaction.atomic():
        rows = list(TaskOutbox.objects.select_for_update(skip_locked=True).order_by("pk")[:limit])
        for index, row in enumerate(rows):
            options = dict(row.options)
            eta = options.pop("eta", None)
            try:
                app.send_task(
                    row.name,
                    row.args,
                    row.kwargs,
                    task_id=row.task_id,
                    eta=parse_datetime(eta) if eta else None,
                    outbox=False,
                    **options,
                )
            except Exception as exc:
                if not broker_unreachable(exc):
                    raise
                TaskOutbox.objects.filter(pk__in=[r.pk for r in rows[index:]]).update(
                    attempts=F("attempts") + 1, last_error=_describe(exc)
                )
                logger.warning("outbox: broker still unreachable, %s task(s) wait", len(rows) - index)
                break
            row.delete()
            sent += 1
    if sent:
        logger.info("outbox: %s task(s) sent again", sent)
    return sent
