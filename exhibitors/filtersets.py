"""The exhibitor list's FilterSet, and the pieces every FilterSet of the directory shares.

One FilterSet a list: the HTML page, its CSV download and the API all filter through it, so a
query string such as `?country=CN&sector=video-iot` means the same thing everywhere.

Within one parameter the values are alternatives (`country=CN&country=BY`: either), and
different parameters narrow each other (`country=CN&sector=video-iot`: both).
"""

import re

import django_filters
from django import forms
from django.apps import apps
from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, TrigramWordSimilarity
from django.db.models import Exists, F, Func, OuterRef, Q, Value
from django.db.models.functions import Coalesce, Lower
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from modeltranslation.translator import NotRegistered, translator

from .models import Exhibitor, Sector, UnaccentedText
from .pagination import estimated_rows

MIN_YEAR, MAX_YEAR = 1900, 2100
RANKED = "-search_rank"  # best matches first: the order of a search without `ordering`
DEFAULT_RANKED_SEARCH_LIMIT = 5_000


def ranked_search_limit():
    """Up to how many estimated matches a search is ranked; past it, the usual order."""
    return getattr(settings, "DIRECTORY_RANKED_SEARCH_LIMIT", DEFAULT_RANKED_SEARCH_LIMIT)


class MultipleIntegerField(forms.Field):
    """Several whole numbers from a repeated parameter (`?year=2021&year=2023`)."""

    widget = forms.SelectMultiple
    default_error_messages = {
        "invalid": _("“%(value)s” is not a year."),
        "range": _("%(value)s is not a year between %(min)s and %(max)s."),
    }

    def to_python(self, value):
        if not value:
            return []
        values = value if isinstance(value, list | tuple) else [value]
        numbers = []
        for raw in values:
            try:
                number = int(str(raw).strip())
            except ValueError:
                raise forms.ValidationError(
                    self.error_messages["invalid"], code="invalid", params={"value": raw}
                ) from None
            if not MIN_YEAR <= number <= MAX_YEAR:
                raise forms.ValidationError(
                    self.error_messages["range"],
                    code="range",
                    params={"value": number, "min": MIN_YEAR, "max": MAX_YEAR},
                )
            numbers.append(number)
        return numbers


@extend_schema_field({"type": "array", "items": {"type": "integer"}})
class YearFilter(django_filters.Filter):
    field_class = MultipleIntegerField

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(**{f"{self.field_name}__in": value})


@extend_schema_field(OpenApiTypes.STR)
class CountryFilter(django_filters.MultipleChoiceFilter):
    """ISO 3166-1 alpha-2 codes; upper case is not required (`cn` is China)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", lambda: list(countries))
        kwargs.setdefault("label", _("Country"))
        # A country is a column of the record or of a record it points at: no duplicates to
        # remove, and SELECT DISTINCT over every column would cost a sort of the whole result.
        kwargs.setdefault("distinct", False)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        return super().filter(qs, [code.upper() for code in value] if value else value)


class UpperCaseMultipleChoiceField(forms.MultipleChoiceField):
    def to_python(self, value):
        return [str(v).strip().upper() for v in super().to_python(value)]


CountryFilter.field_class = UpperCaseMultipleChoiceField


@extend_schema_field(OpenApiTypes.STR)
class SlugFilter(django_filters.ModelMultipleChoiceFilter):
    """Records named by their slugs (in the schema: strings)."""


def slug_filter(model_label: str, field_name: str, label, **kwargs):
    """Several records named by slug; an unknown slug is an error, not an empty result."""

    def queryset(request):
        return apps.get_model(model_label).objects.all()

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


def ordering_filter(*options):
    """An `ordering` parameter from (parameter, model field, label A→Z, label Z→A) options.

    Both directions have their own translatable label: django-filter would otherwise build
    "… (descending)" once, in whatever language was active when the module was imported.
    Every list can also be sorted by when its records last changed, for keeping a copy in sync.
    """
    options = [
        *options,
        ("updated", "updated", _("Least recently updated"), _("Most recently updated")),
    ]
    return django_filters.OrderingFilter(
        fields=[(field, parameter) for parameter, field, _asc, _desc in options],
        choices=[
            choice
            for parameter, _field, ascending, descending in options
            for choice in ((parameter, ascending), (f"-{parameter}", descending))
        ],
        label=_("Sort by"),
    )


class RejectNulCharactersForm(forms.Form):
    """PostgreSQL cannot hold NUL characters: a value with one is an error, not a crash."""

    def clean(self):
        cleaned = super().clean()
        for name in self.fields:
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else []
            if any("\x00" in str(value) for value in values):
                self.add_error(name, _("NUL characters are not allowed."))
        return cleaned


# Orderings that need no further key but id to be total.
UNIQUE_KEYS = {"id", "pk", "updated", "created"}


def translated_fields(model):
    try:
        return translator.get_options_for_model(model).all_fields
    except NotRegistered:
        return {}


def base_key(model, key):
    """`-name_es` → `-name`: modeltranslation has already turned `name` into a column."""
    if not isinstance(key, str):
        return key
    name = key.lstrip("-")
    stem, _sep, suffix = name.rpartition("_")
    if suffix in dict(settings.LANGUAGES) and stem in translated_fields(model):
        return key.replace(name, stem)
    return key


def language_ordering(model, keys):
    """Order by the active language's text with English as fallback, as the page shows it.

    modeltranslation would order `name` by `name_es` alone, putting every record without a
    Spanish name last; COALESCE(name_es, name_en) matches what is displayed, and has an index.
    """
    translated = translated_fields(model)
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    expressions = []
    for key in keys:
        if not isinstance(key, str) or key.lstrip("-") not in translated:
            expressions.append(key)
            continue
        name = key.lstrip("-")
        value = F(f"{name}_en")
        if language != "en":
            value = Coalesce(F(f"{name}_{language}"), F(f"{name}_en"))
        expressions.append(value.desc() if key.startswith("-") else value.asc())
    return expressions


class DirectoryFilterSet(django_filters.FilterSet):
    """What every list's FilterSet shares.

    `facets` names the parameters whose options are shown with a count of the results each
    would give; see selectors.facet_counts.
    """

    facets: dict = {}

    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated",
        lookup_expr="gte",
        label=_("Changed since (ISO 8601 date and time)"),
    )

    def get_form_class(self):
        form_class = super().get_form_class()
        return type(form_class.__name__, (RejectNulCharactersForm, form_class), {})

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        model = queryset.model
        chosen = [base_key(model, key) for key in queryset.query.order_by]
        default = list(model._meta.ordering)
        if chosen[:1] == [RANKED] and estimated_rows(queryset) > ranked_search_limit():
            # Ranking reads every match before the first page can be cut, so a search that
            # matches a large part of the directory would cost in proportion to it: past the
            # limit, matches come in the list's usual order (an index walk), not best first.
            chosen = []
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


def is_websearch(value: str) -> bool:
    """Whether the words use websearch syntax: "a phrase", -exclusion or OR."""
    return (
        '"' in value
        or " or " in f" {value.lower()} "
        or any(word.startswith("-") for word in value.split())
    )


def ranked_search(queryset, value, *, names, also=None):
    """Full-text search in English, Spanish and unstemmed text, with websearch syntax
    (`"smart city" -lighting`), plus accent-insensitive, typo-tolerant matching of names
    (`Dahau` finds Dahua, `Exposicion` finds Exposición); best matches first.

    Both halves are served by GIN indexes: the stored `search_vector`, and pg_trgm on
    UnaccentedText(names) (threshold: pg_trgm.word_similarity_threshold, set in settings).
    `also` is a further condition that makes a record match (ranked by its names alone).
    """
    # One vector holds every language, so an excluded word must be absent in each config's
    # form of it ("-lighting": neither 'light' nor 'lighting'); the rest may match in any.
    excluded = re.findall(r'(?:^|\s)-([^\s"]+)', value)
    wanted = re.sub(r'(?:^|\s)-[^\s"]+', " ", value).strip() or value
    query = (
        SearchQuery(wanted, config="simple", search_type="websearch")
        | SearchQuery(wanted, config="english", search_type="websearch")
        | SearchQuery(wanted, config="spanish", search_type="websearch")
    )
    rank = SearchRank(F("search_vector"), query)
    condition = Q(search_vector=query)
    for word in excluded:
        for config in ("simple", "english", "spanish"):
            condition &= ~Q(search_vector=SearchQuery(word, config=config))
    if not is_websearch(value):
        # Names are matched whole-word-ish against the unaccented, lower-cased words typed.
        typed = Func(Lower(Value(value)), function="directory_unaccent")
        queryset = queryset.annotate(searchable_names=UnaccentedText(*names))
        condition |= Q(searchable_names__trigram_word_similar=typed)
        rank = rank + TrigramWordSimilarity(typed, "searchable_names")
    if also is not None:
        condition |= also
    return queryset.filter(condition).annotate(search_rank=rank).order_by(RANKED)


def text_search(queryset, fields, value):
    """Records any of whose `fields` contain every word of `value`, in any language."""
    for word in value.split():
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset


class ExhibitorFilterSet(DirectoryFilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    country = CountryFilter(field_name="country")
    sector = slug_filter("exhibitors.Sector", "sectors", _("Sector"), method="filter_sector")
    expo = slug_filter("expos.Expo", "expo", _("Expo"), method="filter_expo")
    year = YearFilter(label=_("Year"), method="filter_year")
    ordering = ordering_filter(
        ("name", "name", _("Name, A to Z"), _("Name, Z to A")),
        ("country", "country", _("Country, A to Z"), _("Country, Z to A")),
    )

    facets = {
        "country": "country",
        "sector": "sectors__slug",
        "expo": "participations__expo__slug",
        "year": "participations__expo__edition_year",
    }

    class Meta:
        model = Exhibitor
        fields = ["q", "country", "sector", "expo", "year"]

    def filter_q(self, queryset, name, value):
        return ranked_search(queryset, value, names=["name_en", "name_es"])

    # Sector, expo and year go through EXISTS rather than joins, so an exhibitor never
    # appears twice and the count stays a count of exhibitors.
    def filter_sector(self, queryset, name, value):
        if not value:
            return queryset
        tagged = Sector.exhibitors.through.objects.filter(
            exhibitor=OuterRef("pk"), sector__in=value
        )
        return queryset.filter(Exists(tagged))

    def filter_expo(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Exists(participations().filter(expo__in=value)))

    def filter_year(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Exists(participations().filter(expo__edition_year__in=value)))


def participations():
    """Participations of the exhibitor in the outer query (expos is the upper layer)."""
    Participation = apps.get_model("expos", "Participation")
    return Participation.objects.filter(exhibitor=OuterRef("pk"))


class SectorFilterSet(DirectoryFilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    ordering = ordering_filter(("name", "name", _("Name, A to Z"), _("Name, Z to A")))

    class Meta:
        model = Sector
        fields = ["q"]

    def filter_q(self, queryset, name, value):
        return text_search(queryset, ["name_en", "name_es", "slug"], value)
