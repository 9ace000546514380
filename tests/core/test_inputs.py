"""Whatever a visitor types: search text, NUL bytes, dates with odd offsets. Every list, page,
feed and download answers with results or a 400 that names the parameter, never a 500."""

import pytest
from django.http import QueryDict
from django.test import Client
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from config.api import router
from core.lists.counting import estimated_rows
from core.lists.search import MAX_SEARCH_LENGTH, MAX_SEARCH_WORDS
from core.lists.searchtext import count_words, parse_search
from exhibitors.selectors import exhibitor_list
from expos import selectors
from expos.filtersets import ExhibitorFilterSet, SpeakerFilterSet
from tests.pages import body

pytestmark = pytest.mark.usefixtures("seeded")

API_LISTS = sorted(f"/api/v1/{prefix}/" for prefix, _viewset, _basename in router.registry)
SEARCHABLE = ["exhibitors", "expos", "forums", "speakers", "deals", "organisations", "sectors"]
SEARCHABLE_API_LISTS = [f"/api/v1/{name}/" for name in [*SEARCHABLE, "series"]]
PAGE_LISTS = ["/exhibitors/", "/expos/", "/forums/", "/speakers/", "/deals/"]
PAGE_DOWNLOADS = [f"{url}export.csv" for url in PAGE_LISTS]
FEEDS = ["/expos/calendar.ics", "/forums/calendar.ics"]
SLUG_PAGES = [f"{url}a%00b/" for url in PAGE_LISTS] + ["/expos/a%00b/calendar.ics"]

# Text that PostgreSQL's websearch_to_tsquery refuses ("tsquery stack too small").
OPERATOR_RUN = "-" * 33


def client():
    return Client(raise_request_exception=False)


@pytest.mark.parametrize(
    "url",
    [
        *PAGE_LISTS,
        *[f"/es{url}" for url in PAGE_LISTS],
        "/search/",
        "/es/search/",
        *FEEDS,
        *PAGE_DOWNLOADS,
        *SEARCHABLE_API_LISTS,
        *[f"{url} text/csv" for url in SEARCHABLE_API_LISTS],
        *[f"{url} application/x-ndjson" for url in SEARCHABLE_API_LISTS],
    ],
)
@pytest.mark.parametrize("q", [OPERATOR_RUN, "-!" * 40, "- " * 60, '"""', "!!!"])
def test_search_q_of_operators_only_finds_nothing(url, q):
    url, _space, accept = url.partition(" ")
    response = client().get(url, {"q": q}, HTTP_ACCEPT=accept or "*/*")
    assert response.status_code == 200, body(response)[:300]
    content = body(response).decode()
    if url.startswith("/api/") and not accept:
        assert response.json()["results"] == []
    elif url.endswith(".csv") or accept == "text/csv":
        assert len(content.removeprefix("\ufeff").splitlines()) == 1  # the header alone
    elif url.endswith(".ics"):
        assert "BEGIN:VCALENDAR" in content and "BEGIN:VEVENT" not in content
    elif accept:
        assert response["Content-Type"].startswith(accept)
        assert content == ""  # no record, no line
    else:
        assert "<html" in content


def test_search_q_with_operators_around_words_still_finds_them(client):
    assert "zhejiang-dahua-technology" in exhibitors(f"{OPERATOR_RUN} Dahua")
    assert "zhejiang-dahua-technology" not in exhibitors(f"Zhejiang -{OPERATOR_RUN}Dahua")
    assert "zhejiang-dahua-technology" in exhibitors('"Dahua Technology')  # unclosed quote


def test_parse_search_reads_websearch_syntax():
    parsed = parse_search('smart "city hall" -lighting video or iot or -- "" or')
    assert [[(t.text, t.negated, t.phrase) for t in clause] for clause in parsed.clauses] == [
        [("smart", False, False)],
        [("city hall", False, True)],
        [("lighting", True, False)],
        [("video", False, False), ("iot", False, False)],
    ]
    assert [t.text for t in parsed.excluded] == ["lighting"]
    assert parse_search(OPERATOR_RUN).clauses == []
    assert parse_search("a\tb\nc\x00d").clauses == parse_search("a b c d").clauses


@pytest.mark.parametrize("url", SEARCHABLE_API_LISTS)
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_search_q_too_long_is_a_400_naming_q(url, fmt):
    accept = {"json": "application/json", "csv": "text/csv"}[fmt]
    response = client().get(url, {"q": "w" * (MAX_SEARCH_LENGTH + 1)}, HTTP_ACCEPT=accept)
    assert response.status_code == 400
    # In JSON, the API's error shape, even where a CSV was asked for.
    assert response["Content-Type"] == "application/json"
    assert list(response.json()) == ["q"]
    assert f"at most {MAX_SEARCH_LENGTH} characters" in response.json()["q"][0]


@pytest.mark.parametrize("url", [*PAGE_LISTS, "/search/", *FEEDS, *PAGE_DOWNLOADS])
def test_search_q_too_long_is_a_400_on_pages_feeds_and_downloads(url):
    response = client().get(url, {"q": "x" * (MAX_SEARCH_LENGTH + 1)})
    assert response.status_code == 400
    assert f"at most {MAX_SEARCH_LENGTH} characters" in body(response).decode()


# A hundred one-letter words, within the length: each word is a query in three languages.
MANY_WORDS = "智 " * 100
WORDS_MESSAGE = f"at most {MAX_SEARCH_WORDS} words (this has 100)"


@pytest.mark.parametrize("url", SEARCHABLE_API_LISTS)
@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_search_q_of_too_many_words_is_a_400_naming_q(url, fmt):
    accept = {"json": "application/json", "csv": "text/csv"}[fmt]
    response = client().get(url, {"q": MANY_WORDS}, HTTP_ACCEPT=accept)
    assert response.status_code == 400
    assert response.json() == {"q": [f"Search for {WORDS_MESSAGE}."]}


@pytest.mark.parametrize("url", [*PAGE_LISTS, "/search/", *FEEDS, *PAGE_DOWNLOADS])
def test_search_q_of_too_many_words_is_a_400_on_pages_feeds_and_downloads(url):
    response = client().get(url, {"q": MANY_WORDS})
    assert response.status_code == 400
    assert WORDS_MESSAGE in body(response).decode()


@pytest.mark.parametrize("url", ["/exhibitors/", "/search/"])
def test_search_page_of_too_many_words_shows_the_error_and_no_results(url):
    response = client().get(url, {"q": "Dahua " * (MAX_SEARCH_WORDS + 1)})
    html = response.content.decode()
    assert response.status_code == 400
    assert "<strong>Search</strong>" in html and f"at most {MAX_SEARCH_WORDS} words" in html
    assert "/exhibitors/zhejiang-dahua-technology/" not in html


def test_search_q_of_too_many_words_is_explained_in_spanish():
    response = client().get("/es/exhibitors/", {"q": MANY_WORDS})
    assert response.status_code == 400
    assert f"como máximo {MAX_SEARCH_WORDS} palabras (esta búsqueda tiene 100)" in (
        response.content.decode()
    )


@pytest.mark.parametrize("url", ["/api/v1/exhibitors/", "/exhibitors/", "/search/"])
def test_search_q_of_exactly_the_most_words_is_searched(url):
    response = client().get(url, {"q": " ".join(["Dahua"] * MAX_SEARCH_WORDS)})
    assert response.status_code == 200
    if url.startswith("/api/"):
        assert [row["slug"] for row in response.json()["results"]] == ["zhejiang-dahua-technology"]
    else:
        assert "/exhibitors/zhejiang-dahua-technology/" in response.content.decode()


def test_count_words_counts_phrases_word_by_word_and_exclusions_but_not_or():
    assert count_words(parse_search('smart "city hall" -lighting video or iot -- ! or')) == 6
    assert count_words(parse_search("smart-city 智慧城市")) == 2


def test_search_bound_is_in_the_schema(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    parameters = schema["paths"]["/api/v1/exhibitors/"]["get"]["parameters"]
    (q,) = [parameter for parameter in parameters if parameter["name"] == "q"]
    assert q["schema"]["maxLength"] == MAX_SEARCH_LENGTH
    assert (
        f"at most {MAX_SEARCH_LENGTH} characters and {MAX_SEARCH_WORDS} words" in q["description"]
    )


def test_search_page_with_a_nul_shows_the_error_and_no_results():
    # It used to drop the invalid `q` and list the first records of every kind.
    response = client().get("/search/", {"q": "Dahua\x00"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "<strong>Search</strong>" in html and "characters are not allowed" in html
    assert "/exhibitors/zhejiang-dahua-technology/" not in html


def exhibitors(q):
    filterset = ExhibitorFilterSet(QueryDict(mutable=True) | {"q": q}, queryset=exhibitor_list())
    assert filterset.is_valid(), filterset.errors
    return [e.slug for e in filterset.qs]


OPERATORS = ["-", '"', " ", "or", "OR", "!", "&", "|", "(", ")", ":*", "<->", "\\", "'"]
WORDS = ["smart", "city", "Dahua", "ciudad", "中国", "Ü", "\u200b", "\u0301", "x" * 60]
WEBSEARCH_PIECES = st.sampled_from([*OPERATORS, "\t", "\n", *WORDS])
TYPED = st.one_of(
    st.lists(WEBSEARCH_PIECES, max_size=80).map("".join),
    st.text(max_size=MAX_SEARCH_LENGTH + 20),
    st.text(alphabet=st.characters(codec="utf-8", categories=["Cc", "Cs", "P", "S", "Z"])),
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(q=TYPED)
@example(q=OPERATOR_RUN)
@example(q="-!" * 100)
@example(q="\ud800 smart \udfff")
@example(q="a " * 100)
@example(q='"' + "x" * 199)
@example(q="x" * 100_000)
@example(q="Dahua\x00")
def test_any_typed_q_gives_results_or_an_error_naming_q(q):
    """The count estimate (where the first failure was seen), the rows and the ranking, on a
    list whose search also reaches related records' vectors (speakers)."""
    for filterset_class, queryset in (
        (ExhibitorFilterSet, exhibitor_list()),
        (SpeakerFilterSet, selectors.speakers()),
    ):
        filterset = filterset_class(QueryDict(mutable=True) | {"q": q}, queryset=queryset)
        if not filterset.is_valid():
            assert list(filterset.errors) == ["q"]
            continue
        estimated_rows(filterset.qs)
        list(filterset.qs[:5])


@pytest.mark.parametrize("url", [f"{url}a%00b/" for url in API_LISTS] + SLUG_PAGES)
def test_nul_in_a_path_is_a_404(url):
    response = client().get(url)
    assert response.status_code == 404
    if url.startswith("/api/"):
        assert response.json() == {"detail": "Not found."}


EXTRA = ("expand", "format", "updated_since", "no_such_parameter")


@pytest.mark.parametrize(
    "parameter",
    [*("q", "country", "ordering", "page", "page_size", "cursor", "lang", "facets"), *EXTRA],
)
def test_nul_in_any_api_parameter_is_a_400_naming_it(parameter):
    """Before any query: a NUL that reached PostgreSQL would fail the query, a 500."""
    response = client().get("/api/v1/exhibitors/", {parameter: "a\x00b"})
    assert response.status_code == 400
    # Some are checked before the NULs are (`lang` must be en or es): still a 400 naming them.
    assert list(response.json()) == [parameter]


OUT_OF_RANGE = [
    ("2020-01-01T00:00:00+16:00", "offset"),
    ("2020-01-01T00:00:00-16:00", "offset"),
    ("2020-01-01T00:00:00+23:59", "offset"),
    ("2020-01-01T00:00:00-23:59:59", "offset"),
    ("0001-01-01T00:00:00+01:00", "between the years"),  # year 0 in UTC
    ("9999-12-31T23:59:59-15:59", "between the years"),  # year 10000 in UTC
    ("0000-01-01T00:00:00", "valid date and time"),
    ("10000-01-01T00:00:00", "valid date and time"),
    ("2020-02-30T00:00:00", "valid date and time"),
    ("9" * 40, "valid date and time"),
]


@pytest.mark.parametrize("url", API_LISTS)
@pytest.mark.parametrize("value, message", OUT_OF_RANGE)
def test_updated_since_out_of_range_is_a_400_naming_it(url, value, message):
    response = client().get(url, {"updated_since": value})
    assert response.status_code == 400, body(response)[:300]
    assert list(response.json()) == ["updated_since"]
    assert message in response.json()["updated_since"][0]


@pytest.mark.parametrize(
    "value", ["2020-01-01T00:00:00+15:59", "9999-12-31T23:59:59+15:59", "2020-01-01"]
)
def test_updated_since_at_the_edges_of_the_range_filters(value):
    response = client().get("/api/v1/expos/", {"updated_since": value})
    assert response.status_code == 200
    every = client().get("/api/v1/expos/").json()["count"]
    assert response.json()["count"] == (0 if value.startswith("9999") else every) and every


@pytest.mark.parametrize("url", [*PAGE_LISTS, *PAGE_DOWNLOADS, *FEEDS])
def test_updated_since_out_of_range_on_pages_is_a_400(url):
    response = client().get(url, {"updated_since": "2020-01-01T00:00:00+16:00"})
    assert response.status_code == 400
    assert "time-zone offset" in body(response).decode()
