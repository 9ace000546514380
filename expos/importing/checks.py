"""Checking a row: its exhibitor's values and its expo's, against what the models allow.

The limits are the models' own, read from their fields when this module is imported: the
max_length of each text field a row fills, and the ranges of expo years and dates from the
validators of `Expo.edition_year`, `Expo.start_date` and `Expo.end_date`. Country codes are
django_countries'. So a limit changed in a model is a limit changed here, and the messages name
the model's numbers.

A check returns the row's problems as (field, message) pairs together with the values as the
staging table takes them, already in COPY's text format, so that the loop over the rows
(staging.stage) formats nothing itself.
"""

import datetime
import re

from django.core.exceptions import ImproperlyConfigured
from django.db import connection
from django_countries import countries

from core.fields import CheckedCharactersMixin, HttpURLValidator, value_bounds
from exhibitors.models import Exhibitor

from ..models import Expo, Participation
from .writing import EXHIBITOR_FIELDS, EXPO_FIELDS, PARTICIPATION_FIELDS

KEPT_ERRORS = 10_000  # every bad line is counted; this many are kept to be shown

# The columns of a file, in the order a record's values come (see reading).
COLUMNS = [
    "slug", "name", "country", "region", "city", "sectors", "website", "description",
    "expo", "expo_name", "expo_year", "expo_country", "expo_city", "expo_start", "expo_end",
    "showcase",
]  # fmt: skip
# Where the parts of a row are among its values: the exhibitor's, the expo's, the showcase.
EXHIBITOR_VALUES = slice(0, COLUMNS.index("expo"))
EXPO_VALUES = slice(COLUMNS.index("expo"), COLUMNS.index("showcase"))
SHOWCASE = COLUMNS.index("showcase")


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


# --- What the models allow -------------------------------------------------------------------


def max_lengths(model, *names):
    """{field name: max_length} for the named fields of `model`."""
    return {name: model._meta.get_field(name).max_length for name in names}


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


EXHIBITOR_MAX = max_lengths(Exhibitor, "slug", "name", "region", "city")
EXPO_MAX = max_lengths(Expo, "slug", "name", "city")
FIRST_YEAR, LAST_YEAR = year_range(Expo._meta.get_field("edition_year"))
DATE_RANGES = {
    "expo_start": date_range(Expo._meta.get_field("start_date")),
    "expo_end": date_range(Expo._meta.get_field("end_date")),
}
# The characters each text column's model field refuses (a line, or lines of text).
REFUSED = {
    column: field.refused
    for model, fields in (
        (Exhibitor, EXHIBITOR_FIELDS),
        (Expo, EXPO_FIELDS),
        (Participation, PARTICIPATION_FIELDS),
    )
    for column, name in fields.items()
    if isinstance(field := model._meta.get_field(name), CheckedCharactersMixin)
}
COUNTRY_CODES = frozenset(code for code, _name in countries)
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


def bad_slug(limit):
    return f"Use letters, digits, hyphens and underscores ({limit} at most)."


def too_long(limit):
    return f"{limit} characters at most."


def not_a_country(code):
    return f"“{code}” is not an ISO 3166-1 alpha-2 country code."


# --- Websites --------------------------------------------------------------------------------

# Most websites are plain http(s)://host.tld/… addresses; those pass this quick test, and only
# the others go through the model field's validator (which accepts a superset of them).
PLAIN_URL = re.compile(
    r"^https?://(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
    r"(?:[/?][A-Za-z0-9\-._~!$&'()*+,;=:@/?]*)?$"
)
http_url = HttpURLValidator()


def website_is_valid(website):
    if PLAIN_URL.match(website):
        return True
    try:
        http_url(website)
    except Exception:
        return False
    return True


# --- Rows ------------------------------------------------------------------------------------


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


def refused_characters(problems, columns, values):
    """Add a problem for each value holding a character its column's field refuses (a line
    break in a name, an escape anywhere), unless its column has a problem already."""
    flagged = {column for column, _message in problems}
    for column, value in zip(columns, values, strict=True):
        characters = REFUSED.get(column)
        if characters and column not in flagged and characters.regex.search(value):
            problems.append((column, str(characters.message)))


def check_showcase(showcase):
    """The showcase's problems: characters it may not hold."""
    problems = []
    refused_characters(problems, ("showcase",), (showcase,))
    return problems


MISSING_EXPO = [("expo", "Expo columns are filled in but the expo slug is missing.")]
NUL_ROW = [("", "NUL characters are not allowed.")]


def has_nul(values):
    return any("\x00" in value for value in values)


def check_exhibitor(values, has_sectors, known_sectors):
    """(problems, the exhibitor's columns of a staged row, how many sectors it lists) for the
    exhibitor columns of a row.

    A row with a NUL character has that one problem, reported for the whole row.
    """
    raw = "".join(values)
    if "\x00" in raw:
        return NUL_ROW, None, 0
    slug, name, country, region, city, sectors, website, description = values
    most = EXHIBITOR_MAX
    problems = []
    if not slug:
        problems.append(("slug", "Required."))
    elif len(slug) > most["slug"] or not SLUG.match(slug):
        problems.append(("slug", bad_slug(most["slug"])))
    if not name:
        problems.append(("name", "Required."))
    elif len(name) > most["name"]:
        problems.append(("name", too_long(most["name"])))
    country = country.upper()
    if country and country not in COUNTRY_CODES:
        problems.append(("country", not_a_country(country)))
    if website and not website_is_valid(website):
        problems.append(("website", "Must be an http or https address."))
    # No `sectors` column or key: the exhibitor's sectors are left as they are.
    tags, listed = None, ()
    if has_sectors:
        listed = list(dict.fromkeys(s.strip() for s in sectors.split(";") if s.strip()))
        unknown = [s for s in listed if s not in known_sectors]
        if unknown:
            problems.append(("sectors", f"Unknown sector(s): {', '.join(unknown)}."))
        tags = ";".join(listed)
    for column, value in (("region", region), ("city", city)):
        if len(value) > most[column]:
            problems.append((column, too_long(most[column])))
    if not raw.isprintable():
        refused_characters(problems, COLUMNS[EXHIBITOR_VALUES], values)
    fields = [slug, name, country, region, city, tags, website, description]
    if "\\" in raw or not raw.isprintable():
        fields = [None if field is None else copy_text(field) for field in fields]
    if tags is None:
        fields[5] = "\\N"
    return problems, "\t" + "\t".join(fields), len(listed)


def check_expo(values):
    """(problems, the expo's columns of a staged row) for the expo columns of a row."""
    if has_nul(values):
        return NUL_ROW, None
    expo, name, year, country, city, start, end = values
    most = EXPO_MAX
    problems = []
    if len(expo) > most["slug"] or not SLUG.match(expo):
        problems.append(("expo", bad_slug(most["slug"])))
    if len(name) > most["name"]:
        problems.append(("expo_name", too_long(most["name"])))
    if len(city) > most["city"]:
        problems.append(("expo_city", too_long(most["city"])))
    if year and (
        not (year.isascii() and year.isdigit()) or not FIRST_YEAR <= int(year) <= LAST_YEAR
    ):
        problems.append(
            ("expo_year", f"“{year}” is not a year between {FIRST_YEAR} and {LAST_YEAR}.")
        )
        year = ""
    dates = {}
    for column, raw in (("expo_start", start), ("expo_end", end)):
        if raw:
            try:
                day = datetime.date.fromisoformat(raw)
            except ValueError:
                problems.append((column, f"“{raw}” is not a date (YYYY-MM-DD)."))
                continue
            first, last = DATE_RANGES[column]
            if first <= day <= last:
                dates[column] = day
            else:
                problems.append((column, f"“{raw}” is not a date between {first} and {last}."))
    if len(dates) == 2 and dates["expo_end"] < dates["expo_start"]:
        problems.append(("expo_end", "The end date cannot be before the start date."))
    country = country.upper()
    if country and country not in COUNTRY_CODES:
        problems.append(("expo_country", not_a_country(country)))
    if not all(value.isprintable() for value in values):
        refused_characters(problems, COLUMNS[EXPO_VALUES], values)
    staged = "\t" + "\t".join(
        [
            copy_text(expo), copy_text(name), str(int(year)) if year else "\\N", country,
            copy_text(city),
            dates["expo_start"].isoformat() if "expo_start" in dates else "\\N",
            dates["expo_end"].isoformat() if "expo_end" in dates else "\\N",
        ]
    )  # fmt: skip
    return problems, staged
