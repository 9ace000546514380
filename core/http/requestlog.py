"""The request id and the structured line logged for every request.

Each request gets an id: the caller's `X-Request-ID` when it is a short, safe token (a proxy in
front that already numbers requests), a fresh UUID4 otherwise. It is sent back in the
`X-Request-ID` header, is a field of the request's line, and every other log record made while
the request is served carries it as `request_id` (RequestIdFilter, which LOGGING puts on its
console handler), so an error's traceback can be found from the id a client reports.

The line (core.http.middleware.RequestLog writes it, on the `core.requests` logger) is one JSON
object: time, request_id, method, path, query, status, duration_ms and client. The query
string's values are never logged (a search text, a token someone put in a link): only the names
of its parameters. This module imports no model, so that LOGGING can name its filter.
"""

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime
from urllib.parse import unquote_plus

# The id of the request being served in this thread (or task), for log records.
REQUEST_ID = contextvars.ContextVar("request_id", default=None)
# Letters, digits and . _ : - only, at most 64 characters: nothing that could break a log
# line or a header, and short enough to be an id rather than a payload.
SAFE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,63}")
# Bounds on what a line says of the URL, however long the URL a client sends.
MAX_PATH = 1000
MAX_PARAMETERS = 20
MAX_PARAMETER_NAME = 64

logger = logging.getLogger("core.requests")


def request_id_for(request) -> str:
    """The caller's X-Request-ID if it is a safe short token, else a new UUID4."""
    given = request.headers.get("X-Request-ID", "")
    if SAFE_REQUEST_ID.fullmatch(given):
        return given
    return str(uuid.uuid4())


def parameter_names(query_string: str) -> list[str]:
    """The names of a query string's parameters, each once, in order; never their values."""
    names = []
    for pair in query_string.split("&"):
        name = unquote_plus(pair.partition("=")[0])[:MAX_PARAMETER_NAME]
        if name and name not in names:
            names.append(name)
            if len(names) == MAX_PARAMETERS:
                break
    return names


def log_request(*, request_id, method, path, query_string, status, duration, client):
    """Write the request's line; `duration` in seconds."""
    fields = {
        "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "request_id": request_id,
        "method": method,
        "path": path[:MAX_PATH],
        "query": parameter_names(query_string),
        "status": status,
        "duration_ms": round(duration * 1000, 1),
        "client": client,
    }
    # ensure_ascii: whatever the path holds, the line is one line of plain ASCII.
    logger.info(json.dumps(fields), extra={"request_id": request_id})


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record (the request being served, or "-" outside one)."""

    def filter(self, record):
        if not hasattr(record, "request_id"):
            record.request_id = REQUEST_ID.get() or "-"
        return True


class OneLineWarning(logging.Filter):
    """Logs a record as a one-line warning: the level lowered, the traceback left out.

    For what a client alone causes and the server can do nothing about: a request for a host
    the site does not serve (Django's DisallowedHost, which it logs at ERROR with the
    traceback of its own host check), sent by every scanner on the internet. An error would
    page someone, and its traceback says nothing the message does not.
    """

    def filter(self, record):
        record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
        record.exc_info = record.exc_text = record.stack_info = None
        return True
