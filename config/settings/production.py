"""Production: everything secret or host-specific must come from the environment.

    DJANGO_SETTINGS_MODULE=config.settings.production
    DJANGO_SECRET_KEY=<50+ random characters>
    DJANGO_ALLOWED_HOSTS=expos.example.org
    DATABASE_URL=postgres://user:password@host:5432/expo_directory
    REDIS_URL=redis://host:6379/0                  (optional: the cache; local memory without it)
    DJANGO_TRUSTED_PROXIES=127.0.0.1               (the HTTPS proxy: its X-Forwarded-For names
                                                    the client the limits count; docs/operations.md)

`make serve` runs it under gunicorn.

Passes `manage.py check --deploy --fail-level WARNING` (tests/test_settings.py runs it).
"""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
SECRET_KEY = env("DJANGO_SECRET_KEY", default="")
if not SECRET_KEY:
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY: production never uses a built-in key.")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")
if not env("DATABASE_URL", default=""):
    raise ImproperlyConfigured(
        "Set DATABASE_URL (postgres://user:password@host:5432/name); `make serve` sets it to "
        "the embedded PostgreSQL when it is not set."
    )

# Django's psycopg pool keeps connections open per gunicorn worker process, shared by its
# threads; it replaces persistent connections, which it refuses (CONN_MAX_AGE must be 0).
# max_size should be at least the worker's threads, so that no thread waits for a connection.
DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
DATABASES["default"]["OPTIONS"]["pool"] = {  # noqa: F405
    "min_size": env.int("DJANGO_DB_POOL_MIN_SIZE", default=2),
    "max_size": env.int("DJANGO_DB_POOL_MAX_SIZE", default=8),
    # Seconds a request waits for a connection before it fails: with the database gone, it
    # answers 503 after this long (core/outage.py) rather than hang.
    "timeout": env.float("DJANGO_DB_POOL_TIMEOUT", default=2.0),
    # Seconds the pool retries a failed connection (after 1 s, then 2 s, 4 s…) before it
    # gives up; the next request starts over at once. Short, so that no retry is far off when
    # the server comes back: a long outage would otherwise leave the pool waiting out a
    # backoff of many seconds. Broken connections are discarded (CONN_HEALTH_CHECKS, base.py).
    "reconnect_timeout": env.float("DJANGO_DB_POOL_RECONNECT_TIMEOUT", default=2.0),
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
# A load balancer probes the servers behind it over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^health/"]
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
