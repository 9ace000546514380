"""Serializer fields for links between records, for websites, and for numbers."""

from urllib.parse import quote

from django.core.validators import URLValidator
from django.urls import reverse as django_reverse
from django.utils.translation import get_language
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.reverse import reverse
from rest_framework.settings import api_settings
from rest_framework.utils import humanize_datetime

from core.fields import HttpURLValidator, value_bounds
from core.numbers import digits_are_ascii, is_decimal_text, is_integer_text, parse_integer


class CompactRelatedField(serializers.SlugRelatedField):
    """A related record: read as its link {id, slug, name, url}, the one shape of every
    reference between records; written as its slug (its id, for a record addressed by id:
    `slug_field="pk"`), or as the link itself, as a read gave it.

    A record without a slug (an exhibition area) has `"slug": null` in its link, and its URL
    names it by id."""

    def __init__(self, view_name, name_field="name", **kwargs):
        self.view_name = view_name
        self.name_field = name_field
        kwargs.setdefault("slug_field", "slug")
        super().__init__(**kwargs)

    @property
    def lookup_kwarg(self):
        """The URL's keyword for the record: its slug, or its id."""
        return "pk" if self.slug_field == "pk" else "slug"

    def to_internal_value(self, data):
        if isinstance(data, dict):
            # A link, as a read gave it: the key it is written by.
            data = data.get("id" if self.slug_field == "pk" else "slug")
            if data is None:
                self.fail("invalid")
        if "\x00" in str(data):
            self.fail("invalid")
        if self.slug_field == "pk":
            # An id in ASCII digits (core.numbers): Django would look up "١٢" as 12.
            try:
                data = parse_integer(data.strip(" ") if isinstance(data, str) else data)
            except ValueError:
                self.fail("invalid")
        return super().to_internal_value(data)

    def to_representation(self, obj):
        request = self.context.get("request")
        key = obj.pk if self.slug_field == "pk" else obj.slug
        return {
            "id": obj.pk,
            "slug": None if self.slug_field == "pk" else obj.slug,
            "name": str(getattr(obj, self.name_field)),
            "url": detail_url(self.view_name, self.lookup_kwarg, key, request),
        }


URL_PLACEHOLDER = "987654321987654321"  # matches both the slug and the int path converters


def detail_url(view_name, kwarg, value, request, format=None):
    """The URL of one record: like DRF's reverse(), but the URL pattern is resolved once per
    request and view name, not once per record (a page of 200 records links ~1,000 of them)."""
    if request is None:
        return reverse(view_name, kwargs={kwarg: value}, format=format)
    templates = request.__dict__.setdefault("_detail_url_templates", {})
    key = (view_name, kwarg, format)
    if key not in templates:
        templates[key] = reverse(
            view_name, kwargs={kwarg: URL_PLACEHOLDER}, request=request, format=format
        )
    return templates[key].replace(URL_PLACEHOLDER, quote(str(value), safe=""))


class DetailURLField(serializers.HyperlinkedIdentityField):
    """The record's own URL, through detail_url()."""

    def get_url(self, obj, view_name, request, format):
        value = getattr(obj, self.lookup_field)
        if value in (None, ""):
            return None
        return detail_url(view_name, self.lookup_url_kwarg, value, request, format)


def page_url(view_name, value, request):
    """The absolute URL of a record's public page (a URL name of the pages, e.g.
    "expos:expo-detail", with its slug), in the active language (/es/… in Spanish); the URL
    pattern resolved once per request, language and view name, as in detail_url()."""
    templates = request.__dict__.setdefault("_page_url_templates", {}) if request else {}
    key = (view_name, get_language())
    if key not in templates:
        path = django_reverse(view_name, kwargs={"slug": URL_PLACEHOLDER})
        templates[key] = request.build_absolute_uri(path) if request is not None else path
    return templates[key].replace(URL_PLACEHOLDER, quote(str(value), safe=""))


@extend_schema_field(
    {
        "type": "string",
        "format": "uri",
        "readOnly": True,
        "description": (
            "The record's public page on the site, in the answer's language (`/es/…` in "
            "Spanish), as GitHub's API gives `html_url`."
        ),
    }
)
class PageURLField(serializers.Field):
    """`html_url`: the absolute URL of the record's public page (`view_name`, a URL name of
    the pages, by the record's slug). Its SQL is core.api.cells'."""

    def __init__(self, view_name, **kwargs):
        self.view_name = view_name
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, obj):
        if not obj.slug:
            return None
        return page_url(self.view_name, obj.slug, self.context.get("request"))


class SqlMethodField(serializers.SerializerMethodField):
    """A SerializerMethodField with its twin in SQL, for the records PostgreSQL writes
    (core.api.cells): as `get_<name>(record)` gives the field's value, the serializer's
    `sql_<name>(queryset)` gives its Cell, so the two are written side by side."""

    def sql_cell(self, queryset):
        return getattr(self.parent, f"sql_{self.field_name}")(queryset)


class HttpURLSerializerField(serializers.URLField):
    """A website (core.fields.HttpURLField): checked by the model field's own validator, which
    refuses what is not a URI, rather than by DRF's looser one. In the schema an IRI: a
    domain name may be internationalised."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.validators = [
            *(v for v in self.validators if not isinstance(v, URLValidator)),
            HttpURLValidator(),
        ]


class AsciiIntegerMixin:
    """A whole number: a JSON integer, or text of ASCII digits (core.numbers). DRF's own reads
    `"١٢"` as 12, `"1_000"` as 1000 and `12.0` as 12."""

    def to_internal_value(self, data):
        if isinstance(data, bool | float) or (
            isinstance(data, str) and not is_integer_text(data.strip(" "))
        ):
            self.fail("invalid")
        return super().to_internal_value(data)


class IntegerField(AsciiIntegerMixin, serializers.IntegerField):
    pass


class BigIntegerField(AsciiIntegerMixin, serializers.BigIntegerField):
    pass


class DecimalField(serializers.DecimalField):
    """A decimal: a JSON number, or text of ASCII digits with at most one point. DRF's own
    reads `"1_000"`, `"١٢٣"` and `"1e3"` as numbers."""

    def to_internal_value(self, data):
        if isinstance(data, bool) or (
            isinstance(data, str) and not is_decimal_text(data.strip(" "))
        ):
            self.fail("invalid")
        return super().to_internal_value(data)


class PrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related record by its id, read as IntegerField reads a number: Django would look up
    `"١٢"` as the record 12."""

    def to_internal_value(self, data):
        try:
            data = parse_integer(data.strip(" ") if isinstance(data, str) else data)
        except ValueError:
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class DateField(serializers.DateField):
    """A date written in ASCII digits: DRF's parser takes any script's digits.

    Its help text (the model field's, which the schema shows) ends with the days the model
    takes: OpenAPI 3.0 has no minimum or maximum for a string, even of format `date`."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        first, last = value_bounds(self)
        if first is not None and last is not None:
            days = f"A date from {first} to {last}."
            self.help_text = f"{self.help_text} {days}" if self.help_text else days

    def to_internal_value(self, value):
        if isinstance(value, str) and not digits_are_ascii(value):
            formats = getattr(self, "input_formats", api_settings.DATE_INPUT_FORMATS)
            self.fail("invalid", format=humanize_datetime.date_formats(formats))
        return super().to_internal_value(value)


class DateTimeField(serializers.DateTimeField):
    """A date and time written in ASCII digits: DRF's parser takes any script's digits."""

    def to_internal_value(self, value):
        if isinstance(value, str) and not digits_are_ascii(value):
            formats = getattr(self, "input_formats", api_settings.DATETIME_INPUT_FORMATS)
            self.fail("invalid", format=humanize_datetime.datetime_formats(formats))
        return super().to_internal_value(value)
