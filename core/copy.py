"""Full exports through PostgreSQL's COPY: the pages' CSV downloads and the API's
`?format=csv|ndjson` lists, at close to the speed PostgreSQL writes the rows itself.

Python writing a million rows a cell at a time manages about 5,000 rows a second; COPY writes
them in a few seconds. So the rows are built in SQL, from the same FilterSet queryset as the
page or list (its filters, joins and ordering), with each cell an SQL expression that gives
what the Python writer gave: translated text with django-modeltranslation's fallback, country
names in the request's language, many-valued relations "; "-joined in the order the Python
path read them, records' absolute URLs as the serializer builds them, numbers as numbers, and
text that a spreadsheet would run as a formula neutralised exactly as core.exports.neutralise
does. The blocks COPY sends are relayed to the StreamingHttpResponse as they come.

The Python writer (core.exports) stays for what SQL cannot express (an API serializer field
of a kind this module does not know, `?expand=`), and is the reference the tests compare with.
"""

import json
import re
from contextlib import nullcontext
from contextvars import ContextVar
from itertools import chain
from types import SimpleNamespace

from django.contrib.postgres.expressions import ArraySubquery
from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Expression, F, ForeignObjectRel, OuterRef, Prefetch, TextField, Value
from django.utils.translation import get_language
from django_countries import countries
from modeltranslation.fields import NONE
from modeltranslation.translator import NotRegistered, translator
from modeltranslation.utils import build_localized_fieldname, resolution_order
from rest_framework.settings import api_settings

from .api.fields import URL_PLACEHOLDER, CompactRelatedField, DetailURLField, detail_url
from .exports import csv_lines, started

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

    The first block is yielded as soon as it comes (core.exports.started reads it in the view,
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
    core.exports.csv_lines writes them), then the rows from COPY. The first block of rows is
    read here (see copy_blocks)."""
    sql, params = rows_query(queryset, [neutralised(column) for column in columns])
    rows = started(copy_blocks(sql, params, "csv"))
    head = "".join(csv_lines(header, [], byte_order_mark=True)).encode()
    return chain([head], rows)


# --- SQL building blocks -------------------------------------------------------------------

PLACE = re.compile(r"\{(\d+)\}")


class Sql(Expression):
    """A piece of SQL around expressions: `{0}`, `{1}`… in `template` stand for them (in any
    order, as often as needed); values that are not expressions are passed as parameters."""

    def __init__(self, template, *expressions, output_field=None):
        super().__init__(output_field=output_field or TextField())
        self.template = template
        self.expressions = [
            e if hasattr(e, "resolve_expression") else Value(e) for e in expressions
        ]

    def get_source_expressions(self):
        return self.expressions

    def set_source_expressions(self, expressions):
        self.expressions = list(expressions)

    def as_sql(self, compiler, connection):
        compiled = [compiler.compile(expression) for expression in self.expressions]
        params = []

        def place(match):
            sql, values = compiled[int(match.group(1))]
            params.extend(values)
            return sql

        return PLACE.sub(place, self.template), params


# core.exports.FORMULA_STARTS as a regular expression (tab and carriage return as escapes):
# a text cell starting with one of them gets a single quote in front, as neutralise() does.
# regexp_replace reads its argument once, where a CASE would compute a subquery twice.
NEUTRALISE = r"regexp_replace({0}, '^([-=+@\t\r＝＋－＠])', '''\1')"


def neutralised(column):
    """A column's CSV cell as text; text neutralised, numbers left as they are."""
    if isinstance(column, Number):
        return Sql("CAST({0} AS text)", column.expression)
    return Sql(NEUTRALISE, text(column))


class Number:
    """A column that holds a number: written as one, never neutralised (a negative number is
    not a formula)."""

    def __init__(self, expression):
        self.expression = expression


def text(column):
    return Sql("CAST({0} AS text)", column) if not isinstance(column, Sql) else column


def translation_descriptor(model, name):
    """django-modeltranslation's descriptor of `model.name`, or None if it is not translated."""
    try:
        options = translator.get_options_for_model(model)
    except NotRegistered:
        return None
    if name not in options.all_fields:
        return None
    return getattr(model, name)


def related_model(model, path):
    """The model at the end of the relations in `path` ("expo__series"), and its last name."""
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    return model, name


def field(model, path):
    """The value at `path` (Django's lookup syntax) as the model's attribute reads it in the
    active language: a translated field as django-modeltranslation's descriptor returns it
    (this language, then its fallbacks, skipping empty values, then the field's default)."""
    target, name = related_model(model, path)
    descriptor = translation_descriptor(target, name)
    if descriptor is None:
        return F(path)
    prefix = path[: -len(name)]
    undefined = descriptor.fallback_undefined
    default = NONE
    if undefined is NONE:
        default = undefined = descriptor.field.get_default()
    candidates = []
    for language in resolution_order(get_language(), descriptor.fallback_languages):
        column = F(prefix + build_localized_fieldname(name, language))
        candidates.append(
            column if undefined is None else Sql("NULLIF({0}, {1})", column, undefined)
        )
    if default is NONE:
        default = descriptor.field.get_default()
    if default is not None:
        candidates.append(Value(default))
    if len(candidates) == 1:
        return candidates[0]
    template = "COALESCE(" + ", ".join(f"{{{n}}}" for n in range(len(candidates))) + ")"
    return Sql(template, *candidates)


def mapped(column, mapping, *, otherwise=None):
    """`mapping[column]` (a dict of text), passed as one JSON parameter; where the value is
    not a key, `otherwise` (an expression), or else the value itself."""
    return Sql(
        "COALESCE(CAST({0} AS jsonb) ->> {1}, {2})",
        json.dumps({str(k): str(v) for k, v in mapping.items()}, ensure_ascii=False),
        column,
        column if otherwise is None else otherwise,
    )


def country_name(model, path):
    """The country's name in the active language (django_countries' Country.name): "" for a
    code it does not know."""
    return mapped(F(path), dict(countries), otherwise=Value(""))


def choice_label(model, path):
    """get_FOO_display(): the choice's label in the active language, or the value itself."""
    target, name = related_model(model, path)
    return mapped(F(path), dict(target._meta.get_field(name).flatchoices))


def related_rows(queryset, name):
    """The records `record.<name>.all()` gives on the Python path, for the outer record of a
    subquery: the queryset's Prefetch of `name` if it has one (its ordering), else the related
    model's default manager (the model's ordering)."""
    model = queryset.model
    relation = model._meta.get_field(name)
    rows = None
    for lookup in queryset._prefetch_related_lookups:
        if isinstance(lookup, Prefetch) and lookup.prefetch_to == name:
            rows = lookup.queryset
    if rows is None:
        rows = relation.related_model._default_manager.all()
    back = (
        relation.field.name
        if isinstance(relation, ForeignObjectRel)
        else relation.related_query_name()
    )
    return rows.filter(**{back: OuterRef("pk")})


def joined(queryset, name, value):
    """core.views.join() of `record.<name>.all()`: each related record's `value` (a function
    of its model giving an expression) as text, "; "-joined, in the Python path's order."""
    rows = related_rows(queryset, name)
    return Sql(
        "array_to_string({0}, '; ')",
        ArraySubquery(rows.values_list(Sql("CAST({0} AS text)", value(rows.model)))),
    )


def iso_date(column):
    """A date as Python's str(date) writes it, whatever the session's DateStyle."""
    return Sql("to_char({0}, 'YYYY-MM-DD')", column)


def as_text(column, default=""):
    """A value as text, None as `default`."""
    return Sql("COALESCE(CAST({0} AS text), {1})", column, default)


# --- Page columns: functions of the list's queryset giving a cell's expression ------------


def col(path):
    """`record.path` (translated text as the model reads it), "" for None."""
    return lambda queryset: as_text(field(queryset.model, path))


def related(fk, path):
    """`record.fk.path if record.fk else ""`."""

    def cell(queryset):
        value = as_text(field(queryset.model, f"{fk}__{path}"))
        return Sql("CASE WHEN {0} IS NULL THEN '' ELSE {1} END", F(fk), value)

    return cell


def number(path):
    """`record.path if record.path is not None else ""` of a number: written as a number."""
    return lambda queryset: Number(F(path))


def number_or_blank(path):
    """`record.path or ""` of a number: "" for None and for zero."""
    return lambda queryset: Number(Sql("NULLIF({0}, 0)", F(path)))


def date(path):
    """`record.path or ""` of a date."""
    return lambda queryset: iso_date(F(path))


def country(path):
    """`record.path.name` of a country: its name in the active language."""
    return lambda queryset: country_name(queryset.model, path)


def display(path):
    """`record.get_path_display()`."""
    return lambda queryset: choice_label(queryset.model, path)


def join_of(name, value=None):
    """core.views.join(record.name.all()): `value` is str() of a related record as a
    function of its model giving an expression; by default its (translated) name."""
    value = value or (lambda model: field(model, "name"))
    return lambda queryset: joined(queryset, name, value)


# --- API lists: the serializer's fields as SQL -----------------------------------------------


class Unsupported(Exception):
    """A serializer field this module cannot express in SQL: the list takes the Python path."""


class Cell:
    """A serializer field in SQL: `csv` its CSV cell (core.api.renderers.cell, then
    neutralise), `json` its value in the NDJSON line."""

    def __init__(self, csv, json):
        self.csv, self.json = csv, json


def url_template(field):
    """The two halves of the URL `field` gives a record, around its lookup value: the field
    builds it itself, for a stand-in record, so the URL is the serializer's to the byte."""
    stand_in = SimpleNamespace(**{"pk": URL_PLACEHOLDER, field.lookup_field: URL_PLACEHOLDER})
    url = str(field.to_representation(stand_in))
    prefix, placeholder, suffix = url.partition(URL_PLACEHOLDER)
    if not placeholder:
        raise Unsupported(field.field_name)
    return prefix, suffix


def url_of(field, value):
    """`value` (the lookup column) inside the field's URL; NULL where it is empty, as
    DetailURLField gives None."""
    prefix, suffix = url_template(field)
    return Sql("({0} || NULLIF(CAST({1} AS text), '') || {2})", prefix, value, suffix)


def compact(model, related_field, path):
    """CompactRelatedField's {slug, name, url} of the record at `path` ("" for the record
    itself), as JSON and as its CSV cell (the slug, or the name where it has none)."""
    prefix = f"{path}__" if path else ""
    slug = F(f"{prefix}slug")
    name = as_text(field(model, prefix + related_field.name_field))
    template_prefix, suffix = related_url_template(related_field)
    url = Sql("({0} || {1} || {2})", template_prefix, slug, suffix)
    obj = Sql("json_build_object('slug', {0}, 'name', {1}, 'url', {2})", slug, name, url)
    csv = Sql("COALESCE(NULLIF({0}, ''), {1})", slug, name)
    return csv, obj


def related_url_template(related_field):
    request = related_field.context.get("request")
    url = detail_url(related_field.view_name, "slug", URL_PLACEHOLDER, request)
    prefix, placeholder, suffix = url.partition(URL_PLACEHOLDER)
    if not placeholder:
        raise Unsupported(related_field.field_name)
    return prefix, suffix


def compact_one(queryset, related_field, source):
    """A to-one CompactRelatedField: null (JSON) or "" (CSV) without a related record."""
    csv, obj = compact(queryset.model, related_field, source)
    null = F(source)
    return Cell(
        Sql(NEUTRALISE, Sql("CASE WHEN {0} IS NULL THEN NULL ELSE {1} END", null, csv)),
        Sql("CASE WHEN {0} IS NULL THEN NULL ELSE {1} END", null, obj),
    )


def compact_many(queryset, related_field, name, through=""):
    """A many CompactRelatedField: a JSON list of {slug, name, url} in the Python path's
    order, and its CSV cell, the slugs "; "-joined. `through` names a relation of each related
    row to the record shown (a forum's appearances → their speaker)."""
    rows = related_rows(queryset, name)
    csv, obj = compact(rows.model, related_field, through)
    return Cell(
        Sql(NEUTRALISE, Sql("array_to_string({0}, '; ')", ArraySubquery(rows.values_list(csv)))),
        Sql(
            "COALESCE(array_to_json({0}), '[]')",
            ArraySubquery(rows.values_list(Sql("{0}", obj, output_field=TextField()))),
        ),
    )


# DRF's text output: str(value) (CharField, URLField, ChoiceField, SlugField…); the ones whose
# to_representation is DRF's own are expressed here by the kind of value.
def _drf_kinds():
    from rest_framework import serializers as s

    return {
        s.CharField.to_representation: "text",
        s.ChoiceField.to_representation: "text",
        s.IntegerField.to_representation: "integer",
        s.BigIntegerField.to_representation: "bigint",
        s.DecimalField.to_representation: "decimal",
        s.BooleanField.to_representation: "boolean",
        s.DateField.to_representation: "date",
        s.DateTimeField.to_representation: "datetime",
        s.ReadOnlyField.to_representation: "text",
    }


def typed(kind, value):
    """(csv, json) of a plain value of a DRF `kind`."""
    if kind == "text":
        return Sql(NEUTRALISE, text(value)), Sql("CAST({0} AS text)", value)
    if kind == "integer":
        return Sql("CAST({0} AS text)", value), Sql("CAST({0} AS bigint)", value)
    if kind == "decimal":
        # DRF gives decimals as text with the field's decimal places: PostgreSQL's numeric
        # text keeps the column's scale, which is the same.
        return Sql("CAST({0} AS text)", value), Sql("CAST({0} AS text)", value)
    if kind == "boolean":
        cell = Sql("CASE WHEN {0} THEN 'True' WHEN NOT {0} THEN 'False' END", value)
        return cell, Sql("CAST({0} AS boolean)", value)
    if kind == "date":
        return iso_date(value), iso_date(value)
    if kind == "datetime":
        # DRF: isoformat() in UTC (the project's time zone), "+00:00" written "Z", no
        # fraction when the microseconds are zero.
        iso = Sql(
            "(regexp_replace(to_char({0} AT TIME ZONE 'UTC', "
            "'YYYY-MM-DD\"T\"HH24:MI:SS.US'), '\\.000000$', '') || 'Z')",
            value,
        )
        return iso, iso
    raise Unsupported(kind)


# Serializer method fields, by "SerializerClass.field": a function of (queryset, serializer)
# giving a Cell. They name classes of the apps above core by name only (core imports none).
METHOD_FIELDS = {}


def method_field(key):
    def register(function):
        METHOD_FIELDS[key] = function
        return function

    return register


@method_field("ParticipationSerializer.area_name")
def _area_name(queryset, serializer):
    name = field(queryset.model, "area__name")
    null = F("area")
    return Cell(
        Sql("CASE WHEN {0} IS NULL THEN NULL ELSE {1} END", null, Sql(NEUTRALISE, as_text(name))),
        Sql("CASE WHEN {0} IS NULL THEN NULL ELSE {1} END", null, as_text(name)),
    )


@method_field("ForumSerializer.speakers")
def _forum_speakers(queryset, serializer):
    related = CompactRelatedField("api:speaker-detail", read_only=True)
    related.bind("speakers", serializer)
    return compact_many(queryset, related, "appearances", through="speaker")


@method_field("CitationSerializer.record_type")
def _record_type(queryset, serializer):
    label = Sql("({0} || '.' || {1})", F("content_type__app_label"), F("content_type__model"))
    return Cell(Sql(NEUTRALISE, label), label)


def serializer_cells(serializer, queryset):
    """{field name: Cell} of every field of `serializer` (bound, with its context); raises
    Unsupported for a field of a kind not expressed here."""
    from django_countries.serializer_fields import CountryField
    from rest_framework import relations
    from rest_framework import serializers as s

    kinds = _drf_kinds()
    model = queryset.model
    cells = {}
    for name, f in serializer.fields.items():
        key = f"{type(serializer).__name__}.{name}"
        if key in METHOD_FIELDS:
            cells[name] = METHOD_FIELDS[key](queryset, serializer)
            continue
        source = f.source.replace(".", "__")
        if isinstance(f, DetailURLField):
            url = url_of(f, F("pk" if f.lookup_field == "pk" else f.lookup_field))
            cells[name] = Cell(Sql(NEUTRALISE, as_text(url)), url)
        elif isinstance(f, relations.ManyRelatedField) and isinstance(
            f.child_relation, CompactRelatedField
        ):
            cells[name] = compact_many(queryset, f.child_relation, f.source)
        elif isinstance(f, CompactRelatedField):
            cells[name] = compact_one(queryset, f, source)
        elif type(f) is relations.PrimaryKeyRelatedField:
            cells[name] = Cell(*typed("integer", F(source)))
        elif isinstance(f, CountryField):
            # The serializer's country field gives "" for a code django_countries does not know.
            known = Sql(
                "CASE WHEN jsonb_exists(CAST({0} AS jsonb), {1}) THEN {1} ELSE '' END",
                json.dumps(dict.fromkeys(code for code, _name in countries)),
                F(source),
            )
            cells[name] = Cell(*typed("text", known))
        elif (
            isinstance(f, s.CharField) and source.endswith("__name") and _is_country(model, source)
        ):
            cells[name] = Cell(*typed("text", country_name(model, source[: -len("__name")])))
        elif type(f).to_representation in kinds and "__" not in source:
            kind = kinds[type(f).to_representation]
            if kind == "bigint":
                # A number, unless DRF is told to give big integers as text.
                if getattr(f, "coerce_to_string", api_settings.COERCE_BIGINT_TO_STRING):
                    raise Unsupported(key)
                kind = "integer"
            # None stays None (JSON null, an empty CSV cell): the CASTs keep NULL.
            cells[name] = Cell(*typed(kind, field(model, source)))
        else:
            raise Unsupported(key)
    return cells


def _is_country(model, path):
    from django_countries.fields import CountryField

    target, name = related_model(model, path[: -len("__name")])
    try:
        return isinstance(target._meta.get_field(name), CountryField)
    except Exception:
        return False


def api_query(serializer, queryset, fmt):
    """The SQL and parameters of a list's rows in `fmt`: for CSV one column a field, for
    NDJSON one JSON object a row."""
    cells = serializer_cells(serializer, queryset)
    if fmt == "csv":
        return rows_query(queryset, [cell.csv for cell in cells.values()])
    # Field names are identifiers, written in the SQL as they are.
    assert all(re.fullmatch(r"[a-z_][a-z0-9_]*", name) for name in cells)
    template = ", ".join(f"'{name}', {{{n}}}" for n, name in enumerate(cells))
    # As text: a list filtered by a choice is SELECT DISTINCT, and json has no equality.
    return rows_query(
        queryset, [Sql(f"json_build_object({template})::text", *(c.json for c in cells.values()))]
    )


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
        raise ValueError(f"{path} streams no COPY (status {status}): see core.copy")
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
