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
    "jps_portal.apps.JpsAdminConfig",  # django.contrib.admin with the portal's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "import_export",
    "simple_history",
    "axes",
    "csp",
    "django_prometheus",
    "accounts",
    "notifications",
    "regions",
    "groups",
    "applications",
    "disbursements",
    "corrections",
    "audit",
    "training",
    "mentoring",
    "outcomes",
    "dashboards",
    "transparency",
    "grievances",
    "statuscheck",
    "payment_checks",
    "partners",
    "webhooks",
    # Last: an app's catalogue outranks those listed after it, and Django's own (form and validator
    # messages) outranks none, so DRF's Indonesian is overridden where the portal's differs (locale/id,
    # tests/partners/test_translations.py).
    "rest_framework",
    "drf_spectacular",
    # Swagger UI and Redoc assets, served from /static/ (no CDN: the CSP allows scripts from 'self' only).
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    # Request latency per view (Prometheus): the Before/After pair wraps everything else.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "jps_portal.request_id.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the path, the query or a cookie into a database query.
    "jps_portal.middleware.RejectNullBytesMiddleware",
    "jps_portal.replica.PrimaryAfterWriteMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "jps_portal.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # AxesMiddleware must stay last: it turns a locked-out login into a 429 page.
    "axes.middleware.AxesMiddleware",
]

if IS_PRODUCTION:
    # WhiteNoise serves the collected static files in production; runserver serves them in development.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.middleware.security.SecurityMiddleware") + 1,
        "whitenoise.middleware.WhiteNoiseMiddleware",
    )

# The partner API (/api/v1/, partners app): API keys, JSON only, problem details for every error.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["partners.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["partners.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["partners.throttling.ClientRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["partners.rendering.OrjsonRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "partners.problems.exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "JPS Portal API",
    "DESCRIPTION": "API untuk sistem mitra (Kemnaker, Disnaker, bank, BI, portal data terbuka). Lihat docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "SERVE_AUTHENTICATION": [],
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SORT_OPERATION_PARAMETERS": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "partners.schema.add_problem_responses",
    ],
    "ENUM_NAME_OVERRIDES": {"ApplicationStatusEnum": "applications.models.Application.Status"},
}

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

# A PostgreSQL streaming replica (optional): views marked @replica_reads read from it while it keeps
# up (jps_portal/replica.py); writes, and a visitor's reads for a few seconds after a write, stay on
# the primary; a replica that is down or lags more than REPLICA_MAX_LAG_SECONDS is not used.
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    DATABASES["replica"].update(
        ATOMIC_REQUESTS=False,
        CONN_MAX_AGE=DATABASES["default"]["CONN_MAX_AGE"],
        CONN_HEALTH_CHECKS=True,
        OPTIONS={"connect_timeout": 2},
        # Tests read the replica alias from the test database itself.
        TEST={"MIRROR": "default"},
    )
    DATABASE_ROUTERS = ["jps_portal.replica.ReplicaRouter"]
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=5.0)
REPLICA_CHECK_SECONDS = env.float("REPLICA_CHECK_SECONDS", default=2.0)
PRIMARY_PIN_SECONDS = env.int("PRIMARY_PIN_SECONDS", default=10)

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

# Login throttling (django-axes, accounts/lockout.py): a cool-off, never a permanent lockout, counted
# per login + IP address (AXES_FAILURE_LIMIT) and per IP address over all logins (AXES_IP_FAILURE_LIMIT,
# higher: many honest ketua can share one carrier-grade NAT address), answered 429 with Retry-After.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_IP_FAILURE_LIMIT = env.int("AXES_IP_FAILURE_LIMIT", default=50)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "accounts.lockout.LoginLockoutHandler"
AXES_USERNAME_CALLABLE = "accounts.lockout.attempted_login"
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"

# Rate limits (jps_portal/ratelimit.py), scope: (calls, seconds). The NIK check answers as a
# ketua types; a page of 20 members checks each NIK on load, so 120 per 15 minutes leaves room for
# several pages and corrections, and none for a script probing NIKs.
RATE_LIMITS = {
    # Tickets filed per IP address without an account (objections from the public list, anonymous reports).
    "grievance-file": (
        env.int("GRIEVANCE_FILE_LIMIT", default=10),
        env.int("GRIEVANCE_FILE_WINDOW_SECONDS", default=3600),
    ),
    # Tries of a complaint's SMS code, and of a tracking link, per IP address.
    "grievance-code": (
        env.int("GRIEVANCE_CODE_TRIES_LIMIT", default=20),
        env.int("GRIEVANCE_CODE_TRIES_WINDOW_SECONDS", default=900),
    ),
    # Answers posted to /cek-bantuan/ links per IP address (a village's shared connection answers for
    # a few groups; a script trying links gets nothing but 429).
    "payment-check-answer": (
        env.int("PAYMENT_CHECK_ANSWER_LIMIT", default=30),
        env.int("PAYMENT_CHECK_ANSWER_WINDOW_SECONDS", default=900),
    ),
    "nik-check": (env.int("NIK_CHECK_LIMIT", default=120), env.int("NIK_CHECK_WINDOW_SECONDS", default=900)),
    # The same check per client address, over all the ketua behind it (a village's NAT, an internet
    # kiosk): five ketua's allowance, and none for a script logging in as many accounts.
    "nik-check-address": (
        env.int("NIK_CHECK_ADDRESS_LIMIT", default=600),
        env.int("NIK_CHECK_WINDOW_SECONDS", default=900),
    ),
    # Tries of an SMS reset code per IP address (each code also dies after five wrong tries).
    "password-reset-code": (
        env.int("RESET_CODE_TRIES_LIMIT", default=20),
        env.int("RESET_CODE_TRIES_WINDOW_SECONDS", default=900),
    ),
    # Tries of a status-check SMS code per IP address (cek status without an account).
    "status-check-code": (
        env.int("STATUS_CHECK_CODE_TRIES_LIMIT", default=20),
        env.int("STATUS_CHECK_CODE_TRIES_WINDOW_SECONDS", default=900),
    ),
}

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
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Uploaded documents, report photos and member lists go through Django's storage API. The embedded
# default is the local disk (MEDIA_ROOT); several web and worker nodes share an S3-compatible bucket
# instead (django-storages), set by STORAGE_S3_BUCKET. Objects stay private: no public ACL, no public
# URL; the portal streams each file after its own scope check (applications.views.document_file).
STORAGE_S3_BUCKET = env.str("STORAGE_S3_BUCKET", default="")
if STORAGE_S3_BUCKET:
    from botocore.config import Config as BotocoreConfig

    DEFAULT_FILE_STORAGE_CONFIG = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": STORAGE_S3_BUCKET,
            "endpoint_url": env.str("STORAGE_S3_ENDPOINT_URL", default="") or None,
            "access_key": env.str("STORAGE_S3_ACCESS_KEY", default="") or None,
            "secret_key": env.str("STORAGE_S3_SECRET_KEY", default="") or None,
            "region_name": env.str("STORAGE_S3_REGION", default="us-east-1"),
            "location": env.str("STORAGE_S3_PREFIX", default="media"),
            "default_acl": "private",
            "file_overwrite": False,
            # Any URL the storage ever hands out is signed and short-lived, never a public link.
            "querystring_auth": True,
            "querystring_expire": env.int("STORAGE_S3_SIGNED_URL_SECONDS", default=60),
            # Short timeouts: an unreachable store fails the one upload, it does not hold a web worker.
            "client_config": BotocoreConfig(
                s3={"addressing_style": env.str("STORAGE_S3_ADDRESSING_STYLE", default="path")},
                signature_version="s3v4",
                connect_timeout=2,
                read_timeout=15,
                retries={"max_attempts": 2, "mode": "standard"},
            ),
            # Files read back (served documents, member lists) stay in memory up to this size.
            "max_memory_size": FILE_UPLOAD_MAX_MEMORY_SIZE,
        },
    }
else:
    DEFAULT_FILE_STORAGE_CONFIG = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": DEFAULT_FILE_STORAGE_CONFIG,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if IS_PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploaded documents (PDF / JPEG / PNG) are refused above this size; the web server in front should
# cap request bodies a little above it (e.g. nginx client_max_body_size 6m).
DOCUMENT_MAX_BYTES = env.int("DOCUMENT_MAX_BYTES", default=5 * 1024 * 1024)
# Base of every link in every e-mail and SMS, e.g. "https://jps.kemnaker.go.id" (a system check refuses
# a value that is not an absolute http(s) URL, so production must set it).
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="" if IS_PRODUCTION else "http://127.0.0.1:8000")
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760
DATA_UPLOAD_MAX_NUMBER_FIELDS = 5_000

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="smtp://localhost:25" if IS_PRODUCTION else "consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="JPS Kemnaker <noreply@jps.kemnaker.go.id>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- SMS and the outbox (notifications) -----------------------------------------------------------
# Console in development (printed where `make run` runs); a generic HTTP gateway in production.
SMS_BACKEND = env.str(
    "SMS_BACKEND",
    default="notifications.sms.HttpGatewayBackend" if IS_PRODUCTION else "notifications.sms.ConsoleBackend",
)
WHATSAPP_BACKEND = env.str("WHATSAPP_BACKEND", default="notifications.sms.ConsoleBackend")
SMS_GATEWAY_URL = env.str("SMS_GATEWAY_URL", default="")
SMS_GATEWAY_TOKEN = env.str("SMS_GATEWAY_TOKEN", default="")
SMS_SENDER_ID = env.str("SMS_SENDER_ID", default="KEMNAKER")
SMS_GATEWAY_TIMEOUT = env.float("SMS_GATEWAY_TIMEOUT", default=5.0)
# A message not delivered after this many hours of retries is marked failed (an officer can resend).
NOTIFICATION_GIVE_UP_HOURS = env.int("NOTIFICATION_GIVE_UP_HOURS", default=48)
# Webhooks to partner systems (webhooks app, docs/api.md): a failed delivery waits BASE, 2×BASE, 4×BASE …
# seconds (capped at CAP) and is abandoned after MAX_ATTEMPTS tries (12 with the defaults: about 20 hours,
# so a receiver down for a day loses nothing it cannot ask to have redelivered). Short timeouts: a slow
# receiver holds a worker a few seconds, never a request. Plain http:// targets only outside production.
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=12)
WEBHOOK_BACKOFF_BASE_SECONDS = env.int("WEBHOOK_BACKOFF_BASE_SECONDS", default=60)
WEBHOOK_BACKOFF_CAP_SECONDS = env.int("WEBHOOK_BACKOFF_CAP_SECONDS", default=6 * 3600)
WEBHOOK_CONNECT_TIMEOUT = env.float("WEBHOOK_CONNECT_TIMEOUT", default=2.0)
WEBHOOK_READ_TIMEOUT = env.float("WEBHOOK_READ_TIMEOUT", default=5.0)
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=not IS_PRODUCTION)
# One-time codes sent by SMS: lifetime, and how many may be asked for per phone and per IP address.
OTP_TTL_SECONDS = env.int("OTP_TTL_SECONDS", default=600)
OTP_PHONE_LIMIT = env.int("OTP_PHONE_LIMIT", default=3)
OTP_PHONE_WINDOW_SECONDS = env.int("OTP_PHONE_WINDOW_SECONDS", default=15 * 60)
OTP_IP_LIMIT = env.int("OTP_IP_LIMIT", default=20)
OTP_IP_WINDOW_SECONDS = env.int("OTP_IP_WINDOW_SECONDS", default=60 * 60)

# --- Cache ----------------------------------------------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    # Short timeouts: a cache that hangs must not hold a request longer than a cache miss would cost.
    CACHES = {
        "default": {
            "BACKEND": "jps_portal.cache.ReusedClientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {
                "socket_connect_timeout": env.float("REDIS_CACHE_CONNECT_TIMEOUT", default=0.5),
                "socket_timeout": env.float("REDIS_CACHE_SOCKET_TIMEOUT", default=1.0),
            },
        }
    }
    # Sessions read from Redis first, written through to the database: a logged-in request costs
    # no session query, and a Redis restart logs nobody out. (Django's cached_db, with every cache
    # call guarded: a Redis outage must not turn logged-in pages into 500s.)
    SESSION_ENGINE = "accounts.sessions"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# After a connection error, a process does not ask Redis again for this many seconds (jps_portal.cache).
REDIS_CACHE_BREAKER_SECONDS = env.float("REDIS_CACHE_BREAKER_SECONDS", default=10.0)

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
# Queues by kind of work, each with its own workers (Procfile): interactive (intakes, group checks,
# e-mails), bulk (member lists, tallies, nightly re-checks, sweeps), money (reconciliation, bank
# files). jps_portal.celery.route_task reads CELERY_TASK_KINDS (task name or "module.*" → kind);
# anything not listed is interactive. CELERY_QUEUE_PREFIX keeps several deployments (or test runs)
# on one Redis apart.
CELERY_QUEUE_KINDS = ("interactive", "bulk", "money")
CELERY_QUEUE_PREFIX = env.str("CELERY_QUEUE_PREFIX", default="")
CELERY_QUEUE_NAMES = [f"{CELERY_QUEUE_PREFIX}{kind}" for kind in CELERY_QUEUE_KINDS]
CELERY_TASK_DEFAULT_QUEUE = f"{CELERY_QUEUE_PREFIX}interactive"
CELERY_TASK_ROUTES = ("jps_portal.celery.route_task",)
CELERY_TASK_KINDS = {
    "applications.tasks.process_submission_intake": "interactive",
    "applications.tasks.recompute_group_checks": "interactive",
    "applications.tasks.send_status_email": "interactive",
    "applications.tasks.validate_member_list": "bulk",
    "applications.tasks.import_member_list": "bulk",
    "applications.tasks.recheck_all_groups": "bulk",
    "applications.tasks.sweep_pending_group_checks": "bulk",
    "applications.tasks.sweep_pending_status_emails": "bulk",
    "applications.tasks.sweep_waiting_intakes": "bulk",
    "applications.tasks.sweep_stalled_member_lists": "bulk",
    "notifications.tasks.deliver_message": "interactive",
    "notifications.tasks.deliver_due_messages": "bulk",
    # Partners' receivers may be slow: never on the interactive workers.
    "webhooks.tasks.*": "bulk",
    "dashboards.tasks.*": "bulk",
    "outcomes.tasks.*": "bulk",
    "disbursements.tasks.queue_paid_tranche_notices": "bulk",
    "disbursements.tasks.*": "money",
}
# Redis hands an unacknowledged task to another worker after the visibility timeout: a worker killed
# with kill -9 gives its tasks back after that long (plus up to 10 s, the restore sweep below). It must
# exceed the longest hard time limit of the tasks that kind of worker runs, or a slow task would run
# twice at once (tests/test_celery_queues.py checks every task). Each kind's workers keep their
# unacknowledged tasks under their own Redis keys (CELERY_WORKER_KIND, set per worker in Procfile),
# so a short interactive timeout never hands back a long bulk task that is still running.
CELERY_VISIBILITY_TIMEOUTS = {"interactive": 180, "bulk": 720, "money": 600}
CELERY_WORKER_KIND = env.str("CELERY_WORKER_KIND", default="")
CELERY_UNACKED_KEYS = [f"{CELERY_QUEUE_PREFIX}unacked:{kind}" for kind in CELERY_QUEUE_KINDS]
_unacked_key = f"{CELERY_QUEUE_PREFIX}unacked:{CELERY_WORKER_KIND}" if CELERY_WORKER_KIND else "unacked"
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int(
        "CELERY_VISIBILITY_TIMEOUT",
        default=CELERY_VISIBILITY_TIMEOUTS.get(CELERY_WORKER_KIND, max(CELERY_VISIBILITY_TIMEOUTS.values())),
    ),
    "unacked_key": _unacked_key,
    "unacked_index_key": f"{_unacked_key}_index",
    "unacked_mutex_key": f"{_unacked_key}_mutex",
    # Look for expired unacknowledged tasks every 10 s (kombu's default scans every ~100 s).
    "unacked_restore_throttle": 1,
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
# Publishing must fail fast when Redis is down: the request goes on and the sweep below
# enqueues the committed work later. Requests publish on connections of their own
# (jps_portal.celery.enqueue_on_commit): one connection attempt with these timeouts (seconds), and
# after a failure the process stops trying for BREAKER_SECONDS (a per-process circuit breaker), so
# during an outage a request pays nothing for the broker, not a connect timeout each.
CELERY_TASK_PUBLISH_RETRY = False
CELERY_PUBLISH_CONNECT_TIMEOUT = env.float("CELERY_PUBLISH_CONNECT_TIMEOUT", default=0.5)
CELERY_PUBLISH_SOCKET_TIMEOUT = env.float("CELERY_PUBLISH_SOCKET_TIMEOUT", default=1.0)
CELERY_PUBLISH_BREAKER_SECONDS = env.float("CELERY_PUBLISH_BREAKER_SECONDS", default=10.0)
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
    # Every 30 s: submissions received while Redis was down (marked enqueue_failed) are sent within
    # about half a minute of its return (once beat and the bulk worker have reconnected).
    "sweep-waiting-intakes": {
        "task": "applications.tasks.sweep_waiting_intakes",
        "schedule": env.float("INTAKE_SWEEP_SECONDS", default=30.0),
    },
    "sweep-stalled-member-lists": {
        "task": "applications.tasks.sweep_stalled_member_lists",
        "schedule": 120.0,
    },
    # Partner API: stored Idempotency-Key answers are replayed for a week, then forgotten.
    "purge-idempotency-keys": {
        "task": "partners.tasks.purge_idempotency_keys",
        "schedule": crontab(hour=2, minute=15),
    },
    "deliver-due-messages": {
        "task": "notifications.tasks.deliver_due_messages",
        "schedule": 60.0,
    },
    # Webhook deliveries due for a retry, never enqueued (broker down at commit) or let go by a worker.
    "deliver-due-webhooks": {
        "task": "webhooks.tasks.deliver_due_webhooks",
        "schedule": env.float("WEBHOOK_SWEEP_SECONDS", default=30.0),
    },
    "recompute-dashboard-tallies": {
        "task": "dashboards.tasks.recompute_tallies",
        "schedule": env.float("DASHBOARD_TALLY_SECONDS", default=600.0),
    },
    "schedule-and-remind-monitoring-rounds": {
        "task": "outcomes.tasks.schedule_and_remind_rounds",
        "schedule": crontab(hour=7, minute=0),
    },
    "nightly-integrity-checks": {
        "task": "applications.tasks.recheck_all_groups",
        "schedule": crontab(hour=1, minute=30),
    },
    # Complaints past their working-day deadline go up a level (regency → province → national).
    "escalate-overdue-tickets": {
        "task": "grievances.tasks.escalate_overdue_tickets",
        "schedule": crontab(hour=6, minute=0),
    },
    # Payment verification: draws that never reached a worker, and non-responders to the follow-up list.
    "sweep-payment-checks": {
        "task": "payment_checks.tasks.sweep_payment_checks",
        "schedule": crontab(minute=20),
    },
    # Paid tahap whose "money arrived" message is still owed (the task after the import was lost).
    "queue-paid-tranche-notices": {
        "task": "disbursements.tasks.queue_paid_tranche_notices",
        "schedule": 60.0,
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
# Content-Security-Policy on every answer (django-csp): scripts, styles, images and fonts only from
# this site, no inline script or style anywhere (templates load static/js and static/css; dynamic
# widths and colours are SVG attributes), no plugins, no framing, forms post only here. django-csp
# rather than a hand-made middleware: it is Mozilla's, keeps a policy per view possible
# (@csp_update / @csp_exempt) and nonces should an inline script ever be unavoidable.
# Third-party admin templates carry three inline style attributes (django-import-export's export
# page, django-simple-history's history list) and one inline event handler (the export page's
# "select all" box): each is allowed by the hash of its exact text ('unsafe-hashes' admits those
# values and nothing else, unlike 'unsafe-inline'), rather than by copying those templates into the
# project. CSP_REPORT_URI sends violation reports to a collector.
_CSP_THIRD_PARTY_STYLE_ATTRIBUTES = [
    "'sha256-mHgUAqxc8GPXM/QhzkHrHujcrQTU9fd6ZjWz+icxKcA='",  # "padding: 0;" (import_export/export.html)
    "'sha256-+YWRMZ88jMyO7jVlBA52tZADiPobPIUA8LAWee68Fvs='",  # "font-weight: bold;" (import_export/export.html)
    "'sha256-XMXSevYjgSjXgRafBFDvtjwX+yyWLrxfso9DcNZ9UXM='",  # "border-top: 0" (simple_history history list)
]
_CSP_THIRD_PARTY_EVENT_HANDLERS = [
    "'sha256-wid4zL8fR53ZYy1ljOepzR77Dn6vWUUxuNnnWWBP3I8='",  # onchange="onSelectToggleChange(event)"
]
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "script-src-attr": ["'unsafe-hashes'", *_CSP_THIRD_PARTY_EVENT_HANDLERS],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-hashes'", *_CSP_THIRD_PARTY_STYLE_ATTRIBUTES],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "report-uri": env.str("CSP_REPORT_URI", default="") or None,
    }
}

if IS_PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    # The load balancer's checks and Prometheus reach each node directly over the internal network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31_536_000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Logs: plain lines by default; LOG_FORMAT=json for one JSON object per line (deploy/). Every line
# carries the request id of the request or task it belongs to (jps_portal/request_id.py); with
# LOG_REQUESTS, one line per request (method, path, status, duration).
LOG_FORMAT = env.str("LOG_FORMAT", default="plain")
LOG_REQUESTS = env.bool("LOG_REQUESTS", default=False)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "jps_portal.request_id.RequestIdLogFilter"},
        "one_line_403": {"()": "jps_portal.logging_filters.OneLineForbidden"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s]: %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s %(process)d",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger", "process": "pid"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json" if LOG_FORMAT == "json" else "plain",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # "Forbidden (Permission denied): /path" in one line, without the traceback.
        "django.request": {"filters": ["one_line_403"]},
    },
}

# Prometheus: /metrics answers only these addresses (each node is scraped directly, never via HAProxy).
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=["127.0.0.1", "::1"])
PROMETHEUS_EXPORT_MIGRATIONS = False

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "groups:home"
LOGOUT_REDIRECT_URL = "groups:home"
# How long an e-mail verification or password-reset link stays valid.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600
