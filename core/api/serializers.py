"""The serializer base every record's serializer builds on: writes checked with the model's
own rules, slugs made from names, translated fields, and `?expand=`."""

import re

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django_countries.serializers import CountryFieldMixin
from rest_framework import exceptions, serializers, status
from rest_framework.settings import api_settings
from rest_framework.validators import UniqueValidator

from core.api import fields
from core.api.fields import HttpURLSerializerField
from core.fields import HttpURLField
from core.integrity import constraint_named, duplicated_constraint

# Every number and date a model field gives a serializer is read in ASCII digits (core.numbers).
STRICT_FIELDS = {
    serializers.IntegerField: fields.IntegerField,
    serializers.BigIntegerField: fields.BigIntegerField,
    serializers.DecimalField: fields.DecimalField,
    serializers.DateField: fields.DateField,
    serializers.DateTimeField: fields.DateTimeField,
}


class WriteConflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Writes at the same moment kept taking this value; send the record again."
    default_code = "conflict"


# How many times a write is tried when the database refuses it for a key that another write
# took in the meantime (a slug picked from the same name, a duplicate deleted since). Each
# refusal is one more such write committed, so this outlasts as many writers at once.
WRITE_ATTEMPTS = 32


class ValidatedModelSerializer(CountryFieldMixin, serializers.ModelSerializer):
    """Checks a write with the model's own rules (full_clean), as the admin does, so a bad
    write gets a 400 naming the field instead of a database error.

    A write that passed the check while another wrote the same key is refused by the database:
    for a slug made from the name, the next free one is taken; for any other unique
    constraint, the write is checked again, which now names the field, as it would have for
    the same write sent a moment later (see core.integrity).
    """

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

    # validate() checks every constraint of the model, with the model's messages, before and
    # after a write that raced another: DRF's own checks of unique fields would word the same
    # duplicate differently depending on when it came.
    def get_unique_together_validators(self):
        return []

    def get_fields(self):
        """Every text field is null where it is empty: marked so for the schema where the
        model lets it be empty (or it is read through a relation), and a null written to one
        whose column holds no NULL is stored as empty text (to_internal_value)."""
        fields = super().get_fields()
        for name, field in fields.items():
            if not is_text(field):
                continue
            model_field = model_field_of(self.Meta.model, field.source or name)
            if model_field is None or model_field.blank:
                field.allow_null = True
                field.null_is_blank = model_field is not None and not model_field.null
        return fields

    def to_representation(self, instance):
        """One convention for a missing value: null, never "" (text left empty, a country not
        given, in every language); core.api.cells writes the same in SQL."""
        data = super().to_representation(instance)
        for name, value in data.items():
            if value == "":
                data[name] = None
        return data

    def to_internal_value(self, data):
        if isinstance(data, dict):
            blank = {name for name, f in self.fields.items() if getattr(f, "null_is_blank", False)}
            data = {k: "" if v is None and k in blank else v for k, v in data.items()}
        return super().to_internal_value(data)

    def build_standard_field(self, field_name, model_field):
        field_class, kwargs = super().build_standard_field(field_name, model_field)
        if "validators" in kwargs:
            kwargs["validators"] = [
                each for each in kwargs["validators"] if not isinstance(each, UniqueValidator)
            ]
        return field_class, kwargs

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if self.slug_constraint() is not None:
            attrs["slug"] = unique_slug(self.Meta.model, attrs)
        self.check_model_rules(attrs)
        return attrs

    def create(self, validated_data):
        # A copy each time: ModelSerializer.create() takes the to-many relations out of it.
        return self.write(
            lambda: super(ValidatedModelSerializer, self).create(dict(validated_data)),
            validated_data,
        )

    def update(self, instance, validated_data):
        return self.write(
            lambda: super(ValidatedModelSerializer, self).update(instance, dict(validated_data)),
            validated_data,
        )

    def write(self, save, validated_data):
        """save(), in a savepoint, tried again while the database refuses it for a key that
        a write at the same moment took."""
        slug = self.slug_constraint()
        for _attempt in range(WRITE_ATTEMPTS):
            try:
                with transaction.atomic():
                    return save()
            except IntegrityError as error:
                name = duplicated_constraint(error)
                if name is None:
                    raise
                if slug is not None and name == slug.name:
                    validated_data["slug"] = unique_slug(self.Meta.model, validated_data)
                else:
                    # A true duplicate: the model's rules now see the other record.
                    self.check_model_rules(validated_data)
        fields = getattr(constraint_named(self.Meta.model, name), "fields", ())
        names = self.names_of_model_fields()
        raise WriteConflict(
            {names.get(field, field): [WriteConflict.default_detail] for field in fields} or None
        )

    def slug_constraint(self):
        """The unique constraint on the slug of a record to create, which the slug is made
        for; None when the record keeps its slug or has none."""
        if self.instance is not None:
            return None
        return next(
            (
                constraint
                for constraint in self.Meta.model._meta.constraints
                if tuple(getattr(constraint, "fields", ())) == ("slug",)
            ),
            None,
        )

    def check_model_rules(self, attrs):
        """Raise a 400 naming the fields if the record `attrs` would make breaks a rule of
        its model (its fields, clean(), its constraints)."""
        model = self.Meta.model
        many = {f.name for f in model._meta.many_to_many}
        plain = {k: v for k, v in attrs.items() if k not in many}
        if self.instance is not None:
            candidate = model.objects.get(pk=self.instance.pk)
            for name, value in plain.items():
                setattr(candidate, name, value)
        else:
            candidate = model(**plain)
        # A slug made here is valid by construction, and whether it is still free is for the
        # write to find out (a record of the same name may take it at any moment before).
        made = {"slug"} if self.slug_constraint() is not None else set()
        try:
            candidate.full_clean(exclude=[*many, *made])
        except DjangoValidationError as error:
            raise serializers.ValidationError(self.errors_by_field(error)) from None

    def names_of_model_fields(self):
        """{model field: this serializer's name for it} (`object_id`: `record_id`)."""
        return {field.source: name for name, field in self.fields.items()}

    def errors_by_field(self, error):
        """A model's ValidationError keyed by this serializer's field names. A record that
        repeats a unique set of fields is an error of each of them, not of none."""
        names = self.names_of_model_fields()
        detail = {}
        for key, errors in error.error_dict.items():
            for each in errors:
                if key == NON_FIELD_ERRORS and each.code == "unique_together":
                    keys = [names.get(f, f) for f in each.params["unique_check"]]
                elif key == NON_FIELD_ERRORS:
                    keys = [api_settings.NON_FIELD_ERRORS_KEY]
                else:
                    keys = [names.get(key, key)]
                for name in keys:
                    detail.setdefault(name, []).extend(each.messages)
        return detail


def is_text(field):
    """Whether a serializer field gives text (a choice, a URL, a country code included)."""
    return isinstance(field, serializers.CharField) or (
        isinstance(field, serializers.ChoiceField)
        and not isinstance(field, serializers.MultipleChoiceField)
    )


def model_field_of(model, source):
    """The model field a serializer field's `source` names; None through a relation ("*",
    "country.name") or for what is no field."""
    if "." in source or source == "*":
        return None
    try:
        return model._meta.get_field(source)
    except FieldDoesNotExist:
        return None


def unique_slug(model, attrs):
    """A new record's slug, from its English name or title; `-2`, `-3`… when taken.

    Slugs are read-only in the API: they are the records' public addresses.
    """
    words = next((attrs[f] for f in ("name_en", "title_en", "name", "title") if attrs.get(f)), "")
    # Room for a suffix within the field's length (100 of a slug's usual 120).
    room = model._meta.get_field("slug").max_length - 20
    base = slugify(str(words))[:room].strip("-") or model._meta.model_name
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
