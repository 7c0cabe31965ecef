"""Celery application. Tasks live in each app's tasks.py as @shared_task (style.md rule 7)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kertapati_welfare.settings.dev")

app = Celery("kertapati_welfare")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
