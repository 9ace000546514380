"""Serializer fields for links between records, for websites, and for numbers."""

from urllib.parse import quote

from django.core.validators import URLValidator
from rest_framework import serializers
from rest_framework.reverse import reverse
from rest_framework.settings import api_settings
from rest_framework.utils import humanize_datetime

from core.fields import HttpURLValidator
from core.numbers import digits_are_ascii, is_decimal_text, is_integer_text, parse_integer


class CompactRelatedField(serializers.SlugRelatedField):
    """A related record: written as its slug, read as {slug, name, url}."""

    def __init__(self, view_name, name_field="name", **kwargs):
        self.view_name = view_name
        self.name_field = name_field
        kwargs.setdefault("slug_field", "slug")
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if "\x00" in str(data):
            self.fail("invalid")
        return super().to_internal_value(data)

    def to_representation(self, obj):
        request = self.context.get("request")
        url = self.reverse_url(obj, request)
        return {"slug": obj.slug, "name": str(getattr(obj, self.name_field)), "url": url}

    def reverse_url(self, obj, request):
        return detail_url(self.view_name, "slug", obj.slug, request)


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
    """A date written in ASCII digits: DRF's parser takes any script's digits."""

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
