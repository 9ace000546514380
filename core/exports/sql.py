"""SQL expressions that give a record's values as Python reads them: translated text with
django-modeltranslation's fallback, country names and choice labels in the request's language,
many-valued relations "; "-joined in the order the records read them, dates as Python
writes them, and text that a spreadsheet would run as a formula neutralised exactly as
core.exports.writers.neutralise does.

The pages' downloads declare each column once, as a header and one of the functions at the end
(col, related, date…); core.api.cells builds the API's serializer fields from the same blocks,
and core.exports.copy runs them through COPY.
"""

import json
import re

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import Expression, F, ForeignObjectRel, OuterRef, TextField, Value
from django_countries import countries

from core.translated import translated

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


# core.exports.writers.FORMULA_STARTS as a regular expression (tab and carriage return as escapes):
# a text cell starting with one of them gets a single quote in front, as neutralise() does.
# regexp_replace reads its argument once, where a CASE would compute a subquery twice.
NEUTRALISE = r"regexp_replace({0}, '^([-=+@\t\r＝＋－＠])', '''\1')"


def neutralised(column):
    """A column's CSV cell as text; text neutralised, numbers left as they are."""
    if isinstance(column, Number):
        return Sql("CAST({0} AS text)", column.expression)
    return Sql(NEUTRALISE, text(column))


def unquoted_empty(cell):
    """A CSV cell for COPY, empty text as NULL: COPY writes "" for empty text and nothing for
    NULL, and Python's csv writer (the header, the API's Python path) writes nothing for both."""
    return Sql("NULLIF({0}, '')", cell)


class Number:
    """A column that holds a number: written as one, never neutralised (a negative number is
    not a formula)."""

    def __init__(self, expression):
        self.expression = expression


def text(column):
    return Sql("CAST({0} AS text)", column) if not isinstance(column, Sql) else column


def related_model(model, path):
    """The model at the end of the relations in `path` ("expo__series"), and its last name."""
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    return model, name


def field(model, path):
    """The value at `path` (Django's lookup syntax) as the model's attribute reads it in the
    active language (a translated field by core.translated's rule)."""
    target, name = related_model(model, path)
    rule = translated(target, name)
    if rule is None:
        return F(path)
    return rule.expression(prefix=path[: -len(name)])


def mapped(column, mapping, *, otherwise=None):
    """`mapping[column]` (a dict of text), passed as one JSON parameter; where the value is
    not a key, `otherwise` (an expression), or else the value itself. The parameter is read
    once a statement (an uncorrelated subquery), not once a row, also where the statement is
    prepared and the parameter is not a constant to the planner."""
    return Sql(
        "COALESCE((SELECT CAST({0} AS jsonb)) ->> {1}, {2})",
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
    """The records `record.<name>.all()` gives, for the outer record of a subquery: the related
    model's rows in its Meta.ordering. The lists prefetch their relations in that order too
    (a Prefetch only adds joins), so a page, its download and the API's agree; the tests that
    hold the API's COPY to its serializers would see a list that ordered them otherwise."""
    relation = queryset.model._meta.get_field(name)
    rows = relation.related_model._default_manager.all()
    back = (
        relation.field.name
        if isinstance(relation, ForeignObjectRel)
        else relation.related_query_name()
    )
    return rows.filter(**{back: OuterRef("pk")})


def joined(queryset, name, value):
    """`record.<name>.all()` in one cell: each related record's `value` (a function of its model
    giving an expression) as text, "; "-joined, in their order (see related_rows)."""
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
    """`record.name.all()`, "; "-joined: `value` is str() of a related record as a function of
    its model giving an expression; by default its (translated) name."""
    value = value or (lambda model: field(model, "name"))
    return lambda queryset: joined(queryset, name, value)
