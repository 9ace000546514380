"""gunicorn's settings for `make serve`, each from an environment variable with a default.

docs/operations.md, "Serving in production", lists them. Options given on the command line (or in
GUNICORN_CMD_ARGS) override these.
"""

import os


def _int(name, default):
    return int(os.environ.get(name, default))


# Threaded workers: a thread streaming a long CSV download does not hold the whole process.
worker_class = "gthread"
workers = _int("WEB_CONCURRENCY", 2)
threads = _int("GUNICORN_THREADS", 4)

# With gthread this is a heartbeat, not a limit on a request: the worker's main loop reports
# alive every second whatever its threads do, so a download streaming for minutes is not
# killed, while a worker process that hangs (or dies) is replaced after this many seconds.
timeout = _int("GUNICORN_TIMEOUT", 30)
# Seconds a worker that is told to stop (a restart, a deploy, max_requests) has to finish the
# requests in flight, a download included, before it is killed.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 60)
# Each worker is replaced after this many requests, plus a random 0 to jitter so that the
# workers are not replaced all at once: memory a worker gathers is given back. 0: never.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)
# Seconds an idle connection is kept open for its next request; behind a reverse proxy that
# reuses its connections this should exceed the proxy's own idle timeout.
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# No access log of gunicorn's own: the application writes one structured line per request,
# with its id (core.http.middleware.RequestLog). GUNICORN_ACCESS_LOG=- turns gunicorn's on as well.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"


def on_starting(server):
    """Build the API's schema (config.api.docs.SchemaView) once, in the master process, before
    it starts any worker: each worker is a fork of it and starts with the schema in memory.

    Built on a request, it held every thread of a worker, the liveness check's included, for
    a second or more; built by each worker as it starts, it left one worker alone to serve for
    seconds whenever max_requests replaced the other. Building it opens no database connection
    (a forked one would be shared). Should it fail, the server starts anyway: the site does not
    depend on its schema, which each worker then builds on its first request (and fails there,
    visibly)."""
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        return  # another WSGI application than the directory's (config.wsgi sets it)
    try:
        import django

        django.setup()
        from config.api.docs import SchemaView

        SchemaView.build_all()
    except Exception:
        server.log.exception("The API schema could not be built in advance.")


def post_worker_init(worker):
    """Build the schema in a worker whose master has not (gunicorn run without
    DJANGO_SETTINGS_MODULE in its environment, which config.wsgi sets for the workers alone);
    where the master has, every variant is there already and nothing is built."""
    if not os.environ.get("DJANGO_SETTINGS_MODULE"):
        return  # another WSGI application than the directory's (config.wsgi sets it)
    try:
        from config.api.docs import SchemaView

        SchemaView.build_all()
    except Exception:
        worker.log.exception("The API schema could not be built in advance.")
