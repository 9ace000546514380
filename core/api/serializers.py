"""The serializer base every record's serializer builds on: writes checked with the model's
own rules, slugs made from names, translated fields, and `?expand=`."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.text import slugify
from django_countries.serializers import CountryFieldMixin
from rest_framework import serializers
from rest_framework.settings import api_settings

from core.fields import HttpURLField

from . import fields
from .fields import HttpURLSerializerField

# Every number and date a model field gives a serializer is read in ASCII digits (core.numbers).
STRICT_FIELDS = {
    serializers.IntegerField: fields.IntegerField,
    serializers.BigIntegerField: fields.BigIntegerField,
    serializers.DecimalField: fields.DecimalField,
    serializers.DateField: fields.DateField,
    serializers.DateTimeField: fields.DateTimeField,
}


class ValidatedModelSerializer(CountryFieldMixin, serializers.ModelSerializer):
    """Checks a write with the model's own rules (full_clean), as the admin does, so a bad
    write gets a 400 naming the field instead of a database error."""

    serializer_field_mapping = {
        **{
            model_field: STRICT_FIELDS.get(serializer_field, serializer_field)
            for model_field, serializer_field in (
                serializers.ModelSerializer.serializer_field_mapping.items()
            )
        },
        HttpURLField: HttpURLSerializerField,
    }
    serializer_related_field = fields.PrimaryKeyRelatedField

    def validate(self, attrs):
        attrs = super().validate(attrs)
        model = self.Meta.model
        if self.instance is None and "slug" in {f.name for f in model._meta.fields}:
            attrs["slug"] = unique_slug(model, attrs)
        many = {f.name for f in model._meta.many_to_many}
        plain = {k: v for k, v in attrs.items() if k not in many}
        if self.instance is not None:
            candidate = model.objects.get(pk=self.instance.pk)
            for name, value in plain.items():
                setattr(candidate, name, value)
        else:
            candidate = model(**plain)
        try:
            candidate.full_clean(exclude=list(many))
        except DjangoValidationError as error:
            raise serializers.ValidationError(
                {
                    (api_settings.NON_FIELD_ERRORS_KEY if key == "__all__" else key): messages
                    for key, messages in error.message_dict.items()
                }
            ) from None
        return attrs


def unique_slug(model, attrs):
    """A new record's slug, from its English name or title; `-2`, `-3`… when taken.

    Slugs are read-only in the API: they are the records' public addresses.
    """
    words = next((attrs[f] for f in ("name_en", "title_en", "name", "title") if attrs.get(f)), "")
    base = slugify(str(words))[:100].strip("-") or model._meta.model_name
    # One query for every taken `base` and `base-N`, not one query per number tried.
    taken = set(
        model.objects.filter(slug__regex=rf"^{re.escape(base)}(-[0-9]+)?$").values_list(
            "slug", flat=True
        )
    )
    if base not in taken:
        return base
    suffixes = [int(slug.rsplit("-", 1)[1]) for slug in taken if slug != base]
    return f"{base}-{max(suffixes, default=1) + 1}"


def translated(*names):
    """Field names for translated text: `name` (the active language, read-only) and one
    writable field per language (`name_en`, `name_es`)."""
    codes = [code for code, _ in settings.LANGUAGES]
    return [field for name in names for field in (name, *[f"{name}_{c}" for c in codes])]


class ExpandableSerializerMixin:
    """Adds the fields named in `?expand=` (see DirectoryViewSet.expandable), built by the
    functions in `expandable_fields`, so a client asks for nested records in one request."""

    expandable_fields: dict = {}

    def get_fields(self):
        fields = super().get_fields()
        for name in self.context.get("expand", []):
            if name in self.expandable_fields:
                fields[name] = self.expandable_fields[name]()
        return fields
