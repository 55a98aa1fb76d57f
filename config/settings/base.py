"""Settings shared by every environment; each value comes from the environment (12-factor)."""

import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from config.environment import load_env_file
from config.logs import logging_config
from config.settings.guards import refuse_served_private_root, refuse_weak_metrics_access

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
# The .env file (or DJANGO_ENV_FILE) fills in what the environment does not set.
load_env_file()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY")
# Former secret keys, while what they signed or sealed (sessions, channel secrets) is still in use.
SECRET_KEY_FALLBACKS = env.list("DJANGO_SECRET_KEY_FALLBACKS", default=[])
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "channels",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "csp",
    "django_celery_beat",
    "django_ratelimit",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "viewflow",
    "viewflow.workflow",
    "cases.infra",
    "cases.core",
    "cases.accounts",
    "cases.records",
    "cases.repair",
    "cases.complaints",
    "cases.supervision",
    "cases.reporting",
    "cases.desk",
    "cases.demo",
    "notifications",
    "workflows",
]

MIDDLEWARE = [
    # First and next to last: request counts and latencies per view for /metrics (cases/infra/metrics.py).
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "cases.core.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "cases.core.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After a request that may have written, its user's heavy reads stay on the primary a while.
    "cases.infra.replica.PinAfterWriteMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Staff (and applicants who chose it) pass the second factor before any other page.
    "cases.accounts.second_factor.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "cases.core.middleware.DomainErrorMiddleware",
    # Next to last, so that it sees the lockout page django-axes puts in place of a sign-in's answer.
    "django_prometheus.middleware.PrometheusAfterMiddleware",
    # Last, as django-axes asks: answers a locked-out sign-in with cases.accounts.sign_in_lockout's page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
ASGI_APPLICATION = "config.asgi.application"
WSGI_APPLICATION = None

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
                "cases.core.context_processors.calendar_warnings",
                "cases.core.context_processors.platform_login",
                "notifications.context_processors.unread_notifications",
            ],
        },
    },
]


def _database_from_env(variable="DATABASE_URL"):
    """DATABASE_URL wins; otherwise the embedded SQLite database in WAL mode."""
    if env.str(variable, default=""):
        db = env.db(variable)
        if db["ENGINE"] == "django.db.backends.postgresql" and env.bool("DATABASE_POOL", default=False):
            # Django's own psycopg pool: one per process, shared by the ASGI event loop's threads.
            db.setdefault("OPTIONS", {})["pool"] = {
                # Kept open even when idle: the first requests of a burst need not connect.
                "min_size": env.int("DATABASE_POOL_MIN_SIZE", default=2),
                "max_size": env.int("DATABASE_POOL_SIZE", default=10),
                # How long a request waits for a connection (a burst queues; /healthz waits 3 s).
                "timeout": env.float("DATABASE_POOL_TIMEOUT", default=30.0),
            }
            db["CONN_MAX_AGE"] = 0
            # Pooled connections are tried before use, all at once after a restart (see the backend).
            db["ENGINE"] = "config.postgresql"
            db["CONN_HEALTH_CHECKS"] = True
            return db
        db["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
        # Persistent connections are checked before use: after a database restart the first
        # requests get a fresh connection instead of a dead one (and an error page).
        db["CONN_HEALTH_CHECKS"] = True
        return db
    VAR_DIR.mkdir(exist_ok=True)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": env.str("SQLITE_PATH", default=str(VAR_DIR / "chengxin.sqlite3")),
        "OPTIONS": {
            # WAL lets the web server, the worker and the scheduler read while one writes.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }


DATABASES = {"default": _database_from_env()}
# The read replica (a PostgreSQL streaming standby of the primary), configured like the primary:
# the supervisor board, the figures and the half-year reports read from it (cases/infra/replica.py)
# while it is at most REPLICA_MAX_LAG_SECONDS behind; every write and every other read stays on
# the primary. Off when unset.
REPLICA_READS = bool(env.str("DATABASE_REPLICA_URL", default=""))
if REPLICA_READS:
    DATABASES["replica"] = _database_from_env("DATABASE_REPLICA_URL")
    if "postgresql" in DATABASES["replica"]["ENGINE"]:
        # A replica that does not answer is skipped after this many seconds, not waited for.
        DATABASES["replica"].setdefault("OPTIONS", {}).setdefault("connect_timeout", 3)
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=5.0)
DATABASE_ROUTERS = ["cases.infra.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "cases.User"

REDIS_URL = env.str("REDIS_URL", default="")

if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            # The pub/sub layer had the lowest commit-to-browser latency in our measurements.
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    CACHES = {"default": {"BACKEND": "cases.infra.cache.RedisCache", "LOCATION": REDIS_URL}}
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    # GB/T 22239: at least 10 characters, not the user's name, not a common or all-digit password.
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": env.int("PASSWORD_MIN_LENGTH", default=10)},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "landing"
# A session ends this long after sign-in (seconds): a working day by default. A staff session also
# ends when the browser closes (cases/second_factor.py sets it when the second factor is passed).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
# Sign-in lock-out (django-axes, cases/sign_in_lockout.py): after this many failures for one user
# name, or from one address, within the window, attempts are refused until the window has passed
# since the last failure or the security administrator lifts the lock.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
LOGIN_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
LOGIN_FAILURE_LIMIT_PER_ADDRESS = env.int("LOGIN_FAILURE_LIMIT_PER_ADDRESS", default=20)
LOGIN_FAILURE_WINDOW_MINUTES = env.int("LOGIN_FAILURE_WINDOW_MINUTES", default=15)
AXES_HANDLER = "cases.accounts.sign_in_lockout.LockoutHandler"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each counted on its own (the handler's limits)
AXES_FAILURE_LIMIT = LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = timedelta(minutes=LOGIN_FAILURE_WINDOW_MINUTES)
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # refused attempts do not stretch the pause
AXES_USERNAME_CALLABLE = "cases.accounts.sign_in_lockout.username"
AXES_CLIENT_IP_CALLABLE = "cases.infra.client_address.client_ip"
AXES_LOCKOUT_CALLABLE = "cases.accounts.sign_in_lockout.lockout_response"
AXES_VERBOSE = False
# The second factor (cases/second_factor.py): the name authenticator apps show for the account.
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Chengxin")
# The client's address behind reverse proxies (cases/client_address.py): the proxies' own addresses
# or networks, or else how many proxies stand in front (each appends to X-Forwarded-For); with
# neither (the default) X-Forwarded-For is ignored and the TCP peer is the client. Every
# per-address limit (sign-in, tracking look-ups, bad channel signatures) counts this address.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
for _proxy in TRUSTED_PROXIES:  # a typo stops the start, not a request
    ipaddress.ip_network(_proxy.strip(), strict=False)
RATELIMIT_IP_META_KEY = "cases.infra.client_address.client_ip"
# Channel requests with a bad signature, per address, before that address is refused for the window.
CHANNEL_SIGNATURE_FAILURE_LIMIT = env.int("CHANNEL_SIGNATURE_FAILURE_LIMIT", default=20)
CHANNEL_SIGNATURE_FAILURE_WINDOW_MINUTES = 10

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(BASE_DIR / "media"))
# Departments' seal images and signing keys: outside MEDIA_ROOT, never served (cases/core/storage.py).
PRIVATE_ROOT = env.str("PRIVATE_ROOT", default=str(BASE_DIR / "private"))
refuse_served_private_root(PRIVATE_ROOT, {"MEDIA_ROOT": MEDIA_ROOT, "STATIC_ROOT": STATIC_ROOT})

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    # JSON only: what the schema documents and what the channels' signatures are computed over.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "cases.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "cases.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Chengxin API",
    "DESCRIPTION": "Credit repair and government-default complaints (诚信).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The error answers of each operation (cases/api/schema.py), after the default enum hook.
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "cases.api.schema.document_errors"],
    "ENUM_NAME_OVERRIDES": {"EntityKindEnum": "cases.core.models.org.EntityKind"},
    # Swagger UI from the pinned drf-spectacular-sidecar package under /static/, never a CDN;
    # its start-up script is a separate request (SpectacularSwaggerSplitView), not inline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # No badge from validator.swagger.io: nothing on the page leaves this site.
    "SWAGGER_UI_SETTINGS": {"validatorUrl": None, "deepLinking": True},
}

# Security headers on every response. Scripts and styles come from this site's static files only:
# no inline <script>, no on*= attributes, no inline <style> (templates/, static/js/).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        # 'self' covers the live socket (ws:/wss: to this host) in CSP level 3 browsers.
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Features no page here uses are switched off for the page and anything it might embed.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
)

# Celery: Redis when configured, otherwise a filesystem broker so that `make run`
# needs nothing but Python.
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
if not REDIS_URL:
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "control_folder": str(VAR_DIR / "broker-control"),
    }
CELERY_RESULT_BACKEND = REDIS_URL or None
# Named queues, so that a worker can be given a part of the work (docs/operations.md, "Several
# nodes"): intake opens the cases of work orders, delivery sends what leaves the office
# (notifications, channel callbacks, national-site syncs), sweep runs the periodic scans. A task not
# named here goes to the default queue "celery". A worker started without -Q consumes all four.
CELERY_TASK_DEFAULT_QUEUE = "celery"
TASK_QUEUE_NAMES = ("intake", "delivery", "sweep", CELERY_TASK_DEFAULT_QUEUE)
CELERY_TASK_QUEUES = [Queue(name) for name in TASK_QUEUE_NAMES]
CELERY_TASK_ROUTES = {
    "cases.tasks.open_work_orders": {"queue": "intake"},
    **{
        name: {"queue": "delivery"}
        for name in (
            "notifications.tasks.deliver_notifications",
            "notifications.tasks.redeliver_pending",
            "cases.tasks.push_channel_callback",
            "cases.tasks.retry_channel_callbacks",
            "cases.tasks.push_national_sync",
            "cases.tasks.retry_national_syncs",
            "cases.infra.tasks.redeliver_outbox",
        )
    },
    **{
        name: {"queue": "sweep"}
        for name in (
            "cases.tasks.sweep_deadlines",
            "workflows.tasks.fire_workflow_timers",
            "cases.tasks.watch_records",
            "cases.tasks.lapse_overdue_corrections",
            "cases.tasks.confirm_overdue_answers",
            "cases.tasks.remind_report_due",
            "cases.tasks.anonymise_closed_cases",
            "cases.infra.tasks.clear_sessions",
        )
    },
}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
# django-celery-beat's database scheduler, noting each tick for /healthz (cases/infra/liveness.py).
CELERY_BEAT_SCHEDULER = "cases.infra.liveness:LivenessScheduler"
# Celery leaves the logging to Django's LOGGING (config/celery.py's setup_logging receiver).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Failed attempts after which an outbox row (notification, national-site sync, channel callback)
# becomes a dead letter for an administrator to re-send (cases/infra/outbox.py: 30 s doubling to
# an hour between attempts, so 20 attempts span about 13 hours).
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=20)

# /metrics (cases/infra/metrics.py) answers 404 unless one of these is set; with both, a scrape
# needs the bearer token and an address in the list (addresses or networks, e.g. "10.0.0.0/24").
METRICS_TOKEN = env.str("METRICS_TOKEN", default="")
METRICS_ALLOWED_IPS = env.list("METRICS_ALLOWED_IPS", default=[])
refuse_weak_metrics_access(METRICS_TOKEN, METRICS_ALLOWED_IPS)
CELERY_BEAT_SCHEDULE = {
    "fire-workflow-timers": {"task": "workflows.tasks.fire_workflow_timers", "schedule": 60.0},
    "sweep-deadlines": {"task": "cases.tasks.sweep_deadlines", "schedule": 60.0},
    "redeliver-outbox": {"task": "cases.infra.tasks.redeliver_outbox", "schedule": 60.0},
    "watch-records": {"task": "cases.tasks.watch_records", "schedule": 600.0},
    "lapse-overdue-corrections": {"task": "cases.tasks.lapse_overdue_corrections", "schedule": 600.0},
    "confirm-overdue-answers": {"task": "cases.tasks.confirm_overdue_answers", "schedule": 600.0},
    "remind-report-due": {"task": "cases.tasks.remind_report_due", "schedule": 3600.0},
    "open-work-orders": {"task": "cases.tasks.open_work_orders", "schedule": 60.0},
    # Daily at 02:30 office time: closed cases past their retention period (cases/core/retention.py).
    "anonymise-closed-cases": {"task": "cases.tasks.anonymise_closed_cases", "schedule": crontab(hour=2, minute=30)},
    # Expired sessions out of the database, nightly (Django's clearsessions).
    "clear-sessions": {"task": "cases.infra.tasks.clear_sessions", "schedule": crontab(hour=3, minute=17)},
    # Daily: the coming months' partitions of the audit trail and the notifications (cases/infra/partitions.py).
    "ensure-partitions": {"task": "cases.infra.tasks.ensure_partitions", "schedule": crontab(hour=1, minute=43)},
}
# /healthz also reports the Celery worker and beat (cases/infra/liveness.py): on by default in
# production, where they share Redis with the web server; off on the embedded stack.
HEALTH_CHECK_WORKERS = env.bool("HEALTH_CHECK_WORKERS", default=False)
# Several beat candidates may run; the one holding this lease in Redis sends the periodic tasks, a
# standby takes over when it has not been renewed for this long (cases/infra/beat_lock.py).
BEAT_LOCK_SECONDS = env.float("BEAT_LOCK_SECONDS", default=30.0)
# Beat notes a tick at least every 5 seconds; a worker a finished task (beat sends one a minute).
BEAT_STALE_SECONDS = env.int("BEAT_STALE_SECONDS", default=60)
WORKER_STALE_SECONDS = env.int("WORKER_STALE_SECONDS", default=180)
# How long the probe waits for a worker to answer a ping when it has finished no task lately.
WORKER_PING_SECONDS = env.float("WORKER_PING_SECONDS", default=1.0)
# A broker that is down must not hold up the request that queued a task: the outbox keeps the work.
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}
CELERY_BROKER_CONNECTION_TIMEOUT = 2

NATIONAL_SITE_GATEWAY = env.str("NATIONAL_SITE_GATEWAY", default="cases.repair.national_site.RecordingGateway")
MAX_MATERIAL_BYTES = env.int("MAX_MATERIAL_BYTES", default=10 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
SMS_BACKEND = env.str("SMS_BACKEND", default="notifications.sms.DatabaseSmsBackend")
# Embedded default only: how often an open browser's socket looks for new notifications.
NOTIFICATIONS_POLL_SECONDS = env.float("NOTIFICATIONS_POLL_SECONDS", default=2.0)
# How often an open socket checks that its session, account and roles still allow it (seconds);
# sign-out and account changes close it at once, this catches sessions ended any other way.
SOCKET_SESSION_CHECK_SECONDS = env.float("SOCKET_SESSION_CHECK_SECONDS", default=30.0)

# How long the intake worker lets work orders gather after a batch that was not full: a case
# opens this much later, and a burst is opened in fewer, larger batches (complaint_building).
INTAKE_GATHER_SECONDS = env.float("INTAKE_GATHER_SECONDS", default=0.3)
# How many sweeps of the deadlines beat's once-a-minute run starts at once (cases/supervision/tasks.py):
# they share the due deadlines in locked batches, so a backlog clears that many times faster where
# the sweep queue's workers have as many processes (Celery's --concurrency) and cores to spare.
SWEEP_PARALLEL = env.int("SWEEP_PARALLEL", default=1)
if SWEEP_PARALLEL < 1:
    raise ImproperlyConfigured(f"SWEEP_PARALLEL must be 1 or more, not {SWEEP_PARALLEL}")
# A new, correctly signed work order is kept on the server's event loop (cases/api/intake_fast.py;
# PostgreSQL and Redis only). Off: every POST takes the full way through answer_work_order.
INTAKE_QUICK_WAY = env.bool("INTAKE_QUICK_WAY", default=True)
# How long each process keeps the channels it has looked up (cases/complaint_intake.py).
CHANNEL_CACHE_SECONDS = env.float("CHANNEL_CACHE_SECONDS", default=5.0)
# The hash of new audit events (cases/audit_chain.py): "sha256", or "sm3" (GB/T 32905) where the
# deployment asks for the national algorithms. Each event records its own, so a change applies to
# new events only and the old ones still verify.
AUDIT_HASH_ALGORITHM = env.str("AUDIT_HASH_ALGORITHM", default="sha256")
if AUDIT_HASH_ALGORITHM not in ("sha256", "sm3"):
    raise ImproperlyConfigured(f'AUDIT_HASH_ALGORITHM must be "sha256" or "sm3", not {AUDIT_HASH_ALGORITHM!r}')

# The embedded default's local-memory cache is per process: fine for one web process (make run).
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]

LOG_LEVEL = env.str("LOG_LEVEL", default="INFO")
# One line a record with an ISO 8601 time and offset (config/logs.py): "text" for a terminal,
# "json" for the journal and log collectors (the production default).
LOG_FORMAT = env.str("LOG_FORMAT", default="text")
LOGGING = logging_config(LOG_FORMAT, LOG_LEVEL)

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="chengxin@localhost")
SERVER_EMAIL = env.str("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# The SMTP relay (with EMAIL_BACKEND=django.core.mail.backends.smtp.EmailBackend).
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
# The address people open from e-mail and SMS links.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Binding an account to an entity by a one-time code to its mobile number on record (实名认证).
IDENTITY_CODE_MINUTES = env.int("IDENTITY_CODE_MINUTES", default=10)
IDENTITY_CODE_ATTEMPTS = env.int("IDENTITY_CODE_ATTEMPTS", default=5)
IDENTITY_CODE_SENDS_PER_HOUR = env.int("IDENTITY_CODE_SENDS_PER_HOUR", default=3)
IDENTITY_CODE_SENDS_PER_HOUR_PER_ENTITY = env.int("IDENTITY_CODE_SENDS_PER_HOUR_PER_ENTITY", default=6)

# Sign-in through the province's unified identity platform (OpenID Connect; cases/platform_login.py).
# Off unless the client and the endpoints are given. The claim names are the platform's own.
OIDC_RP_CLIENT_ID = env.str("OIDC_RP_CLIENT_ID", default="")
OIDC_RP_CLIENT_SECRET = env.str("OIDC_RP_CLIENT_SECRET", default="")
OIDC_OP_ISSUER = env.str("OIDC_OP_ISSUER", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("OIDC_OP_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("OIDC_OP_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("OIDC_OP_USER_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("OIDC_OP_JWKS_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env.str("OIDC_RP_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("OIDC_RP_SCOPES", default="openid profile")
OIDC_USE_PKCE = env.bool("OIDC_USE_PKCE", default=True)
OIDC_TIMEOUT = env.float("OIDC_TIMEOUT", default=10.0)
OIDC_CLAIM_ID_NUMBER = env.str("OIDC_CLAIM_ID_NUMBER", default="id_number")
OIDC_CLAIM_ENTITY_KIND = env.str("OIDC_CLAIM_ENTITY_KIND", default="entity_kind")
OIDC_CLAIM_ENTITY_NAME = env.str("OIDC_CLAIM_ENTITY_NAME", default="entity_name")
OIDC_CLAIM_FULL_NAME = env.str("OIDC_CLAIM_FULL_NAME", default="name")
OIDC_CLAIM_ROLE = env.str("OIDC_CLAIM_ROLE", default="")
OIDC_ENTERPRISE_KIND_VALUES = env.list("OIDC_ENTERPRISE_KIND_VALUES", default=["enterprise"])
OIDC_PERSON_KIND_VALUES = env.list("OIDC_PERSON_KIND_VALUES", default=["person"])
OIDC_LEGAL_REPRESENTATIVE_VALUES = env.list("OIDC_LEGAL_REPRESENTATIVE_VALUES", default=["legal_representative"])
OIDC_ENABLED = bool(OIDC_RP_CLIENT_ID and OIDC_OP_AUTHORIZATION_ENDPOINT and OIDC_OP_TOKEN_ENDPOINT)
LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?platform=failed"
if OIDC_ENABLED:
    AUTHENTICATION_BACKENDS = [*AUTHENTICATION_BACKENDS, "cases.accounts.platform_login.PlatformBackend"]
