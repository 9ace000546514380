"""One FilterSet a list of the expos app; the pages, downloads and the API all use them.

Parameters mean the same in every list: `country`, `sector`, `expo`, `year`, `q`, `ordering`.
The exhibitor list's FilterSet is extended here with what needs expos (`expo`, `year`).
"""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from core.lists.counttables import CountTable
from core.lists.facets import Facet
from core.lists.filters import (
    REPEAT,
    CountryFilter,
    IntegerFilter,
    YearFilter,
    ordering_filter,
    slug_filter,
    synthetic_filter,
)
from core.lists.filtersets import DirectoryFilterSet
from core.lists.search import SearchFilter, ranked_search, text_search
from core.lists.searchtext import search_query
from core.provenance import Citation, Source, citable_labels
from exhibitors import filtersets as exhibitors
from exhibitors.models import Exhibitor

from . import models
from .attendance import AttendanceFilter
from .models import (
    Deal,
    Expo,
    ExpoExhibitorCount,
    Forum,
    Participation,
    Speaker,
    YearExhibitorCount,
)

EXPO_COUNTRY_HELP = (
    f"The country of the expo: two-letter ISO 3166-1 codes such as `CN` (in any case). {REPEAT}"
)


def expo_filter(field_name="expo", **kwargs):
    """Expos named by slug, each shown by its short name (its name where it has none)."""
    return slug_filter(
        "expos.Expo", field_name, _("Expo"), label_fields=("short_name", "name"), **kwargs
    )


class ExhibitorFilterSet(exhibitors.ExhibitorFilterSet):
    """The exhibitor list's FilterSet, with the expos each exhibitor exhibited at."""

    expo = expo_filter(
        method="filter_expo", help_text=f"Exhibitors at any of these expos, by slug. {REPEAT}"
    )
    year = YearFilter(
        label=_("Year"),
        method="filter_year",
        years_of="participations__expo__edition_year",
        help_text=f"Exhibitors at an expo of any of these years, e.g. `2023`. {REPEAT}",
    )

    facets = {
        **exhibitors.ExhibitorFilterSet.facets,
        # One participation per exhibitor and expo: each exhibitor reaches an expo once. Not
        # so its years (two expos in one year).
        "expo": Facet("participations__expo__slug", unique=True),
        "year": "participations__expo__edition_year",
    }
    facet_tables = {
        **exhibitors.ExhibitorFilterSet.facet_tables,
        "expo": [CountTable(ExpoExhibitorCount, "expo__slug")],
        "year": [CountTable(YearExhibitorCount, "year")],
    }

    class Meta(exhibitors.ExhibitorFilterSet.Meta):
        model = Exhibitor
        fields = [*exhibitors.ExhibitorFilterSet.Meta.fields, "expo", "year"]

    # Through EXISTS rather than joins, so an exhibitor never appears twice.
    def filter_expo(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Exists(participations().filter(expo__in=value)))

    def filter_year(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Exists(participations().filter(expo__edition_year__in=value)))


def participations():
    """Participations of the exhibitor in the outer query."""
    return Participation.objects.filter(exhibitor=OuterRef("pk"))


class ExpoFilterSet(DirectoryFilterSet):
    q = SearchFilter(method="filter_q")
    year = YearFilter(field_name="edition_year", label=_("Year"))
    country = CountryFilter(
        field_name="country",
        help_text=f"The country the expo is held in: a two-letter ISO 3166-1 code such as `CN` "
        f"(in any case). {REPEAT}",
    )
    series = slug_filter("expos.ExpoSeries", "series", _("Series"))
    sector = slug_filter("exhibitors.Sector", "sectors", _("Sector"), distinct=True)
    # In person, online or hybrid: the expo's format (its field, the API's field and the
    # pages all say "Format"). The parameter is named `attendance`, since `format` chooses the
    # API's output (json, csv, ndjson). `format=online` is still read as before; see
    # parameter_aliases.
    attendance = AttendanceFilter(field_name="format")
    synthetic = synthetic_filter()
    ordering = ordering_filter(
        ("date", "start_date", _("Date, earliest first"), _("Date, latest first")),
        "name",
        ("year", "edition_year", _("Year, earliest first"), _("Year, latest first")),
    )

    facets = {
        "year": "edition_year",
        "country": "country",
        "series": "series__slug",
        "sector": "sectors__slug",
        "attendance": "format",
    }
    parameter_aliases = {"format": "attendance"}

    class Meta:
        model = Expo
        fields = ["q", "year", "country", "series", "sector", "attendance", "synthetic"]

    def filter_q(self, queryset, name, value):
        return ranked_search(queryset, value, names=["name_en", "name_es"])


class ForumFilterSet(DirectoryFilterSet):
    q = SearchFilter(method="filter_q")
    expo = expo_filter()
    year = YearFilter(field_name="expo__edition_year", label=_("Year"))
    country = CountryFilter(field_name="expo__country", help_text=EXPO_COUNTRY_HELP)
    kind = django_filters.MultipleChoiceFilter(
        choices=Forum.Kind.choices, label=_("Kind"), help_text=f"The kind of forum. {REPEAT}"
    )
    ordering = ordering_filter(
        ("date", "date", _("Date, earliest first"), _("Date, latest first")),
        "title",
    )

    facets = {"expo": "expo__slug", "year": "expo__edition_year", "kind": "kind"}

    class Meta:
        model = Forum
        fields = ["q", "expo", "year", "country", "kind"]

    def filter_q(self, queryset, name, value):
        return ranked_search(queryset, value, names=["title_en", "title_es"])


class SpeakerFilterSet(DirectoryFilterSet):
    q = SearchFilter(method="filter_q")
    expo = expo_filter(method="filter_expo")
    country = CountryFilter(
        method="filter_country",
        help_text=f"Speakers for an exhibitor or organisation of these countries: two-letter "
        f"ISO 3166-1 codes such as `CN` (in any case). {REPEAT}",
    )
    ordering = ordering_filter("name")

    facets = {}

    class Meta:
        model = Speaker
        fields = ["q", "expo", "country"]

    def filter_q(self, queryset, name, value):
        # A speaker is also found by the name of the company or body it speaks for.
        words = search_query(value)
        affiliation = Q(exhibitor__search_vector=words) | Q(organisation__search_vector=words)
        return ranked_search(queryset, value, names=["name"], also=affiliation)

    def filter_expo(self, queryset, name, value):
        if not value:
            return queryset
        spoke = Speaker.appearances.rel.related_model.objects.filter(
            speaker=OuterRef("pk"), forum__expo__in=value
        )
        quoted = Speaker.statements.rel.related_model.objects.filter(
            speaker=OuterRef("pk"), expo__in=value
        )
        return queryset.filter(Exists(spoke) | Exists(quoted))

    def filter_country(self, queryset, name, value):
        if not value:
            return queryset
        return queryset.filter(Q(exhibitor__country__in=value) | Q(organisation__country__in=value))


class DealFilterSet(DirectoryFilterSet):
    q = SearchFilter(method="filter_q")
    expo = expo_filter()
    year = YearFilter(field_name="expo__edition_year", label=_("Year"))
    country = CountryFilter(field_name="expo__country", help_text=EXPO_COUNTRY_HELP)
    sector = slug_filter("exhibitors.Sector", "sectors", _("Sector"), distinct=True)
    currency = django_filters.CharFilter(
        field_name="currency",
        lookup_expr="iexact",
        label=_("Currency"),
        help_text="The currency the deal's amount was stated in: an ISO 4217 code such as "
        "`CNY` (in any case).",
    )
    ordering = ordering_filter(
        ("amount_usd", "amount_usd", _("Value, smallest first"), _("Value, largest first")),
        ("projects", "project_count", _("Projects, fewest first"), _("Projects, most first")),
        "title",
    )

    facets = {"expo": "expo__slug", "year": "expo__edition_year", "sector": "sectors__slug"}

    class Meta:
        model = Deal
        fields = ["q", "expo", "year", "country", "sector", "currency"]

    def filter_q(self, queryset, name, value):
        return ranked_search(queryset, value, names=["title_en", "title_es"])


# --- The API's other lists -------------------------------------------------------------------


def by_expo():
    return expo_filter()


def by_year(field="expo__edition_year"):
    return YearFilter(field_name=field, label=_("Year"))


class ParticipationFilterSet(DirectoryFilterSet):
    expo = by_expo()
    year = by_year()
    exhibitor = slug_filter("exhibitors.Exhibitor", "exhibitor", _("Exhibitor"))
    country = CountryFilter(
        field_name="exhibitor__country",
        help_text=f"The exhibitor's country: two-letter ISO 3166-1 codes such as `CN` (in any "
        f"case). {REPEAT}",
    )
    sector = slug_filter("exhibitors.Sector", "exhibitor__sectors", _("Sector"), distinct=True)
    ordering = ordering_filter()

    facets = {"expo": "expo__slug", "country": "exhibitor__country", "year": "expo__edition_year"}

    class Meta:
        model = models.Participation
        fields = ["expo", "year", "exhibitor", "country", "sector"]


class AppearanceFilterSet(DirectoryFilterSet):
    expo = expo_filter("forum__expo")
    forum = slug_filter("expos.Forum", "forum", _("Forum"))
    speaker = slug_filter("expos.Speaker", "speaker", _("Speaker"))
    ordering = ordering_filter()

    class Meta:
        model = models.Appearance
        fields = ["expo", "forum", "speaker"]


class StatementFilterSet(DirectoryFilterSet):
    expo = by_expo()
    speaker = slug_filter("expos.Speaker", "speaker", _("Speaker"))
    ordering = ordering_filter()

    class Meta:
        model = models.Statement
        fields = ["expo", "speaker"]


class AwardFilterSet(DirectoryFilterSet):
    expo = by_expo()
    year = by_year()
    ordering = ordering_filter()

    class Meta:
        model = models.Award
        fields = ["expo", "year"]


class FigureFilterSet(DirectoryFilterSet):
    expo = by_expo()
    series = slug_filter("expos.ExpoSeries", "series", _("Series"))
    metric = django_filters.MultipleChoiceFilter(
        choices=models.Figure.Metric.choices,
        label=_("Metric"),
        help_text=f"What the figure counts. {REPEAT}",
    )
    ordering = ordering_filter()

    class Meta:
        model = models.Figure
        fields = ["expo", "series", "metric"]


class AreaFilterSet(DirectoryFilterSet):
    expo = by_expo()
    kind = django_filters.MultipleChoiceFilter(
        choices=models.Area.Kind.choices, label=_("Kind"), help_text=f"The kind of area. {REPEAT}"
    )
    sector = slug_filter("exhibitors.Sector", "sector", _("Sector"))
    ordering = ordering_filter()

    class Meta:
        model = models.Area
        fields = ["expo", "kind", "sector"]


class HighlightFilterSet(DirectoryFilterSet):
    expo = by_expo()
    exhibitor = slug_filter("exhibitors.Exhibitor", "exhibitor", _("Exhibitor"))
    forum = slug_filter("expos.Forum", "forum", _("Forum"))
    ordering = ordering_filter()

    class Meta:
        model = models.Highlight
        fields = ["expo", "exhibitor", "forum"]


class OrganisationFilterSet(DirectoryFilterSet):
    q = SearchFilter(method="filter_q")
    country = CountryFilter(field_name="country")
    kind = django_filters.MultipleChoiceFilter(
        choices=models.Organisation.Kind.choices,
        label=_("Kind"),
        help_text=f"The kind of organisation. {REPEAT}",
    )
    ordering = ordering_filter("name")

    facets = {"country": "country", "kind": "kind"}

    class Meta:
        model = models.Organisation
        fields = ["q", "country", "kind"]

    def filter_q(self, queryset, name, value):
        return ranked_search(queryset, value, names=["name_en", "name_es"])


class ExpoSeriesFilterSet(DirectoryFilterSet):
    q = SearchFilter(method="filter_q")
    ordering = ordering_filter("name")

    class Meta:
        model = models.ExpoSeries
        fields = ["q"]

    def filter_q(self, queryset, name, value):
        return text_search(queryset, ["name_en", "name_es", "short_name"], value)


class SourceFilterSet(DirectoryFilterSet):
    language = django_filters.MultipleChoiceFilter(
        choices=[("en", "en"), ("es", "es")],
        label=_("Language"),
        help_text=f"The language the source is written in. {REPEAT}",
    )
    ordering = ordering_filter(("date", "published_on", _("Oldest first"), _("Newest first")))

    class Meta:
        model = Source
        fields = ["language"]


class CitationFilterSet(DirectoryFilterSet):
    source = slug_filter("core.Source", "source", _("Source"))
    record_type = django_filters.ChoiceFilter(
        choices=lambda: [(label, label) for label in citable_labels()],
        method="filter_record_type",
        label=_("Record type"),
        help_text="The type of the record cited, as `app.model`, e.g. `expos.expo`.",
    )
    record_id = IntegerFilter(
        field_name="object_id",
        label=_("Record id"),
        help_text="The id of the record cited (with `record_type`, one record's citations).",
    )
    ordering = ordering_filter()

    class Meta:
        model = Citation
        fields = ["source", "record_type", "record_id"]

    def filter_record_type(self, queryset, name, value: str):
        app_label, _dot, model = value.partition(".")
        return queryset.filter(content_type__app_label=app_label, content_type__model=model)
