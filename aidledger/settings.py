"""Settings for Aid Ledger.

Every value that differs between machines is read from the environment here, once.
Development defaults are safe (a SQLite file inside the project); with DEBUG off the
app refuses to start without a real SECRET_KEY.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def env_int(name: str, default: int | None) -> int | None:
    """An integer from the environment; unset or empty gives the default."""
    value = os.environ.get(name)
    return default if value is None or value.strip() == "" else int(value)


DEBUG = env_bool("DEBUG", default=False)

_DEV_SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY") or (_DEV_SECRET_KEY if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY is not set. Set it in the environment (see .env.example), or set DEBUG=1 for local development."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_filters",
    "django_tables2",
    "simple_history",
    "import_export",
    "axes",
    "ledger",
]

MIDDLEWARE = [
    # First, so every response carries the policy, the 503 and 400 pages too.
    "aidledger.middleware.ContentSecurityPolicyMiddleware",
    # Next, so a database that cannot be reached gives a 503 page, never a traceback.
    "aidledger.middleware.DatabaseUnavailableMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "aidledger.middleware.AddressLengthLimitMiddleware",
    "aidledger.middleware.HostileAddressMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # After the 503 middleware, so a query stopped by the time limit gets its own page first.
    "aidledger.limits.RequestLimitsMiddleware",
    "aidledger.middleware.PublicPagesLoginMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "aidledger.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

WSGI_APPLICATION = "aidledger.wsgi.application"

# DATABASE_URL picks the database; unset, the app uses a SQLite file inside the project.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets pages read while an import writes; a writer waits up to SQLITE_BUSY_TIMEOUT seconds
    # for the lock instead of failing at once; and a write transaction takes the lock when it begins
    # (IMMEDIATE), so of two editors saving at once the second waits, then gets the stale-edit message.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": env_int("SQLITE_BUSY_TIMEOUT", 20),
        }
    )
if os.environ.get("TEST_DATABASE_NAME"):
    # Lets two test runs share one PostgreSQL server without clobbering each other.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}

# Sent on every response (aidledger/middleware.py). The pages need no inline script or style.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)

# Longest address (path + query string, in characters) the app answers; gunicorn's own limit on
# the request line is 4094 bytes.
MAX_ADDRESS_LENGTH = 4096

# What one public request may cost (aidledger/limits.py): seconds its queries may run (a download's:
# EXPORT_TIME_LIMIT), and each client's budget of expensive requests (text searches, downloads,
# totals not in the cache): EXPENSIVE_REQUESTS_PER_MINUTE, with bursts of EXPENSIVE_REQUESTS_BURST.
# XLSX downloads above XLSX_MAX_ROWS rows, and IATI files above IATI_MAX_ROWS activities, are refused
# with a pointer to the CSV (both are built in Python: an IATI file of 1M pledges is 2.4 GB, 8 minutes).
QUERY_TIME_LIMIT = env_int("QUERY_TIME_LIMIT", 5)
EXPORT_TIME_LIMIT = env_int("EXPORT_TIME_LIMIT", 600)
EXPENSIVE_REQUESTS_PER_MINUTE = env_int("EXPENSIVE_REQUESTS_PER_MINUTE", 30)
EXPENSIVE_REQUESTS_BURST = env_int("EXPENSIVE_REQUESTS_BURST", 10)
XLSX_MAX_ROWS = env_int("XLSX_MAX_ROWS", 100_000)
IATI_MAX_ROWS = env_int("IATI_MAX_ROWS", 50_000)
TIMELINE_MAX_ROWS = env_int("TIMELINE_MAX_ROWS", 100_000)  # a timeline download is built in memory
QUERY_TIME_LIMIT_EXEMPT = ("/admin/", "/static/")

# PUBLIC_PAGES_REQUIRE_LOGIN=1 puts the public read-only pages behind a login (the admin always
# needs one). Read per request, so tests can switch it with override_settings.
PUBLIC_PAGES_REQUIRE_LOGIN = env_bool("PUBLIC_PAGES_REQUIRE_LOGIN", default=False)
# Public histories name an editor by their full name when this is on (and the name is set), and
# otherwise as "an editor"; login names are never shown to the public.
PUBLIC_HISTORY_NAMES = env_bool("PUBLIC_HISTORY_NAMES", default=False)
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "ledger:home"

# Failed logins are throttled by django-axes: after AXES_FAILURE_LIMIT failures for one user name
# from one address, that pair is refused (HTTP 429) for AXES_COOLOFF_MINUTES. Unlocking early:
# `manage.py axes_reset_username NAME` or `manage.py axes_reset`.
AUTHENTICATION_BACKENDS = [
    "aidledger.auth.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "lockout.html"
# Behind a reverse proxy REMOTE_ADDR is the proxy's: set AXES_PROXY_COUNT to the number of proxies
# in front of the app, and the client's address is read from X-Forwarded-For instead.
_PROXY_COUNT = env_int("AXES_PROXY_COUNT", None)
if _PROXY_COUNT is not None:
    AXES_IPWARE_PROXY_COUNT = _PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedStaticFilesStorage"
        )
    },
}

# django-import-export: editors (change, and add: see ledger/admin_import.py) import; analysts (view) export.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "change"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

DJANGO_TABLES2_TEMPLATE = "django_tables2/bootstrap5.html"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL") or "WARNING"},
}

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# `manage.py test` runs without a cache and without logs of expected 4xx answers: the test runner
# applies those settings (aidledger/test_runner.py), so nothing here depends on the command line.
TEST_RUNNER = "aidledger.test_runner.TestRunner"

# Per-process memory cache for the totals pages (ledger/cache.py keys every entry by a stamp of the
# latest write, so each process drops stale totals by itself). The test runner replaces it with no
# cache (the suite rolls back between tests and reuses history ids); tests/test_cache.py turns it on.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "OPTIONS": {"MAX_ENTRIES": 500},
    }
}

# Production hardening (issue 6). With DEBUG off every switch defaults to the secure value, so a
# deployment that forgets a variable is safe; each can be turned off from the environment (the
# test suite turns the SSL redirect off, since Django's test client speaks plain HTTP).
# The app runs behind a TLS-terminating proxy that sets X-Forwarded-Proto (see README, Deploying).
if env_bool("SECURE_PROXY_SSL_HEADER", default=not DEBUG):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=not DEBUG)
