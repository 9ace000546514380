"""Records written from rows: the read path of lists and details, without model instances.

A DRF serializer reads every field of every record through model instances: Django builds
each instance, django-modeltranslation resolves each translated attribute through its
descriptor, a prefetch builds instances of every related record, and DRF walks each field's
`get_attribute` and `to_representation`. For a page of 50 exhibitors that is most of the
request. A RecordPlan is worked out once per serializer (its class, the fields it has for this
request, the language): which columns to read with `values()`, which related rows to fetch
with one query per relation, and a small function per field that turns a row into what the
serializer would give. The serializer stays the contract: its fields decide the plan, its
fields' own `to_representation` writes dates, decimals and countries, and a serializer with a
field the plan cannot write from a row (a method field, a nested serializer) is served by DRF
as before. tests/api/test_plans.py checks, list by list and record by record, in both
languages and with `?expand=`, that both give the same JSON.
"""

import copy
import datetime
from collections import defaultdict

from django.conf import settings
from django.db import models
from django.db.models.query import ValuesIterable
from django.utils import timezone
from django.utils.translation import get_language
from django_countries.fields import Country, CountryField
from django_countries.serializer_fields import CountryField as CountrySerializerField
from modeltranslation.fields import NONE, TranslationFieldDescriptor
from modeltranslation.utils import build_localized_fieldname, fallbacks_enabled, resolution_order
from rest_framework import ISO_8601, relations, serializers
from rest_framework import fields as drf_fields
from rest_framework.settings import api_settings

from .fields import CompactRelatedField, DetailURLField, detail_url

# Fields whose to_representation gives back what the database gave (str, int, bool).
AS_STORED = {
    drf_fields.CharField: str,
    drf_fields.SlugField: str,
    drf_fields.URLField: str,
    drf_fields.EmailField: str,
    drf_fields.IntegerField: int,
    drf_fields.BooleanField: bool,
}


class Unsupported(Exception):
    """A field the plan cannot write from a row: the serializer is used as it is."""


def plan_for(serializer):
    """The RecordPlan of `serializer` (a single-record serializer with its context), or None
    when one of its fields needs the serializer itself. Plans are kept per class, field names
    and language."""
    cls = type(serializer)
    fields = serializer.fields
    key = (tuple(fields), get_language())
    cache = cls.__dict__.get("_record_plans")
    if cache is None:
        cache = {}
        cls._record_plans = cache
    if key not in cache:
        try:
            cache[key] = RecordPlan(cls.Meta.model, fields)
        except Unsupported:
            cache[key] = None
    return cache[key]


class RecordPlan:
    """What a serializer's fields read from a row (`columns`), from related rows
    (`relations`), and how each field is written (`writers`, per request)."""

    def __init__(self, model, fields):
        self.model = model
        self.columns = {model._meta.pk.attname}
        self.relations = {}  # field name → ManyRelation
        self.makers = []  # (field name, function of the context → function of a row)
        for name, field in fields.items():
            if field.write_only:
                continue
            self.makers.append((name, self.writer(model, field)))
        self.columns = sorted(self.columns)

    def writer(self, model, field):
        if isinstance(field, DetailURLField):
            return self.identity(field)
        if isinstance(field, relations.ManyRelatedField):
            return self.many(model, field)
        if isinstance(field, CompactRelatedField):
            return self.compact(model, field)
        if isinstance(field, relations.PrimaryKeyRelatedField):
            return self.primary_key(model, field)
        if isinstance(field, serializers.BaseSerializer | relations.RelatedField):
            raise Unsupported(field)
        if type(field) in (drf_fields.SerializerMethodField, drf_fields.HiddenField):
            raise Unsupported(field)
        if len(field.source_attrs) == 2 and field.source_attrs[1] == "name":
            return self.country_name(model, field)
        if len(field.source_attrs) != 1:
            raise Unsupported(field)
        return self.scalar(field, reader(model, field.source_attrs[0], "", self.columns))

    def scalar(self, field, read):
        """DRF writes None as None, and anything else with the field's to_representation."""
        if is_plain_datetime(field):
            return datetime_writer(read, unbound(field).to_representation)
        stored = AS_STORED.get(type(field))
        represent = unbound(field).to_representation
        # A country's code is written from a table of the codes (the answer depends on the
        # code alone), once a request per code.
        remembered = isinstance(field, CountrySerializerField)

        def make(context):
            if remembered:
                seen = {}

                def write(row):
                    value = read(row)
                    if value is None:
                        return None
                    if value not in seen:
                        seen[value] = represent(value)
                    return seen[value]

            elif stored is not None:

                def write(row):
                    value = read(row)
                    if value is None or type(value) is stored:
                        return value
                    return represent(value)

            else:

                def write(row):
                    value = read(row)
                    return None if value is None else represent(value)

            return write

        return make

    def identity(self, field):
        lookup = field.lookup_field
        self.columns.add(lookup)

        def make(context):
            request, fmt = context.get("request"), url_format(field, context)

            def write(row):
                value = row[lookup]
                if value in (None, ""):
                    return None
                return detail_url(field.view_name, field.lookup_url_kwarg, value, request, fmt)

            return write

        return make

    def country_name(self, model, field):
        """`country.name` of a CountryField: the country's name in the active language."""
        try:
            model_field = model._meta.get_field(field.source_attrs[0])
        except Exception:
            raise Unsupported(field) from None
        if not isinstance(model_field, CountryField) or model_field.multiple:
            raise Unsupported(field)
        column, countries = model_field.attname, model_field.countries
        self.columns.add(column)
        represent = unbound(field).to_representation

        def make(context):
            names = {}

            def write(row):
                code = row[column]
                if code not in names:
                    names[code] = represent(Country(code=code, custom_countries=countries).name)
                return names[code]

            return write

        return make

    def primary_key(self, model, field):
        """A related record's key (DRF's PKOnlyObject optimisation, so no join)."""
        if field.pk_field is not None:
            raise Unsupported(field)
        model_field = self.forward_key(model, field)
        column = model_field.attname
        self.columns.add(column)
        return lambda context: lambda row: row[column]

    # Related records.

    def forward_key(self, model, field):
        if len(field.source_attrs) != 1:
            raise Unsupported(field)
        try:
            model_field = model._meta.get_field(field.source_attrs[0])
        except Exception:
            raise Unsupported(field) from None
        if not (model_field.many_to_one or model_field.one_to_one) or not model_field.concrete:
            raise Unsupported(field)
        return model_field

    def compact(self, model, field):
        """A CompactRelatedField on a foreign key: {slug, name, url}, or None, from a join."""
        model_field = self.forward_key(model, field)
        related = model_field.related_model
        prefix = f"{model_field.name}__"
        key = prefix + related._meta.pk.attname
        self.columns.add(key)
        make_one = compact_writer(field, related, prefix, self.columns)

        def make(context):
            one = make_one(context)
            return lambda row: None if row[key] is None else one(row)

        return make

    def many(self, model, field):
        """A CompactRelatedField(many=True) on a many-to-many field: its records in the order
        the view's prefetch (or the related model) gives them, one query for a whole page."""
        child = field.child_relation
        if not isinstance(child, CompactRelatedField) or len(field.source_attrs) != 1:
            raise Unsupported(field)
        try:
            model_field = model._meta.get_field(field.source_attrs[0])
        except Exception:
            raise Unsupported(field) from None
        if not model_field.many_to_many or not model_field.concrete:
            raise Unsupported(field)
        relation = ManyRelation(model_field, child)
        self.relations[field.field_name] = relation
        name = field.field_name
        return lambda context: lambda row, related: related[name].get(row[self.pk], [])

    @property
    def pk(self):
        return self.model._meta.pk.attname

    # Running the plan.

    def values(self, queryset):
        """`queryset` reading only the plan's columns, as dicts (prefetches dropped: the
        plan fetches related rows itself)."""
        return plain_values(queryset.prefetch_related(None), self.columns)

    def write(self, rows, queryset, context):
        ids = [row[self.pk] for row in rows]
        related = {
            name: relation.fetch(ids, queryset, context)
            for name, relation in self.relations.items()
        }
        writers = []
        for name, make in self.makers:
            write = make(context)
            takes_related = name in self.relations
            writers.append((name, write, takes_related))
        return [
            {
                name: write(row, related) if takes_related else write(row)
                for name, write, takes_related in writers
            }
            for row in rows
        ]


def reader(model, name, prefix, columns):
    """A function of a row giving the model attribute `name` (under `prefix`, a relation's
    path such as "expo__"): a column, or a translated attribute resolved the way
    django-modeltranslation's descriptor resolves it. Adds the columns it reads to `columns`."""
    descriptor = model.__dict__.get(name)
    if isinstance(descriptor, TranslationFieldDescriptor):
        return translated_reader(descriptor, name, prefix, columns)
    try:
        model_field = model._meta.get_field(name)
    except Exception:
        raise Unsupported(name) from None
    if not model_field.concrete or model_field.is_relation:
        raise Unsupported(name)
    column = prefix + model_field.attname
    columns.add(column)
    return lambda row: row[column]


def translated_reader(descriptor, name, prefix, columns):
    """modeltranslation's TranslationFieldDescriptor.__get__, for the active language, on a
    row's columns: the first language in the resolution order whose value means something,
    else the fallback value, else the field's default."""
    undefined = descriptor.fallback_undefined
    default = NONE
    if undefined is NONE:
        default = descriptor.field.get_default()
        undefined = default
    names = [
        prefix + build_localized_fieldname(name, language)
        for language in resolution_order(get_language(), descriptor.fallback_languages)
    ]
    columns.update(names)
    if fallbacks_enabled() and descriptor.fallback_value is not NONE:
        last = descriptor.fallback_value
    else:
        last = descriptor.field.get_default() if default is NONE else default

    def read(row):
        for column in names:
            value = row[column]
            if value is not None and value != undefined:
                return value
        return last

    return read


def plain_values(queryset, columns):
    """queryset.values(*columns) as Django reads them. The columns are the languages' own
    (name_en, name_es), never a translated name, so django-modeltranslation's iterable, which
    rebuilds every row to resolve translated names, has nothing to do."""
    values = queryset.values(*columns)
    values._iterable_class = ValuesIterable
    return values


def is_plain_datetime(field):
    """A DateTimeField written in ISO 8601 in the current time zone, as DRF's default is."""
    return (
        type(field) is drf_fields.DateTimeField
        and getattr(field, "format", api_settings.DATETIME_FORMAT) == ISO_8601
        and not hasattr(field, "timezone")
    )


def datetime_writer(read, represent):
    """DRF's DateTimeField.to_representation for what the database gives (an aware datetime),
    with the time zone looked up once a request rather than once a value: in the current time
    zone, ISO 8601, UTC written as Z. Anything else goes to DRF's own."""

    def make(context):
        zone = timezone.get_current_timezone() if settings.USE_TZ else None

        def write(row):
            value = read(row)
            if value is None:
                return None
            if zone is None or type(value) is not datetime.datetime or value.tzinfo is None:
                return represent(value)
            text = value.astimezone(zone).isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text

        return write

    return make


def unbound(field):
    """A copy of a serializer's field that holds no reference to the serializer (and so to
    the request it was made for): plans outlive requests."""
    return copy.deepcopy(field)


def url_format(field, context):
    """The format DRF's HyperlinkedRelatedField puts in its URLs."""
    fmt = context.get("format")
    if fmt and field.format and field.format != fmt:
        fmt = field.format
    return fmt


def compact_writer(field, related, prefix, columns):
    """{slug, name, url} of a related record read from a row's columns under `prefix`."""
    slug = prefix + "slug"
    columns.add(slug)
    name = reader(related, field.name_field, prefix, columns)

    def make(context):
        request = context.get("request")

        def write(row):
            return {
                "slug": row[slug],
                "name": str(name(row)),
                "url": detail_url(field.view_name, "slug", row[slug], request),
            }

        return write

    return make


class ManyRelation:
    """The related records of a many-to-many field, for a page of records in one query."""

    def __init__(self, model_field, child):
        self.model_field = model_field
        self.related = model_field.related_model
        self.back = model_field.related_query_name()
        self.columns = {"slug"}
        self.name = reader(self.related, child.name_field, "", self.columns)
        self.child = child

    def base(self, queryset):
        """The view's prefetch queryset for this relation (its order and filters), else the
        related model's."""
        for lookup in queryset._prefetch_related_lookups:
            if isinstance(lookup, models.Prefetch):
                if lookup.prefetch_through == self.model_field.name and lookup.queryset is not None:
                    return lookup.queryset
            elif lookup == self.model_field.name:
                break
        return self.related._default_manager.all()

    def fetch(self, ids, queryset, context):
        """{record id: [serialised related record, …]}."""
        if not ids:
            return {}
        request = context.get("request")
        rows = plain_values(
            self.base(queryset).filter(**{f"{self.back}__in": ids}),
            [self.back, *sorted(self.columns)],
        )
        view_name = self.child.view_name
        found = defaultdict(list)
        for row in rows:
            found[row[self.back]].append(
                {
                    "slug": row["slug"],
                    "name": str(self.name(row)),
                    "url": detail_url(view_name, "slug", row["slug"], request),
                }
            )
        return found
