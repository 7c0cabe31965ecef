"""Health of the services the portal depends on, for GET /healthz."""

import redis
from django.conf import settings
from django.db import connection


def database_status() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        return "ok"
    except Exception as exc:  # any failure means "down"; the type is reported, not raised
        return f"error: {type(exc).__name__}"


def broker_status() -> str:
    try:
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_connect_timeout=2, socket_timeout=2)
        client.ping()
        client.close()
        return "ok"
    except Exception as exc:
        return f"error: {type(exc).__name__}"
