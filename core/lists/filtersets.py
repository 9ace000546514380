"""The base of every list's FilterSet.

One FilterSet a list: the HTML page, its CSV download and the API all filter through it, so a
query string such as `?country=CN&sector=video-iot` means the same thing everywhere. An app
whose records relate to another app's list extends that list's FilterSet (a subclass adding
filters and facets), rather than the lower app looking upwards.
"""

import copy
from datetime import UTC, timedelta

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import F
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from core.lists.errors import DescribedChoicesForm
from core.lists.search import RANKED
from core.numbers import digits_are_ascii
from core.translated import translated

# Orderings that need no further key but id to be total.
UNIQUE_KEYS = {"id", "pk", "updated", "created"}


class RejectNulCharactersForm(forms.Form):
    """PostgreSQL cannot hold NUL characters: a value with one is an error, not a crash."""

    def clean(self):
        cleaned = super().clean()
        for name in self.fields:
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else []
            if any("\x00" in str(value) for value in values):
                self.add_error(name, _("NUL characters are not allowed."))
        return cleaned


def base_key(model, key):
    """`-name_es` → `-name`: modeltranslation has already turned `name` into a column."""
    if not isinstance(key, str):
        return key
    name = key.lstrip("-")
    stem, _sep, suffix = name.rpartition("_")
    if suffix in dict(settings.LANGUAGES) and translated(model, stem) is not None:
        return key.replace(name, stem)
    return key


def unknown_last(model, key):
    """A key on a column that may be NULL (a date or year not reported) as an ordering that
    puts the unknown values last in either direction: PostgreSQL puts NULLs first when sorting
    in descending order, so "latest first" would open with the records whose date is unknown."""
    if not isinstance(key, str):
        return key
    name = key.lstrip("-")
    try:
        column = model._meta.get_field(name)
    except FieldDoesNotExist:
        return key
    if not getattr(column, "null", False) or not getattr(column, "concrete", False):
        return key
    if column.is_relation:
        return key  # ordered by the related model's own ordering
    return F(name).desc(nulls_last=True) if key.startswith("-") else F(name).asc(nulls_last=True)


def language_ordering(model, keys):
    """Order by translated text as the page shows it, in the active language with its
    fallbacks (core.translated.sort_key).

    modeltranslation would order `name` by `name_es` alone, putting every record without a
    Spanish name last; the sort key matches what is displayed, and has an index.
    """
    expressions = []
    for key in keys:
        rule = translated(model, key.lstrip("-")) if isinstance(key, str) else None
        if rule is None:
            expressions.append(unknown_last(model, key))
            continue
        value = rule.sort_key()
        expressions.append(value.desc() if key.startswith("-") else value.asc())
    return expressions


class ChangedSinceField(django_filters.fields.IsoDateTimeField):
    """An ISO 8601 date and time that PostgreSQL can compare: its time-zone offset within
    ±15:59 (PostgreSQL refuses more; real ones stay within ±14:00), taken to UTC in Python
    so that no odd offset reaches the database, and a value in UTC's years 1 to 9999."""

    default_error_messages = {
        "invalid": _("Enter a valid date and time, in ISO 8601 form such as 2024-05-01T08:00:00Z."),
        "offset": _("Give a time-zone offset between -15:59 and +15:59."),
        "range": _("Give a date and time between the years 1 and 9999."),
    }

    def to_python(self, value):
        if isinstance(value, str) and not digits_are_ascii(value):
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        result = super().to_python(value)
        if result is None or result.utcoffset() is None:
            return result
        if abs(result.utcoffset()) >= timedelta(hours=16):
            raise forms.ValidationError(self.error_messages["offset"], code="offset")
        try:
            return result.astimezone(UTC)
        except OverflowError:
            raise forms.ValidationError(self.error_messages["range"], code="range") from None


class ChangedSinceFilter(django_filters.IsoDateTimeFilter):
    field_class = ChangedSinceField


def as_query_dict(data) -> QueryDict:
    """A mutable copy of `data`, a QueryDict or a plain {name: value or [values]} dict."""
    if isinstance(data, QueryDict):
        return data.copy()
    copy = QueryDict(mutable=True)
    for name, value in data.items():
        copy.setlist(name, list(value) if isinstance(value, list | tuple) else [value])
    return copy


class Filters(dict):
    """A FilterSet's base_filters, copied for each FilterSet made from them a filter at a time
    rather than deep: django-filter deep-copies them on every request, querysets and
    choices included, which took a millisecond a request. Nothing in a filter is changed
    by a request but the `model` and `parent` each copy is given, the FilterMethod that finds
    a `method=` on the parent, which each copy gets anew, and `extra`, the keyword arguments of
    the filter's form field, which django-filter writes to when it builds the field: each copy
    has a dict of its own."""

    def __deepcopy__(self, memo):
        copies = {}
        for name, filter_ in self.items():
            copies[name] = copied = copy.copy(filter_)
            copied.extra = dict(filter_.extra)
            if copied.method is not None:
                copied.method = copied.method  # a FilterMethod of the copy, not the original
        return copies


class DirectoryFilterSet(django_filters.FilterSet):
    """What every list's FilterSet shares.

    `facets` maps the parameters whose options are shown with a count of the results each
    would give to the lookup path that is counted, or to a core.lists.facets.Facet (a path that
    reaches each value once per record); `facet_tables` names the count tables that serve
    some of them (core.lists.counttables); see core.lists.facets.

    `parameter_aliases` maps a former parameter name to its filter's present one. Only the
    values the present filter accepts are read as it, so a former name can be shared with
    another meaning (an expo's `format=online` is its `attendance`; `format=csv` is the
    API's output format).

    An empty value (`?country=`, as a form sends a field left empty) is no filter, on the
    pages and in the API alike.
    """

    facets: dict = {}
    parameter_aliases: dict = {}

    updated_since = ChangedSinceFilter(
        field_name="updated",
        lookup_expr="gte",
        label=_("Changed since (ISO 8601 date and time)"),
        help_text=(
            "Only the records changed at or after this ISO 8601 date and time, e.g. "
            "`2024-05-01T08:00:00Z` (without an offset, UTC). With `ordering=updated`, a "
            "copy is kept in sync."
        ),
    )

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(None if data is None else self.canonical_data(data), *args, **kwargs)

    @classmethod
    def get_filters(cls):
        return Filters(super().get_filters())

    @classmethod
    def canonical_data(cls, data):
        """`data` as the filters read it: former parameter names taken as the present ones,
        and empty values of filters dropped."""
        data = as_query_dict(data)
        for former, present in cls.parameter_aliases.items():
            values = data.getlist(former)
            taken = [value for value in values if value in cls.aliased_values(former)]
            if taken:
                data.setlist(former, [value for value in values if value not in taken])
                data.setlist(present, [*data.getlist(present), *taken])
        for name in cls.base_filters:
            if name in data:
                values = [value for value in data.getlist(name) if value != ""]
                if values:
                    data.setlist(name, values)
                else:
                    del data[name]
        return data

    @classmethod
    def aliased_values(cls, former):
        """The values of a former parameter name that are read as its present filter: those
        among the present filter's choices."""
        present = cls.parameter_aliases.get(former)
        if present is None:
            return set()
        choices = cls.base_filters[present].extra["choices"]
        return {str(value) for value, _label in (choices() if callable(choices) else choices)}

    def get_form_class(self):
        # Made once per FilterSet class: django-filter builds a new form class, and a new
        # form field for each filter, on every request, while nothing in them depends on the
        # request (labels and choices are read, translated, when used). Each form is still
        # an instance of its own, with fields copied from the class.
        cls = type(self)
        form_class = cls.__dict__.get("_form_class")
        if form_class is None:
            made = super().get_form_class()
            bases = (RejectNulCharactersForm, DescribedChoicesForm, made)
            form_class = type(made.__name__, bases, {})
            cls._form_class = form_class
        return form_class

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        model = queryset.model
        chosen = [base_key(model, key) for key in queryset.query.order_by]
        default = list(model._meta.ordering)
        if not chosen:
            ordering = default
        else:
            # "Z to A" is exactly "A to Z" reversed: the keys after the chosen one (the list's
            # usual order, then id to break ties) follow its direction, so one index serves it.
            first = str(chosen[0])
            # Best matches first, then the usual order.
            descending = first.startswith("-") and first != RANKED
            then = [] if first.lstrip("-") in UNIQUE_KEYS else default
            taken = {str(key).lstrip("-") for key in chosen}
            ordering = list(chosen)
            for key in [*then, "id"]:
                name = key.lstrip("-")
                if name not in taken and name != "pk":
                    ordering.append(f"-{name}" if descending else name)
                    taken.add(name)
        return queryset.order_by(*language_ordering(model, ordering))

    def error_messages(self):
        """{parameter: [message, …]} for the values that were not understood."""
        return {
            name: [str(message) for message in messages]
            for name, messages in self.form.errors.items()
        }
