"""One FilterSet a list of the expos app; the pages, downloads and the API all use them.

Parameters mean the same in every list: `country`, `sector`, `expo`, `year`, `q`, `ordering`.
"""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from exhibitors.filtersets import (
    CountryFilter,
    DirectoryFilterSet,
    YearFilter,
    ordering_filter,
    slug_filter,
    text_search,
)

from .models import Deal, Expo, Forum, Speaker


class ExpoFilterSet(DirectoryFilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    year = YearFilter(field_name="edition_year", label=_("Year"))
    country = CountryFilter(field_name="country")
    series = slug_filter("expos.ExpoSeries", "series", _("Series"))
    sector = slug_filter("exhibitors.Sector", "sectors", _("Sector"), distinct=True)
    format = django_filters.MultipleChoiceFilter(choices=Expo.Format.choices, label=_("Format"))
    ordering = ordering_filter(
        ("date", "start_date", _("Date, earliest first"), _("Date, latest first")),
        ("name", "name", _("Name, A to Z"), _("Name, Z to A")),
        ("year", "edition_year", _("Year, earliest first"), _("Year, latest first")),
    )

    facets = {
        "year": "edition_year",
        "country": "country",
        "series": "series__slug",
        "sector": "sectors__slug",
    }

    class Meta:
        model = Expo
        fields = ["q", "year", "country", "series", "sector", "format"]

    def filter_q(self, queryset, name, value):
        return text_search(
            queryset,
            ["name_en", "name_es", "short_name_en", "city_en", "city_es", "venue_en", "venue_es"],
            value,
        )


class ForumFilterSet(DirectoryFilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    expo = slug_filter("expos.Expo", "expo", _("Expo"))
    year = YearFilter(field_name="expo__edition_year", label=_("Year"))
    country = CountryFilter(field_name="expo__country")
    kind = django_filters.MultipleChoiceFilter(choices=Forum.Kind.choices, label=_("Kind"))
    ordering = ordering_filter(
        ("date", "date", _("Date, earliest first"), _("Date, latest first")),
        ("title", "title", _("Title, A to Z"), _("Title, Z to A")),
    )

    facets = {"expo": "expo__slug", "year": "expo__edition_year", "kind": "kind"}

    class Meta:
        model = Forum
        fields = ["q", "expo", "year", "country", "kind"]

    def filter_q(self, queryset, name, value):
        return text_search(queryset, ["title_en", "title_es", "topic_en", "topic_es"], value)


class SpeakerFilterSet(DirectoryFilterSet):
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    expo = slug_filter("expos.Expo", "expo", _("Expo"), method="filter_expo")
    country = CountryFilter(method="filter_country")
    ordering = ordering_filter(("name", "name", _("Name, A to Z"), _("Name, Z to A")))

    facets = {}

    class Meta:
        model = Speaker
        fields = ["q", "expo", "country"]

    def filter_q(self, queryset, name, value):
        return text_search(
            queryset,
            [
                "name",
                "role_en",
                "role_es",
                "exhibitor__name_en",
                "organisation__name_en",
                "organisation__name_es",
            ],
            value,
        )

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
    q = django_filters.CharFilter(method="filter_q", label=_("Search"))
    expo = slug_filter("expos.Expo", "expo", _("Expo"))
    year = YearFilter(field_name="expo__edition_year", label=_("Year"))
    country = CountryFilter(field_name="expo__country")
    sector = slug_filter("exhibitors.Sector", "sectors", _("Sector"), distinct=True)
    currency = django_filters.CharFilter(
        field_name="currency", lookup_expr="iexact", label=_("Currency")
    )
    ordering = ordering_filter(
        ("amount_usd", "amount_usd", _("Value, smallest first"), _("Value, largest first")),
        ("projects", "project_count", _("Projects, fewest first"), _("Projects, most first")),
        ("title", "title", _("Title, A to Z"), _("Title, Z to A")),
    )

    facets = {"expo": "expo__slug", "year": "expo__edition_year", "sector": "sectors__slug"}

    class Meta:
        model = Deal
        fields = ["q", "expo", "year", "country", "sector", "currency"]

    def filter_q(self, queryset, name, value):
        return text_search(
            queryset, ["title_en", "title_es", "description_en", "description_es"], value
        )
