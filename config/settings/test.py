"""The test suite: a throw-away PostgreSQL cluster (started by tests/conftest.py) unless
DATABASE_URL names a real server."""

from .base import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files from the finders: tests never run collectstatic.
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True

# The suite makes many anonymous API requests a minute; the throttle has its own test.
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"anon": "100000/min"}}  # noqa: F405
# Likewise for pages (tests/core/http/test_throttling.py sets the rates it tests).
DIRECTORY_PAGE_RATE = "100000/min"

# Tests run in a transaction that another thread cannot see: counts are computed in the
# request (tests/core/changelog/test_dataversion.py turns the background refresh on by itself).
DIRECTORY_REFRESH_IN_BACKGROUND = False
