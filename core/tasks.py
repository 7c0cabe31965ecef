import logging

from celery import current_app, shared_task
from celery.signals import worker_ready

from core import history, outbox, retention, services
from core.retention import RetentionRunError


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def clear_expired_sessions_task() -> int:
    """Daily: remove expired sessions so that ended sessions cannot be revived (docs/quality.md S4)."""
    return services.sessions_clear_expired()


@shared_task(
    acks_late=True, autoretry_for=(ConnectionError, OSError, RetentionRunError), retry_backoff=True, max_retries=5
)
def anonymise_expired_records_task() -> dict:
    """Daily: every record type of the privacy notice past its retention period is anonymised or deleted."""
    with history.acting_as(None, command="anonymise_expired_records_task"):
        return retention.run_handlers()


@shared_task(acks_late=True, ignore_result=True)
def relay_task_outbox_task() -> int:
    """Every minute (beat) and when a worker starts: send the tasks kept while Redis was unreachable (core.outbox)."""
    return outbox.relay(current_app)


@worker_ready.connect
def relay_when_a_worker_starts(sender=None, **kwargs):
    try:
        relay_task_outbox_task.delay()
    except Exception:  # never stop a worker from starting; beat sends the relay again within a minute
        logging.getLogger("kertapati.outbox").warning("could not queue the outbox relay at worker start")
