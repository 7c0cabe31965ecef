"""One task through a real worker and a real Redis: proves broker, serialisation, settings and database."""

import datetime
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.utils import timezone

from core.tasks import clear_expired_sessions_task
from kertapati_welfare.celery import app as celery_app
from tests.helpers import start_celery_worker

BASE_DIR = Path(settings.BASE_DIR)


def start_worker(queue: str):
    return start_celery_worker(queue)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_task_runs_on_real_worker_through_redis():
    now = timezone.now()
    Session.objects.create(session_key="a" * 32, session_data="x", expire_date=now - datetime.timedelta(days=1))
    Session.objects.create(session_key="b" * 32, session_data="x", expire_date=now + datetime.timedelta(days=1))
    queue = f"uji-{uuid.uuid4().hex[:8]}"  # a private queue: no other worker on this Redis takes the task
    worker = start_worker(queue)
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    try:
        result = clear_expired_sessions_task.apply_async(queue=queue)
        assert result.get(timeout=90) == 1
    finally:
        celery_app.conf.task_always_eager = eager
        worker.terminate()
        worker.wait(timeout=30)
    assert list(Session.objects.values_list("session_key", flat=True)) == ["b" * 32]
