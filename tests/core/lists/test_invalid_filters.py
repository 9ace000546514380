"""A list page with a value it does not understand, for every filter of every list page, in
English and Spanish: a 400 that names the filter by its label in the page's language, lists
nothing, and still shows the facets, counted under the parameters that were understood."""

import re
from urllib.parse import urlencode

import django_filters
import pytest
from django.utils import translation

from core.lists.filters import CountryFilter, SlugFilter, TrueOrFalseFilter, YearFilter
from core.lists.filtersets import ChangedSinceFilter
from core.lists.search import SearchFilter
from expos.filtersets import (
    DealFilterSet,
    ExhibitorFilterSet,
    ExpoFilterSet,
    ForumFilterSet,
    SpeakerFilterSet,
)
from tests.pages import page

pytestmark = pytest.mark.usefixtures("seeded")

EXPO = "zhejiang-smart-city-exhibition-spain-2023"

# (URL, its FilterSet, a query the page understands, which the bad value is added to)
PAGES = [
    ("/exhibitors/", ExhibitorFilterSet, "year=2023&ordering=name"),
    (f"/expos/{EXPO}/", ExhibitorFilterSet, "country=CN"),
    ("/expos/", ExpoFilterSet, "year=2023"),
    ("/forums/", ForumFilterSet, "year=2023"),
    ("/speakers/", SpeakerFilterSet, "country=CN"),
    ("/deals/", DealFilterSet, "year=2023"),
]

# A value each kind of filter does not understand (the most specific class first).
BAD_VALUES = [
    (CountryFilter, "ZZ"),
    (SlugFilter, "no-such-record"),
    (YearFilter, "twenty"),
    (TrueOrFalseFilter, "perhaps"),
    (ChangedSinceFilter, "yesterday"),
    (SearchFilter, "a\x00b"),
    (django_filters.OrderingFilter, "colour"),
    (django_filters.MultipleChoiceFilter, "nope"),
    (django_filters.CharFilter, "a\x00b"),
]


def bad_value(filter_):
    for kind, value in BAD_VALUES:
        if isinstance(filter_, kind):
            return value
    raise AssertionError(f"No bad value for {type(filter_).__name__}: add one to BAD_VALUES")


CASES = [
    (url, filterset_class, query, name)
    for url, filterset_class, query in PAGES
    for name in filterset_class.base_filters
]
CHECKBOX = re.compile(
    r'<input type="checkbox" id="[^"]*" name="([^"]+)" value="([^"]*)"( checked)?>\s*'
    r'<label[^>]*>.*? <span class="count">\(([\d,. ]+)\)</span>'
)


def facet_options(html):
    """(parameter, value, checked, count) of each facet option on a page."""
    return CHECKBOX.findall(html)


def without(query, name):
    return "&".join(part for part in query.split("&") if part and part.split("=")[0] != name)


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize(("url", "filterset_class", "query", "name"), CASES)
def test_invalid_value_keeps_the_facets_and_names_the_filter_by_its_label(
    client, language, url, filterset_class, query, name
):
    prefix = "/es" if language == "es" else ""
    filter_ = filterset_class.base_filters[name]
    value = bad_value(filter_)
    response = client.get(f"{prefix}{url}?{query}&{urlencode({name: value})}")
    html = response.content.decode()
    assert response.status_code == 400, html[:300]
    with translation.override(language):
        label = str(filter_.label)
    errors = html.split('class="errors"')[1].split("</div>")[0]
    assert f"<strong>{label}</strong>:" in errors
    assert f"<code>{name}</code>" not in html
    # The facets are those of the page without the value not understood.
    expected = facet_options(page(client, f"{prefix}{url}?{without(query, name)}"))
    assert facet_options(html) == expected
    assert expected or not filterset_class.facets


@pytest.mark.parametrize(("language", "label"), [("en", "Country"), ("es", "País")])
def test_exhibitors_with_an_unknown_country_keep_every_valid_option(client, language, label):
    prefix = "/es" if language == "es" else ""
    html = page(client, f"{prefix}/exhibitors/?country=ZZ&sector=video-iot", status=400)
    assert f"<strong>{label}</strong>:" in html
    assert "“ZZ”" in html or "«ZZ»" in html
    options = facet_options(html)
    # Counted under sector=video-iot alone: one exhibitor, Chinese.
    assert ("country", "CN", "", "1") in options
    assert ("sector", "video-iot", " checked", "1") in options
    assert {parameter for parameter, *_rest in options} == {"country", "sector", "expo", "year"}
    assert "Zhejiang Dahua" not in html.split("</aside>")[1]


@pytest.mark.parametrize(("language", "label"), [("en", "Page"), ("es", "Página")])
def test_a_bad_page_number_is_named_by_its_label_and_keeps_the_facets(client, language, label):
    prefix = "/es" if language == "es" else ""
    html = page(client, f"{prefix}/exhibitors/?page=x&year=2023", status=400)
    assert f"<strong>{label}</strong>:" in html
    assert facet_options(html) == facet_options(page(client, f"{prefix}/exhibitors/?year=2023"))
    assert facet_options(html)


@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "is not one of the choices: name, -name, country"),
        ("es", "«colour» no es una de las opciones: name, -name, country"),
    ],
)
def test_page_ordering_error_lists_the_choices(client, language, words):
    prefix = "/es" if language == "es" else ""
    html = page(client, f"{prefix}/exhibitors/?ordering=colour", status=400)
    assert words in html
