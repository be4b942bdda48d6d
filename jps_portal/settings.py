"""Settings for the JPS Portal, read from the environment (django-environ).

Two profiles share this one module:
- development (the default): SQLite file, tasks run eagerly in-process, console e-mail, DEBUG on;
- production (``DJANGO_ENV=production``): secrets have no default, HTTPS-only cookies, HSTS.
Every variable is listed in ``.env.example``.
"""

from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# .env holds production values for `make prod` (honcho loads it for the processes it starts); other
# commands read it only when asked, so tests can never pick up a production database by accident.
if env.bool("DJANGO_READ_DOT_ENV_FILE", default=False):
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DJANGO_ENV = env.str("DJANGO_ENV", default="development")
IS_PRODUCTION = DJANGO_ENV == "production"

if IS_PRODUCTION:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")  # no default: refuse to start without one
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="dev-only-insecure-key-do-not-use-in-production")

DEBUG = env.bool("DJANGO_DEBUG", default=not IS_PRODUCTION)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if IS_PRODUCTION else ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "import_export",
    "simple_history",
    "axes",
    "accounts",
    "regions",
    "groups",
    "applications",
    "disbursements",
    "audit",
    "dashboards",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "jps_portal.middleware.RejectNullBytesMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # AxesMiddleware must stay last: it turns a locked-out login into a 429 page.
    "axes.middleware.AxesMiddleware",
]

if IS_PRODUCTION:
    # WhiteNoise serves the collected static files in production; runserver serves them in development.
    MIDDLEWARE.insert(1, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "jps_portal.urls"
WSGI_APPLICATION = "jps_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60 if IS_PRODUCTION else 0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the demo's runserver and an eager task write without "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

AUTHENTICATION_BACKENDS = [
    # Axes first, so that a locked-out login is refused before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    # A ketua logs in with the e-mail address or phone number they registered with.
    "accounts.backends.EmailOrPhoneBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Login throttling (django-axes): a cool-off, never a permanent lockout.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"

# --- Audit trail (django-simple-history) ----------------------------------------------------
# History is read, never replayed: no "revert" button, and every admin refuses the revert view
# itself (jps_portal/admin_guards.py), since a revert writes a past row around the services.
SIMPLE_HISTORY_REVERT_DISABLED = True

# --- Language, time, money ------------------------------------------------------------------
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

# --- Static and uploaded files --------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploaded documents (PDF / JPEG / PNG) are refused above this size; the web server in front should
# cap request bodies a little above it (e.g. nginx client_max_body_size 6m).
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=5 * 1024 * 1024)
# Base of the links in status e-mails, e.g. "https://jps.kemnaker.go.id"; empty sends a bare path.
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="")
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5_000

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="smtp://localhost:25" if IS_PRODUCTION else "consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="JPS Kemnaker <noreply@jps.kemnaker.go.id>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Cache ----------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "jps_portal.cache.ReusedClientRedisCache", "LOCATION": REDIS_URL}}
    # Sessions read from Redis first, written through to the database: a logged-in request costs
    # no session query, and a Redis restart logs nobody out. (Django's cached_db, with every cache
    # call guarded: a Redis outage must not turn logged-in pages into 500s.)
    SESSION_ENGINE = "accounts.sessions"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery ---------------------------------------------------------------------------------
# No broker configured means the embedded default: tasks run eagerly, in-process.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
if CELERY_TASK_ALWAYS_EAGER:
    # Celery still opens a producer to learn the serializer of an eager task; an in-memory transport
    # keeps it off the network (an empty URL would make kombu try amqp://localhost and warn).
    CELERY_BROKER_URL = "memory://localhost/"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
# A task is acknowledged only after it ran, and comes back if its worker dies mid-run.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=300)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=360)
# Redis redelivers an unacknowledged task after this many seconds; it must exceed the longest
# task (time limit above), or a slow task would run twice at once.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
# Publishing must fail fast when Redis is down: the request goes on and the sweep below
# enqueues the committed work later.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_WORKER_HIJACK_ROOT_LOGGER = False

# Every periodic schedule lives here, in one place.
CELERY_BEAT_SCHEDULE = {
    "sweep-pending-group-checks": {
        "task": "applications.tasks.sweep_pending_group_checks",
        "schedule": 300.0,
    },
    "sweep-pending-status-emails": {
        "task": "applications.tasks.sweep_pending_status_emails",
        "schedule": 300.0,
    },
    "sweep-waiting-intakes": {
        "task": "applications.tasks.sweep_waiting_intakes",
        "schedule": 120.0,
    },
    "sweep-stalled-member-lists": {
        "task": "applications.tasks.sweep_stalled_member_lists",
        "schedule": 120.0,
    },
    "recompute-dashboard-tallies": {
        "task": "dashboards.tasks.recompute_tallies",
        "schedule": env.float("DASHBOARD_TALLY_SECONDS", default=600.0),
    },
    "nightly-integrity-checks": {
        "task": "applications.tasks.recheck_all_groups",
        "schedule": crontab(hour=1, minute=30),
    },
}

# Committed work that has not reached a worker after this many seconds is enqueued again.
PENDING_WORK_GRACE_SECONDS = env.int("PENDING_WORK_GRACE_SECONDS", default=120)

# Directors' dashboard: a "Perbarui" click queues at most one recompute per this many minutes;
# older snapshots beyond this many are deleted after each run.
DASHBOARD_REFRESH_MINUTES = env.int("DASHBOARD_REFRESH_MINUTES", default=5)
DASHBOARD_SNAPSHOTS_KEPT = env.int("DASHBOARD_SNAPSHOTS_KEPT", default=5)

# --- django-import-export -------------------------------------------------------------------
# Disnaker member lists (applications.member_lists): refused above this size before any parsing
# (100,000 rows of the template are ~25 MB as CSV); lists longer than SYNC_MAX_ROWS are checked and
# imported by Celery with a progress page; MAX_ROWS bounds one file.
MEMBER_LIST_MAX_BYTES = env.int("MEMBER_LIST_MAX_BYTES", default=40 * 1024 * 1024)
MEMBER_LIST_SYNC_MAX_ROWS = env.int("MEMBER_LIST_SYNC_MAX_ROWS", default=2_000)
MEMBER_LIST_MAX_ROWS = env.int("MEMBER_LIST_MAX_ROWS", default=200_000)
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = True
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# --- Security -------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if IS_PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "groups:home"
LOGOUT_REDIRECT_URL = "groups:home"
# How long an e-mail verification or password-reset link stays valid.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
