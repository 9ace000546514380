"""The filters every list's FilterSet is built from.

Within one parameter the values are alternatives (`country=CN&country=BY`: either), and
different parameters narrow each other (`country=CN&sector=video-iot`: both). A value the
directory does not know is an error that names it, never an empty or unfiltered list.
"""

import functools

import django_filters
from django import forms
from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db.models import QuerySet
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from core.changelog import dataversion
from core.fields import value_bounds
from core.numbers import IntegerFormField, parse_integer
from core.translated import translated


def resolve_field(model, path):
    """The model field at the end of a lookup path such as `participations__expo__slug`."""
    field = None
    for part in path.split("__"):
        if field is not None:
            model = field.related_model
        field = model._meta.get_field(part)
    return field


class MultipleIntegerField(forms.Field):
    """Several whole numbers from a repeated parameter (`?year=2021&year=2023`), each within
    `min_value` and `max_value`."""

    widget = forms.SelectMultiple
    default_error_messages = {
        "invalid": _("“%(value)s” is not a year."),
        "range": _("%(value)s is not a year between %(min)s and %(max)s."),
    }

    def __init__(self, *, min_value, max_value, **kwargs):
        self.min_value, self.max_value = min_value, max_value
        super().__init__(**kwargs)

    def to_python(self, value):
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        numbers = []
        for raw in values:
            try:
                number = parse_integer(str(raw).strip(" "))
            except ValueError:
                raise forms.ValidationError(
                    self.error_messages["invalid"], code="invalid", params={"value": raw}
                ) from None
            if not self.min_value <= number <= self.max_value:
                raise forms.ValidationError(
                    self.error_messages["range"],
                    code="range",
                    params={"value": number, "min": self.min_value, "max": self.max_value},
                )
            numbers.append(number)
        return numbers


# What the API's documentation says of each kind of filter (a list may say more).
REPEAT = "Repeat the parameter for any of several."
YEARS_HELP = f"Edition years of the expos, e.g. `2023`. {REPEAT}"
COUNTRIES_HELP = f"Countries, as two-letter ISO 3166-1 codes such as `CN` (in any case). {REPEAT}"


@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class YearFilter(django_filters.Filter):
    """Years, within the range the model's year field allows (its validators).

    `years_of` names that field when the filter works through a `method` rather than its own
    `field_name` (the exhibitor list's years are those of the expos it exhibited at).
    """

    field_class = MultipleIntegerField

    def __init__(self, *args, years_of=None, **kwargs):
        self.years_of = years_of
        kwargs.setdefault("help_text", YEARS_HELP)
        super().__init__(*args, **kwargs)

    @property
    def field(self):
        if not hasattr(self, "_field"):
            path = self.years_of or self.field_name
            try:
                low, high = value_bounds(resolve_field(self.model, path))
            except FieldDoesNotExist as error:
                raise ImproperlyConfigured(f"YearFilter: no field {path!r}") from error
            if low is None or high is None:
                raise ImproperlyConfigured(
                    f"YearFilter: {self.model.__name__}.{path} has no Min/MaxValueValidator."
                )
            self.extra.update(min_value=low, max_value=high)
        return super().field

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__in": value})


@extend_schema_field(OpenApiTypes.INT)
class IntegerFilter(django_filters.NumberFilter):
    """A whole number, in ASCII digits: django-filter's NumberFilter takes any decimal, and
    `record_id=1.5` would find the record 1."""

    field_class = IntegerFormField


class CountryCodesField(forms.MultipleChoiceField):
    """Country codes in any case, checked against a set of the codes rather than by walking
    the list of some 250 (code, translated name) choices for every value of every request."""

    def to_python(self, value):
        return [str(v).strip().upper() for v in super().to_python(value)]

    def valid_value(self, value):
        return str(value) in country_codes()

    def expected(self, value):
        """What the error for `value` says (core.lists.errors): not the 250 codes."""
        return gettext(
            "“%(value)s” is not a country code: give a two-letter ISO 3166-1 code, such as CN."
        ) % {"value": value}


@functools.cache
def country_codes():
    return frozenset(code for code, _name in countries)


@extend_schema_field(OpenApiTypes.STR)
class CountryFilter(django_filters.MultipleChoiceFilter):
    """ISO 3166-1 alpha-2 codes; upper case is not required (`cn` is China)."""

    field_class = CountryCodesField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", lambda: list(countries))
        kwargs.setdefault("label", _("Country"))
        kwargs.setdefault("help_text", COUNTRIES_HELP)
        # A country is a column of the record or of a record it points at: no duplicates to
        # remove, and SELECT DISTINCT over every column would cost a sort of the whole result.
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        return super().filter(qs, [code.upper() for code in value] if value else value)

    def facet_labels(self, values):
        return {code: countries.name(code) for code in values}

    def facet_selected(self, values):
        return {str(value).upper() for value in values}


# Up to how many slugs of one filter a lookup is remembered (dataversion.remembered).
MAX_REMEMBERED_SLUGS = 8


class SlugsField(django_filters.fields.ModelMultipleChoiceField):
    """Records named by slugs; none named is [], not the field's `queryset.none()`, so the
    filter (and a FilterSet's method) is skipped instead of being asked whether an empty
    queryset has rows, which compiles its SQL on every request."""

    def clean(self, value):
        records = super().clean(value)
        if isinstance(records, QuerySet) and records.query.is_empty():
            return []
        return records

    def _check_values(self, value):
        # The records a few slugs name are looked up once per data version and process: a
        # list is filtered by the same few sectors or expos request after request. The
        # records are only read (their keys, for the filter; their slugs, for the facets).
        try:
            slugs = frozenset(value)
        except TypeError:
            return super()._check_values(value)  # its error for a list of lists
        # Only for a filter over all the model's records: one that offers some of them would
        # find another's answer under the same key.
        if len(slugs) > MAX_REMEMBERED_SLUGS or self.queryset.query.where:
            return super()._check_values(value)
        key = ("slugs", self.queryset.model._meta.label, self.to_field_name, slugs)
        found = dataversion.remembered(
            lambda: tuple(super(SlugsField, self)._check_values(value)), *key
        )
        return list(found)  # a list of this request's own, of the records every request shares


@extend_schema_field(OpenApiTypes.STR)
class SlugFilter(django_filters.ModelMultipleChoiceFilter):
    """Records named by their slugs (in the schema: strings).

    Next to its count a record is named by `facet_label(record)` (its str() unless given) or,
    where `label_fields` names fields, by the first of them that is not empty, each as the
    record's attribute gives it in the page's language (see translated_reader). Those are read
    as values, not records: a facet can name thousands of records (the expos), and building
    each record took longer than counting them.
    """

    field_class = SlugsField

    def __init__(self, *args, facet_label=str, label_fields=(), **kwargs):
        self.facet_label = facet_label
        self.label_fields = tuple(label_fields)
        super().__init__(*args, **kwargs)

    def facet_labels(self, values):
        records = self.get_queryset(None).filter(slug__in=values)
        if not self.label_fields:
            return {record.slug: str(self.facet_label(record)) for record in records}
        readers = [translated_reader(records.model, name) for name in self.label_fields]
        columns = {column for reader_columns, _read in readers for column in reader_columns}

        def label(row):
            return next((text for text in (read(row) for _columns, read in readers) if text), "")

        rows = records.order_by().values("slug", *sorted(columns))
        return {row["slug"]: str(label(row)) for row in rows}


def translated_reader(model, name):
    """(columns, read): the columns of `model.name` to read as values, and read(row), which
    gives from a row of them what the record's attribute would in the active language (a
    translated field by core.translated's rule)."""
    rule = translated(model, name)
    if rule is None:
        return [name], lambda row: row[name]
    return rule.columns, rule.read


def slug_filter(model_label: str, field_name: str, label, **kwargs):
    """Several records named by slug; an unknown slug is an error, not an empty result.

    The model is named by its label, so that a FilterSet can point at a model of any app.
    """

    def queryset(request):
        return apps.get_model(model_label).objects.all()

    def help_text():
        noun = apps.get_model(model_label)._meta.verbose_name
        return f"By {noun} slug; an unknown slug is an error. {REPEAT}"

    kwargs.setdefault("help_text", lazy(help_text, str)())

    # django-filter compares `field_name` with each record's `to_field_name` value. Only a
    # many-to-many path can repeat a record; those pass distinct=True.
    kwargs.setdefault("distinct", False)
    return SlugFilter(
        field_name=field_name if "method" in kwargs else f"{field_name}__slug",
        to_field_name="slug",
        queryset=queryset,
        label=label,
        **kwargs,
    )


# The orderings several lists offer, by parameter: (model field, label A→Z, label Z→A).
SHARED_ORDERINGS = {
    "id": ("id", _("Oldest first"), _("Newest first")),
    "name": ("name", _("Name, A to Z"), _("Name, Z to A")),
    "title": ("title", _("Title, A to Z"), _("Title, Z to A")),
}


def ordering_filter(*options):
    """An `ordering` parameter from options, each a shared ordering's parameter ("name") or
    a list's own (parameter, model field, label A→Z, label Z→A). A list that names none is
    sorted by its records' age (`id`); ties are broken by the list's usual order, then by id
    (DirectoryFilterSet.filter_queryset).

    Both directions have their own translatable label: django-filter would otherwise build
    "… (descending)" once, in whatever language was active when the module was imported.
    Every list can also be sorted by when its records last changed, for keeping a copy in sync.
    """
    options = [
        (option, *SHARED_ORDERINGS[option]) if isinstance(option, str) else option
        for option in options or ["id"]
    ]
    options.append(("updated", "updated", _("Least recently updated"), _("Most recently updated")))
    return django_filters.OrderingFilter(
        fields=[(field, parameter) for parameter, field, _asc, _desc in options],
        choices=[
            choice
            for parameter, _field, ascending, descending in options
            for choice in ((parameter, ascending), (f"-{parameter}", descending))
        ],
        label=_("Sort by"),
        help_text=(
            "The order of the results: one of the choices below (a `-` reverses it). Ties "
            "are broken by the list's usual order, then by id."
        ),
    )


class TrueOrFalseField(forms.Field):
    """`true` or `false` (also `1`, `0`, any case); empty is no filter, anything else an error.

    Django's NullBooleanField reads a value it does not know as "unknown", which would turn a
    typo such as `?synthetic=ture` into an unfiltered list.
    """

    widget = forms.TextInput
    default_error_messages = {"invalid": _("“%(value)s” is neither true nor false.")}
    meanings = {"true": True, "1": True, "false": False, "0": False}

    def to_python(self, value):
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        try:
            return self.meanings[str(value).strip().lower()]
        except KeyError:
            raise forms.ValidationError(
                self.error_messages["invalid"], code="invalid", params={"value": value}
            ) from None


class TrueOrFalseFilter(django_filters.BooleanFilter):
    field_class = TrueOrFalseField


def synthetic_filter():
    """`synthetic=true` keeps only the records generate_directory wrote for load testing,
    `synthetic=false` only the directory's own (see core.models.SyntheticMixin)."""
    return TrueOrFalseFilter(
        field_name="synthetic",
        label=_("Synthetic (load-test) records"),
        help_text=(
            "`true`: only the records generated for load testing; `false`: only the "
            "directory's own. Without it, both."
        ),
    )
