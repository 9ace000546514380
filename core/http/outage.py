"""When the database cannot be reached: a quick 503 with Retry-After, never a 500 or a hang.

PostgreSQL stopped, restarting or refusing connections, or the connection pool unable to hand
out a connection in time (psycopg_pool's PoolTimeout, which Django raises as its own
OperationalError): a page answers the site's 503 page, the API its JSON error, both with
Retry-After and not to be cached. core.http.middleware.DatabaseOutage answers so for views and
templates, and core.api.errors for the API's views, which catch their own exceptions.

How fast that is comes from the settings: the pool's timeout and libpq's connect_timeout bound
the wait (docs/operations.md, "When the database goes away").
"""

import logging

import psycopg
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from core.http.context_processors import languages

logger = logging.getLogger(__name__)

# SQLSTATEs that say the server cannot serve at all, beside class 08 (connection exceptions):
# shutting down, crashed, starting up, and no connection slot left.
UNAVAILABLE_STATES = {"57P01", "57P02", "57P03", "53300"}
CODE = "database_unavailable"


def is_database_unavailable(exc) -> bool:
    """Whether `exc` says that the database cannot be reached, rather than that a statement
    failed.

    A statement PostgreSQL rejects (a limit, a syntax) is an OperationalError too, but it has
    a SQLSTATE of its own and is a bug to fix, not an outage to wait out: it stays a 500. A
    lost or refused connection, and the pool's timeout, have none.
    """
    while exc is not None:
        if isinstance(exc, InterfaceError | psycopg.InterfaceError):
            return True
        if isinstance(exc, psycopg.OperationalError):
            state = exc.sqlstate
            return state is None or state.startswith("08") or state in UNAVAILABLE_STATES
        if not isinstance(exc, OperationalError):
            return False
        # Django's OperationalError wraps psycopg's, which says what happened.
        exc = exc.__cause__
    return False


def unavailable_response(request, exc):
    """503 for `request`, which failed with `exc`: JSON under /api/, the site's 503 page
    elsewhere.

    The page is rendered without context processors, from what the request itself holds:
    nothing it shows may need the database that is gone (the signed-in user, messages).
    """
    # One line, no traceback: an outage is not a bug, and it repeats for every request.
    reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    logger.warning("Database unavailable for %s %s: %s", request.method, request.path, reason)
    if request.path.startswith("/api/"):
        response = JsonResponse(
            {"detail": _("The database is unavailable. Try again shortly."), "code": CODE},
            status=503,
        )
    else:
        context = {"request": request, "title": _("Temporarily unavailable"), **languages(request)}
        response = HttpResponse(render_to_string("503.html", context), status=503)
    return with_retry_after(response)


def with_retry_after(response):
    """Tell the client when to try again, and that this answer is not to be kept."""
    response["Retry-After"] = str(settings.DIRECTORY_OUTAGE_RETRY_AFTER)
    add_never_cache_headers(response)
    return response
