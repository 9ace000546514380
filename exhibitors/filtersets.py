"""The FilterSets of the exhibitors app's lists.

`expos` extends ExhibitorFilterSet with the filters and facets that need expos (`expo`,
`year`); the pages and the API serve that extension.
"""

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from core.lists.counttables import CountTable
from core.lists.facets import Facet
from core.lists.filters import CountryFilter, ordering_filter, slug_filter, synthetic_filter
from core.lists.filtersets import DirectoryFilterSet
from core.lists.search import SearchFilter, ranked_search, text_search

from .models import CountryCount, CountrySectorCount, Exhibitor, Sector


def upper_case(codes):
    return [code.upper() for code in codes]


class ExhibitorFilterSet(DirectoryFilterSet):
    q = SearchFilter(method="filter_q")
    country = CountryFilter(field_name="country")
    sector = slug_filter("exhibitors.Sector", "sectors", _("Sector"), method="filter_sector")
    synthetic = synthetic_filter()
    ordering = ordering_filter(
        "name",
        ("country", "country", _("Country, A to Z"), _("Country, Z to A")),
    )

    # One link per exhibitor and sector: each exhibitor reaches a sector once.
    facets = {"country": "country", "sector": Facet("sectors__slug", unique=True)}
    # Where a cold count is a read of a few rows (see core.lists.counttables): with no other filter,
    # and for each of the two facets with the other's filter alone. Countries add up (an
    # exhibitor has one), sectors do not (an exhibitor in both chosen would count twice).
    facet_tables = {
        "country": [
            CountTable(CountryCount, "country"),
            CountTable(CountrySectorCount, "country", by="sector", key="sector"),
        ],
        "sector": [
            CountTable(CountrySectorCount, "sector__slug"),
            CountTable(
                CountrySectorCount,
                "sector__slug",
                by="country",
                key="country",
                key_values=upper_case,
                additive=True,
            ),
        ],
    }

    class Meta:
        model = Exhibitor
        fields = ["q", "country", "sector", "synthetic"]

    def filter_q(self, queryset, name, value):
        return ranked_search(queryset, value, names=["name_en", "name_es"])

    # Through EXISTS rather than a join, so an exhibitor never appears twice and the count
    # stays a count of exhibitors.
    def filter_sector(self, queryset, name, value):
        if not value:
            return queryset
        tagged = Sector.exhibitors.through.objects.filter(
            exhibitor=OuterRef("pk"), sector__in=value
        )
        return queryset.filter(Exists(tagged))


class SectorFilterSet(DirectoryFilterSet):
    q = SearchFilter(method="filter_q")
    synthetic = synthetic_filter()
    ordering = ordering_filter("name")

    class Meta:
        model = Sector
        fields = ["q", "synthetic"]

    def filter_q(self, queryset, name, value):
        return text_search(queryset, ["name_en", "name_es", "slug"], value)
