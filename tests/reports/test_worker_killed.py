"""A worker killed in the middle of a report (SIGKILL, a real worker process through Redis), then a second
worker: acks_late + reject_on_worker_lost redeliver the task, and the run completes exactly once (docs/quality.md R5)."""

import datetime
import os
import signal
import subprocess
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings

from kertapati_welfare.celery import app as celery_app
from reports import services
from reports.models import ReportFile, ReportRun, ReportType, RunStatus
from reports.tasks import generate_report_task
from tests.factories.reports import known_registry
from tests.helpers import start_celery_worker

BASE_DIR = Path(settings.BASE_DIR)


def start_worker(queue: str, *, pause: float):
    return start_celery_worker(
        queue, settings_module="tests.reports.worker_settings", REPORTS_TEST_PAUSE_SECONDS=str(pause)
    )


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.3)
    raise AssertionError(f"timeout waiting for {what}")


def stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_report_worker_killed_mid_task_completes_exactly_once_on_another_worker():
    known_registry()
    run = services.report_request(
        actor=None, report_type=ReportType.BULANAN, month=datetime.date.today(), kelurahan=None, enqueue=False
    )
    queue = f"uji-laporan-{uuid.uuid4().hex[:8]}"  # private queue: no other worker on this Redis takes it
    eager = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = False
    first = start_worker(queue, pause=120)
    second = None
    try:
        generate_report_task.apply_async(args=[run.pk], queue=queue)
        # The first attempt has computed the figures (progress 80) and is held before writing the files.
        wait_for(
            lambda: ReportRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING, progress__gte=80).exists(),
            90,
            "the first worker to be mid-report",
        )
        os.killpg(first.pid, signal.SIGKILL)
        first.wait(timeout=10)
        run.refresh_from_db()
        assert (run.status, run.attempts, run.files.count()) == (RunStatus.RUNNING, 1, 0)

        second = start_worker(queue, pause=120)  # pauses only in a first attempt
        wait_for(
            lambda: ReportRun.objects.filter(pk=run.pk, status=RunStatus.DONE).exists(),
            120,
            "the second worker to finish the report",
        )
        time.sleep(6)  # past the visibility timeout: a stray redelivery would show up as a third attempt
    finally:
        celery_app.conf.task_always_eager = eager
        stop(first)
        if second is not None:
            stop(second)
    run.refresh_from_db()
    assert ReportRun.objects.count() == 1
    assert (run.status, run.attempts, run.progress) == (RunStatus.DONE, 2, 100)
    assert run.figures["sections"]["households"]["total"]["active"] == 4
    files = list(ReportFile.objects.filter(run=run).values_list("file", flat=True))
    assert files and all("/percobaan-2/" in name for name in files)
    assert len(files) == len(set(files))
