from celery import shared_task

from core import services


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def clear_expired_sessions_task() -> int:
    """Daily: remove expired sessions so that ended sessions cannot be revived (quality.md S4)."""
    return services.sessions_clear_expired()
