"""Celery application. Tasks live in each app's tasks.py as @shared_task (docs/architecture.md §6 rule 7)."""

import os

from core.outbox import OutboxCelery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kertapati_welfare.settings.dev")

# OutboxCelery: a task enqueued while Redis is unreachable is kept in PostgreSQL and sent later (core/outbox.py).
app = OutboxCelery("kertapati_welfare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
