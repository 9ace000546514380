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
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
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


class HttpURLField(models.URLField):
    """A URL field that accepts only http and https addresses that are well-formed URIs."""

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
