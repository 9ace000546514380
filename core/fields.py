"""Model fields and named constraints that several apps' models share.

Each rule is written once here and read from the model by everything else: the importer,
the filters and the API take their limits from the model's fields (see `value_bounds`).
"""

import datetime
import functools
import importlib.resources
import re
from urllib.parse import urlsplit

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import (
    MaxValueValidator,
    MinValueValidator,
    URLValidator,
    validate_slug,
)
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast
from django.db.models.lookups import Exact, Regex
from django.utils.deconstruct import deconstructible
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

# ISO 3166-1 alpha-2 and ISO 4217 codes, checked by the database as well as by forms.
COUNTRY_CODE_PATTERN = r"^[A-Z]{2}$"
CURRENCY_CODE_PATTERN = r"^[A-Z]{3}$"
# The years the directory records: an expo's edition, a figure's year. Its dates (an expo's
# days, a forum's, a deal's, a source's) fall within the same years, so that a date's year is
# always one the year filters take, and a calendar can always name the day after the last.
FIRST_YEAR, LAST_YEAR = 1900, 2100
FIRST_DAY, LAST_DAY = datetime.date(FIRST_YEAR, 1, 1), datetime.date(LAST_YEAR, 12, 31)


# --- What text may hold --------------------------------------------------------------------


class Characters:
    """A set of characters a text field refuses, as code point ranges, and the same set as a
    Python regular expression and as a PostgreSQL one (for the column's CHECK).

    The column's pattern leaves out NUL and the lone surrogates: a PostgreSQL text cannot hold
    them at all (the Python side still refuses them, so that they never reach the database).
    """

    def __init__(self, *ranges, message):
        self.ranges, self.message = ranges, message
        self.regex = re.compile(
            "[" + "".join(f"\\U{low:08x}-\\U{high:08x}" for low, high in ranges) + "]"
        )
        stored = [(max(low, 1), high) for low, high in ranges if not 0xD800 <= low <= 0xDFFF]
        self.sql = "[" + "".join(f"\\u{low:04x}-\\u{high:04x}" for low, high in stored) + "]"

    def validator(self):
        return RefusedCharactersValidator(self)

    def escape(self, text: str) -> str:
        """`text` with each of these characters written as its Python escape (`\\n`,
        `\\x1b`): for text the directory records but did not choose, such as a file name."""
        return self.regex.sub(lambda match: ascii(match.group())[1:-1], text)


class RefusedCharactersValidator:
    """Refuses a value holding any of `characters`. Not a RegexValidator: the API's schema
    would publish its pattern as one the text must match, the opposite of what it means."""

    code = "control_characters"

    def __init__(self, characters: Characters):
        self.characters = characters

    def __call__(self, value):
        if self.characters.regex.search(str(value)):
            raise ValidationError(self.characters.message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, RefusedCharactersValidator) and (
            other.characters is self.characters
        )

    def __hash__(self):
        return hash(self.characters.ranges)


# Never in any text: the control characters (Unicode category Cc) but the tab, line feed and
# carriage return that lines of text are made of (a form's text area sends CR LF), and the
# lone surrogates (Cs), which UTF-8 cannot encode.
NOT_IN_TEXT = Characters(
    (0x00, 0x08), (0x0B, 0x0C), (0x0E, 0x1F), (0x7F, 0x9F), (0xD800, 0xDFFF),
    message=_("Control characters are not allowed (line breaks and tabs are)."),
)  # fmt: skip
# Never in a single line (a name, a title, a city): nothing above, nor tab, line feed, carriage
# return, or the line and paragraph separators U+2028 and U+2029, which many readers (Python's
# splitlines, older JavaScript, text editors) also take for line breaks. A line break in a name
# breaks every format the name is written into line by line: iCalendar, CSV, logs, headers.
NOT_IN_A_LINE = Characters(
    *NOT_IN_TEXT.ranges, (0x09, 0x0A), (0x0D, 0x0D), (0x2028, 0x2029),
    message=_(
        "Enter one line of text: line breaks, tabs and other control characters are not "
        "allowed."
    ),
)  # fmt: skip
single_line, multi_line = NOT_IN_A_LINE.validator(), NOT_IN_TEXT.validator()


class CheckedCharactersMixin:
    """A text field whose column refuses `refused` characters with a CHECK of its own, so that
    a raw SQL writer, an import or a translated column (django-modeltranslation copies the
    field, and with it this check) are held to the rule the validator states.

    Django adds the check with the column (CREATE TABLE, ADD COLUMN), and PostgreSQL names
    it `<table>_<column>_check` and drops it with the column; a field altered into one of these
    classes needs check_text_columns() in its migration (a test checks every column has it).
    """

    refused: Characters

    def db_check(self, connection):
        return f"{connection.ops.quote_name(self.column)} !~ '{self.refused.sql}'"


def checked_text_columns(models_):
    """(model, [fields]) for each of `models_` with text fields whose columns check their
    characters."""
    for model in models_:
        fields = [f for f in model._meta.concrete_fields if isinstance(f, CheckedCharactersMixin)]
        if fields:
            yield model, fields


def check_text_columns(app_label):
    """A migration operation giving the app's existing text columns their CHECK (Django adds
    a field's db_check when it creates the column, not when a field is altered into this
    class), after writing the characters they refuse in rows already stored as spaces.

    One UPDATE and one ALTER TABLE a table, so that a large table is read twice, not twice a
    column. Rows changed get a new `updated` (API clients sync them) and the data version
    moves (cached answers showed the old text).
    """
    from django.db import migrations

    def name(table, column):
        # What PostgreSQL names a column's own CHECK: <table>_<column>_check.
        constraint = f"{table}_{column}_check"
        if len(constraint) > 63:
            raise ValueError(f"{constraint} is longer than PostgreSQL's names.")
        return constraint

    def forward(apps, schema_editor):
        quote, changed = schema_editor.quote_name, 0
        for model, fields in checked_text_columns(apps.get_app_config(app_label).get_models()):
            table = model._meta.db_table
            cleaned = [(quote(f.column), f"'{f.refused.sql}'") for f in fields]
            assignments = [f"{c} = regexp_replace({c}, {p}, ' ', 'g')" for c, p in cleaned]
            if any(f.column == "updated" for f in model._meta.concrete_fields):
                assignments.append("updated = clock_timestamp()")
            with schema_editor.connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {quote(table)} SET {', '.join(assignments)}"
                    f" WHERE {' OR '.join(f'{c} ~ {p}' for c, p in cleaned)}"
                )
                changed += cursor.rowcount
            # A field of this class since the table was created has its check already.
            with schema_editor.connection.cursor() as cursor:
                existing = schema_editor.connection.introspection.get_constraints(cursor, table)
            checks = [
                f"ADD CONSTRAINT {quote(name(table, f.column))}"
                f" CHECK ({f.db_check(schema_editor.connection)})"
                for f in fields
                if name(table, f.column) not in existing
            ]
            if checks:
                schema_editor.execute(f"ALTER TABLE {quote(table)} {', '.join(checks)}")
        if changed and not logged(schema_editor.connection):
            # Before the change log (core 0002) the data version was one row, moved by hand.
            schema_editor.execute(
                "UPDATE core_dataversion SET number = number + 1, changed = clock_timestamp()"
            )

    def logged(connection):
        with connection.cursor() as cursor:
            return "core_dataversion" not in connection.introspection.table_names(cursor)

    def backward(apps, schema_editor):
        quote = schema_editor.quote_name
        for model, fields in checked_text_columns(apps.get_app_config(app_label).get_models()):
            table = model._meta.db_table
            drops = [f"DROP CONSTRAINT IF EXISTS {quote(name(table, f.column))}" for f in fields]
            schema_editor.execute(f"ALTER TABLE {quote(table)} {', '.join(drops)}")

    return migrations.RunPython(forward, backward, elidable=False)


class SingleLineField(CheckedCharactersMixin, models.CharField):
    """A line of text: a name, a title, a city, a code. Every CharField of the directory's
    models is one (a test walks them)."""

    refused = NOT_IN_A_LINE
    default_validators = [single_line]


class SingleLineSlugField(CheckedCharactersMixin, models.SlugField):
    """A slug; its own validator already keeps to ASCII letters, digits, - and _, and the
    column's check keeps raw writers to one line."""

    refused = NOT_IN_A_LINE
    default_validators = [validate_slug]


# What a record's slug is, for the help text of its field: the admin makes it from the record's
# English name or title where the editor leaves it empty (core.admin.forms.SlugFromNameMixin).
SLUG_FROM_NAME = _(
    "The record's name in web addresses and in the API: lower-case letters, digits and "
    "hyphens, unique. Left empty, it is made from the English name."
)
SLUG_FROM_TITLE = _(
    "The record's name in web addresses and in the API: lower-case letters, digits and "
    "hyphens, unique. Left empty, it is made from the English title."
)


class MultiLineField(CheckedCharactersMixin, models.TextField):
    """Text in lines and paragraphs (a description, a quote, a document): line breaks and
    tabs are kept, other control characters refused."""

    refused = NOT_IN_TEXT
    default_validators = [multi_line]


# What RFC 3986 allows in a URI after its host: unreserved and reserved characters, and "%"
# only as the start of an escape. Letters beyond ASCII stay allowed, as in an IRI (RFC 3987),
# since Django's validator has always accepted internationalised names.
URI_CHARACTER = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2}|[^\x00-\x7f])"
URI_REFERENCE_TAIL = re.compile(rf"{URI_CHARACTER}*(?:#{URI_CHARACTER}*)?")
USERINFO = re.compile(rf"(?:(?!@)(?!/)(?!\?){URI_CHARACTER})*")


@deconstructible
class HttpURLValidator(URLValidator):
    """An http or https URL that is also a well-formed URI (or IRI).

    Django's URLValidator takes any non-space character after the host, so quotes and angle
    brackets (`http://x.example/"><img…>`) would pass, although the API promises a URI.
    """

    message = _(
        "Enter a valid URL: quotes, angle brackets, spaces and control characters are not allowed."
    )

    def __init__(self, **kwargs):
        kwargs.setdefault("schemes", ["http", "https"])
        super().__init__(**kwargs)

    def __call__(self, value):
        super().__call__(value)
        text = str(value)
        if not text.isprintable():
            raise ValidationError(self.message, code=self.code, params={"value": value})
        parts = urlsplit(text)
        userinfo = parts.netloc.rpartition("@")[0]
        tail = text[len(f"{parts.scheme}://{parts.netloc}") :]
        if not (USERINFO.fullmatch(userinfo) and URI_REFERENCE_TAIL.fullmatch(tail)):
            raise ValidationError(self.message, code=self.code, params={"value": value})


class HttpURLField(CheckedCharactersMixin, models.URLField):
    """A URL field that accepts only http and https addresses that are well-formed URIs (so
    no control characters: the validator refuses them, and so does the column)."""

    refused = NOT_IN_A_LINE
    default_validators = [HttpURLValidator()]

    def formfield(self, **kwargs):
        return super().formfield(
            **{"form_class": HttpURLFormField, "assume_scheme": "https", **kwargs}
        )


class HttpURLFormField(forms.URLField):
    default_validators = [HttpURLValidator()]


def year_validators():
    """The validators of a year field: FIRST_YEAR to LAST_YEAR (see year_in_range)."""
    return [MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)]


def date_validators():
    """The validators of a date field: FIRST_DAY to LAST_DAY (see date_in_range)."""
    return [MinValueValidator(FIRST_DAY), MaxValueValidator(LAST_DAY)]


def value_bounds(field) -> tuple:
    """(lowest, highest) that a model field's Min/MaxValueValidators allow (None: no bound).

    The filters and the importer read a field's range from here, so the model is the one place
    that states it.
    """
    low = high = None
    for validator in field.validators:
        if isinstance(validator, MinValueValidator):
            low = validator.limit_value
        elif isinstance(validator, MaxValueValidator):
            high = validator.limit_value
    return low, high


def year_in_range(field: str, name: str) -> models.CheckConstraint:
    """A named CHECK that a year column is empty or between FIRST_YEAR and LAST_YEAR."""
    message = format_lazy(
        _("A year must be between {first} and {last}."), first=FIRST_YEAR, last=LAST_YEAR
    )
    return _in_range(field, name, FIRST_YEAR, LAST_YEAR, message)


def date_in_range(field: str, name: str) -> models.CheckConstraint:
    """A named CHECK that a date column is empty or between FIRST_DAY and LAST_DAY."""
    message = format_lazy(
        _("A date must be between {first} and {last}."), first=FIRST_DAY, last=LAST_DAY
    )
    return _in_range(field, name, FIRST_DAY, LAST_DAY, message)


def _in_range(field, name, first, last, message) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True})
        | Q(**{f"{field}__gte": first, f"{field}__lte": last}),
        name=name,
        violation_error_message=message,
    )


def slug_is_unique() -> models.UniqueConstraint:
    """The UNIQUE of a model's `slug`, named `<app>_<model>_unique_slug`."""
    return models.UniqueConstraint(fields=["slug"], name="%(app_label)s_%(class)s_unique_slug")


def country_code_is_well_formed(field: str, name: str) -> models.CheckConstraint:
    """A named CHECK that a country column is empty or a two-letter upper-case code."""
    # CountryField cleans lookup values as country codes, which would turn the pattern into "";
    # so the regex is applied to the column read as plain text.
    as_text = Cast(field, output_field=models.CharField())
    return models.CheckConstraint(
        condition=Q(Exact(as_text, "")) | Q(Regex(as_text, COUNTRY_CODE_PATTERN)),
        name=name,
        violation_error_message=_("Country must be an ISO 3166-1 alpha-2 code, e.g. ES."),
    )


def currency_code_is_well_formed(field: str, name: str) -> models.CheckConstraint:
    """A named CHECK that a currency column is empty or a three-letter upper-case code."""
    return models.CheckConstraint(
        condition=Q(**{field: ""}) | Q(**{f"{field}__regex": CURRENCY_CODE_PATTERN}),
        name=name,
        violation_error_message=_("Currency must be an ISO 4217 code, e.g. CNY."),
    )


def not_negative(field: str, name: str) -> models.CheckConstraint:
    """A named CHECK that a number column is empty or at least zero."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0}),
        name=name,
        violation_error_message=_("Numbers and amounts cannot be negative."),
    )


@functools.cache
def time_zone_names() -> tuple[str, ...]:
    """The IANA time zones a person would pick for a place, and UTC.

    These are the zones of zone.tab (each country's, named after a city), read from the pinned
    tzdata package rather than the server's database, which also holds old names kept as links
    (`Asia/Calcutta`), POSIX-style rules (`EST5EDT`), the server's own `localtime` and the
    placeholder `Factory`: names a person choosing where an expo is held would not mean.
    """
    table = importlib.resources.files("tzdata.zoneinfo").joinpath("zone.tab").read_text("utf-8")
    zones = {
        line.split("\t")[2]
        for line in table.splitlines()
        if line.strip() and not line.startswith("#")
    }
    return tuple(sorted(zones | {"UTC"}))


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in time_zone_names()]
