"""Full exports through PostgreSQL's COPY: the pages' CSV downloads and the API's
`?format=csv|ndjson` lists, at close to the speed PostgreSQL writes the rows itself.

Python writing a million rows a cell at a time manages about 5,000 rows a second; COPY writes
them in a few seconds. So the rows are built in SQL (core.exports.sql for the pages' columns,
core.api.cells for the API's serializer fields), from the same FilterSet queryset as the page
or list (its filters, joins and ordering). This module runs the COPY and relays the blocks it
sends to the StreamingHttpResponse as they come, and gives the same statement to psql for the
benchmark.

The Python writer (core.exports.writers) stays for what SQL cannot express (an API serializer field
of a kind core.api.cells does not know, `?expand=`), and is the reference the tests compare
with.
"""

from contextlib import nullcontext
from contextvars import ContextVar
from itertools import chain

from django.core.exceptions import EmptyResultSet
from django.db import connections

from core.exports.sql import neutralised, unquoted_empty
from core.exports.writers import csv_lines, started

# Bytes gathered before they are handed to the WSGI server: COPY sends one message a row,
# and a write to the socket per row would cost more than the row.
BUFFER_SIZE = 64 * 1024


# --- The stream ----------------------------------------------------------------------------

# COPY's CSV format with a quote and a delimiter that PostgreSQL's JSON never holds (it
# escapes every control character): each line is the JSON text as it is, with no CSV quoting
# and none of the text format's backslash escapes.
COPY_OPTIONS = {
    "csv": "(FORMAT csv)",
    "ndjson": "(FORMAT csv, QUOTE E'\\x01', DELIMITER E'\\x02')",
}

# Set by capture_queries(): the statements are recorded there instead of being run.
_captured = ContextVar("copy_captured", default=None)


class Captured(Exception):
    """Raised in place of running a COPY while capture_queries() is on."""


def copy_statement(sql, fmt):
    return f"COPY ({sql}) TO STDOUT {COPY_OPTIONS[fmt]}"


def copy_blocks(sql, params, fmt, using="default"):
    """The bytes of `COPY (sql) TO STDOUT` in format `fmt` ("csv" or "ndjson").

    The first block is yielded as soon as it comes (core.exports.writers.started reads it in the
    view,
    so a refused query is still an error response), the rest in blocks of BUFFER_SIZE.

    The COPY runs on a connection of its own, in autocommit: its transaction is the COPY and
    ends with it, and the request's connection stays free for whatever runs after the view
    (a COPY in progress holds its connection: no other query can run on it until it ends).
    The generator closes that connection however it ends; closed early (the client went
    away), it leaves the `with` blocks first, and psycopg cancels the COPY.

    Inside a transaction (a caller's atomic block; the tests' transactions) only that
    transaction's connection sees its writes, so the COPY runs there and is read whole before
    the first block is handed on, leaving the connection free again.
    """
    captured = _captured.get()
    if captured is not None:
        captured.append((copy_statement(sql, fmt), list(params)))
        raise Captured()
    statement = copy_statement(sql, fmt)
    home = connections[using]
    if home.in_atomic_block:
        yield from list(_copied(home, statement, params))
        return
    connection = connections.create_connection(using)
    try:
        yield from _copied(connection, statement, params)
    finally:
        connection.close()


def _copied(connection, statement, params):
    connection.ensure_connection()
    # Django's cursor wraps psycopg's; COPY needs psycopg's own. Where Django logs queries
    # (DEBUG, the tests' query counts), the COPY is logged as one.
    with connection.cursor() as cursor:
        logged = cursor.debug_sql(statement, params) if hasattr(cursor, "debug_sql") else None
        with logged or nullcontext(), cursor.cursor.copy(statement, params) as copy:
            yield from _relayed(copy)


def _relayed(copy):
    """The first block at once, then blocks of BUFFER_SIZE."""
    blocks = iter(copy)
    first = next(blocks, None)
    if first is None:
        return
    yield bytes(first)
    buffer = bytearray()
    for block in blocks:
        buffer += block
        if len(buffer) >= BUFFER_SIZE:
            yield bytes(buffer)
            buffer.clear()
    if buffer:
        yield bytes(buffer)


def capture_queries():
    """A context in which no COPY runs: each statement is recorded, in the list it returns
    as its value, and Captured is raised where it would have run. See export_query."""

    class Capture:
        def __enter__(self):
            self.statements = []
            self.token = _captured.set(self.statements)
            return self.statements

        def __exit__(self, *exc):
            _captured.reset(self.token)
            return False

    return Capture()


def rows_query(queryset, columns):
    """The SQL and parameters of the rows of `queryset` with `columns`, a list of
    expressions, as the columns c0, c1…, in the queryset's order.

    The queryset's own SQL is wrapped: with DISTINCT, Django adds the ordering's columns to
    the select list, and the outer SELECT keeps only the export's.
    """
    names = [f"c{n}" for n in range(len(columns))]
    query = (
        queryset.prefetch_related(None)
        .annotate(**dict(zip(names, columns, strict=True)))
        .values_list(*names)
    )
    outer_names = ", ".join(f'NULL AS "{name}"' for name in names)
    try:
        sql, params = query.query.sql_with_params()
    except EmptyResultSet:  # a filter that matches nothing by construction (e.g. none())
        return f"SELECT {outer_names} WHERE false", []
    outer = ", ".join(f'"export"."{name}"' for name in names)
    return f'SELECT {outer} FROM ({sql}) AS "export"', list(params)


def page_download(queryset, header, columns):
    """The lines of a page's CSV download: the byte-order mark and the header (as
    core.exports.writers.csv_lines writes them), then the rows from COPY. The first block of rows is
    read here (see copy_blocks)."""
    sql, params = rows_query(queryset, [unquoted_empty(neutralised(column)) for column in columns])
    rows = started(copy_blocks(sql, params, "csv"))
    head = "".join(csv_lines(header, [], byte_order_mark=True)).encode()
    return chain([head], rows)


# --- The same query, for psql ------------------------------------------------------------------


def export_select(path, *, language="en", using="default"):
    """The SELECT (parameters inlined) whose rows the download at `path` streams, and the COPY
    options it uses: for timing `psql -c "COPY (<select>) TO STDOUT <options>"` (or psql's
    `\\copy`) against the download itself. `path` is a page download
    ("/exhibitors/export.csv?country=CN") or an API list with its format
    ("/api/v1/exhibitors/?format=ndjson"); `language` is the request's ("en" or "es").

    The request goes through the real view (its FilterSet, its columns), with COPY replaced
    by a recorder: the statement is the download's own, not a copy of it kept in step.
    """
    import psycopg
    from django.test import RequestFactory
    from django.urls import resolve
    from django.utils import translation

    address, _, _query = path.partition("?")
    match = resolve(address)
    request = RequestFactory().get(path, HTTP_ACCEPT_LANGUAGE=language)
    with translation.override(language), capture_queries() as statements:
        try:
            response = match.func(request, *match.args, **match.kwargs)
        except Captured:
            response = None
    if not statements:
        status = getattr(response, "status_code", None)
        raise ValueError(f"{path} streams no COPY (status {status}): see core.exports.copy")
    ((statement, params),) = statements
    connection = connections[using]
    connection.ensure_connection()
    literal = psycopg.ClientCursor(connection.connection).mogrify(statement, params)
    select, _, options = literal.removeprefix("COPY (").rpartition(") TO STDOUT ")
    return select, options


def export_query(path, *, language="en", using="default"):
    """The whole COPY statement of export_select(), ready for `psql -c`."""
    select, options = export_select(path, language=language, using=using)
    return f"COPY ({select}) TO STDOUT {options}"
