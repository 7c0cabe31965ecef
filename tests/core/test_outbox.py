"""core.outbox: a task enqueued while the broker is unreachable is kept in PostgreSQL and sent again later."""

import datetime
import time
from unittest import mock

import pytest
from celery import Celery
from django.utils import timezone
from django_celery_beat.models import PeriodicTask
from kombu.exceptions import OperationalError as KombuOperationalError

from core import outbox
from core.models import TaskOutbox
from core.tasks import clear_expired_sessions_task
from kertapati_welfare.celery import app as celery_app

SESSIONS_TASK = "core.tasks.clear_expired_sessions_task"


def _app_with_unreachable_redis() -> outbox.OutboxCelery:
    """The project's Celery configuration, with broker and result backend on a port where nothing listens."""
    app = outbox.OutboxCelery("outbox-test", set_as_current=False)
    app.config_from_object("django.conf:settings", namespace="CELERY")
    app.conf.update(broker_url="redis://127.0.0.1:1/0", result_backend="redis://127.0.0.1:1/0", task_always_eager=False)
    return app


@pytest.mark.django_db
def test_unreachable_redis_keeps_the_task_and_answers_quickly():
    app = _app_with_unreachable_redis()
    started = time.monotonic()
    result = app.send_task(SESSIONS_TASK, args=[7], kwargs={"note": "x"}, countdown=30)
    elapsed = time.monotonic() - started
    row = TaskOutbox.objects.get()
    assert (row.task_id, row.name, row.args, row.kwargs) == (result.id, SESSIONS_TASK, [7], {"note": "x"})
    eta = datetime.datetime.fromisoformat(row.options["eta"])
    assert timezone.now() < eta <= timezone.now() + datetime.timedelta(seconds=30)
    assert row.last_error  # what the broker answered, for the admin page
    assert elapsed < 10, f"enqueueing took {elapsed:.1f} s with Redis down"


@pytest.mark.django_db
def test_delay_on_commit_while_broker_down_does_not_fail_the_caller(django_capture_on_commit_callbacks):
    from django.db import transaction

    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        with (
            mock.patch.object(Celery, "send_task", side_effect=KombuOperationalError("Error 111 connecting")),
            django_capture_on_commit_callbacks(execute=True),
            transaction.atomic(),
        ):
            transaction.on_commit(lambda: clear_expired_sessions_task.delay())
    finally:
        celery_app.conf.task_always_eager = eager
    assert list(TaskOutbox.objects.values_list("name", flat=True)) == [SESSIONS_TASK]


@pytest.mark.django_db
def test_result_backend_giving_up_counts_as_broker_unreachable():
    error = RuntimeError("Retry limit exceeded while trying to reconnect to the Celery result store backend.")
    error.__cause__ = ConnectionRefusedError(111, "Connection refused")
    with mock.patch.object(Celery, "send_task", side_effect=error):
        celery_app.send_task(SESSIONS_TASK)
    assert TaskOutbox.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "options", "error"),
    [
        (SESSIONS_TASK, {}, ValueError("a bug, not an outage")),
        (SESSIONS_TASK, {}, RuntimeError("unrelated runtime error")),
        (outbox.RELAY_TASK, {}, KombuOperationalError("down")),  # beat sends the next relay a minute later
        (SESSIONS_TASK, {"outbox": False}, KombuOperationalError("down")),  # the relay's own sends
    ],
)
def test_only_broker_outages_of_ordinary_tasks_are_kept(name, options, error):
    with mock.patch.object(Celery, "send_task", side_effect=error), pytest.raises(type(error)):
        celery_app.send_task(name, **options)
    assert not TaskOutbox.objects.exists()


@pytest.mark.django_db
def test_relay_sends_each_kept_task_once_with_its_id():
    eta = timezone.now() + datetime.timedelta(minutes=5)
    TaskOutbox.objects.create(task_id="id-1", name=SESSIONS_TASK, args=[1], kwargs={}, options={"eta": eta.isoformat()})
    TaskOutbox.objects.create(task_id="id-2", name="reports.tasks.generate_report_task", args=[2], options={})
    with mock.patch.object(Celery, "send_task") as send:
        assert outbox.relay(celery_app) == 2
        assert outbox.relay(celery_app) == 0  # nothing left, nothing sent twice
    assert [(c.args[0], c.args[1], c.kwargs["task_id"]) for c in send.call_args_list] == [
        (SESSIONS_TASK, [1], "id-1"),
        ("reports.tasks.generate_report_task", [2], "id-2"),
    ]
    assert send.call_args_list[0].kwargs["eta"] == eta
    assert not TaskOutbox.objects.exists()


@pytest.mark.django_db
def test_relay_keeps_the_tasks_while_the_broker_is_still_down():
    for n in range(3):
        TaskOutbox.objects.create(task_id=f"id-{n}", name=SESSIONS_TASK)
    with mock.patch.object(Celery, "send_task", side_effect=KombuOperationalError("Error 111 connecting")):
        assert outbox.relay(celery_app) == 0
    assert list(TaskOutbox.objects.values_list("attempts", flat=True)) == [1, 1, 1]
    assert "Error 111" in TaskOutbox.objects.first().last_error


@pytest.mark.django_db
def test_beat_runs_the_relay_every_minute():
    task = PeriodicTask.objects.get(task=outbox.RELAY_TASK)
    assert task.enabled
    assert (task.interval.every, task.interval.period) == (60, "seconds")
