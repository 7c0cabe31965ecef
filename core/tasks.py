from celery import shared_task

from core import history, retention, services
from core.retention import RetentionRunError


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def clear_expired_sessions_task() -> int:
    """Daily: remove expired sessions so that ended sessions cannot be revived (quality.md S4)."""
    return services.sessions_clear_expired()


@shared_task(
    acks_late=True, autoretry_for=(ConnectionError, OSError, RetentionRunError), retry_backoff=True, max_retries=5
)
def anonymise_expired_records_task() -> dict:
    """Daily: every record type of the privacy notice past its retention period is anonymised or deleted."""
    with history.acting_as(None, command="anonymise_expired_records_task"):
        return retention.run_handlers()
