"""Local development (`make run`)."""

from .base import *  # noqa: F403
from .base import EMBEDDED_DATABASE_URL, database_config, env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# A fixed key is acceptable only here: dev data is synthetic and the server listens on loopback.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-kertapati-welfare-portal")
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405

# Serve static files from the finders; there is no collectstatic outside production.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

if not DATABASES:  # noqa: F405
    DATABASES = {"default": database_config(EMBEDDED_DATABASE_URL)}
