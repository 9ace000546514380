"""A serializer's fields as SQL: each field's CSV cell and its JSON value, as DRF's field
would write them (its own URLs, compact related records, dates, decimals, countries), for the
API's COPY downloads (core.exports.copy) and for its pages and records (core.api.records).

A field of the apps says what it is in SQL itself, beside what it is in Python: a
`sql_cell(queryset)` method of the field (SqlMethodField: its serializer's `sql_<name>`
method, beside `get_<name>`). A field of a kind expressed neither here nor there raises
Unsupported, and the list takes DRF's path, saying so once (fell_back).
"""

import json
import logging
import re
from types import SimpleNamespace

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import F, TextField
from django_countries import countries
from rest_framework.settings import api_settings

from core.api.fields import (
    URL_PLACEHOLDER,
    CompactRelatedField,
    DetailURLField,
    PageURLField,
    detail_url,
    page_url,
)
from core.exports.copy import rows_query
from core.exports.sql import (
    NEUTRALISE,
    Sql,
    as_text,
    country_name,
    field,
    iso_date,
    related_model,
    related_rows,
    text,
    unquoted_empty,
)

logger = logging.getLogger(__name__)

# --- API lists: the serializer's fields as SQL -----------------------------------------------


class Unsupported(Exception):
    """A serializer field this module cannot express in SQL: the list takes the Python path."""


# Serializer classes already reported by fell_back() in this process.
_reported = set()


def fell_back(serializer_class, error):
    """Log that the records of `serializer_class` are written by DRF, not by PostgreSQL, as
    they are when one of its fields (`error`: Unsupported) has no SQL: once per class, not on
    every request. Expected only with `?expand=`, which nests whole serializers and is not
    reported; tests/api/test_records.py fails for any endpoint that would be."""
    if serializer_class in _reported:
        return
    _reported.add(serializer_class)
    logger.warning(
        "%s.%s is serialised by DRF, not written by PostgreSQL: no SQL for %s (core.api.cells).",
        serializer_class.__module__,
        serializer_class.__qualname__,
        error,
    )


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


class JsonText(Sql):
    """An expression whose value is already JSON text (compact), or NULL for JSON null: a
    nested object or list, put into the record as it is."""


def json_value(expression):
    """`expression` as compact JSON text: PostgreSQL's to_json() of a value (a string, a
    number, true or false), JSON text as it is; "null" for NULL."""
    if isinstance(expression, JsonText):
        return Sql("COALESCE({0}, 'null')", expression)
    return Sql("COALESCE(CAST(to_json({0}) AS text), 'null')", expression)


def json_object(pairs):
    """{name: expression} as one compact JSON object in text: no space after "," or ":", as
    the API's JSON and its NDJSON lines are written (json_build_object puts one after each,
    and a space before each ":"). Names are identifiers, written in the SQL as they are."""
    assert all(re.fullmatch(r"[a-z_][a-z0-9_]*", name) for name in pairs)
    template = " || ".join(
        f"""'{"{" if n == 0 else ","}"{name}":' || {{{n}}}""" for n, name in enumerate(pairs)
    )
    if not pairs:
        return JsonText("'{}'")
    values = [json_value(expression) for expression in pairs.values()]
    return JsonText(f"({template} || '}}')", *values)


def compact(model, related_field, path):
    """CompactRelatedField's link {id, slug, name, url} of the record at `path` ("" for the
    record itself), as JSON and as its CSV cell (the slug, or the id where it has none)."""
    prefix = f"{path}__" if path else ""
    pk = F(f"{prefix}pk")
    keyed_by_slug = related_field.slug_field != "pk"
    slug = F(f"{prefix}slug") if keyed_by_slug else Sql("CAST(NULL AS text)")
    name = as_text(field(model, prefix + related_field.name_field))
    template_prefix, suffix = related_url_template(related_field)
    key = slug if keyed_by_slug else Sql("CAST({0} AS text)", pk)
    url = Sql("({0} || {1} || {2})", template_prefix, key, suffix)
    obj = json_object({"id": pk, "slug": slug, "name": name, "url": url})
    csv = Sql("COALESCE(NULLIF({0}, ''), CAST({1} AS text))", slug, pk)
    return csv, obj


def related_url_template(related_field):
    request = related_field.context.get("request")
    url = detail_url(related_field.view_name, related_field.lookup_kwarg, URL_PLACEHOLDER, request)
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
        JsonText("CASE WHEN {0} IS NULL THEN NULL ELSE {1} END", null, obj),
    )


def compact_many(queryset, related_field, name, through=""):
    """A many CompactRelatedField: a JSON list of links in the Python path's order, and its
    CSV cell, the slugs "; "-joined. `through` names a relation of each related row to the
    record shown (a forum's appearances → their speaker)."""
    rows = related_rows(queryset, name)
    csv, obj = compact(rows.model, related_field, through)
    return Cell(
        Sql(NEUTRALISE, Sql("array_to_string({0}, '; ')", ArraySubquery(rows.values_list(csv)))),
        JsonText(
            "('[' || array_to_string({0}, ',') || ']')",
            ArraySubquery(rows.values_list(Sql("{0}", obj, output_field=TextField()))),
        ),
    )


def text_cell(value):
    """Text (an expression of type text) as a Cell: null in JSON where it is empty, as the
    serializers write it (core.api.serializers.ValidatedModelSerializer.to_representation)."""
    return Cell(Sql(NEUTRALISE, value), Sql("NULLIF({0}, '')", value))


def unless_null(column, cell):
    """`cell`, or NULL (JSON null, an empty CSV cell) where `column` is NULL: a to-one
    relation left empty."""
    case = "CASE WHEN {0} IS NULL THEN NULL ELSE {1} END"
    json = JsonText if isinstance(cell.json, JsonText) else Sql
    return Cell(Sql(case, column, cell.csv), json(case, column, cell.json))


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
        # Empty text is null in JSON (an empty cell in CSV either way).
        return Sql(NEUTRALISE, text(value)), Sql("NULLIF(CAST({0} AS text), '')", value)
    if kind == "integer":
        return Sql("CAST({0} AS text)", value), Sql("CAST({0} AS bigint)", value)
    if kind == "decimal":
        # DRF gives decimals as text with the field's decimal places: PostgreSQL's numeric
        # text keeps the column's scale, which is the same.
        return Sql("CAST({0} AS text)", value), Sql("CAST({0} AS text)", value)
    if kind == "boolean":
        # As JSON writes them (core.api.renderers.flat), not as Python's str() does.
        cell = Sql("CASE WHEN {0} THEN 'true' WHEN NOT {0} THEN 'false' END", value)
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
        source = f.source.replace(".", "__")
        if hasattr(f, "sql_cell"):
            # A field of the apps' own, which says what it is in SQL beside its
            # to_representation (or its serializer's get_ method: SqlMethodField).
            cells[name] = f.sql_cell(queryset)
        elif isinstance(f, PageURLField):
            prefix, suffix = page_url(f.view_name, URL_PLACEHOLDER, f.context.get("request")).split(
                URL_PLACEHOLDER
            )
            url = Sql("({0} || NULLIF(CAST({1} AS text), '') || {2})", prefix, F("slug"), suffix)
            cells[name] = Cell(Sql(NEUTRALISE, as_text(url)), url)
        elif isinstance(f, DetailURLField):
            url = url_of(f, F("pk" if f.lookup_field == "pk" else f.lookup_field))
            cells[name] = Cell(Sql(NEUTRALISE, as_text(url)), url)
        elif isinstance(f, relations.ManyRelatedField) and isinstance(
            f.child_relation, CompactRelatedField
        ):
            cells[name] = compact_many(queryset, f.child_relation, f.source)
        elif isinstance(f, CompactRelatedField):
            cells[name] = compact_one(queryset, f, source)
        elif (
            isinstance(f, relations.PrimaryKeyRelatedField)
            and type(f).to_representation is relations.PrimaryKeyRelatedField.to_representation
        ):
            cells[name] = Cell(*typed("integer", F(source)))
        elif isinstance(f, CountryField):
            # The serializer's country field gives "" for a code django_countries does not know.
            known = Sql(
                "CASE WHEN jsonb_exists((SELECT CAST({0} AS jsonb)), {1}) THEN {1} ELSE '' END",
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
            raise Unsupported(f"{key} ({type(f).__name__})")
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
    if fmt == "csv":
        cells = serializer_cells(serializer, queryset)
        return rows_query(queryset, [unquoted_empty(cell.csv) for cell in cells.values()])
    return rows_query(queryset, [record_object(serializer, queryset)])


def record_object(serializer, queryset):
    """The record as the serializer writes it, as one JSON object in text, fields in the
    serializer's order (the API's NDJSON lines, and its pages: core.api.records), compact as
    the API writes its JSON."""
    cells = serializer_cells(serializer, queryset)
    # Text, compact (json_object): a list filtered by a choice is SELECT DISTINCT, and json
    # has no equality.
    return json_object({name: cell.json for name, cell in cells.items()})
