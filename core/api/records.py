"""Records written by PostgreSQL: the JSON of a page of a list, or of one record, built in SQL.

A DRF serializer reads every field of every record through model instances: Django builds each
instance, django-modeltranslation resolves each translated attribute, a prefetch builds the
related records, and DRF walks each field's `get_attribute` and `to_representation`. For a
page of 50 exhibitors that was most of the request. A RecordQuery asks PostgreSQL instead: the
paginator reads the page's ids, and one statement gives each of those records as a JSON
object, its relations nested by subqueries, from the SQL expressions that also write the API's
NDJSON downloads (core.api.cells: translated text with modeltranslation's
fallback, country names in the request's language, absolute URLs as the serializer builds
them, dates as DRF writes them). Python parses that text (orjson) into the dicts DRF's Response
carries, so content negotiation, the renderer, the response cache and `facets` see what they
always saw. tests/api/test_records.py holds it to the serializers' JSON, field for field.

The statement is compiled once per serializer class, expansion, language and site (the
records' URLs are absolute, so the scheme, host and script prefix count): from one request to
the next only the page's ids change. So it is also prepared once per database connection
(server-side binding): parsing and planning it took about a fifth of running it, a tenth of
a page of 100 exhibitors. DIRECTORY_PREPARED_STATEMENTS=False turns that off, for a
connection pooler in transaction mode that cannot keep prepared statements.

A serializer with a field SQL does not express (a nested serializer: `?expand=`) keeps DRF;
without an expansion that is logged, once (core.api.cells.fell_back). DIRECTORY_API_RECORDS_SQL=
False gives every JSON read to DRF (core.api.viewsets.RecordQueryMixin.record_query), for
comparing the two paths: `make bench` measures what this one buys (R2) and what preparing
its statement buys (R1).
"""

from contextlib import nullcontext

import orjson
import psycopg
from django.conf import settings
from django.db import connections
from django.db.models import BooleanField, F
from django.urls import get_script_prefix
from django.utils.translation import get_language
from psycopg.types.numeric import Int8

from core.api.cells import Unsupported, fell_back, record_object
from core.exports.sql import Sql

# Sites (scheme, host and script prefix) whose statements are kept per RecordQuery: a Host
# header is checked against ALLOWED_HOSTS, but a wildcard there must not grow this unbounded.
MAX_STATEMENTS = 64


def query_for(serializer_class, context, queryset):
    """The RecordQuery of a serializer class for the records of `queryset` (a view's, before
    its filters), or None when one of its fields has no SQL (checked with `context`)."""
    try:
        statement(serializer_class, context, queryset)
    except Unsupported as error:
        if not context.get("expand"):
            fell_back(serializer_class, error)
        return None
    return RecordQuery(serializer_class)


def statement(serializer_class, context, queryset):
    """(sql, params, positions of the ids' parameter) of the records of `queryset` whose ids
    are given, each as JSON text, in the order of the ids."""
    record = record_object(serializer_class(context=context), queryset)
    ids = []  # a stand-in for the page's ids, found among the parameters by identity
    pk = F(queryset.model._meta.pk.attname)
    # bigint[] whatever the ids' size (see RecordQuery.write).
    rows = (
        queryset.prefetch_related(None)
        .filter(Sql("{0} = ANY(CAST({1} AS bigint[]))", pk, ids, output_field=BooleanField()))
        .annotate(_record=record)
        .order_by(Sql("array_position(CAST({1} AS bigint[]), CAST({0} AS bigint))", pk, ids))
        .values_list("_record", flat=True)
    )
    sql, params = rows.query.sql_with_params()
    params = list(params)
    return sql, params, [n for n, value in enumerate(params) if value is ids]


def id_values(queryset):
    """`queryset` reading its records' ids alone, as dicts, in its order."""
    return queryset.prefetch_related(None).values(queryset.model._meta.pk.attname)


class RecordQuery:
    """The JSON of records by id, written by PostgreSQL, for one serializer class."""

    def __init__(self, serializer_class):
        self.serializer_class = serializer_class
        self.model = serializer_class.Meta.model
        self.pk = self.model._meta.pk.attname
        self.statements = {}

    def values(self, queryset):
        """`queryset` reading only the records' ids (in its order), for the paginator."""
        return id_values(queryset)

    def write(self, rows, queryset, context):
        """The records of `rows` (from values()), in their order, as the serializer writes
        them; `queryset` is the view's before its filters (its annotations and prefetches).
        A record deleted since `rows` were read is left out."""
        ids = [row[self.pk] for row in rows]
        if not ids:
            return []
        sql, params, positions = self.compiled(queryset, context)
        params = list(params)
        # Sent as bigint[] whatever their size (psycopg would send small ids as int2[], and
        # prepare the statement again for each type).
        typed = [Int8(i) for i in ids] if all(type(i) is int for i in ids) else ids
        for position in positions:
            params[position] = typed
        rows = fetch(connections[queryset.db], sql, params)
        return [orjson.loads(text) for (text,) in rows]

    def compiled(self, queryset, context):
        request = context.get("request")
        key = (
            request.build_absolute_uri("/") if request is not None else "",
            get_script_prefix(),
            context.get("format"),
            get_language(),
            tuple(context.get("expand", ())),
        )
        compiled = self.statements.get(key)
        if compiled is None:
            compiled = statement(self.serializer_class, context, queryset)
            if len(self.statements) >= MAX_STATEMENTS:
                self.statements.clear()
            self.statements[key] = compiled
        return compiled


def fetch(connection, sql, params):
    """The rows of `sql` on Django's `connection`; the statement prepared, unless
    DIRECTORY_PREPARED_STATEMENTS is off.

    Django's cursors bind parameters on the client, and psycopg prepares only what it binds on
    the server: so a psycopg Cursor of the connection's own, inside Django's error wrapping, its
    transaction checks and its query log (where the SQL is logged as sent, with placeholders).
    """
    if not settings.DIRECTORY_PREPARED_STATEMENTS:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    connection.validate_no_broken_transaction()
    with psycopg.Cursor(connection.connection) as cursor:
        logged = (
            connection.make_debug_cursor(cursor).debug_sql(sql, params)
            if connection.queries_logged
            else nullcontext()
        )
        with logged, connection.wrap_database_errors:
            cursor.execute(sql, params, prepare=True)
            return cursor.fetchall()
