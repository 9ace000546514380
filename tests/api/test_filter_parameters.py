"""Every filter parameter of every API list: an error for a value not understood says what
is expected (the choices, or what a country code or a slug is), still a 400 naming the
parameter; and the schema describes every query parameter of every operation."""

from urllib.parse import urlencode

import django_filters
import pytest
from django.utils.html import escape

from config.api import router
from core.lists.filters import CountryFilter, SlugFilter
from tests.api.test_schema import generated_schema
from tests.pages import page

pytestmark = pytest.mark.usefixtures("seeded")

LISTS = [
    (f"/api/v1/{prefix}/", viewset.filterset_class) for prefix, viewset, _name in router.registry
]


def filters_of(kind, but=()):
    return [
        (url, name, filter_)
        for url, filterset_class in LISTS
        for name, filter_ in filterset_class.base_filters.items()
        if isinstance(filter_, kind) and not isinstance(filter_, but)
    ]


# Countries and records' slugs are too many to list: their errors say what is expected.
CHOICE_FILTERS = filters_of(
    django_filters.ChoiceFilter
    | django_filters.MultipleChoiceFilter
    | django_filters.OrderingFilter,
    but=CountryFilter | SlugFilter,
)


def choices_of(filter_):
    return [str(value) for value, _label in filter_.field.choices if value not in ("", None)]


def test_every_list_has_an_ordering_among_the_choice_filters():
    assert {url for url, name, _filter in CHOICE_FILTERS if name == "ordering"} == {
        url for url, _filterset_class in LISTS
    }
    assert {name for _url, name, _filter in CHOICE_FILTERS} >= {
        "ordering",
        "attendance",
        "kind",
        "metric",
        "language",
        "record_type",
    }


@pytest.mark.parametrize(("url", "name", "filter_"), CHOICE_FILTERS)
def test_a_value_not_among_the_choices_is_a_400_listing_them(client, url, name, filter_):
    response = client.get(url, {name: "colour"})
    assert response.status_code == 400
    body = response.json()
    assert list(body) == [name]
    (message,) = body[name]
    choices = choices_of(filter_)
    assert choices
    assert message == f"“colour” is not one of the choices: {', '.join(choices)}."


@pytest.mark.parametrize("value", ["%", "%s", "%(value)s", "100%"])
@pytest.mark.parametrize("name", ["ordering", "country", "sector"])
def test_a_value_with_a_percent_sign_is_quoted_as_it_is(client, name, value):
    response = client.get("/api/v1/exhibitors/", {name: value})
    assert response.status_code == 400
    (message,) = response.json()[name]
    assert f"“{value.upper() if name == 'country' else value}”" in message
    html = page(client, f"/exhibitors/?{urlencode({name: value})}", status=400)
    assert escape(f"“{value.upper() if name == 'country' else value}”") in html


def test_the_choices_are_listed_in_spanish_too(client):
    body = client.get("/api/v1/expos/", {"ordering": "colour", "lang": "es"}).json()
    assert body == {
        "ordering": [
            "«colour» no es una de las opciones: date, -date, name, -name, year, -year, "
            "updated, -updated."
        ]
    }


@pytest.mark.parametrize(
    ("url", "name"),
    [(url, name) for url, fs in LISTS for name, f in fs.base_filters.items() if name == "country"],
)
@pytest.mark.parametrize(
    ("language", "words"),
    [
        ("en", "“ZZ” is not a country code: give a two-letter ISO 3166-1 code, such as CN."),
        (
            "es",
            "«ZZ» no es un código de país: indique un código ISO 3166-1 de dos letras, como CN.",
        ),
    ],
)
def test_an_unknown_country_says_what_a_country_code_is(client, url, name, language, words):
    body = client.get(url, {name: "zz", "lang": language}).json()
    assert body == {name: [words]}


@pytest.mark.parametrize(("url", "name", "filter_"), filters_of(SlugFilter))
def test_an_unknown_slug_names_the_kind_of_record(client, url, name, filter_):
    response = client.get(url, {name: "no-such-record"})
    assert response.status_code == 400
    model = filter_.get_queryset(None).model
    assert response.json() == {
        name: [f"No {model._meta.verbose_name} has the slug “no-such-record”."]
    }


def test_a_bad_date_and_time_says_what_is_expected(client):
    body = client.get("/api/v1/expos/", {"updated_since": "yesterday"}).json()
    assert body == {
        "updated_since": [
            "Enter a valid date and time, in ISO 8601 form such as 2024-05-01T08:00:00Z."
        ]
    }


def query_parameters():
    for path, item in generated_schema()["paths"].items():
        for method, operation in item.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] == "query":
                    yield path, method, parameter


def test_every_query_parameter_of_every_operation_has_a_description():
    parameters = list(query_parameters())
    assert len(parameters) > 300
    undescribed = [
        (path, method, p["name"]) for path, method, p in parameters if not p.get("description")
    ]
    assert undescribed == []


def test_every_filter_is_described_by_its_help_text():
    described = {
        (path, parameter["name"]): parameter["description"]
        for path, method, parameter in query_parameters()
        if method == "get"
    }
    for url, filterset_class in LISTS:
        for name, filter_ in filterset_class.base_filters.items():
            help_text = filter_.extra.get("help_text") or ""
            if name != "q":  # described by its own schema (core.lists.search)
                assert help_text, (url, name)
            assert described[(url, name)].startswith(str(help_text)), (url, name)
    country = described[("/api/v1/exhibitors/", "country")]
    assert "two-letter ISO 3166-1 codes such as `CN`" in country
    assert "By sector slug" in described[("/api/v1/exhibitors/", "sector")]
    attendance = described[("/api/v1/expos/", "attendance")]
    assert "`online` and `in_person` include hybrid expos" in attendance
    assert "* `hybrid` - Hybrid (online and in person)" in attendance


@pytest.mark.parametrize(("value", "media_type"), [("csv", "text/csv"), ("ndjson", "x-ndjson")])
def test_a_record_is_given_in_the_formats_its_schema_describes(client, value, media_type):
    url = "/api/v1/expos/smart-china-expo-2021/"
    operation = generated_schema()["paths"]["/api/v1/expos/{slug}/"]["get"]
    format_ = next(p for p in operation["parameters"] if p["name"] == "format")
    assert value in format_["schema"]["enum"] and value in format_["description"]
    response = client.get(url, {"format": value})
    assert response.status_code == 200
    assert media_type in response["Content-Type"]
    content = b"".join(response.streaming_content) if response.streaming else response.content
    assert b"smart-china-expo-2021" in content
