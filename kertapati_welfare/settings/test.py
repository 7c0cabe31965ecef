"""Test settings: the same PostgreSQL engine as production, a fast password hasher (docs/quality.md P7)."""

from .base import *  # noqa: F403
from .base import BASE_DIR, EMBEDDED_DATABASE_URL, database_config, env

DEBUG = False
SECRET_KEY = "test-only-key-kertapati-welfare-portal-0123456789"  # noqa: S105 - tests only
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(BASE_DIR / ".data" / "test-media")},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}

# Serve static files from the finders; there is no collectstatic outside production.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

if not DATABASES:  # noqa: F405
    DATABASES = {"default": database_config(EMBEDDED_DATABASE_URL)}
