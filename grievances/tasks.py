from celery import shared_task

from core import history
from grievances import services


@shared_task(acks_late=True, autoretry_for=(ConnectionError, OSError), retry_backoff=True, max_retries=5)
def notify_overdue_grievances_task() -> int:
    """Daily: each assignee gets one notice listing their overdue grievances (safe to run twice a day)."""
    with history.acting_as(None, command="notify_overdue_grievances_task"):
        return services.notify_overdue_grievances()
