"""Base settings: everything shared; with DEBUG=true this is the development setup.

Configuration comes from the environment, using the ops guide's names where they fit Django.
With no database and no Redis configured it runs on SQLite and a local-memory cache
(the "embedded default"), so a fresh clone just runs.
"""

import os
from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from branch_courier import __version__
from branch_courier.settings.env import duration, env, flag, secret

BASE_DIR = Path(__file__).resolve().parent.parent.parent

ENVIRONMENT = env.str("ENVIRONMENT", default="development")
SERVICE_NAME = "branch-courier-app"
APP_VERSION = os.environ.get("APP_VERSION", __version__)

DEBUG = flag("DEBUG", False)
# SESSION_SECRET is the ops guide's name for the same thing.
SECRET_KEY = secret("SECRET_KEY") or secret("SESSION_SECRET") or "dev-only-insecure-key-change-me"
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
PORT = env.int("PORT", default=8000)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_prometheus",
    "axes",
    "csp",
    "branch_courier.core",
    "branch_courier.accounts",
    "audit",
    "packages_app",
    "inquiries_app",
    "outbox",
    "customers",
]

# Order matters; see ARCHITECTURE.md "Request path".
MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "branch_courier.core.middleware.RequestIdMiddleware",
    # Probes answer here, before sessions, auth, CSRF and audit are touched.
    "branch_courier.core.middleware.ProbeMiddleware",
    "branch_courier.core.middleware.SecurityHeadersMiddleware",
    # A cached public tracking hit is sent here too: it needs no session, user, CSRF or audit.
    "customers.middleware.CachedTrackingMiddleware",
    "branch_courier.core.sessions.ResilientSessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "branch_courier.accounts.middleware.SignedInUserMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "branch_courier.accounts.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "branch_courier.core.csp.StaticPolicyCSPMiddleware",
    "audit.middleware.AuditMiddleware",
    "axes.middleware.AxesMiddleware",
    # django-prometheus's, less the series nothing reads (core/metrics_middleware.py).
    "branch_courier.core.metrics_middleware.PrometheusAfterMiddleware",
]

ROOT_URLCONF = "branch_courier.urls"
WSGI_APPLICATION = "branch_courier.wsgi.application"

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
                "branch_courier.core.context_processors.app",
            ],
        },
    },
    {
        # The rows of the long lists only (branch_courier/jinja2_env.py).
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "NAME": "jinja2",
        "DIRS": [BASE_DIR / "jinja_templates"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "branch_courier.jinja2_env.environment"},
    },
]
# Form widgets through Jinja2 (the same HTML, drawn several times faster): core/form_renderer.py.
FORM_RENDERER = "branch_courier.core.form_renderer.JinjaFirstRenderer"

# --- Database -------------------------------------------------------------------------------
# DATABASE_URL wins; else DB_HOST (the ops guide's DB_* names) selects PostgreSQL; else SQLite.
DB_CONNECT_TIMEOUT = env.int("DB_CONNECT_TIMEOUT", default=3)
if os.environ.get("DATABASE_URL"):
    _db = env.db("DATABASE_URL")
elif os.environ.get("DB_HOST"):
    _db = {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": env.str("DB_HOST"),
        "PORT": env.int("DB_PORT", default=5432),
        "NAME": env.str("DB_NAME", default="branch_courier"),
        "USER": env.str("DB_USER", default="postgres"),
        "PASSWORD": secret("DB_PASSWORD", ""),
    }
else:
    _db = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": env.str("SQLITE_PATH", default=str(BASE_DIR / "db.sqlite3")),
    }
if "postgresql" in _db["ENGINE"]:
    # The prometheus wrapper counts queries and errors per connection.
    _db["ENGINE"] = "django_prometheus.db.backends.postgresql"
    _db.setdefault("OPTIONS", {})
    _db["OPTIONS"].setdefault("connect_timeout", DB_CONNECT_TIMEOUT)
    if os.environ.get("DB_SSL_MODE"):
        _db["OPTIONS"]["sslmode"] = env.str("DB_SSL_MODE")
    # Server-side binding lets psycopg prepare a statement after its 5th run on a connection, so
    # PostgreSQL reuses its plan: planning a query on `packages` (21 indexes) took 0.8-1.7 ms, more
    # than running it. Needs a direct connection or a pooler that keeps prepared statements
    # (PgBouncer 1.21+ with max_prepared_statements); DB_PREPARED_STATEMENTS=false turns it off.
    if env.bool("DB_PREPARED_STATEMENTS", default=True):
        _db["OPTIONS"].setdefault("server_side_binding", True)
        _db["OPTIONS"].setdefault("prepare_threshold", 5)  # Django turns psycopg's default off
    _db["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    _db["CONN_HEALTH_CHECKS"] = True
elif "sqlite" in _db["ENGINE"]:
    _db["ENGINE"] = "django_prometheus.db.backends.sqlite3"
    # WAL lets gunicorn's threads read while one writes; busy timeout instead of "locked" errors.
    _db.setdefault("OPTIONS", {})
    _db["OPTIONS"].setdefault("timeout", 20)
    _db["OPTIONS"].setdefault("transaction_mode", "IMMEDIATE")
    _db["OPTIONS"].setdefault("init_command", "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;")
DATABASES = {"default": _db}
USING_POSTGRES = "postgresql" in DATABASES["default"]["ENGINE"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (Redis when configured) ------------------------------------------------------------
REDIS_URL = secret("REDIS_URL")
REDIS_PASSWORD = secret("REDIS_PASSWORD")
CACHE_KEY_PREFIX = env.str("CACHE_KEY_PREFIX", default="bc")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django_prometheus.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
            "OPTIONS": {
                "CLIENT_CLASS": "django_redis.client.DefaultClient",
                "PASSWORD": REDIS_PASSWORD,
                # A Redis outage must not take pages or logins down: errors are ignored (and
                # logged); sessions fall back to the database. Short timeouts keep pages fast.
                "IGNORE_EXCEPTIONS": True,
                "SOCKET_CONNECT_TIMEOUT": env.float("REDIS_CONNECT_TIMEOUT", default=0.5),
                "SOCKET_TIMEOUT": env.float("REDIS_TIMEOUT", default=0.5),
            },
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django_prometheus.cache.backends.locmem.LocMemCache",
            "LOCATION": "branch-courier",
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        }
    }
DJANGO_REDIS_IGNORE_EXCEPTIONS = True
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
DJANGO_REDIS_LOGGER = "branch_courier.cache"

# --- Auth and sessions ------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, loading the user's branch in the same query (every page shows it).
    "branch_courier.accounts.backends.BranchUserBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Django's cached_db, reading a session and its signed-in user in one round trip.
SESSION_ENGINE = "branch_courier.accounts.session_store"
# The signed-in user and their branch are cached this long (0: off); a change drops them at once
# (branch_courier/accounts/user_cache.py).
AUTH_USER_CACHE_SECONDS = env.int("AUTH_USER_CACHE_SECONDS", default=60)
# JWT_EXPIRY is the ops guide's token lifetime; here it is the absolute session lifetime.
SESSION_ABSOLUTE_LIFETIME = duration("JWT_EXPIRY", "24h")
SESSION_IDLE_TIMEOUT = duration("SESSION_IDLE_TIMEOUT", "30m")
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_LIFETIME.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# --- Login throttling (django-axes) -----------------------------------------------------------
AXES_ENABLED = flag("AXES_ENABLED", True)
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = duration("AXES_COOLOFF", "15m")
# Username + IP together: one person guessing cannot lock everyone else out.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "429.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_CLIENT_IP_CALLABLE = "branch_courier.core.client_ip.client_ip"
AXES_VERBOSE = False
# How many reverse proxies (nginx, ingress) stand in front and append to X-Forwarded-For.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)

# --- Audit trail -----------------------------------------------------------------------------
# Rows older than this many days may be removed by `manage.py purge_audit_log --for-real`; on
# PostgreSQL the audit table's trigger enforces the same number (rewritten on every `migrate`).
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365)
if AUDIT_RETENTION_DAYS < 1:
    raise ImproperlyConfigured(f"AUDIT_RETENTION_DAYS={AUDIT_RETENTION_DAYS} must be at least 1")
# Page-view rows (one per signed-in request) are written in batches this often, a thread per
# worker (audit/page_views.py); 0 writes each at once. Domain records are never batched.
AUDIT_PAGE_VIEW_FLUSH_SECONDS = env.float("AUDIT_PAGE_VIEW_FLUSH_SECONDS", default=1.0)
# A request writes the batch itself once this many rows wait.
AUDIT_PAGE_VIEW_BATCH = env.int("AUDIT_PAGE_VIEW_BATCH", default=200)
if AUDIT_PAGE_VIEW_FLUSH_SECONDS < 0 or AUDIT_PAGE_VIEW_BATCH < 1:
    raise ImproperlyConfigured("AUDIT_PAGE_VIEW_FLUSH_SECONDS must be >= 0 and AUDIT_PAGE_VIEW_BATCH >= 1")

# --- Security headers -------------------------------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "accelerometer=(), gyroscope=(), magnetometer=(), interest-cohort=()"
)

# --- Static files -----------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

LANGUAGE_CODE = "en-us"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
# English only: without translation machinery every template variable and lazy string is cheaper.
USE_I18N = False
USE_TZ = True

# --- Health, metrics, partner services --------------------------------------------------------
TRACKING_SERVICE_URL = env.str("TRACKING_SERVICE_URL", default="")
NOTIFICATION_SERVICE_URL = env.str("NOTIFICATION_SERVICE_URL", default="")
PAYMENT_GATEWAY_URL = env.str("PAYMENT_GATEWAY_URL", default="")
EXTERNAL_HEALTH_TIMEOUT = env.float("EXTERNAL_HEALTH_TIMEOUT", default=2.0)
# Bearer tokens for the partners, if they want one (secrets: also *_FILE).
TRACKING_SERVICE_TOKEN = secret("TRACKING_SERVICE_TOKEN", "")
NOTIFICATION_SERVICE_TOKEN = secret("NOTIFICATION_SERVICE_TOKEN", "")
PAYMENT_GATEWAY_TOKEN = secret("PAYMENT_GATEWAY_TOKEN", "")
# Seconds per partner request (branch_courier/integrations); the card payment waits less.
PARTNER_TIMEOUT = env.float("PARTNER_TIMEOUT", default=5.0)
PAYMENT_TIMEOUT = env.float("PAYMENT_TIMEOUT", default=3.0)
# Partner services are reported by /health but do not make it 503 unless this says so.
HEALTH_REQUIRE_EXTERNAL = flag("HEALTH_REQUIRE_EXTERNAL", False)
METRICS_ALLOWED_NETWORKS = env.list("METRICS_ALLOWED_NETWORKS", default=["127.0.0.0/8", "::1/128"])
METRICS_TOKEN = secret("METRICS_TOKEN")
PROMETHEUS_EXPORT_MIGRATIONS = False

# --- Operations: backups and compliance (branch_courier/ops) ----------------------------------
BACKUP_DIR = env.str("BACKUP_DIR", default=str(BASE_DIR / "backups"))
BACKUP_KEEP_DAYS = env.int("BACKUP_KEEP_DAYS", default=7)
# s3://bucket/prefix/ — upload each backup set there (needs boto3: requirements-ops.txt).
BACKUP_S3_URL = env.str("BACKUP_S3_URL", default="")
# For S3-compatible storage that is not AWS (MinIO, Ceph...); AWS_* variables carry credentials.
BACKUP_S3_ENDPOINT_URL = env.str("BACKUP_S3_ENDPOINT_URL", default="")
# Batch jobs (backup, compliance) push their gauges here; pods of CronJobs are never scraped.
METRICS_PUSHGATEWAY_URL = env.str("METRICS_PUSHGATEWAY_URL", default="")
COMPLIANCE_TLS_TARGETS = env.list("COMPLIANCE_TLS_TARGETS", default=[])
COMPLIANCE_MAX_BACKUP_AGE = duration("COMPLIANCE_MAX_BACKUP_AGE", "26h")
COMPLIANCE_MAX_SUPERUSERS = env.int("COMPLIANCE_MAX_SUPERUSERS", default=3)
# --- Outbox: messages to partner services (docs/outbox.md) --------------------------------
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=12)
OUTBOX_BACKOFF_BASE_SECONDS = env.float("OUTBOX_BACKOFF_BASE_SECONDS", default=5.0)
OUTBOX_BACKOFF_MAX_SECONDS = env.float("OUTBOX_BACKOFF_MAX_SECONDS", default=3600.0)
# A claimed message whose worker vanished is due again after this long; longer than any send.
OUTBOX_LEASE_SECONDS = env.int("OUTBOX_LEASE_SECONDS", default=60)
OUTBOX_POLL_SECONDS = env.float("OUTBOX_POLL_SECONDS", default=1.0)
# /health reports externalServices.outbox DOWN when the oldest unfinished message is older.
OUTBOX_MAX_AGE = env.int("OUTBOX_MAX_AGE", default=900)
OUTBOX_METRICS_PORT = env.int("OUTBOX_METRICS_PORT", default=0)
OUTBOX_GAUGE_SECONDS = env.float("OUTBOX_GAUGE_SECONDS", default=15.0)
# Sent messages are kept this long (the package page shows its notices), then purge_outbox drops them.
OUTBOX_SENT_RETENTION_DAYS = env.int("OUTBOX_SENT_RETENTION_DAYS", default=90)
if OUTBOX_MAX_ATTEMPTS < 1 or OUTBOX_LEASE_SECONDS <= PARTNER_TIMEOUT:
    raise ImproperlyConfigured("OUTBOX_MAX_ATTEMPTS must be ≥ 1 and OUTBOX_LEASE_SECONDS > PARTNER_TIMEOUT")

# --- Customers: public tracking and notifications -------------------------------------------
# Requests per client IP per window on /track/ and /api/v1/track/, e.g. "60/m", "1000/h".
TRACK_RATE_LIMIT = env.str("TRACK_RATE_LIMIT", default="60/m")
TRACK_CACHE_SECONDS = env.int("TRACK_CACHE_SECONDS", default=60)
# Where customers reach the public tracking page (links in notices). Unset: https:// and the
# first ALLOWED_HOSTS name (http://…:PORT with DEBUG); see customers.notifications.public_base_url.
PUBLIC_BASE_URL = env.str("PUBLIC_BASE_URL", default="")
# Language of notification templates when the package does not say (NotificationTemplate.language).
NOTIFICATION_DEFAULT_LANGUAGE = env.str("NOTIFICATION_DEFAULT_LANGUAGE", default="en")
# Reminders go this many days before a ready package's hold date (Package.hold_until).
HOLD_REMINDER_DAYS = env.int("HOLD_REMINDER_DAYS", default=2)
# How many days a package waits at the destination counter before expire_holds sends it back.
HOLD_DAYS = env.int("HOLD_DAYS", default=14)
# The currency of fees, COD and the cash drawer (sent to the payment gateway).
CURRENCY = env.str("CURRENCY", default="USD")

# --- Feature flags (the ops guide's names) ----------------------------------------------------
ENABLE_REAL_TIME_TRACKING = flag("ENABLE_REAL_TIME_TRACKING", False)
ENABLE_ADVANCED_ANALYTICS = flag("ENABLE_ADVANCED_ANALYTICS", False)
ENABLE_EXPERIMENTAL_FEATURES = flag("ENABLE_EXPERIMENTAL_FEATURES", False)

# --- Logging: one JSON object per line on stdout ----------------------------------------------
LOG_LEVEL = env.str("LOG_LEVEL", default="info").upper()
LOG_DIR = env.str("LOG_DIR", default="")
_handlers = {
    "stdout": {
        "class": "logging.StreamHandler",
        "stream": "ext://sys.stdout",
        "formatter": "json",
        "filters": ["context"],
    },
}
if LOG_DIR:
    os.makedirs(LOG_DIR, exist_ok=True)
    for _name, _level in (("combined", "DEBUG"), ("error", "ERROR")):
        _handlers[_name] = {
            "class": "logging.handlers.WatchedFileHandler",
            "filename": os.path.join(LOG_DIR, f"{_name}.log"),
            "formatter": "json",
            "filters": ["context"],
            "level": _level,
        }
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "branch_courier.core.logging.ContextFilter"}},
    "formatters": {"json": {"()": "branch_courier.core.logging.JsonFormatter"}},
    "handlers": _handlers,
    "root": {"handlers": list(_handlers), "level": LOG_LEVEL},
    "loggers": {
        # Request lines from django.server / django.request duplicate our own; keep warnings.
        "django": {"level": "INFO", "propagate": True},
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "faker": {"level": "WARNING"},
    },
}

# --- Sentry (only with a DSN) -----------------------------------------------------------------
SENTRY_DSN = secret("SENTRY_DSN")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        integrations=[DjangoIntegration()],
        environment=ENVIRONMENT,
        release=os.environ.get("SENTRY_RELEASE", APP_VERSION),
        send_default_pii=False,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
CSRF_FAILURE_VIEW = "branch_courier.core.views.csrf_failure"

# --- Packages ---------------------------------------------------------------------------------
# UPU S10 tracking numbers: two service letters and the two-letter country code of the operator.
S10_SERVICE_LETTERS = env.str("S10_SERVICE_LETTERS", default="RB").upper()
S10_COUNTRY = env.str("S10_COUNTRY", default="US").upper()
# The dashboard flags packages that have waited in one status at the branch longer than this.
PACKAGES_WAITING_DAYS = env.int("PACKAGES_WAITING_DAYS", default=3)
# Dashboard counts are cached per branch this long; a package or inquiry change drops them at once.
BRANCH_FIGURES_CACHE_SECONDS = env.int("BRANCH_FIGURES_CACHE_SECONDS", default=30)
# The open branches the package page's dispatch select lists are cached this long (dropped at once
# when a branch is saved; packages_app/open_branches.py). 0 turns the cache off.
OPEN_BRANCHES_CACHE_SECONDS = env.int("OPEN_BRANCHES_CACHE_SECONDS", default=300)
# The package list's drawn results are cached per branch and query this long; a package change at
# the branch puts them out of reach at once (core/branch_pages.py).
BRANCH_PAGE_CACHE_SECONDS = env.int("BRANCH_PAGE_CACHE_SECONDS", default=30)

# --- Customer inquiries -----------------------------------------------------------------------
# A resolved inquiry may be reopened for this many days after its resolution.
INQUIRY_REOPEN_DAYS = env.int("INQUIRY_REOPEN_DAYS", default=14)
