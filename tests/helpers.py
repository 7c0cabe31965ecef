"""Assertions shared by the suite."""

import contextlib

from django.db import connection
from django.test.utils import CaptureQueriesContext


@contextlib.contextmanager
def assert_queries(expected: int):
    """Pins the exact number of queries (docs/quality.md P1); on failure lists them so the extra one is obvious."""
    with CaptureQueriesContext(connection) as ctx:
        yield ctx
    executed = len(ctx.captured_queries)
    if executed != expected:
        listing = "\n".join(f"{i + 1}. {q['sql'][:300]}" for i, q in enumerate(ctx.captured_queries))
        raise AssertionError(f"expected {expected} queries, ran {executed}:\n{listing}")


def start_celery_worker(queue: str, *, settings_module: str = "kertapati_welfare.settings.test", **extra_env):
    """A real Celery worker (solo pool) on a private queue, against the test database and Redis.

    Start it inside a `django_db(transaction=True)` test so that it sees committed rows.
    """
    import os
    import subprocess
    import sys

    from django.conf import settings

    db = connection.settings_dict
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    url = f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": settings_module,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        **extra_env,
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "kertapati_welfare",
            "worker",
            "-P",
            "solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "WARNING",
        ],
        cwd=settings.BASE_DIR,
        env=env,
        start_new_session=True,
    )
