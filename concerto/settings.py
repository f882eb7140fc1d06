"""Concerto settings: one module, configured by environment variables (12-factor).

Every value has a safe default for the local demo. In production set at least
CONCERTO_SECRET_KEY (or CONCERTO_SECRET_KEY_FILE), CONCERTO_DEBUG=0, CONCERTO_ALLOWED_HOSTS,
DATABASE_URL and REDIS_URL.
"""

import os
from pathlib import Path

import dj_database_url
import xstatic.pkg.leaflet
import xstatic.pkg.leaflet_markercluster
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    """Read NAME, or the content of the file named by NAME_FILE (for secrets)."""
    file_path = os.environ.get(f"{name}_FILE")
    if file_path:
        return Path(file_path).read_text().strip()
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    return env(name, "1" if default else "0").lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("CONCERTO_DEBUG", True)
SECRET_KEY = env("CONCERTO_SECRET_KEY", "insecure-demo-key-change-me-in-production" if DEBUG else "")
if not SECRET_KEY:
    raise RuntimeError("CONCERTO_SECRET_KEY (or CONCERTO_SECRET_KEY_FILE) must be set when DEBUG is off")
ALLOWED_HOSTS = [h for h in env("CONCERTO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in env("CONCERTO_CSRF_TRUSTED_ORIGINS", "").split(",") if o]
# The address in emails and iCalendar links; `make run` sets it from its HOST and PORT unless it is set already.
SITE_URL = env("CONCERTO_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # Before allauth: its template overrides and French wordings must win.
    "concerto.core.accounts",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "django_tasks_db",
    "ninja",
    # The kernel.
    "concerto.core",
    "concerto.core.territory",
    "concerto.core.audit",
    "concerto.core.spaces",
    "concerto.core.participation",
    "concerto.core.backoffice",
    # Components: each registers a manifest (see concerto/core/registry.py).
    "concerto.components.news",
    "concerto.components.consultations",
    "concerto.components.proposals",
    "concerto.components.budgets",
    "concerto.components.events",
    "concerto.components.reports",
    # Read-only consumers of the components.
    "concerto.api",
    # Demo data (`manage.py load_demo`).
    "concerto.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "concerto.core.accounts.middleware.SecondFactorMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "concerto.core.territory.middleware.OrganisationMiddleware",
]

ROOT_URLCONF = "concerto.urls"
WSGI_APPLICATION = "concerto.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "concerto" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "concerto.core.context_processors.site",
            ],
        },
    },
]

# SQLite (WAL) by default, PostgreSQL through DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'concerto.sqlite3'}"),
        conn_max_age=int(env("CONCERTO_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": None}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background work: Django's tasks API; the database backend by default, a worker runs
# `manage.py db_worker`. CONCERTO_TASKS_IMMEDIATE=1 runs tasks in-process (tests, debugging).
if env_bool("CONCERTO_TASKS_IMMEDIATE", False):
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"

# django-allauth: login by email, email confirmation, TOTP for staff.
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env("CONCERTO_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Concerto] "
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Concerto"
ACCOUNT_ADAPTER = "concerto.core.accounts.adapter.AccountAdapter"
if env_bool("CONCERTO_DISABLE_RATE_LIMITS", False):
    ACCOUNT_RATE_LIMITS = False

EMAIL_BACKEND = env("CONCERTO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# Text messages with verification codes: a dotted path to a backend class (see accounts/verification.py); the
# default writes them to the log, as the console email backend does.
CONCERTO_SMS_BACKEND = env("CONCERTO_SMS_BACKEND", "concerto.core.accounts.verification.codes.LogSmsBackend")
# Send limits (concerto/core/ratelimit.py): on by default; behind reverse proxies, how many of them there are,
# so that the sender's address is read from X-Forwarded-For.
CONCERTO_RATE_LIMITS_ENABLED = env_bool("CONCERTO_RATE_LIMITS_ENABLED", True)
CONCERTO_TRUSTED_PROXIES = int(env("CONCERTO_TRUSTED_PROXIES", "0") or 0)
DEFAULT_FROM_EMAIL = env("CONCERTO_DEFAULT_FROM_EMAIL", "Concerto <ne-pas-repondre@concerto.localhost>")
EMAIL_HOST = env("CONCERTO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("CONCERTO_EMAIL_PORT", "25"))

# French first, English second.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "concerto" / "locale"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
# Leaflet and its clustering plugin come from PyPI (XStatic packages) and are served by us: no CDN.
STATICFILES_DIRS = [
    BASE_DIR / "concerto" / "static",
    ("leaflet", xstatic.pkg.leaflet.BASE_DIR),
    ("leaflet-markercluster", xstatic.pkg.leaflet_markercluster.BASE_DIR),
]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("CONCERTO_MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
# Uploaded images are checked (type, size, dimensions) in concerto.core.uploads.
CONCERTO_MAX_IMAGE_BYTES = 5 * 1024 * 1024

# Maps: a tile server is a third party that sees every visitor, so there is none by default and maps
# draw the communes' boundaries instead. Set a URL template ({z}/{x}/{y}) of a server you trust or run.
CONCERTO_MAP_TILES_URL = env("CONCERTO_MAP_TILES_URL", "")
CONCERTO_MAP_ATTRIBUTION = env("CONCERTO_MAP_ATTRIBUTION", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("CONCERTO_LOG_LEVEL", "WARNING")},
}
