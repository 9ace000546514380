"""Checking a row: each value against what the model field it fills allows.

A column's kind (Text, Slug, Country, Website, Listed, Year, Date) checks its values and stages
them; it takes its limits from the model field when this module's columns are declared (see
columns): the max_length of a text field, the pattern of a slug field's validator, the choices
of a country field, the range of a year or a date from its field's Min/MaxValueValidator, the
characters a text field refuses. So a limit changed in a model is a limit changed here, and the
messages name the model's numbers.

A part's check (PartCheck) returns the problems of a row's values for one model as (column,
message) pairs, together with the values as the staging table takes them, already in COPY's
text format, so that the loop over the rows (staging.stage) formats nothing itself.
"""

import datetime
import re
import sys

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import connection, models

from core.fields import CheckedCharactersMixin, value_bounds

KEPT_ERRORS = 10_000  # every bad line is counted; this many are kept to be shown


class ImportRejected(Exception):
    """The file has bad rows; `errors` lists (line, field, message) for each, `total` counts
    them all (only the first KEPT_ERRORS are kept)."""

    def __init__(self, errors, total=None):
        self.errors = sorted(errors, key=lambda error: error[0])
        self.total = total if total is not None else len(errors)
        super().__init__(f"{self.total} problem(s) in the file")


class Problems:
    """The problems found so far: all counted, the first KEPT_ERRORS kept."""

    def __init__(self):
        self.kept, self.total = [], 0

    def add(self, line, field, message):
        self.total += 1
        if len(self.kept) < KEPT_ERRORS:
            self.kept.append((line, field, message))

    def raise_if_any(self):
        if self.total:
            raise ImportRejected(self.kept, self.total)


class Invalid(Exception):
    """A value its column does not take; the message is the problem reported with its line."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


REQUIRED = "Required."


def bad_slug(limit):
    return f"Use letters, digits, hyphens and underscores ({limit} at most)."


def too_long(limit):
    return f"{limit} characters at most."


def not_a_country(code):
    return f"“{code}” is not an ISO 3166-1 alpha-2 country code."


# --- Ranges the models allow -----------------------------------------------------------------


def year_range(field):
    """(first, last): the years the MinValueValidator and MaxValueValidator of `field` allow.

    Django adds validators of its own for the range of the column's integer type (0–32767 for
    a PositiveSmallIntegerField) when the field declares none as tight: those are not a range
    of years, so a field that only has them is a mistake in the model, reported at once rather
    than turned into a check that lets any number through.
    """
    first, last = value_bounds(field)
    column_first, column_last = connection.ops.integer_field_range(field.get_internal_type())
    if first in (None, column_first) or last in (None, column_last):
        raise ImproperlyConfigured(
            f"{field.model.__name__}.{field.name} needs a MinValueValidator and a "
            "MaxValueValidator: the bulk importer accepts the years between them."
        )
    return first, last


def date_range(field):
    """(first, last): the days the MinValueValidator and MaxValueValidator of `field` allow."""
    first, last = value_bounds(field)
    if first is None or last is None:
        raise ImproperlyConfigured(
            f"{field.model.__name__}.{field.name} needs a MinValueValidator and a "
            "MaxValueValidator: the bulk importer accepts the dates between them."
        )
    return first, last


# --- Kinds of columns ------------------------------------------------------------------------


class Kind:
    """How the values of a column are checked and staged, read from the model field it fills.

    `stage(value)` takes a value as read (stripped text, "" when not given) and gives it as the
    staging table takes it, None standing for NULL, or raises Invalid. `staging_type` is the
    staging column's SQL type, `refused` the characters the field refuses (if it checks them
    itself), `nullable` whether `stage` may give None, and `free` whether it takes any text
    (then only `refused` is checked).
    """

    staging_type = "text"
    nullable = False
    free = False
    field_classes = (models.Field,)
    can_require = False  # whether a row may be refused for leaving it empty

    def __init__(self, field, *, required=False):
        takes = isinstance(field, self.field_classes) and (self.can_require or not required)
        if self.nullable and not field.many_to_many:
            takes = takes and field.null  # a value not given is stored as NULL
        if not takes:
            raise ImproperlyConfigured(
                f"{field.model.__name__}.{field.name} cannot be imported as a "
                f"{'required ' if required else ''}{type(self).__name__} column."
            )
        self.field, self.required = field, required
        self.refused = field.refused if isinstance(field, CheckedCharactersMixin) else None

    def stage(self, value):
        raise NotImplementedError


class Text(Kind):
    """A line or lines of text, up to the field's max_length if it has one; "" when not given,
    which is how the model stores nothing."""

    field_classes = (models.CharField, models.TextField)
    can_require = True
    search = None  # a pattern the text must match, if any

    def __init__(self, field, *, required=False):
        super().__init__(field, required=required)
        self.free = field.max_length is None and not required
        if field.max_length is None:
            self.limit, self.refusal = sys.maxsize, None  # any length
        else:
            self.limit, self.refusal = field.max_length, too_long(field.max_length)

    def stage(self, value):
        if not value:
            if self.required:
                raise Invalid(REQUIRED)
        elif len(value) > self.limit or (self.search is not None and not self.search(value)):
            raise Invalid(self.refusal)
        return value


class Slug(Text):
    """A slug: what the pattern of the field's RegexValidator matches, up to its max_length."""

    field_classes = (models.SlugField,)

    def __init__(self, field, *, required=False):
        super().__init__(field, required=required)
        (pattern,) = [v.regex for v in field.validators if isinstance(v, RegexValidator)]
        self.search = pattern.search
        self.free = False
        self.refusal = bad_slug(self.limit)  # a slug too long or not a slug: one message


class Country(Kind):
    """A country code of the field's choices, in any case; staged in capitals."""

    field_classes = (models.CharField,)

    def __init__(self, field, *, required=False):
        super().__init__(field, required=required)
        self.codes = frozenset(code for code, _name in field.choices)

    def stage(self, value):
        code = value.upper()
        if code and code not in self.codes:
            raise Invalid(not_a_country(code))
        return code


# Most websites are plain http(s)://host.tld/… addresses; those pass this quick test, and only
# the others go through the model field's validators (which accept a superset of them).
PLAIN_URL = re.compile(
    r"^https?://(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
    r"(?:[/?][A-Za-z0-9\-._~!$&'()*+,;=:@/?]*)?$"
)


class Website(Kind):
    """An address the URL field's validators take, up to its max_length."""

    field_classes = (models.URLField,)

    def __init__(self, field, *, required=False):
        super().__init__(field, required=required)
        self.limit = field.max_length
        # The length has a message of its own, given to an address that is otherwise good.
        self.validators = [v for v in field.validators if not isinstance(v, MaxLengthValidator)]

    def stage(self, value):
        if value:
            if not PLAIN_URL.match(value):
                try:
                    for validator in self.validators:
                        validator(value)
                except (ValidationError, ValueError):
                    raise Invalid("Must be an http or https address.") from None
            if len(value) > self.limit:
                raise Invalid(too_long(self.limit))
        return value


class Listed(Kind):
    """The records a many-to-many field links to, named by their slugs separated by `;`, each
    of which must name one (`known`, read as the import starts: see `bound`). Staged as the
    slugs it lists, each once, in their order; a file without the column stages NULL, and the
    links are left as they are."""

    field_classes = (models.ManyToManyField,)
    nullable = True

    def __init__(self, field, *, required=False):
        super().__init__(field, required=required)
        self.unknown = f"Unknown {field.related_model._meta.verbose_name}(s): {{}}."

    def bound(self, known):
        """The stage function of an import in which the slugs `known` may be named."""
        unknown_message = self.unknown

        def stage(value):
            listed = list(dict.fromkeys(filter(None, map(str.strip, value.split(";")))))
            if not known.issuperset(listed):
                unknown = [s for s in listed if s not in known]
                raise Invalid(unknown_message.format(", ".join(unknown)))
            return ";".join(listed)

        return stage

    @staticmethod
    def absent(value):
        return None


class Ranged(Kind):
    """A value between those the field's validators allow (`bounds` reads them), staged as the
    field's own type; NULL when not given."""

    nullable = True

    def __init__(self, field, *, required=False):
        super().__init__(field, required=required)
        self.first, self.last = self.bounds(field)
        self.staging_type = field.db_type(connection)


class Year(Ranged):
    """A year, in ASCII digits."""

    field_classes = (models.IntegerField,)
    bounds = staticmethod(year_range)

    def stage(self, value):
        if not value:
            return None
        if not (value.isascii() and value.isdigit()) or not self.first <= int(value) <= self.last:
            raise Invalid(f"“{value}” is not a year between {self.first} and {self.last}.")
        return str(int(value))


class Date(Ranged):
    """A day, as YYYY-MM-DD."""

    field_classes = (models.DateField,)
    bounds = staticmethod(date_range)

    def stage(self, value):
        if not value:
            return None
        try:
            day = datetime.date.fromisoformat(value)
        except ValueError:
            raise Invalid(f"“{value}” is not a date (YYYY-MM-DD).") from None
        if not self.first <= day <= self.last:
            raise Invalid(f"“{value}” is not a date between {self.first} and {self.last}.")
        return day.isoformat()


# --- Rows ------------------------------------------------------------------------------------

NUL_ROW = [("", "NUL characters are not allowed.")]
NULL = "\\N"  # NULL in COPY's text format


def copy_text(value):
    """A value in COPY's text format: backslashes, tabs and line breaks escaped."""
    if "\\" in value or not value.isprintable():
        return (
            value.replace("\\", "\\\\")
            .replace("\t", "\\t")
            .replace("\n", "\\n")
            .replace("\r", "\\r")
        )
    return value


def has_nul(values):
    return any("\x00" in value for value in values)


def refused_characters(problems, columns, values):
    """Add a problem for each value holding a character its column's field refuses (a line
    break in a name, an escape anywhere), unless its column has a problem already."""
    flagged = {column for column, _message in problems}
    for column, value in zip(columns, values, strict=True):
        characters = column.kind.refused
        if characters and column.name not in flagged and characters.regex.search(value):
            problems.append((column.name, str(characters.message)))


class PartCheck:
    """The check of the values a row gives one model (a columns.Part), in one import.

    `check` takes those values (and `has_list`: whether the file gives the part's Listed
    column, if it has one) and returns (problems, the part's columns of a staged row as COPY
    text, how many records the Listed column links to). A row with a NUL character has that
    one problem, reported for the whole row, and no staged text (None). `dates` is a pair of
    the part's Date columns, a start and an end that may not come before it.
    """

    def __init__(self, part, *, known=frozenset(), dates=None):
        columns = self.columns = part.columns
        self.stages = {True: [], False: []}  # by whether the file gives the Listed column
        self.listed = None
        for at, column in enumerate(columns):
            kind = column.kind
            if isinstance(kind, Listed):
                self.listed = at
                self.stages[True].append(kind.bound(known))
                self.stages[False].append(kind.absent)
            else:
                # A free text is staged as it is: it has only its characters checked (below).
                stage = None if kind.free else kind.stage
                self.stages[True].append(stage)
                self.stages[False].append(stage)
        self.nullable = [at for at, column in enumerate(columns) if column.kind.nullable]
        self.dates = None
        if dates:
            start, end = dates
            self.dates = (columns.index(start), columns.index(end), end.name)

    def check(self, values, has_list=True):
        raw = "".join(values)
        printable = raw.isprintable()
        if not printable and "\x00" in raw:  # NUL is not printable
            return NUL_ROW, None, 0
        problems = []
        staged = []
        for column, stage, value in zip(self.columns, self.stages[has_list], values, strict=True):
            try:
                staged.append(value if stage is None else stage(value))
            except Invalid as invalid:
                problems.append((column.name, invalid.message))
                staged.append(None)
        if self.dates:
            start, end, name = self.dates
            # Staged as YYYY-MM-DD, dates sort as their text does.
            if staged[start] and staged[end] and staged[end] < staged[start]:
                problems.append((name, "The end date cannot be before the start date."))
        if not printable:
            refused_characters(problems, self.columns, values)
        if problems:
            return problems, "", 0  # a row with problems is never staged
        tags = self.listed is not None and staged[self.listed]
        links = tags.count(";") + 1 if tags else 0
        if "\\" in raw or not printable:
            staged = [None if value is None else copy_text(value) for value in staged]
        for at in self.nullable:
            if staged[at] is None:
                staged[at] = NULL
        return problems, "\t" + "\t".join(staged), links
