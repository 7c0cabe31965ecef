from celery import shared_task

from core.history import acting_as
from programs import services


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def list_due_followups_task() -> int:
    """Daily: record which 3/6/12-month follow-ups are due and still without an outcome (safe to run twice)."""
    with acting_as(None, command="list_due_followups_task"):
        return services.followups_list_due(actor=None)
