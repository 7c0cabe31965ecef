"""Settings of the Celery worker that test_worker_killed.py starts and kills (tests only).

A short visibility timeout lets the second worker take over the killed worker's unacknowledged message within
seconds instead of two hours; the pause hook holds the first attempt mid-report long enough to kill it.
"""

import os

from kertapati_welfare.settings.test import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 4}
REPORTS_TEST_PAUSE_SECONDS = float(os.environ.get("REPORTS_TEST_PAUSE_SECONDS", "0"))
