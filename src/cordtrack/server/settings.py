"""Django settings for the CordTrack registry, read from the environment (see ``env.py``).

The environment is completed first from the local settings file (``var/cordtrack.env`` of the
checkout, or the file ``CORDTRACK_ENV_FILE`` names; ``envfile.py``), which ``make run`` writes with
generated keys and absolute paths: a variable set in the environment wins over the file.

Variables (all optional unless noted):

``CORDTRACK_SECRET_KEY``   required unless ``CORDTRACK_DEBUG`` is on: 32+ characters, 10+ different
``CORDTRACK_DEBUG``        1 for local development (never in production)
``CORDTRACK_DEMO``         1 allows ``load_demo`` to create the demo sites, users and patients
``CORDTRACK_DEMO_COHORT``  treated cohort patients per demo site that ``load_demo`` adds (400)
``CORDTRACK_PUBLISH_REGISTRY`` 1 shows the registry's own O/E on the public /expect/ page
                           (default: on in demo mode only); ``CORDTRACK_PUBLISH_MIN_PATIENTS``
                           the smallest group shown (default 20, at least 10)
``DATABASE_URL``           e.g. ``postgres://postgres@127.0.0.1:5432/cordtrack``; default SQLite
``CORDTRACK_VAR_DIR``      where the SQLite file and uploaded documents live (default ``var/`` of
                           the checkout, see ``envfile.project_root``)
``CORDTRACK_ALLOWED_HOSTS`` comma-separated (default ``127.0.0.1,localhost``)
``CORDTRACK_MAX_UPLOAD_MB`` largest accepted document (default 25)
``CORDTRACK_INQUIRY_RATE_LIMIT`` public inquiries (/inquire/) per client address per hour (5);
                           ``CORDTRACK_INQUIRY_SITE`` the site code receiving them (first site)
``CORDTRACK_SECURE_COOKIES`` default: on unless DEBUG
``CORDTRACK_DASHBOARD_FIGURES_SECONDS`` how long the dashboard's counts are reused (15; 0:
                           counted on every request); the page shows when they were counted
``CORDTRACK_EMAIL_HOST`` (``_PORT``, ``_USER``, ``_PASSWORD``, ``_TLS``, ``_FROM``): the SMTP
                           server the outbox sends through (default: files in var/mail in
                           demo or debug mode)
``CORDTRACK_SMS_BACKEND`` console, file (default in demo/debug mode: var/sms/), http (with
                           ``CORDTRACK_SMS_URL``, ``_ACCOUNT``, ``_TOKEN``, ``_FROM``,
                           ``_TIMEOUT`` seconds) or a dotted path; unset otherwise: no SMS
``CORDTRACK_REMINDER_OPENS_DAYS`` (7,1), ``CORDTRACK_REMINDER_CLOSES_DAYS`` (2),
``CORDTRACK_REMINDER_QUESTIONNAIRE_DAYS`` (3): when reminders are due (docs/reminders.md);
``CORDTRACK_PUBLIC_URL`` the address patients reach the portal at (for links in reminders)
``CORDTRACK_SSL_REDIRECT``, ``CORDTRACK_HSTS_SECONDS``, ``CORDTRACK_BEHIND_PROXY``: TLS deployment
``CORDTRACK_TRUSTED_PROXIES`` comma-separated addresses or networks of the proxies whose
                           ``X-Forwarded-For`` names the client (rate limits, lock-outs; none)
``CORDTRACK_AUDIT_KEY``    key sealing the audit trail (32+ characters, not the secret key);
                           required unless DEBUG or demo mode; ``CORDTRACK_AUDIT_PREVIOUS_KEYS``
                           comma-separated keys of older entries after a rotation
``CORDTRACK_AUDIT_ANCHORS_FILE`` where the trail's head is appended after each write
                           (default ``var/audit-anchors.jsonl``)
``CORDTRACK_LOG_FORMAT``   ``json`` (default outside debug mode) or ``plain``
``CORDTRACK_WORKER_BEAT_SECONDS`` (5), ``CORDTRACK_WORKER_STALE_SECONDS`` (30): worker
                           heartbeat, and when a silent worker's task runs again
``CORDTRACK_JOBS_CHUNK_ROWS`` (500) rows per checkpoint of an export job;
``CORDTRACK_JOBS_THROTTLE_SECONDS`` (0) a pause between its steps
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from . import envfile
from .clients import trusted as trusted_proxies
from .env import env_audit_key, env_bool, env_int, env_key, env_list, env_str

try:
    ENV_FILE = envfile.load()
except envfile.EnvFileError as exc:
    raise ImproperlyConfigured(str(exc)) from None

PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(env_str("CORDTRACK_VAR_DIR", str(envfile.default_var_dir()))).expanduser().resolve()

DEBUG = env_bool("CORDTRACK_DEBUG")
DEMO_MODE = env_bool("CORDTRACK_DEMO")
DEMO_COHORT_PER_SITE = env_int("CORDTRACK_DEMO_COHORT", 400, minimum=0)
# The public /expect/ page shows the registry's own O/E only when published (on in demo mode:
# synthetic patients only), and only for groups of at least this many patients.
EXPECT_PUBLISH_REGISTRY = env_bool("CORDTRACK_PUBLISH_REGISTRY", DEMO_MODE)
EXPECT_MIN_PATIENTS = env_int("CORDTRACK_PUBLISH_MIN_PATIENTS", 20, minimum=10)

# Outside debug mode the key is required and must not be weak (``cordtrack config init``
# generates it, and the audit key: see "Audit trail" below).
SECRET_KEY = env_key("CORDTRACK_SECRET_KEY", debug_default="insecure-debug-key" if DEBUG else None)

ALLOWED_HOSTS = env_list("CORDTRACK_ALLOWED_HOSTS", ("127.0.0.1", "localhost"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "cordtrack.server.audit",
    "cordtrack.server.accounts",
    "cordtrack.server.patients",
    "cordtrack.server.intake",
    "cordtrack.server.exams",
    "cordtrack.server.therapy",
    "cordtrack.server.safety",
    "cordtrack.server.followup",
    "cordtrack.server.monitoring",
    "cordtrack.server.signatures",
    "cordtrack.server.api",
    "cordtrack.server.interop",
    "cordtrack.server.reports",
    "cordtrack.server.expect",
    "cordtrack.server.outbox",
    "cordtrack.server.reminders",
    "cordtrack.server.consent",
    "django_tasks",
    "django_tasks_db",
    "cordtrack.server.jobs",
]

MIDDLEWARE = [
    # First: the request id every later log line carries, and the request's own log line.
    "cordtrack.server.requestlog.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files (hashed names, compressed) straight after the security headers (ADR 0035).
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the body; then outermost, so no-store covers every answer.
    "cordtrack.server.hygiene.RequestBodyLimit",
    "cordtrack.server.hygiene.NoStoreWhenSignedIn",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # The page's language: the user's choice, their patient record's, the cookie, the browser's
    # (languages.py, ADR 0043). Needs the user; before anything renders a page or a message.
    "cordtrack.server.languages.LanguageMiddleware",
    # Every read of patient data in the request: one audit entry (audit/reads.py, ADR 0031).
    "cordtrack.server.audit.reads.AuditReads",
    "django_otp.middleware.OTPMiddleware",
    "cordtrack.server.accounts.middleware.RequireOTPWhenEnrolled",
    "cordtrack.server.accounts.middleware.PatientsStayInThePortal",
    # A blinded outcome assessor's request: treatment rows hidden (ADR 0040).
    "cordtrack.server.blinding.BlindingMiddleware",
    # The assessor and the sponsor open their fence's routes only: 403 elsewhere, before any
    # view (ADR 0052).
    "cordtrack.server.fences.RouteFenceMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A write form's one-time token: a repeated post saves once (needs the user and messages).
    "cordtrack.server.formtokens.FormTokenMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, so that it sees the outcome of authentication (django-axes' requirement).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cordtrack.server.urls"
WSGI_APPLICATION = "cordtrack.server.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "cordtrack.server.accounts.context.memberships",
            ],
            "builtins": [
                "cordtrack.server.formtokens",
                "cordtrack.server.fences",
                "cordtrack.server.followup.names",
                "cordtrack.server.paths",
                "cordtrack.server.dateformats",
            ],
        },
    },
]

_default_db = f"sqlite:///{VAR_DIR / 'cordtrack.sqlite3'}"
DATABASES = {
    "default": dj_database_url.parse(env_str("DATABASE_URL", _default_db), conn_max_age=60)
}
if DATABASES["default"]["ENGINE"] not in (
    "django.db.backends.sqlite3",
    "django.db.backends.postgresql",
):
    raise ImproperlyConfigured("DATABASE_URL must be sqlite:// or postgres://")
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers wait for each other instead of failing; the audit chain relies on serialised appends.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    # SQLite creates the file but not its folder ("unable to open database file" otherwise).
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Authentication ---------------------------------------------------------------------------
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, reading the patient record with the user (accounts/backends.py, ADR 0060).
    "cordtrack.server.accounts.backends.AccountBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # staff: the patient list; a patient user: their portal
LOGOUT_REDIRECT_URL = "login"

# django-axes: lock a username+IP pair after 5 failures for 15 minutes.
AXES_FAILURE_LIMIT = env_int("CORDTRACK_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # its messages name usernames; ours carry ids only
# Lock-outs per client address, behind the trusted proxies as well (clients.py, ADR 0061).
AXES_CLIENT_IP_CALLABLE = "cordtrack.server.clients.address"
TRUSTED_PROXIES = env_list("CORDTRACK_TRUSTED_PROXIES")
trusted_proxies(TRUSTED_PROXIES)  # refused at start-up, naming the entry, if one is invalid

OTP_TOTP_ISSUER = "CordTrack"

# --- Cookies, CSRF, headers -------------------------------------------------------------------
_secure = env_bool("CORDTRACK_SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_SECURE = _secure
CSRF_COOKIE_SECURE = _secure
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = 8 * 3600
# The database store, its read compiled once per connection (accounts/sessions.py, ADR 0062).
SESSION_ENGINE = "cordtrack.server.accounts.sessions"
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SECURE_HSTS_SECONDS = env_int("CORDTRACK_HSTS_SECONDS", 0)
    SECURE_SSL_REDIRECT = env_bool("CORDTRACK_SSL_REDIRECT", False)
    if env_bool("CORDTRACK_BEHIND_PROXY"):  # only behind a proxy that sets this header itself
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# A load balancer probes /healthz over the private network, without TLS.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# /healthz: each a dotted path to a () -> (ok, detail) callable (cordtrack.server.health).
# HEALTH_CHECKS decide the status (503 when one fails); HEALTH_REPORTS are shown in the body only.
# The worker's heartbeat is a report: the worker pool is shared by every application server, so a
# silent worker must alert (monitoring reads the body) but not take every server out of the load
# balancer. CORDTRACK_HEALTH_REQUIRE_WORKER=1 makes it a check (a host that runs its own worker).
_WORKER_CHECK = "cordtrack.server.jobs.health.worker_heartbeat"
HEALTH_CHECKS = [
    "cordtrack.server.health.database",
    "cordtrack.server.health.migrations",
]
HEALTH_REPORTS = [_WORKER_CHECK]
if env_bool("CORDTRACK_HEALTH_REQUIRE_WORKER"):
    HEALTH_CHECKS, HEALTH_REPORTS = [*HEALTH_CHECKS, _WORKER_CHECK], []

# django-csp 4: nothing inline, nothing from other origins.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Files -----------------------------------------------------------------------------------
DOCUMENTS_DIR = VAR_DIR / "documents"
MAX_UPLOAD_BYTES = env_int("CORDTRACK_MAX_UPLOAD_MB", 25, minimum=1) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# The public inquiry form (/inquire/): submissions per client address per hour, and the site
# (code) that receives them (default: the first site).
INQUIRY_RATE_LIMIT = env_int("CORDTRACK_INQUIRY_RATE_LIMIT", 5, minimum=1)
INQUIRY_SITE = env_str("CORDTRACK_INQUIRY_SITE", "")
# Caches (ADR 0056). "default" is each process's memory (Django's default, kept: the registry
# figures of /expect/; nothing that must hold across processes, so not the public form's rate
# limit or its form tokens, which are in the database: ratelimit.py, Inquiry.form_token).
# "shared" is a table of the database, seen by every worker process and every app server: the
# dashboard's counts, computed once per site and blinding view and reused for
# DASHBOARD_FIGURES_SECONDS by everyone (the page says when they were counted). Its table is
# created by migration jobs 0002.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "shared": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "cordtrack_cache",
        "OPTIONS": {"MAX_ENTRIES": 5000},
    },
}
DASHBOARD_FIGURES_SECONDS = env_int("CORDTRACK_DASHBOARD_FIGURES_SECONDS", 15)
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
# `cordtrack manage collectstatic` writes each file under a name with its content's hash, and a
# gzip and Brotli copy; WhiteNoise serves them with a year's cache lifetime (ADR 0035). In debug
# mode the original names are used and no collecting is needed.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Background jobs (docs/adr/0034): django-tasks, its database backend, `cordtrack worker` ---
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
JOBS_DIR = VAR_DIR / "jobs"  # result files of jobs (exports), one folder per job
JOBS_POLL_SECONDS = 1  # an idle worker looks for tasks this often
JOBS_BEAT_SECONDS = env_int("CORDTRACK_WORKER_BEAT_SECONDS", 5, minimum=1)
# A worker silent this long is taken for lost: its running task is run again by another.
JOBS_WORKER_STALE_SECONDS = env_int("CORDTRACK_WORKER_STALE_SECONDS", 30, minimum=2)
JOBS_MAX_ATTEMPTS = 3  # a task whose worker was lost this many times is failed, not re-run
JOBS_CHUNK_ROWS = env_int("CORDTRACK_JOBS_CHUNK_ROWS", 500, minimum=1)  # rows per checkpoint
# A pause between the steps of a long job, to leave the database to interactive users.
try:
    JOBS_THROTTLE_SECONDS = float(env_str("CORDTRACK_JOBS_THROTTLE_SECONDS", "0"))
except ValueError:
    raise ImproperlyConfigured("CORDTRACK_JOBS_THROTTLE_SECONDS must be a number") from None
JOBS_RESULT_DAYS = 30  # finished task results are pruned after this many days
# An API retry with the same Idempotency-Key gets the first response back for this many days;
# after that the key is forgotten (the periodic prune job), as Stripe-style APIs do.
IDEMPOTENCY_KEY_DAYS = env_int("CORDTRACK_IDEMPOTENCY_DAYS", 7, minimum=1)

LANGUAGE_CODE = "en"
# The languages shipped for patient-facing pages (issue 17 item 1): English, Arabic (right to
# left), Hindi, Thai, Spanish. Names in their own script, as a picker shows them.
LANGUAGES = [
    ("en", "English"),
    ("ar", "العربية"),
    ("hi", "हिन्दी"),
    ("th", "ไทย"),
    ("es", "Español"),
]
# The catalogs (locale/<code>/LC_MESSAGES/django.po and the compiled .mo beside it), made by
# `make messages`; docs/languages.md. Dates and numbers follow the active language's formats.
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "cordtrack_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_SECURE = _secure
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- E-mail (sent from the outbox by `cordtrack outbox deliver`, never during a save) ---------
# With CORDTRACK_EMAIL_HOST: SMTP. Without it, in demo or debug mode, each message is a file in
# var/mail/; in production Django's default (SMTP on localhost:25), so an unconfigured server's
# messages stay in the outbox, retried and listed by `cordtrack outbox status`, never lost.
if env_str("CORDTRACK_EMAIL_HOST", ""):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = env_str("CORDTRACK_EMAIL_HOST")
    EMAIL_PORT = env_int("CORDTRACK_EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("CORDTRACK_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = env_str("CORDTRACK_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("CORDTRACK_EMAIL_TLS", True)
elif DEBUG or DEMO_MODE:
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = str(VAR_DIR / "mail")
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env_str("CORDTRACK_EMAIL_FROM", "cordtrack@localhost")

# --- Text messages and patient reminders (issue 17; docs/reminders.md, ADR 0046, 0047) ---------
# The SMS backend: console, file (var/sms/, the default in demo or debug mode), http (a
# Twilio-compatible REST API: CORDTRACK_SMS_URL, _ACCOUNT, _TOKEN, _FROM) or a dotted path.
# Unset in production: no text messages (reminders go by e-mail only).
SMS_BACKEND = env_str("CORDTRACK_SMS_BACKEND", "file" if DEBUG or DEMO_MODE else "")
SMS_FILE_PATH = str(VAR_DIR / "sms")
SMS_HTTP_URL = env_str("CORDTRACK_SMS_URL", "https://api.twilio.com")
SMS_HTTP_ACCOUNT = env_str("CORDTRACK_SMS_ACCOUNT", "")
SMS_HTTP_TOKEN = env_str("CORDTRACK_SMS_TOKEN", "")
SMS_FROM = env_str("CORDTRACK_SMS_FROM", "")
SMS_HTTP_TIMEOUT = float(env_int("CORDTRACK_SMS_TIMEOUT", 10, minimum=1))
# Where the links in reminders point (the portal as patients reach it).
PUBLIC_URL = env_str("CORDTRACK_PUBLIC_URL", "http://127.0.0.1:8000")


def _days(name: str, default: tuple[str, ...]) -> list[int]:
    try:
        days = sorted({int(d) for d in env_list(name, default)}, reverse=True)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be whole numbers of days, e.g. 7,1") from None
    if any(d < 0 or d > 365 for d in days):
        raise ImproperlyConfigured(f"{name}: each offset must be 0 to 365 days")
    return days


# Days before a visit's window opens, and before it closes, that a reminder is due.
REMINDER_OPENS_DAYS = _days("CORDTRACK_REMINDER_OPENS_DAYS", ("7", "1"))
REMINDER_CLOSES_DAYS = _days("CORDTRACK_REMINDER_CLOSES_DAYS", ("2",))
# Days before the next visit's window opens that unanswered questionnaires are reminded.
REMINDER_QUESTIONNAIRE_DAYS = env_int("CORDTRACK_REMINDER_QUESTIONNAIRE_DAYS", 3, minimum=0)

# --- Logging: ids and counts only -------------------------------------------------------------
# One JSON object a line (``CORDTRACK_LOG_FORMAT=json``, the default outside debug mode) or plain
# text; every line carries the request id (cordtrack.server.requestlog), none a query string.
LOG_FORMAT = env_str("CORDTRACK_LOG_FORMAT", "plain" if DEBUG else "json")
if LOG_FORMAT not in ("json", "plain"):
    raise ImproperlyConfigured(f"CORDTRACK_LOG_FORMAT={LOG_FORMAT!r} is not json or plain")
DEFAULT_EXCEPTION_REPORTER_FILTER = "cordtrack.server.logsafety.NoPatientDataReporterFilter"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "no_patient_data": {"()": "cordtrack.server.logsafety.StripQueryStrings"},
        "request_id": {"()": "cordtrack.server.requestlog.RequestIdFilter"},
    },
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": True,
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id", "no_patient_data"],
        }
    },
    "root": {"handlers": ["console"], "level": "INFO"},
    "loggers": {
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        # The development server logs each request itself (django.server).
        "cordtrack.request": {
            "handlers": ["console"],
            "level": "WARNING" if DEBUG else "INFO",
            "propagate": False,
        },
        "axes": {"handlers": ["console"], "level": "WARNING", "propagate": False},
        "pydicom": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        # The task runner logs each task's id and dotted path (never its arguments' values).
        "django_tasks": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}

# --- Audit trail: the key that seals it and the anchors kept outside the database (ADR 0029) ----
# CORDTRACK_AUDIT_KEY: 32+ random characters, kept out of the database and its backups (make run
# writes one into var/cordtrack.env). CORDTRACK_AUDIT_PREVIOUS_KEYS: comma-separated keys that
# sealed older entries, after a rotation. Without a key, DEBUG and demo mode seal with a public
# development key (a system check warns); production refuses to start.
from .audit.keys import DEV_KEY as _AUDIT_DEV_KEY  # noqa: E402

# The secret key's rule with more distinct characters, checked even in debug mode
# (env.env_audit_key): the audit key seals entries that must stay verifiable for years.
AUDIT_KEY = env_audit_key(
    "CORDTRACK_AUDIT_KEY", debug_default=_AUDIT_DEV_KEY if (DEBUG or DEMO_MODE) else None
)
if AUDIT_KEY == SECRET_KEY:
    raise ImproperlyConfigured("CORDTRACK_AUDIT_KEY must differ from CORDTRACK_SECRET_KEY")
AUDIT_PREVIOUS_KEYS = env_list("CORDTRACK_AUDIT_PREVIOUS_KEYS")
if (DEBUG or DEMO_MODE) and AUDIT_KEY != _AUDIT_DEV_KEY:
    # A demo database sealed before a key was set still verifies (demo data is synthetic).
    AUDIT_PREVIOUS_KEYS.append(_AUDIT_DEV_KEY)
# Where the head is appended after every transaction that wrote audit entries; `audit verify`
# reads it. Keep it on storage the database's administrators cannot rewrite (ADR 0029).
AUDIT_ANCHORS_FILE: Path | None = Path(
    env_str("CORDTRACK_AUDIT_ANCHORS_FILE", str(VAR_DIR / "audit-anchors.jsonl"))
).resolve()
