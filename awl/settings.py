"""Settings for the AWL membership and conference-governance system.

Every value that differs between a laptop and production comes from the
environment, read through the helpers in ``awl.env`` that refuse bad
values. The defaults are the embedded ones ``make run`` uses: a private
PostgreSQL server and a filesystem broker under ``var/``, mail to the console.
"""

from __future__ import annotations

import secrets
import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

from awl import embedded_db
from awl.env import (
    envbool,
    envbroker,
    envcache,
    envdatabase,
    envemail,
    envfloat,
    envint,
    envlist,
    envrate,
    envstr,
)

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(envstr("AWL_VAR_DIR") or BASE_DIR / "var")

DEBUG = envbool("DEBUG", False)

# Management commands that sign nothing, so they run without a key (Django still
# refuses any use of an empty one): those that only read the models and migrations,
# and count_election, which reads BLT files and needs no database either.
_OFFLINE_COMMANDS = {"makemigrations", "showmigrations", "sqlmigrate", "help", "version", "count_election"}
_offline = Path(sys.argv[0]).name == "manage.py" and sys.argv[1:2] and sys.argv[1] in _OFFLINE_COMMANDS

SECRET_KEY = envstr("SECRET_KEY") or ""
if not SECRET_KEY and not (not DEBUG and _offline):
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    # Debug only: a random key made once per checkout and kept under var/, so
    # that the web, worker and beat processes agree and sessions survive restarts.
    _key_file = VAR_DIR / "dev-secret-key"
    if not _key_file.exists():
        _key_file.parent.mkdir(parents=True, exist_ok=True)
        _key_file.write_text(secrets.token_urlsafe(50))
    SECRET_KEY = _key_file.read_text().strip()

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
# The absolute base of every link in every e-mail and feed; unset, http://127.0.0.1:$PORT, where
# `make run` serves.
SITE_URL = (envstr("SITE_URL") or f"http://127.0.0.1:{envint('PORT', 8000, minimum=1)}").rstrip("/")
# The name the sites record takes (allauth's mails greet "Hello from ..."); awl.sites sets it.
AWL_ORGANISATION_NAME = (envstr("AWL_ORGANISATION_NAME") or "AWL").strip()
if len(AWL_ORGANISATION_NAME) > 50:
    raise ImproperlyConfigured("AWL_ORGANISATION_NAME must be at most 50 characters (the sites record's)")

INSTALLED_APPS = [
    "awl.admin_apps.AdminConfig",  # django.contrib.admin behind the site's login and second factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.humanize",
    "django.contrib.postgres",  # ArrayField: a ballot's ranking is one array column
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "rules.apps.AutodiscoverRulesConfig",
    "awl",
    "members",
    "committees",
    "dayschools",
    "conference",
]
# The demo data and its seed_demo command are a development app: installed where seed_demo runs
# (`make run` and `make bench` set AWL_DEMO, the tests' settings too), never in production.
AWL_DEMO = envbool("AWL_DEMO", DEBUG)
if AWL_DEMO:
    INSTALLED_APPS.append("demo")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "awl.middleware.NoStoreForSignedInMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "awl.middleware.RequireOfficerTwoFactorMiddleware",
]

ROOT_URLCONF = "awl.urls"
WSGI_APPLICATION = "awl.wsgi.application"
SITE_ID = 1

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
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------
# PostgreSQL only. Unset, DATABASE_URL means the embedded server that `make run`
# starts under var/ (awl.embedded_db); production and CI name their own server.
DATABASES = {"default": envdatabase("DATABASE_URL", embedded_db.url(VAR_DIR))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -----------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "dashboard"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = "username"
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[AWL] "
ACCOUNT_ADAPTER = "awl.accounts.AccountAdapter"  # its mails link to SITE_URL, as every other mail does
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "confirm_email": "1/3m/key",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "AWL"
# National office and officers must have TOTP before they use the site.
AWL_OFFICER_MFA_REQUIRED = envbool("AWL_OFFICER_MFA_REQUIRED", not DEBUG)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- Membership rules -----------------------------------------------------------
# Days after "paid up to" during which a member is still in good standing.
AWL_DUES_GRACE_DAYS = envint("AWL_DUES_GRACE_DAYS", 60, minimum=0)
# Days before lapsing that the warning e-mail goes out.
AWL_LAPSE_WARNING_DAYS = envint("AWL_LAPSE_WARNING_DAYS", 14, minimum=1)
# Lapsed/resigned members and contacts older than this are listed for review.
AWL_RETENTION_DAYS = envint("AWL_RETENTION_DAYS", 730, minimum=1)

# --- Retention: what the daily job (awl.tasks.run_retention) anonymises, and after how long ---------
# Access, dietary and childcare needs given with a conference registration: days after it ends.
AWL_RETAIN_CONFERENCE_NEEDS_DAYS = envint("AWL_RETAIN_CONFERENCE_NEEDS_DAYS", 30, minimum=0)
# Day-school bookings by guests (not members): days after the event.
AWL_RETAIN_GUEST_BOOKINGS_DAYS = envint("AWL_RETAIN_GUEST_BOOKINGS_DAYS", 730, minimum=1)
# The bodies (and attachments) of e-mail sent or given up on: days after it was written.
AWL_RETAIN_SENT_MAIL_DAYS = envint("AWL_RETAIN_SENT_MAIL_DAYS", 90, minimum=1)
# Organisers' follow-up notes about people met at events: days after the note.
AWL_RETAIN_FOLLOW_UP_DAYS = envint("AWL_RETAIN_FOLLOW_UP_DAYS", 730, minimum=1)
# The details of audit entries (who did what stays; the particulars go): days after the entry.
AWL_RETAIN_AUDIT_DETAIL_DAYS = envint("AWL_RETAIN_AUDIT_DETAIL_DAYS", 2190, minimum=1)

# --- Committees -------------------------------------------------------------------
# The largest paper (in bytes) a secretary may attach to an agenda item.
PAPER_MAX_BYTES = envint("PAPER_MAX_BYTES", 10 * 1024 * 1024, minimum=1)

# --- Day schools ------------------------------------------------------------------
# Posts to the public booking form that one client address may make per period ("10/h": ten an hour,
# "5/15m": five in fifteen minutes); over it, the form answers 429. Counted in the default cache.
DAYSCHOOL_BOOKING_RATE = envrate("DAYSCHOOL_BOOKING_RATE", "10/h")

# --- Internationalisation -----------------------------------------------------
LANGUAGE_CODE = "en-gb"
TIME_ZONE = envstr("TIME_ZONE") or "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files ---------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Uploads (committee papers) are served only by views that check who may see them: no MEDIA_URL.
MEDIA_ROOT = VAR_DIR / "media"
WHITENOISE_USE_FINDERS = DEBUG

# --- Mail ---------------------------------------------------------------------
MAILERS = {"default": envemail("EMAIL_URL", "console://", file_path=str(VAR_DIR / "mail"))}
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL") or "AWL <office@awl.example>"
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Cache (rate limits) ------------------------------------------------------------
CACHES = envcache("CACHE_URL")

# --- Celery -----------------------------------------------------------------------
CELERY_BROKER_URL = envbroker("CELERY_BROKER_URL", "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
        # An idle worker looks for new files this often (kombu's default, 1 s, caps it at about one
        # task a second); a look is one directory listing, so a short interval costs next to nothing.
        "polling_interval": envfloat("CELERY_FILESYSTEM_POLLING_INTERVAL", 0.01, minimum=0.001),
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# --- Security -------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", not DEBUG)
if envbool("AWL_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
}

# --- Benchmarks -------------------------------------------------------------------
# Enables /bench/baseline, the constant view every benchmark is compared to.
AWL_BENCH = envbool("AWL_BENCH", False)

# --- Logging: structured JSON lines on stdout ------------------------------------
LOG_LEVEL = (envstr("LOG_LEVEL") or "INFO").upper()
if LOG_LEVEL not in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}:
    raise ImproperlyConfigured(
        f"LOG_LEVEL must be DEBUG, INFO, WARNING, ERROR or CRITICAL, not {LOG_LEVEL!r}"
    )
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "stdout": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stdout"}
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django.request": {"level": "WARNING"},
    },
}
