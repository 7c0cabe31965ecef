"""The retention run: one handler per record type of the privacy notice, one audit event per run, audit purge."""

import datetime
from pathlib import Path

import pgtrigger
import pytest
from django.conf import settings
from django.db import InternalError, transaction
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from core import privacy, retention
from core.audit import audit_event
from core.models import AuditAction, AuditEvent
from core.tasks import anonymise_expired_records_task

pytestmark = pytest.mark.django_db

NOW = timezone.now()


def _event_at(created_at, action=AuditAction.EXPORT) -> AuditEvent:
    event = audit_event(action=action, detail={"uji": True})
    # Only a test may back-date an event: the UPDATE trigger is lifted for this one statement.
    with pgtrigger.ignore("core.AuditEvent:audit_append_only_update"):
        AuditEvent.objects.filter(pk=event.pk).update(created_at=created_at)
    return event


def test_retention_every_record_type_of_the_notice_has_a_handler():
    assert retention.registered_keys() == {item.key for item in privacy.RETENTION}


def test_retention_unknown_record_type_is_refused():
    with pytest.raises(ValueError, match="not a record type of the privacy notice"):
        retention.register_handler(key="tidak_ada", run=lambda now=None: 0)


def test_retention_run_is_scheduled_daily_once():
    assert PeriodicTask.objects.filter(task="core.tasks.anonymise_expired_records_task", enabled=True).count() == 1
    # The grievance handler runs inside the one run, not on a schedule of its own.
    assert not PeriodicTask.objects.filter(task="grievances.tasks.anonymise_expired_grievances_task").exists()


def test_retention_audit_events_past_five_years_are_purged_and_newer_kept():
    cutoff = retention.cutoff("audit_event", now=NOW)
    old = _event_at(cutoff - datetime.timedelta(minutes=1))
    inside = _event_at(cutoff + datetime.timedelta(minutes=1))

    assert retention.audit_events_purge_expired(now=NOW) == 1

    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    assert AuditEvent.objects.filter(pk=inside.pk).exists()
    assert retention.audit_events_purge_expired(now=NOW) == 0


def test_retention_purge_leaves_the_audit_table_append_only():
    old = _event_at(NOW - datetime.timedelta(days=20 * 365))
    recent = _event_at(NOW - datetime.timedelta(days=1))
    retention.audit_events_purge_expired(now=NOW)
    assert not AuditEvent.objects.filter(pk=old.pk).exists()
    # Ordinary deletes and updates are refused again, also for rows the purge did not reach.
    with pytest.raises(InternalError), transaction.atomic():
        AuditEvent.objects.filter(pk=recent.pk).delete()
    with pytest.raises(InternalError), transaction.atomic():
        AuditEvent.objects.filter(pk=recent.pk).update(action=AuditAction.OTHER)
    assert AuditEvent.objects.filter(pk=recent.pk, action=AuditAction.EXPORT).exists()


def test_retention_only_the_purge_lifts_the_audit_delete_trigger():
    base = Path(settings.BASE_DIR)
    skipped = {".venv", ".data", ".git", "tests", "static", "node_modules"}
    sources = [
        path
        for top in base.iterdir()
        if top.is_dir() and top.name not in skipped
        for path in top.rglob("*.py")
        if "migrations" not in path.parts
    ]
    assert base / "core" / "retention.py" in sources
    offenders = []
    for path in sources:
        relative = str(path.relative_to(base))
        text = path.read_text(encoding="utf-8")
        # Other code may lift other triggers (core.bulk lifts pghistory insert triggers during COPY), never these.
        named = any(name in text for name in ("AUDIT_DELETE_TRIGGER", "audit_append_only", "AuditEvent:"))
        if named and relative not in {"core/retention.py", "core/models.py"}:
            offenders.append(relative)
    assert offenders == []
    assert "pgtrigger.ignore" not in (base / "core" / "models.py").read_text(encoding="utf-8")


def test_retention_task_runs_every_handler_and_records_one_audit_event():
    _event_at(NOW - datetime.timedelta(days=6 * 366))

    counts = anonymise_expired_records_task.delay().get()

    assert set(counts) == {item.key for item in privacy.RETENTION}
    assert counts["audit_event"] == 1
    run = AuditEvent.objects.get(action=AuditAction.RETENTION)
    assert run.detail == {"counts": counts, "failed": []}
    assert run.actor is None


def test_retention_failing_handler_does_not_stop_the_others(monkeypatch):
    calls = []

    def broken(*, now=None):
        raise RuntimeError("disk penuh")

    def counting(*, now=None):
        calls.append(now)
        return 3

    monkeypatch.setattr(retention, "_HANDLERS", {})
    for item in privacy.RETENTION:
        retention.register_handler(key=item.key, run=broken if item.key == "registry_inactive" else counting)

    with pytest.raises(retention.RetentionRunError, match="registry_inactive"):
        retention.run_handlers(now=NOW)

    assert len(calls) == len(privacy.RETENTION) - 1
    run = AuditEvent.objects.get(action=AuditAction.RETENTION)
    assert run.detail["failed"] == ["registry_inactive"]
    assert "disk penuh" not in str(run.detail)


def test_retention_cutoff_of_29_february_falls_back_to_28():
    leap = datetime.datetime(2028, 2, 29, 12, tzinfo=datetime.UTC)
    assert retention.cutoff("grievance_closed", now=leap) == datetime.datetime(2026, 2, 28, 12, tzinfo=datetime.UTC)
