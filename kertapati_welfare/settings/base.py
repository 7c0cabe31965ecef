"""Settings shared by every environment; everything that varies is read from the environment.

Every variable read here is listed, with its meaning, in `.env.example`.
"""

from datetime import timedelta
from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
# The quick-start launcher writes the addresses of the embedded PostgreSQL and Redis here while it
# runs, so that `manage.py shell` in a second terminal reaches the same services.
_embedded_env = BASE_DIR / ".data" / "embedded.env"
if _embedded_env.exists():
    environ.Env.read_env(str(_embedded_env), overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    # third party
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    # ours, in dependency order (docs/architecture.md §2)
    "core",
    "accounts",
    "beneficiaries",
    "programs",
    "aid_distribution",
    "infrastructure",
    "grievances",
    "reports",
    "field_app",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionLifetimeMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.PersonalDataCacheMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    # AxesMiddleware last, as django-axes documents.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "kertapati_welfare.urls"
WSGI_APPLICATION = "kertapati_welfare.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "core.context_processors.navigation",
            ],
        },
    },
    {
        # Only the table-row partials of the busiest pages, rendered by `{% jinja %}` (core/jinja.py).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "core.jinja.environment", "extensions": ["jinja2.ext.i18n"]},
    },
]


def database_config(url: str) -> dict:
    """A PostgreSQL config from a URL; a bad one fails here with one line naming the variable."""
    try:
        config = environ.Env.db_url_config(url)
    except Exception as exc:  # django-environ raises several types for a malformed URL
        raise ImproperlyConfigured(f"DATABASE_URL tidak valid: {exc}") from exc
    if config.get("ENGINE") != "django.db.backends.postgresql":
        raise ImproperlyConfigured("DATABASE_URL harus menunjuk ke PostgreSQL (postgres://...).")
    config["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
    config["CONN_HEALTH_CHECKS"] = True
    config.setdefault("OPTIONS", {})
    config["OPTIONS"].setdefault("connect_timeout", 5)
    return config


# Production requires DATABASE_URL; dev and test fall back to the quick start's embedded PostgreSQL, so that
# commands that need no database (makemigrations --check, check) run without the launcher.
EMBEDDED_DATABASE_URL = f"postgres://postgres@127.0.0.1:{env.int('EMBEDDED_PG_PORT', default=54329)}/kertapati"
DATABASES = {"default": database_config(env.str("DATABASE_URL"))} if env.str("DATABASE_URL", default="") else {}
if env.str("DATABASE_REPLICA_URL", default=""):
    # A streaming replica for reports and dashboards; the test runner mirrors it onto the primary.
    DATABASES["replica"] = {**environ.Env.db_url_config(env.str("DATABASE_REPLICA_URL")), "TEST": {"MIRROR": "default"}}
    DATABASE_ROUTERS = ["core.replica.PrimaryReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: a locked-out account is refused before the password hasher runs (docs/quality.md S3).
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions (docs/quality.md S4): 12 hours at most, 30 minutes idle; enforced by SessionLifetimeMiddleware.
SESSION_COOKIE_AGE = int(timedelta(hours=12).total_seconds())
SESSION_IDLE_SECONDS = int(timedelta(minutes=30).total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

OTP_TOTP_ISSUER = "Kesos Kertapati"

# django-axes: 5 failures per account per 15 minutes, then refused until the cool-off ends.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout_response"
AXES_ENABLE_ADMIN = True
AXES_VERBOSE = False
# Lockout is per account (docs/quality.md S3). Adding the IP would lock a whole kelurahan office, which shares
# one public address, after five typos by anyone in it; so axes' advice to include the IP is silenced.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Locale (docs/domain.md §5).
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["kertapati_welfare.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    # Uploaded files (photos, import files, evidence) live outside the public URL space and are served
    # only through permission-checked views (docs/quality.md S9): there is deliberately no MEDIA_URL route.
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": env.str("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / ".data" / "media"))},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_PERMISSIONS = 0o640

FORM_RENDERER = "core.forms.FormRenderer"  # widgets by Jinja2: a quarter of a list page's CPU (core/forms.py)
CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Redis and Celery.
REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_RESULT_EXPIRES = int(timedelta(days=1).total_seconds())
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A message taken by a worker that then dies whole (main process killed) goes back to the queue after this many
# seconds; it must exceed the longest task (CELERY_TASK_TIME_LIMIT). A killed pool child is requeued at once.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=2 * 60 * 60)}
# While Redis is down, enqueueing gives up after about a second (instead of ~20 s of retries in the request) and
# the task is kept in core.TaskOutbox, sent again once Redis is back (core/outbox.py).
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.3, "interval_max": 0.5}
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.3, "interval_max": 0.5}
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# REST API (docs/architecture.md §5).
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.DeviceTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.CursorPagination",
    "PAGE_SIZE": 100,
    # One error shape for every endpoint: {"code", "detail", "fields"} (docs/conventions.md).
    "EXCEPTION_HANDLER": "core.api.exception_handler",
}
API_TOKEN_TTL_DAYS = env.int("API_TOKEN_TTL_DAYS", default=14)
SPECTACULAR_SETTINGS = {
    "TITLE": "API Portal Kesejahteraan Sosial Kertapati",
    "DESCRIPTION": "API untuk aplikasi lapangan dan integrasi.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Served from our own static files: no CDN, and the split view keeps scripts out of the page (CSP).
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
}

# Security headers (docs/quality.md S5).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:", "blob:", *env.list("MAP_TILE_ORIGINS", default=[])],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Map tiles: empty means the map works without a tile layer (offices with no internet).
MAP_TILE_URL = env.str("MAP_TILE_URL", default="")
MAP_TILE_ATTRIBUTION = env.str("MAP_TILE_ATTRIBUTION", default="")

# The data-protection officer (UU PDP Pasal 53), shown in the privacy notice.
DPO_NAME = env.str("DPO_NAME", default="Pejabat Pelindungan Data Pribadi Kecamatan Kertapati")
DPO_EMAIL = env.str("DPO_EMAIL", default="ppdp@kertapati.invalid")
DPO_PHONE = env.str("DPO_PHONE", default="")

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="portal@kertapati.invalid")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Audit history (docs/quality.md R8): models use core.history.track (insert, update and delete triggers).
# Reads change nothing; attaching context to them would only cost a query.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
