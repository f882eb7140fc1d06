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
    "concerto.core.accounts.admin_apps.AdminConfig",  # django.contrib.admin behind allauth's login and 2FA
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
    "allauth.socialaccount",
    "concerto.core.accounts.franceconnect",  # an allauth provider (login and resident verification)
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
    "concerto.core.accountability",
    "concerto.core.resources",

    "concerto.core.mobilisation",
    "concerto.core.jobs",
    "concerto.core.opendata",
    "concerto.core.comparison",
    "concerto.core.insights",
    "concerto.core.texts",
    "concerto.core.backoffice",
    # Components: each registers a manifest (see concerto/core/registry.py).
    "concerto.components.news",
    "concerto.components.consultations",
    "concerto.components.proposals",
    "concerto.components.budgets",
    "concerto.components.events",
    "concerto.components.reports",
    "concerto.components.questions",
    "concerto.components.polls",
    "concerto.components.opinions",
    # Chats: the dialogue engine and its transports (they reach components through the manifests only).
    "concerto.channels",
    # Read-only consumers of the components.
    "concerto.api",
    # Demo data (`manage.py load_demo`).
    "concerto.demo",
]

MIDDLEWARE = [
    # Monitoring (see the block "Monitoring" below): /sante/ answers before everything else; the request id,
    # request log and metrics wrap all the rest.
    "concerto.core.health.HealthCheckMiddleware",
    "concerto.core.middleware.RequestMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "concerto.core.security.SecurityHeadersMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The session's mark of the short link that brought the visitor, for the contributions ledger (core/attribution.py).
    "concerto.core.attribution.AttributionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Lag-tolerant reads to the replica, when there is one (after authentication: it asks who is signed in).
    "concerto.core.dbrouting.ReplicaReadsMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "concerto.core.accounts.middleware.SecondFactorMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "concerto.core.territory.middleware.OrganisationMiddleware",
    # DEBUG only (make run): the site's own 404 and 500 pages, not Django's technical ones (core/middleware.py).
    "concerto.core.middleware.SiteErrorPagesMiddleware",
]
# With DEBUG on, "site" shows the site's French error pages (the demo, `make run`); "technical" shows Django's.
CONCERTO_DEBUG_ERRORS = env("CONCERTO_DEBUG_ERRORS", "site")

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
# Vote day (docs/operations.md, "Vote day"). CONCERTO_DB_POOL="MIN:MAX" (or "MAX") gives each process a pool of
# PostgreSQL connections (Django's psycopg pool, psycopg-pool): a request borrows one and gives it back at its
# end, so a threaded server holds MAX connections per process instead of one per thread. It replaces
# CONCERTO_DB_CONN_MAX_AGE. CONCERTO_BALLOT_BOX_SECONDS: how long a process keeps a budget's ballot box (its
# settings, steps and costs) for casting ballots; the database checks it again with each ballot.
CONCERTO_DB_POOL = env("CONCERTO_DB_POOL", "")
if CONCERTO_DB_POOL and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    try:
        _pool_min, _sep, _pool_max = CONCERTO_DB_POOL.partition(":")
        _pool = {"min_size": int(_pool_min), "max_size": int(_pool_max or _pool_min), "timeout": 10}
    except ValueError:
        raise RuntimeError(f"CONCERTO_DB_POOL must be MIN:MAX or MAX, whole numbers: {CONCERTO_DB_POOL!r}") from None
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = _pool
CONCERTO_BALLOT_BOX_SECONDS = float(env("CONCERTO_BALLOT_BOX_SECONDS", "5"))
# The ballot fast lane (concerto/components/budgets/intake.py, listed by wsgi.py): API ballots that are
# surely accepted are answered in front of Django, everything else by Django. On by default with PostgreSQL
# (its one-statement ballot is what the lane runs), off on SQLite. CONCERTO_BALLOT_FAST_LANE=0 turns it off.
CONCERTO_BALLOT_FAST_LANE = env_bool("CONCERTO_BALLOT_FAST_LANE",
                                     DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql")
# The chat webhooks' fast lane (concerto/channels/lanes.py, listed by wsgi.py): Messenger's and Telegram's events
# the webhook view accepts are answered in front of Django's middleware. CONCERTO_WEBHOOK_FAST_LANE=0 turns it off.
CONCERTO_WEBHOOK_FAST_LANE = env_bool("CONCERTO_WEBHOOK_FAST_LANE", True)
# The quick polls' fast lane (concerto/components/polls/lane.py, listed by wsgi.py): API answers that are surely
# accepted are stored by one statement in front of Django. It runs on PostgreSQL (on SQLite it hands everything to
# Django). CONCERTO_POLL_FAST_LANE=0 turns it off.
CONCERTO_POLL_FAST_LANE = env_bool("CONCERTO_POLL_FAST_LANE", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    SESSION_ENGINE = "django.contrib.sessions.backends.cache"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# More than one machine (docs/operations.md, "Several machines"): a PostgreSQL streaming replica serves the reads
# that tolerate lag (anonymous visitors' pages, maps, exports); writes, transactions and a client's reads just
# after its own write stay on the primary (concerto/core/dbrouting.py). Without DATABASE_REPLICA_URL every query
# goes to the primary. The replica inherits the primary's options (connection age, pool...).
DATABASE_REPLICA_URL = env("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    _replica = dj_database_url.parse(DATABASE_REPLICA_URL)
    DATABASES["replica"] = {
        **DATABASES["default"],
        **{key: _replica[key] for key in ("NAME", "USER", "PASSWORD", "HOST", "PORT") if key in _replica},
        # A replica that does not answer is left aside quickly (its reads go to the primary).
        "OPTIONS": {**DATABASES["default"].get("OPTIONS", {}), "connect_timeout": 2},
        # A kept connection to a replica that died is found at the start of the next request, not by its view.
        "CONN_HEALTH_CHECKS": True,
        # Tests: the alias reads the test database itself.
        "TEST": {"MIRROR": "default"},
    }
DATABASE_ROUTERS = ["concerto.core.dbrouting.ReplicaRouter"]
# Seconds a client's reads stay on the primary after it wrote; seconds the replica is left aside after a failure.
CONCERTO_REPLICA_STICKY_SECONDS = int(env("CONCERTO_REPLICA_STICKY_SECONDS", "15"))
CONCERTO_REPLICA_RETRY_SECONDS = int(env("CONCERTO_REPLICA_RETRY_SECONDS", "10"))

# Background work: Django's tasks API; the database backend by default, a worker runs
# `manage.py db_worker`. CONCERTO_TASKS_IMMEDIATE=1 runs tasks in-process (tests, debugging).
if env_bool("CONCERTO_TASKS_IMMEDIATE", False):
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
else:
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# Background jobs (concerto.core.jobs, docs/operations.md "Background jobs"). The private folder holds their
# uploads and produced files; it must not be under the /media/ the proxy serves (empty: "private" next to it).
# A contribution is attributed to the short link (print kit, campaign) followed in the same browser less than this
# many days before (core/attribution.py says why a week).
CONCERTO_ATTRIBUTION_DAYS = int(env("CONCERTO_ATTRIBUTION_DAYS", "7"))
CONCERTO_EXPORT_JOB_ROWS = int(env("CONCERTO_EXPORT_JOB_ROWS", "5000"))
CONCERTO_JOB_STALE_AFTER = int(env("CONCERTO_JOB_STALE_AFTER", "900"))
CONCERTO_JOB_FILE_DAYS = int(env("CONCERTO_JOB_FILE_DAYS", "7"))
CONCERTO_JOB_PROGRESS_EVERY = float(env("CONCERTO_JOB_PROGRESS_EVERY", "1"))
CONCERTO_PRIVATE_ROOT = env("CONCERTO_PRIVATE_ROOT", "")
# Open data (concerto/core/opendata/refresh.py): seconds after a change before a dataset's files of the changed row's
# organisation are written again, and of the wider scopes (its territory, the Métropole: larger files).
CONCERTO_OPENDATA_REFRESH_SECONDS = int(env("CONCERTO_OPENDATA_REFRESH_SECONDS", "300"))
CONCERTO_OPENDATA_REFRESH_WIDE_SECONDS = int(env("CONCERTO_OPENDATA_REFRESH_WIDE_SECONDS", "3600"))

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
# Adds the required public name (pseudonym) to the sign-up form.
ACCOUNT_SIGNUP_FORM_CLASS = "concerto.core.accounts.forms.SignupForm"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env("CONCERTO_EMAIL_VERIFICATION", "mandatory")
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Concerto] "
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Concerto"
ACCOUNT_ADAPTER = "concerto.core.accounts.adapter.AccountAdapter"
if env_bool("CONCERTO_DISABLE_RATE_LIMITS", False):
    ACCOUNT_RATE_LIMITS = False

# FranceConnect (the State's identity federation): sign-in and resident verification, off unless a client
# id is set. CONCERTO_FRANCECONNECT_URL is the issuer: the integration platform for tests with FranceConnect,
# the production one once FranceConnect has validated the service (docs/operations.md).
SOCIALACCOUNT_ADAPTER = "concerto.core.accounts.adapter.SocialAccountAdapter"
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # the adapter decides which existing account may be linked
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_LOGIN_ON_GET = False  # a form posts to start the sign-in: no sign-in forced by a link
CONCERTO_FRANCECONNECT_CLIENT_ID = env("CONCERTO_FRANCECONNECT_CLIENT_ID", "")
CONCERTO_FRANCECONNECT_SECRET = env("CONCERTO_FRANCECONNECT_SECRET", "")
CONCERTO_FRANCECONNECT_URL = env("CONCERTO_FRANCECONNECT_URL", "https://fcp-low.integ01.dev-franceconnect.fr/api/v2")


def franceconnect_providers(client_id: str, secret: str, url: str) -> dict:
    """allauth's SOCIALACCOUNT_PROVIDERS for FranceConnect (empty, so off, without a client id)."""
    if not client_id:
        return {}
    return {"franceconnect": {"APPS": [{"client_id": client_id, "secret": secret, "settings": {
        "server_url": url.rstrip("/"), "token_auth_method": "client_secret_post"}}]}}


SOCIALACCOUNT_PROVIDERS = franceconnect_providers(CONCERTO_FRANCECONNECT_CLIENT_ID, CONCERTO_FRANCECONNECT_SECRET,
                                                  CONCERTO_FRANCECONNECT_URL)

# With DEBUG on (the demo, `make run`), e-mails are printed to the console and kept for the demo's inbox page,
# /demo/courriels/ (concerto/demo/mailbox.py), so a visitor can confirm their sign-up; never with DEBUG off.
EMAIL_BACKEND = env("CONCERTO_EMAIL_BACKEND", "concerto.demo.mailbox.EmailBackend" if DEBUG
                    else "django.core.mail.backends.console.EmailBackend")
# Text messages with verification codes: a dotted path to a backend class (see accounts/verification.py); the
# default writes them to the log, as the console email backend does.
CONCERTO_SMS_BACKEND = env("CONCERTO_SMS_BACKEND", "concerto.core.accounts.verification.codes.LogSmsBackend")
# Chat channels (concerto/channels, docs/architecture.md "Chat channels"). Messenger: one Meta app for every
# commune's page; its API base (a local fake in tests), app secret (checks X-Hub-Signature-256) and webhook
# verify token; the demo has defaults when DEBUG is on. CONCERTO_CHANNELS_HASH_KEY keys the HMAC that finds a
# person by their platform id; CONCERTO_CHANNELS_ENCRYPTION_KEY encrypts those ids and the page tokens (Fernet).
# Both default to values derived from SECRET_KEY; changing the encryption key loses what was encrypted.
CONCERTO_MESSENGER_API_URL = env("CONCERTO_MESSENGER_API_URL", "https://graph.facebook.com/v23.0")
CONCERTO_MESSENGER_APP_SECRET = env("CONCERTO_MESSENGER_APP_SECRET", "demo-messenger-app-secret" if DEBUG else "")
CONCERTO_MESSENGER_VERIFY_TOKEN = env("CONCERTO_MESSENGER_VERIFY_TOKEN", "demo-messenger-verify-token" if DEBUG else "")
CONCERTO_MESSENGER_RETRY_SECONDS = int(env("CONCERTO_MESSENGER_RETRY_SECONDS", "10"))
CONCERTO_CHANNELS_HASH_KEY = env("CONCERTO_CHANNELS_HASH_KEY", "chat-lookup:" + SECRET_KEY)
CONCERTO_CHANNELS_ENCRYPTION_KEY = env("CONCERTO_CHANNELS_ENCRYPTION_KEY", "chat-encryption:" + SECRET_KEY)
# Telegram and SMS transports (docs/architecture.md "Chat transports"). Telegram: the Bot API base (a local fake in
# tests); each commune's bot token and webhook secret_token are kept with its channel. SMS: the OVHcloud SMS API
# (concerto/core/sms.py), also usable as CONCERTO_SMS_BACKEND for verification codes; its application key, secret
# and consumer key sign each call; SERVICE is the SMS account (sms-xx12345-1). RETRY_SECONDS: first backoff.
CONCERTO_TELEGRAM_API_URL = env("CONCERTO_TELEGRAM_API_URL", "https://api.telegram.org")
CONCERTO_TELEGRAM_RETRY_SECONDS = int(env("CONCERTO_TELEGRAM_RETRY_SECONDS", "10"))
CONCERTO_SMS_API_URL = env("CONCERTO_SMS_API_URL", "https://eu.api.ovh.com/1.0")
CONCERTO_SMS_OVH_SERVICE = env("CONCERTO_SMS_OVH_SERVICE", "")
CONCERTO_SMS_OVH_APPLICATION_KEY = env("CONCERTO_SMS_OVH_APPLICATION_KEY", "")
CONCERTO_SMS_OVH_APPLICATION_SECRET = env("CONCERTO_SMS_OVH_APPLICATION_SECRET", "")
CONCERTO_SMS_OVH_CONSUMER_KEY = env("CONCERTO_SMS_OVH_CONSUMER_KEY", "")
CONCERTO_SMS_SENDER = env("CONCERTO_SMS_SENDER", "")
CONCERTO_SMS_RETRY_SECONDS = int(env("CONCERTO_SMS_RETRY_SECONDS", "10"))
# Send limits (concerto/core/ratelimit.py): on by default; behind reverse proxies, how many of them there are,
# so that the sender's address is read from X-Forwarded-For.
CONCERTO_RATE_LIMITS_ENABLED = env_bool("CONCERTO_RATE_LIMITS_ENABLED", True)
CONCERTO_TRUSTED_PROXIES = int(env("CONCERTO_TRUSTED_PROXIES", "0") or 0)
# Similar ideas (concerto/core/texts/similar.py): each process keeps a scope's index and asks its version at most
# every CHECK_SECONDS; a scope of up to SYNC_ROWS rows is fitted again in the request, a larger one in a background
# thread at most every REFIT_SECONDS; at most MAX_ROWS rows of indexes per process.
CONCERTO_SIMILAR_CHECK_SECONDS = float(env("CONCERTO_SIMILAR_CHECK_SECONDS", "5"))
CONCERTO_SIMILAR_REFIT_SECONDS = float(env("CONCERTO_SIMILAR_REFIT_SECONDS", "300"))
CONCERTO_SIMILAR_SYNC_ROWS = int(env("CONCERTO_SIMILAR_SYNC_ROWS", "5000"))
CONCERTO_SIMILAR_MAX_ROWS = int(env("CONCERTO_SIMILAR_MAX_ROWS", "1000000"))
DEFAULT_FROM_EMAIL = env("CONCERTO_DEFAULT_FROM_EMAIL", "Concerto <ne-pas-repondre@concerto.localhost>")
EMAIL_HOST = env("CONCERTO_EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("CONCERTO_EMAIL_PORT", "25"))

# French first, English second.
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
# locale_overrides first: the site's words where Django's or allauth's catalogue says otherwise ("Filtrer").
LOCALE_PATHS = [BASE_DIR / "concerto" / "locale_overrides", BASE_DIR / "concerto" / "locale"]
# French figures group thousands with the narrow no-break space U+202F (concerto/core/formats/fr/formats.py).
FORMAT_MODULE_PATH = ["concerto.core.formats"]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env("CONCERTO_STATIC_ROOT", str(BASE_DIR / "var" / "static")))
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

# Maps: the State's Plan IGN (IGN Géoplateforme, free, no key) under the communes' outlines. `none` draws the
# outlines only (an offline demo, or no third party at all); any XYZ template ({z}/{x}/{y}) of a server you
# trust or run works too. Its origin is added to the Content-Security-Policy's img-src (core/security.py).
IGN_PLAN_TILES_URL = (
    "https://data.geopf.fr/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=GEOGRAPHICALGRIDSYSTEMS.PLANIGNV2"
    "&STYLE=normal&TILEMATRIXSET=PM&FORMAT=image/png&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}"
)
CONCERTO_MAP_TILES_URL = env("CONCERTO_MAP_TILES_URL", IGN_PLAN_TILES_URL)
CONCERTO_MAP_ATTRIBUTION = env(
    "CONCERTO_MAP_ATTRIBUTION", "© IGN – Plan IGN" if CONCERTO_MAP_TILES_URL == IGN_PLAN_TILES_URL else ""
)
# Addresses (core/geocoding.py): the Base Adresse Nationale through the Géoplateforme, asked by the server only
# (<base>/search, <base>/reverse; api-adresse.data.gouv.fr or a self-hosted addok answer the same). `none`: off.
CONCERTO_GEOCODER_URL = env("CONCERTO_GEOCODER_URL", "https://data.geopf.fr/geocodage")
CONCERTO_GEOCODER_TIMEOUT = float(env("CONCERTO_GEOCODER_TIMEOUT", "2"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed names and compressed copies, served by WhiteNoise with a one-year cache; see the module for the
    # one reference it tolerates missing (a vendored package's unshipped source map).
    "staticfiles": {
        "BACKEND": "concerto.core.staticfiles.StaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- HTTPS, reverse proxy, cookies and security headers (docs/operations.md, "HTTPS behind a reverse proxy").
# Production defaults are the safe ones: HTTPS only, HSTS for a year, secure cookies. `manage.py check --deploy`
# is clean with them, except what SILENCED_SYSTEM_CHECKS below names, each with its reason.
#
# The proxy terminates TLS and talks plain HTTP to the application, which then cannot tell an HTTPS request
# from an HTTP one: CONCERTO_BEHIND_HTTPS_PROXY=1 makes it trust `X-Forwarded-Proto: https`. Only set it when
# every request goes through a proxy that sets (or removes) that header itself: anyone who could reach the
# application directly could otherwise claim HTTPS, and the HTTPS redirect and the Secure cookies' guarantee
# would rest on the client's word.
if env_bool("CONCERTO_BEHIND_HTTPS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Every plain-HTTP request is sent to its HTTPS address (a proxy that redirects itself may turn this off).
# Behind a TLS-terminating proxy, this needs CONCERTO_BEHIND_HTTPS_PROXY=1, or every request loops.
SECURE_SSL_REDIRECT = env_bool("CONCERTO_SSL_REDIRECT", not DEBUG)
# Except the health endpoint: load balancers ask each app server directly, in plain HTTP, and want its answer,
# not a redirect.
SECURE_REDIRECT_EXEMPT = [r"^sante/"]
# HSTS: browsers then refuse plain HTTP for that long. One year (what the preload list asks for) in production,
# 0 disables; it is sent on HTTPS responses only. includeSubDomains covers the host's own subdomains;
# preload is an operator's choice (hstspreload.org: hard to undo, covers the whole registrable domain).
SECURE_HSTS_SECONDS = int(env("CONCERTO_HSTS_SECONDS", "0" if DEBUG else "31536000") or 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("CONCERTO_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("CONCERTO_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = []
if not SECURE_HSTS_PRELOAD:
    # security.W021 ("SECURE_HSTS_PRELOAD is not True"): preloading is a request to the browsers' makers that
    # binds the whole domain, not a setting the application can decide for its operator: off unless asked.
    SILENCED_SYSTEM_CHECKS.append("security.W021")
# Cookies: sent over HTTPS only in production; the session cookie is out of scripts' reach (HttpOnly).
# SameSite=Lax keeps a person signed in when they follow a link from an email, and still keeps the cookies
# off other sites' forms; Strict is allowed.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("CONCERTO_SECURE_COOKIES", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = CSRF_COOKIE_SAMESITE = env("CONCERTO_COOKIE_SAMESITE", "Lax").capitalize()
if SESSION_COOKIE_SAMESITE not in {"Lax", "Strict"}:
    raise RuntimeError("CONCERTO_COOKIE_SAMESITE must be Lax or Strict")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# CSRF_TRUSTED_ORIGINS (CONCERTO_CSRF_TRUSTED_ORIGINS, read at the top) is needed only when the proxy changes
# the Host header: Django compares a form's Origin with the request's own scheme and host.
# --- end of HTTPS and reverse proxy
# Content-Security-Policy (concerto.core.security): sources added per directive, for instance
# "img-src https://media.example.org; connect-src https://stats.example.org"; and where browsers report
# what the policy blocked (none by default).
# Web push (docs/architecture.md, "Web push"): the VAPID key pair's private half (base64url of the raw 32-byte
# P-256 key) and the contact the push services may write to. Unset with DEBUG off: push is off.
CONCERTO_VAPID_PRIVATE_KEY = env("CONCERTO_VAPID_PRIVATE_KEY", "")
CONCERTO_VAPID_SUBJECT = env("CONCERTO_VAPID_SUBJECT", "mailto:contact@concerto.invalid")
# Push endpoints must be https; plain http only for the local fakes of the tests and the demo.
CONCERTO_PUSH_ALLOW_HTTP = env_bool("CONCERTO_PUSH_ALLOW_HTTP", DEBUG)
# Email bounces (docs/operations.md, "Email bounces"): the secret the Brevo webhook sends (Bearer token, or the
# password of basic auth); unset, the webhook answers 404. After this many hard bounces an address gets no bulk
# email (digests, newsletters).
CONCERTO_BREVO_WEBHOOK_SECRET = env("CONCERTO_BREVO_WEBHOOK_SECRET", "")
CONCERTO_EMAIL_HARD_BOUNCES_MAX = int(env("CONCERTO_EMAIL_HARD_BOUNCES_MAX", "3"))
# Campaigns (core/mobilisation/campaigns.py): messages per second per channel, "email=20,push=50,sms=2", and the
# seconds between two batches of one campaign (each sends at most rate x window).
CONCERTO_CAMPAIGN_RATES = {name.strip(): float(rate) for name, rate in (
    pair.split("=", 1) for pair in env("CONCERTO_CAMPAIGN_RATES", "email=20,push=50,sms=2").split(",") if "=" in pair)}
CONCERTO_CAMPAIGN_WINDOW = int(env("CONCERTO_CAMPAIGN_WINDOW", "10"))
CONCERTO_CSP_EXTRA = env("CONCERTO_CSP_EXTRA", "")
CONCERTO_CSP_REPORT_URI = env("CONCERTO_CSP_REPORT_URI", "")

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# --- Monitoring: health check, metrics, logs (docs/operations.md, "Monitoring") ----------------------------
# /sante/ (concerto/core/health.py) answers 503 when the oldest task ready to run has waited longer than this
# many seconds; 0 reports the lag without failing on it (for a load balancer's check).
CONCERTO_HEALTH_MAX_TASK_LAG = int(env("CONCERTO_HEALTH_MAX_TASK_LAG", "300"))
# URLs that the HTTPS redirect must leave alone (read by SecurityMiddleware when SECURE_SSL_REDIRECT is on):
# a load balancer checks /sante/ over plain HTTP. Patterns are matched against the path without its "/".
SECURE_REDIRECT_EXEMPT = [r"^sante/$"]
# Prometheus metrics at /metrics (concerto/core/metrics.py): a 404 unless a bearer token or the addresses of the
# Prometheus servers (REMOTE_ADDR, comma-separated) are set. With several gunicorn workers, also set
# PROMETHEUS_MULTIPROC_DIR (an empty folder, emptied at each start).
CONCERTO_METRICS_TOKEN = env("CONCERTO_METRICS_TOKEN", "")
CONCERTO_METRICS_ALLOWED_IPS = [a.strip() for a in env("CONCERTO_METRICS_ALLOWED_IPS", "").split(",") if a.strip()]
# Logs go to standard error. CONCERTO_LOG_FORMAT: "json" (one object per line, for a log collector; the default
# when DEBUG is off) or "text". Every line carries the request id (concerto/core/logs.py). A line per request is
# written on `concerto.requests` at INFO: on by default with JSON logs (CONCERTO_REQUEST_LOG=0 turns it off).
# The client's address is logged only with CONCERTO_LOG_CLIENT_IP=1 (personal data, RGPD).
CONCERTO_LOG_FORMAT = env("CONCERTO_LOG_FORMAT", "text" if DEBUG else "json")
CONCERTO_LOG_CLIENT_IP = env_bool("CONCERTO_LOG_CLIENT_IP", False)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request": {"()": "concerto.core.logs.RequestContextFilter"}},
    "formatters": {
        "json": {"()": "concerto.core.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request"],
                             "formatter": "json" if CONCERTO_LOG_FORMAT == "json" else "text"}},
    "root": {"handlers": ["console"], "level": env("CONCERTO_LOG_LEVEL", "WARNING")},
    "loggers": {
        # Django's own handlers (django.server, mail_admins) would write a second, unformatted copy.
        "django": {"handlers": ["console"], "level": env("CONCERTO_LOG_LEVEL", "WARNING"), "propagate": False},
        "concerto.requests": {
            "level": "INFO" if env_bool("CONCERTO_REQUEST_LOG", CONCERTO_LOG_FORMAT == "json") else "WARNING",
        },
    },
}

# --- Data retention (RGPD; docs/operations.md, "Data retention") ----------------------------------------------
# How many days each kind of personal data is kept before the retention job (concerto/core/retention.py, every
# six hours through `manage.py run_periodic`) deletes or anonymises it; the privacy page shows the same periods.
# Defaults are in each rule (accounts/retention.py, participation/privacy.py, the components' manifests);
# override some with CONCERTO_RETENTION_DAYS="sessions=1,audit_actors=180" (names: `manage.py purge_personal_data
# --dry-run` lists them).
CONCERTO_RETENTION_DAYS = {}
for _item in filter(None, (part.strip() for part in env("CONCERTO_RETENTION_DAYS", "").split(","))):
    _name, _, _days = _item.partition("=")
    if not _days.strip().isdigit():
        raise RuntimeError(f"CONCERTO_RETENTION_DAYS: {_item!r} is not name=number of days")
    CONCERTO_RETENTION_DAYS[_name.strip()] = int(_days)
