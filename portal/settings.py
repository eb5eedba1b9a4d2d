"""Settings for Belediye–STK İş Birliği Portalı, read from the environment.

DJANGO_DEBUG is off unless set; without it DJANGO_SECRET_KEY is required. DATABASE_URL selects
PostgreSQL (or anything dj-database-url understands); the default is an embedded SQLite file.
"""

import importlib.util
import os
import sys
import tempfile
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG")
TESTING = env_bool("DJANGO_TESTING") or "pytest" in sys.modules

# Without DJANGO_SECRET_KEY and DJANGO_DEBUG the key stays empty: commands that sign nothing
# (migrate, makemigrations, check, createcachetable) still run on a fresh machine, but the app
# servers refuse to start (portal/wsgi.py, portal/asgi.py) and anything that signs (sessions,
# password-reset links) fails with Django's "The SECRET_KEY setting must not be empty".
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY and (DEBUG or TESTING):
    SECRET_KEY = "insecure-development-key-only-for-debug-and-tests"  # noqa: S105 (debug and tests only)

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if (DEBUG or TESTING) else ""
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "portal",
    "municipalities",
    "ngos",
    "members",
    "surveys",
    "cooperation",
    "reports",
    "events",
    "dashboard",
    "opendata",
    "api",
    "demo",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "django_htmx",
    "template_partials",
    "rules.apps.AutodiscoverRulesConfig",
    "csp",
    # django-ninja: the JSON API (api/), and the Swagger UI files of its docs page.
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # /api/ only: drops cookies before the session middleware, tokens, rate limits, CORS,
    # conditional GET and JSON errors (api/middleware.py).
    "api.middleware.ApiMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "api.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "portal.audit.AuditContextMiddleware",
    "portal.duties.AccountDutiesMiddleware",
    "portal.middleware.PrivatePagesMiddleware",
]

ROOT_URLCONF = "portal.urls"

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
                "portal.context_processors.navigation",
            ],
        },
    },
]

# Django's renderer with <select> written in Python (portal/form_renderer.py).
FORM_RENDERER = "portal.form_renderer.FormRenderer"

# The inbox's covering index (surveys.Expectation) has non-key columns, which PostgreSQL uses
# and SQLite ignores: a plain index there, as intended.
SILENCED_SYSTEM_CHECKS = ["models.W040"]

WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

DATABASES = {
    # An empty DATABASE_URL counts as unset: the embedded SQLite file.
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
# A read replica for the reports (see portal/db_router.py and "Scaling out" in the README).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"],
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["portal.db_router.ReplicaRouter"]
    MIDDLEWARE.append("portal.db_router.ReportReadsMiddleware")
# SQLite (make run, a small single-server install) written by several workers at once. A view
# that reads, then writes inside a transaction, would take SQLite's write lock only at its
# first write, and fail at once with "database is locked" when another writer got there first
# (waiting could not help: its snapshot is already stale). So every transaction takes the
# write lock when it begins (IMMEDIATE) and waits up to 20 s for it; in WAL mode readers never
# wait for the writer, nor the writer for them. synchronous=NORMAL is safe in WAL mode (a power
# cut may lose the last commits, never the file). See the README for when to use PostgreSQL.
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
}
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.sqlite3":
        _database["OPTIONS"] = {**SQLITE_OPTIONS, **_database.get("OPTIONS", {})}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "portal.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if TESTING:
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"

# django-allauth: email is the login; no usernames; verification is mandatory.
ACCOUNT_ADAPTER = "portal.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "portal.forms.account.SignupForm"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_RATE_LIMITS = {
    "change_password": "5/m/user",
    "manage_email": "10/m/user",
    "reset_password": "20/m/ip,5/m/key",
    "reauthenticate": "10/m/user",
    "reset_password_from_key": "20/m/ip",
    "signup": "20/m/ip",
    "login": "30/m/ip",
    # Per address, and per account from one address (portal/adapters.py: the key is the account
    # and the address), so that wrong passwords typed elsewhere do not lock the owner out ...
    "login_failed": "10/m/ip,5/5m/key",
    # ... with a ceiling per account over every address, against attacks from many addresses.
    "login_failed_account": "30/h/key",
    "confirm_email": "1/3m/key",
    # The portal's own actions (portal/ratelimits.py): each mails other people or checks a
    # password.
    "join_request": "10/h/user",
    "invite": "30/h/user",
    "account_delete": "5/5m/user",
    # Public look-ups (portal.ratelimits.lookup_allowed): checking certificate codes by address.
    "certificate_verify": "30/m/ip",
}
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Belediye–STK] "
# Two-factor sign-in (allauth.mfa): an authenticator app (TOTP) with recovery codes, or a security
# key / passkey (WebAuthn; browsers allow it on HTTPS and on localhost). Coordinators, municipal
# managers and site administrators must set one up before anything else (portal/duties.py) unless
# PORTAL_REQUIRE_2FA=0; on by default whenever DEBUG is off (never in `make run`).
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes", "webauthn"]
MFA_TOTP_ISSUER = "Belediye–STK"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
MFA_PASSKEY_LOGIN_ENABLED = False
PORTAL_REQUIRE_2FA = env_bool("PORTAL_REQUIRE_2FA", not DEBUG and not TESTING)
# The owner of an account is emailed after this many failed log-ins within an hour.
LOGIN_FAILURE_ALERT = 5

# Behind N reverse proxies of our own (nginx: 1), each appending the address it saw to
# X-Forwarded-For, the client's address is the N-th entry from the right; everything left of it
# was written by the client and is ignored. 0 (no proxy, or one that is not ours): REMOTE_ADDR.
# Used by allauth's rate limits and by the audit log (portal.audit.client_ip). No
# ALLAUTH_TRUSTED_CLIENT_IP_HEADER: nginx's X-Forwarded-For is the one header both read.
TRUSTED_PROXY_COUNT = int(os.environ.get("DJANGO_TRUSTED_PROXY_COUNT", "0"))
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT

LANGUAGE_CODE = "tr"
LANGUAGES = [("tr", _("Turkish")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Istanbul"
# One date style per language (day, month name, year): portal/formats/.
FORMAT_MODULE_PATH = ["portal.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG or TESTING
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Every test client builds the middleware again: WhiteNoise would list the whole static root
# (1,200 files once `collectstatic` has run, 80 ms) each time. In tests it looks a file up when
# it is asked for.
if TESTING:
    WHITENOISE_AUTOREFRESH = True

# PORTAL_STORAGE=s3: attachments in an S3-compatible object store (AWS S3, MinIO, Ceph, …) through
# django-storages, which is then installed separately (README, "Files in an object store"). The
# bucket stays private: files are read by the portal and streamed through its download view.
if os.environ.get("PORTAL_STORAGE", "filesystem") == "s3":
    if importlib.util.find_spec("storages") is None:
        raise ImproperlyConfigured("PORTAL_STORAGE=s3 needs django-storages[s3] installed.")
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("AWS_LOCATION", ""),
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Mail: every message (the portal's, allauth's, Django's) is stored as a portal.OutgoingMail row
# in the sender's transaction and sent after commit by a task, with retries (portal/mail.py). The
# task sends through PORTAL_EMAIL_BACKEND: printed to the console while debugging, SMTP otherwise.
# (Django's test runner replaces EMAIL_BACKEND with its locmem outbox; the mail-queue tests put
# the queue back.)
EMAIL_BACKEND = "portal.mail.QueuedEmailBackend"
PORTAL_EMAIL_BACKEND = os.environ.get(
    "PORTAL_EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get(
    "DEFAULT_FROM_EMAIL", "Belediye–STK Portalı <noreply@localhost>"
)
SERVER_EMAIL = os.environ.get("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS")
EMAIL_TIMEOUT = 10

# Security: production defaults; DEBUG (make run) relaxes what plain HTTP on loopback needs.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SAMESITE = "Lax"
# Behind an HTTPS proxy in production. DJANGO_HTTPS=0 serves plain HTTP (a local trial of
# `make serve`); check --deploy then warns, as it should.
HTTPS = env_bool("DJANGO_HTTPS", True) and not (DEBUG or TESTING)
if HTTPS:
    SECURE_SSL_REDIRECT = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

# Content-Security-Policy (django-csp 4): nothing inline, nothing from elsewhere. Templates use
# static JS files and CSS classes; htmx runs with includeIndicatorStyles off (see base.html), and
# Bootstrap's JS only sets element.style through the CSSOM, which CSP allows.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

# Sessions: a working day and a half; closing the browser keeps the session unless allauth's
# "remember me" is unticked (ACCOUNT_SESSION_REMEMBER = None asks).
SESSION_COOKIE_AGE = 60 * 60 * 36
# With Redis shared by every server, sessions are read from it and written through to the
# database (which stays the record: a Redis restart logs nobody out). Without Redis the default
# cache is per process, where a cached session would outlive its log-out on the other workers:
# the database alone then.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if os.environ.get("REDIS_URL")
    else "django.contrib.sessions.backends.db"
)

# KVKK. The privacy notice (aydınlatma metni, templates/portal/privacy_notice.html) has a version:
# sign-up records that the person acknowledged it, and a new version asks everyone again at their
# next log-in (portal/duties.py). Change it whenever the notice's content changes.
PRIVACY_NOTICE_VERSION = "2026-12"
# Where people send requests under KVKK art. 11 (shown in the notice); set it in production.
PRIVACY_CONTACT_EMAIL = os.environ.get("PRIVACY_CONTACT_EMAIL", "")
# How long personal data is kept (days), deleted or anonymised by the daily purge
# (dashboard/retention.py). The privacy notice quotes these same values.
RETENTION_DAYS = {
    # Sign-ups whose email address was never confirmed (and who hold no role).
    "unverified_signups": int(os.environ.get("RETENTION_UNVERIFIED_SIGNUPS_DAYS", "14")),
    # Invitations that were never accepted, counted from their expiry.
    "expired_invitations": int(os.environ.get("RETENTION_EXPIRED_INVITATIONS_DAYS", "30")),
    # In-portal notifications.
    "notifications": int(os.environ.get("RETENTION_NOTIFICATIONS_DAYS", "365")),
    # Sent emails kept in the outbox (the record that a message went out).
    "sent_mail": int(os.environ.get("RETENTION_SENT_MAIL_DAYS", "90")),
    # Security records (the audit log and the export log): deleted after this many days.
    "audit": int(os.environ.get("RETENTION_AUDIT_DAYS", "730")),
}

# Size limits, chosen deliberately. The largest legitimate non-file body is the five-expectation
# submission form or a long event minutes text (well under 1 MB); 2.5 MB leaves room and refuses
# anything bigger with a 400 before it is parsed. Uploads (the NGO import CSV/XLSX) above 2.5 MB
# spill to a temporary file instead of memory; the import form limits their size itself.
# 1,000 fields covers the largest form (bulk assignment of a full inbox page, agenda formsets).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Reference data shipped with the project (see municipalities/data/README.md).
REFERENCE_DATA_DIR = BASE_DIR / "municipalities" / "data"

# A submitted expectation without a public answer after this many days is overdue.
REVIEW_OVERDUE_DAYS = int(os.environ.get("REVIEW_OVERDUE_DAYS", "30"))
# The reports' responsiveness league ranks only municipalities with at least this many cases.
# Report figures count the cases from a copy the task worker rebuilds every minute
# (reports/services/facts.py); a copy older than this many seconds is rebuilt before figures are
# computed from it. With a worker that only happens when it has stopped; without one (make run)
# the copy is rebuilt when it is a minute old. The tests set 0: rebuilt before every use.
REPORT_FACTS_MAX_AGE = int(
    os.environ.get("REPORT_FACTS_MAX_AGE", "60" if not os.environ.get("REDIS_URL") else "900")
)
REPORT_LEAGUE_MIN_CASES = int(os.environ.get("REPORT_LEAGUE_MIN_CASES", "5"))
# A coordinator may remind a municipality of its overdue cases once in this many hours.
REPORT_REMINDER_INTERVAL_HOURS = int(os.environ.get("REPORT_REMINDER_INTERVAL_HOURS", "72"))

# Uploaded files (attachments of cases, answers, NGO profiles and protocols: portal/attachments.py)
# are stored through the default storage. On the file system they live in MEDIA_ROOT, outside
# the static root, and there is no MEDIA_URL: they are never served as files, only streamed by
# the download view (/attachments/<id>/<name>), which checks who may see the owner.
MEDIA_ROOT = Path(os.environ.get("PORTAL_MEDIA_ROOT") or BASE_DIR / "media")
if TESTING and not os.environ.get("PORTAL_MEDIA_ROOT"):
    # Tests (and the demo they seed) never write into the project's media folder.
    MEDIA_ROOT = Path(tempfile.mkdtemp(prefix="portal-test-media-"))
# The largest attachment accepted, in bytes, and the most the attachments of one case (its
# conversation and its answers) may hold together.
ATTACHMENT_MAX_BYTES = int(os.environ.get("ATTACHMENT_MAX_BYTES", str(10 << 20)))
ATTACHMENT_CASE_MAX_BYTES = int(os.environ.get("ATTACHMENT_CASE_MAX_BYTES", str(50 << 20)))
# An image larger than this (width × height) is refused before it is decoded: 50 megapixels is
# more than any phone photo, and decoding one takes about 200 MB.
ATTACHMENT_MAX_PIXELS = int(os.environ.get("ATTACHMENT_MAX_PIXELS", "50000000"))
# The largest signed protocol document accepted, in bytes (a scanned PDF of a few pages).
PROTOCOL_DOCUMENT_MAX_BYTES = int(os.environ.get("PROTOCOL_DOCUMENT_MAX_BYTES", str(10 << 20)))
# Both sides of an active protocol are reminded this many days before it ends.
PROTOCOL_EXPIRY_REMINDER_DAYS = 30
# A programme's check-in opens this many hours before it starts (people arrive early) and closes
# at the end of its last day, Türkiye time (events.models.Event.checkin_window).
EVENT_CHECKIN_OPENS_HOURS_BEFORE = int(os.environ.get("EVENT_CHECKIN_OPENS_HOURS_BEFORE", "3"))

# Cache: local memory per process by default; Redis (shared by several app servers) when set.
# The report figures ("reports") are always shared by every worker and app server: in Redis, or
# else in a table of the database (created after every migrate, see portal/apps.py).
if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        },
        "reports": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            "KEY_PREFIX": "reports",
        },
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "reports": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "portal_report_cache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        },
    }

# Background work: Celery with Redis as the broker (portal/celery.py). Without REDIS_URL there is
# no broker and no worker: tasks run in-process when they are enqueued (``make run``, the tests).
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# An eager task that fails is logged and retried like a queued one would be, never raised into
# the request that enqueued it.
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
# A task is acknowledged when it has finished, not when it starts: a worker that dies mid-task
# (killed, out of memory, host lost) leaves it to another worker. Tasks are idempotent for this.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis redelivers an unacknowledged task after this long; longer than the longest task.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", str(60 * 60)))
}
# How often (seconds) a worker looks for such tasks (the worker-kill test makes it short).
if os.environ.get("CELERY_UNACKED_RESTORE_INTERVAL"):
    CELERY_BROKER_TRANSPORT_OPTIONS["unacked_restore_interval"] = float(
        os.environ["CELERY_UNACKED_RESTORE_INTERVAL"]
    )
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SOFT_TIME_LIMIT = int(os.environ.get("CELERY_TASK_SOFT_TIME_LIMIT", "300"))
CELERY_TASK_TIME_LIMIT = CELERY_TASK_SOFT_TIME_LIMIT + 60
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Periodic work (run by ``celery -A portal beat``; each task is run by a worker).
HEARTBEAT_SECONDS = 20
CELERY_BEAT_SCHEDULE = {
    # The cases as the reports count them, copied again (reports/services/facts.py).
    "refresh-case-facts": {
        "task": "reports.tasks.refresh_case_facts",
        "schedule": 60,
        # A refresh that waited longer than its period is superseded by the next one.
        "options": {"expires": 60},
    },
    "warm-reports": {
        "task": "reports.tasks.warm_reports",
        "schedule": crontab(minute=5),
    },
    "send-digests": {
        "task": "surveys.tasks.send_digests",
        # 07:30 in Türkiye, before the working day starts.
        "schedule": crontab(hour=7, minute=30),
    },
    "purge-expired-data": {
        "task": "dashboard.tasks.purge_expired_data",
        # 03:15 in Türkiye, when hardly anyone is at work.
        "schedule": crontab(hour=3, minute=15),
    },
    # Cooperation protocols: those past their end date expire, and both sides of those ending
    # within PROTOCOL_EXPIRY_REMINDER_DAYS are reminded once (just after midnight and at 06:45).
    "expire-protocols": {
        "task": "cooperation.tasks.expire_protocols",
        "schedule": crontab(hour=0, minute=20),
    },
    "protocol-expiry-reminders": {
        "task": "cooperation.tasks.send_protocol_expiry_reminders",
        "schedule": crontab(hour=6, minute=45),
    },
    "cooperation-deliveries-sweep": {
        # Calls for support whose delivery task was lost (a worker killed, Redis flushed).
        "task": "cooperation.tasks.deliveries_sweep",
        "schedule": 300,
    },
    # The open-data files (/open-data/), written again every night at 02:40 Türkiye time.
    "generate-open-data": {
        "task": "opendata.tasks.generate_open_data",
        "schedule": crontab(hour=2, minute=40),
    },
    # Attachment files left without a row by a rolled-back transaction, older than a day
    # (portal.attachments.attachment_orphans_delete); 04:10 Türkiye time.
    "delete-orphan-attachment-files": {
        "task": "portal.tasks.delete_orphan_attachment_files",
        "schedule": crontab(hour=4, minute=10),
    },
    "worker-heartbeat": {
        "task": "portal.tasks.heartbeat",
        "schedule": HEARTBEAT_SECONDS,
        # A heartbeat that waited in the queue longer than this says nothing: dropped.
        "options": {"expires": HEARTBEAT_SECONDS},
    },
}
# /readyz is 503 when no worker has written its heartbeat for this long (with REDIS_URL).
HEARTBEAT_MAX_AGE_SECONDS = 60

# --- Activations: SMS for calls for support (cooperation/services/sms.py) ---------------------
# The backend that sends an SMS: the console while debugging, an in-memory outbox in the tests,
# otherwise the HTTP gateway (POST JSON to SMS_GATEWAY_URL with a bearer token; see the module).
SMS_BACKEND = os.environ.get(
    "SMS_BACKEND",
    "cooperation.services.sms.LocmemBackend"
    if TESTING
    else "cooperation.services.sms.ConsoleBackend"
    if DEBUG
    else "cooperation.services.sms.HttpGatewayBackend",
)
SMS_GATEWAY_URL = os.environ.get("SMS_GATEWAY_URL", "")
SMS_GATEWAY_TOKEN = os.environ.get("SMS_GATEWAY_TOKEN", "")
SMS_SENDER = os.environ.get("SMS_SENDER", "BELEDIYESTK")
SMS_GATEWAY_TIMEOUT = float(os.environ.get("SMS_GATEWAY_TIMEOUT", "10"))
# Calls for support per delivery task (each task delivers its calls' in-app, e-mail and SMS).
CALL_DELIVERY_BATCH = int(os.environ.get("CALL_DELIVERY_BATCH", "50"))

# An NGO import of more checked rows than this is created by the task worker (the coordinator is
# told the outcome in the portal); smaller ones in the request, at once.
NGO_IMPORT_ROWS_IN_REQUEST = int(os.environ.get("NGO_IMPORT_ROWS_IN_REQUEST", "200"))

# The JSON API (api/): requests per minute per client, by token or else by address.
API_RATE_LIMIT_ANONYMOUS = int(os.environ.get("API_RATE_LIMIT_ANONYMOUS", "120"))
API_RATE_LIMIT_TOKEN = int(os.environ.get("API_RATE_LIMIT_TOKEN", "600"))
# The open-data files (opendata/): written by the nightly task, served by /open-data/. Unset:
# the folder open-data/ of MEDIA_ROOT.
OPEN_DATA_ROOT = os.environ.get("PORTAL_OPEN_DATA_ROOT") or None
