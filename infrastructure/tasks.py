from celery import shared_task

from core import history
from infrastructure import services


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), retry_backoff=True, max_retries=5)
def flag_delayed_projects_task() -> int:
    """Daily: flag projects past their planned end or behind a linear plan (recomputed, so safe to re-run)."""
    with history.acting_as(None, command="flag_delayed_projects_task"):
        return services.projects_flag_delayed()
