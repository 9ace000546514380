"""ExhibitorFilterSet: each parameter, combinations, invalid values and facet counts."""

import pytest
from django.http import QueryDict

from core.lists.facets import facet_counts
from exhibitors.models import Exhibitor
from exhibitors.selectors import exhibitor_list
from expos.filtersets import ExhibitorFilterSet

pytestmark = pytest.mark.usefixtures("seeded")


def slugs(query):
    filterset = ExhibitorFilterSet(QueryDict(query), queryset=exhibitor_list())
    assert filterset.is_valid(), filterset.errors
    return [e.slug for e in filterset.qs]


def errors(query):
    filterset = ExhibitorFilterSet(QueryDict(query), queryset=exhibitor_list())
    assert not filterset.is_valid()
    return filterset.error_messages()


CHINA = {
    "cloudwalk-technology",
    "graffiti-intelligence",
    "hangzhou-city-big-data-operation",
    "hangzhou-dayu-optoelectronic-technology",
    "zhejiang-dahua-technology",
    "zhejiang-fangda-zhikong-technology",
}


def test_filter_country():
    assert set(slugs("country=CN")) == CHINA
    assert slugs("country=BY") == ["china-belarus-industrial-park-development-company"]


def test_filter_country_lower_case_accepted():
    assert set(slugs("country=cn")) == CHINA


def test_filter_country_several_values_are_alternatives():
    assert set(slugs("country=CN&country=BY")) == CHINA | {
        "china-belarus-industrial-park-development-company"
    }


def test_filter_sector():
    assert slugs("sector=video-iot") == ["zhejiang-dahua-technology"]
    assert set(slugs("sector=digital-twin&sector=zero-carbon")) == {
        "hangzhou-city-big-data-operation",
        "graffiti-intelligence",
    }


def test_filter_sector_exhibitor_with_two_matching_sectors_listed_once():
    assert slugs("sector=digital-twin&sector=city-operating-system") == [
        "hangzhou-city-big-data-operation"
    ]


def test_filter_expo():
    assert slugs("expo=smart-china-expo-2021") == [
        "china-belarus-industrial-park-development-company",
        "guangyu-mingdao-digital-technology",
    ]
    assert set(slugs("expo=smart-city-expo-world-congress-2023")) == {
        "dell",
        "mastercard",
        "microsoft",
    }


def test_filter_year():
    assert len(slugs("year=2023")) == 9
    assert len(slugs("year=2021")) == 2
    assert len(slugs("year=2021&year=2023")) == 11
    assert slugs("year=2019") == []


def test_filter_q_matches_words_in_any_order_and_case():
    assert slugs("q=HANGZHOU") == [
        "hangzhou-city-big-data-operation",
        "hangzhou-dayu-optoelectronic-technology",
    ]
    assert slugs("q=optoelectronic hangzhou") == ["hangzhou-dayu-optoelectronic-technology"]


def test_filter_q_searches_spanish_description():
    assert "zhejiang-dahua-technology" in slugs("q=núcleo")


def test_filter_combination_narrows():
    assert slugs("country=CN&sector=video-iot") == ["zhejiang-dahua-technology"]
    assert slugs("country=BY&sector=video-iot") == []
    assert slugs("country=CN&year=2021") == []
    assert slugs("expo=smart-china-expo-2021&country=BY") == [
        "china-belarus-industrial-park-development-company"
    ]


def test_ordering_by_name_and_country_is_stable():
    assert slugs("ordering=name") == [
        "china-belarus-industrial-park-development-company",
        "cloudwalk-technology",
        "dell",
        "graffiti-intelligence",
        "guangyu-mingdao-digital-technology",
        "hangzhou-city-big-data-operation",
        "hangzhou-dayu-optoelectronic-technology",
        "mastercard",
        "microsoft",
        "zhejiang-dahua-technology",
        "zhejiang-fangda-zhikong-technology",
    ]
    assert slugs("ordering=-name")[0] == "zhejiang-fangda-zhikong-technology"
    by_country = slugs("ordering=country")
    # Exhibitors whose country the sources do not give come first, then by name.
    assert by_country[:2] == ["dell", "guangyu-mingdao-digital-technology"]
    # Z to A is exactly A to Z reversed, names and ties included, so one index serves both.
    reverse = slugs("ordering=-country")
    assert reverse == list(reversed(by_country))
    assert set(reverse[:6]) == CHINA
    assert reverse[:2] == ["zhejiang-fangda-zhikong-technology", "zhejiang-dahua-technology"]


@pytest.mark.parametrize(
    ("query", "parameter", "words"),
    [
        ("country=XX", "country", "“XX” is not a country code: give a two-letter ISO 3166-1"),
        ("country=China", "country", "“CHINA” is not a country code"),
        ("sector=no-such-sector", "sector", "No sector has the slug “no-such-sector”."),
        ("expo=no-such-expo", "expo", "No expo has the slug “no-such-expo”."),
        ("year=abc", "year", "“abc” is not a year."),
        ("year=99999", "year", "99999 is not a year between 1900 and 2100."),
        ("ordering=price", "ordering", "“price” is not one of the choices: name, -name, country"),
    ],
)
def test_invalid_value_names_parameter(query, parameter, words):
    messages = errors(query)
    assert list(messages) == [parameter]
    assert words in messages[parameter][0]


def test_facet_counts_for_each_option():
    facets = facet_counts(ExhibitorFilterSet, QueryDict(""), exhibitor_list())
    countries = {o["value"]: o["count"] for o in facets["country"]}
    assert countries == {"CN": 6, "BY": 1}
    years = {o["value"]: o["count"] for o in facets["year"]}
    assert years == {"2023": 9, "2021": 2}
    sectors = {o["value"]: o["count"] for o in facets["sector"]}
    assert sectors["video-iot"] == 1
    assert sectors["industrial-internet"] == 1
    expos = {o["value"]: (o["label"], o["count"]) for o in facets["expo"]}
    assert expos["zhejiang-smart-city-exhibition-spain-2023"] == (
        "Zhejiang Smart City Exhibition 2023",
        6,
    )


def test_facet_counts_leave_out_their_own_parameter_only():
    facets = facet_counts(ExhibitorFilterSet, QueryDict("country=CN&year=2023"), exhibitor_list())
    # Country counts still see every country for 2023; CN is marked as chosen.
    assert [(o["value"], o["count"], o["selected"]) for o in facets["country"]] == [("CN", 6, True)]
    # Year counts see only Chinese exhibitors.
    assert {o["value"]: o["count"] for o in facets["year"]} == {"2023": 6}
    assert sum(o["count"] for o in facets["sector"]) == 9


def test_facet_count_matches_the_result_of_choosing_it():
    facets = facet_counts(ExhibitorFilterSet, QueryDict("year=2023"), exhibitor_list())
    for option in facets["sector"]:
        assert option["count"] == len(slugs(f"year=2023&sector={option['value']}"))


def test_facet_counts_empty_for_invalid_filter():
    assert facet_counts(ExhibitorFilterSet, QueryDict("year=abc"), exhibitor_list()) == {}


def test_facet_counts_are_cached_until_the_data_changes(django_assert_num_queries):
    query = QueryDict("year=2023")
    first = facet_counts(ExhibitorFilterSet, query, exhibitor_list())
    with django_assert_num_queries(1):  # the data version only
        again = facet_counts(ExhibitorFilterSet, query, exhibitor_list())
    assert again == first
    assert {o["value"]: o["count"] for o in first["country"]} == {"CN": 6}
    dell = Exhibitor.objects.get(slug="dell")  # at a 2023 expo, with no country
    # QuerySet.update() sends no signal, but the database logs it: the version moves.
    Exhibitor.objects.filter(pk=dell.pk).update(country="US")
    changed = facet_counts(ExhibitorFilterSet, query, exhibitor_list())
    assert {o["value"]: o["count"] for o in changed["country"]} == {"CN": 6, "US": 1}


def chinese_2023_expo():
    from expos.models import Expo

    return Expo.objects.get(slug="zhejiang-smart-city-exhibition-spain-2023")


def test_facet_counts_cache_ignores_presentation_and_order_of_parameters(
    django_assert_num_queries,
):
    first = facet_counts(ExhibitorFilterSet, QueryDict("year=2023&country=CN"), exhibitor_list())
    same = QueryDict("page=3&country=CN&ordering=-name&year=2023&format=csv")
    with django_assert_num_queries(1):
        assert facet_counts(ExhibitorFilterSet, same, exhibitor_list()) == first
    other = facet_counts(ExhibitorFilterSet, QueryDict("year=2021"), exhibitor_list())
    assert {o["value"]: o["count"] for o in other["year"]} == {"2023": 9, "2021": 2}
    assert {o["value"]: o["count"] for o in other["country"]} == {"BY": 1}


def test_facet_counts_cache_keeps_querysets_and_facets_apart():
    everyone = facet_counts(ExhibitorFilterSet, QueryDict(""), exhibitor_list())
    at_expo = facet_counts(
        ExhibitorFilterSet,
        QueryDict(""),
        exhibitor_list().filter(participations__expo=chinese_2023_expo()),
    )
    assert {o["value"]: o["count"] for o in everyone["country"]} == {"CN": 6, "BY": 1}
    assert {o["value"]: o["count"] for o in at_expo["country"]} == {"CN": 6}
    only = facet_counts(ExhibitorFilterSet, QueryDict(""), exhibitor_list(), facets=["year"])
    assert set(only) == {"year"}


def test_filter_synthetic():
    from tests.factories import ExhibitorFactory

    generated = ExhibitorFactory(synthetic=True)
    assert slugs("synthetic=true") == [generated.slug]
    assert slugs("synthetic=1") == [generated.slug]
    assert generated.slug not in slugs("synthetic=false")
    assert len(slugs("synthetic=False")) == Exhibitor.objects.count() - 1
    assert errors("synthetic=yes") == {"synthetic": ["“yes” is neither true nor false."]}


def test_empty_values_are_no_filter():
    everyone = slugs("")
    assert slugs("country=&sector=&expo=&year=&synthetic=&q=") == everyone
    assert set(slugs("country=&country=CN")) == CHINA


def test_facets_ignore_empty_values():
    queryset = exhibitor_list()
    empty = facet_counts(ExhibitorFilterSet, QueryDict("country=&year="), queryset)
    assert empty == facet_counts(ExhibitorFilterSet, QueryDict(""), queryset)
    assert not any(o["selected"] for options in empty.values() for o in options)


def test_each_filterset_has_filters_of_its_own_that_find_its_own_methods():
    first = ExhibitorFilterSet(QueryDict("sector=video-iot"), queryset=exhibitor_list())
    second = ExhibitorFilterSet(QueryDict("sector=zero-carbon"), queryset=exhibitor_list())
    base = ExhibitorFilterSet.base_filters["sector"]
    assert first.filters["sector"] is not second.filters["sector"] is not base
    assert first.filters["sector"].parent is first and second.filters["sector"].parent is second
    assert first.filters["sector"].extra is not second.filters["sector"].extra is not base.extra
    # A `method=` filter resolves the method on the FilterSet that holds the copy.
    assert first.filters["sector"].filter.method.__self__ is first
    assert second.filters["sector"].filter.method.__self__ is second
    assert [e.slug for e in first.qs] == ["zhejiang-dahua-technology"]
    assert [e.slug for e in second.qs] == ["graffiti-intelligence"]
