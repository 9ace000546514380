"""The read path through PostgreSQL (core/api/records.py) gives the JSON the serializers give,
field for field: every list and every record, in English and Spanish, with every `?expand=`,
numbered pages and cursor walks, and records whose translations, relations and countries are
missing."""

import logging
from unittest import mock

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory

from config.api import router
from core.api import cells, records
from core.api.viewsets import RecordQueryMixin
from exhibitors.models import Exhibitor
from expos.api.serializers import SectorSerializer
from tests import factories
from tests.api.helpers import get

pytestmark = [pytest.mark.usefixtures("seeded"), pytest.mark.django_db]

# What the statement writing records as JSON holds (core.api.cells.json_object).
RECORD_MARK = """'{"url":'"""
ENDPOINTS = {prefix: viewset for prefix, viewset, _basename in router.registry}


def serialised(client, url, **headers):
    """The JSON of `url` through the serializers, as DRF writes it."""
    with mock.patch.object(RecordQueryMixin, "record_query", return_value=None):
        return get(client, url, **headers).json()


def both(client, url, **headers):
    """(through a plan, through the serializer) for `url`, with the response cache off."""
    with override_settings(DIRECTORY_API_CACHE=False):
        return get(client, url, **headers).json(), serialised(client, url, **headers)


def expansions(prefix):
    names = sorted(ENDPOINTS[prefix].expandable)
    return (
        [""] + [f"expand={name}" for name in names] + ([f"expand={','.join(names)}"] * bool(names))
    )


@pytest.fixture
def awkward():
    """Records that take every branch: a Spanish translation missing (the English is shown),
    no country, no sectors, several sectors in an order other than their ids', a name with
    quotes, a description with line separators (a name may not hold them), a foreign key
    left empty."""
    sectors = [
        factories.SectorFactory(name_en="Zeta", name_es="Alfa"),
        factories.SectorFactory(name_en="Alpha", name_es=""),
    ]
    exhibitor = factories.ExhibitorFactory(
        name_en='Ünïcode "quoted" name',
        name_es="",
        country="",
        city_en="Vigo",
        description_en="Line\u2028and paragraph\u2029separators",
    )
    exhibitor.sectors.set(sectors)
    factories.ExhibitorFactory(name_en="No sectors", country="ES")
    factories.ExpoFactory(series=None, parent=None, name_es="")
    factories.HighlightFactory(forum=None, exhibitor=None, area=None)
    return exhibitor


def context(expand=()):
    request = Request(APIRequestFactory().get("/"))
    return {"request": request, "format": None, "expand": list(expand)}


def view_for(prefix, action):
    """The router's view of `prefix`, as it serves `action` to a plain GET."""
    view = ENDPOINTS[prefix](action=action)
    view.request, view.format_kwarg, view.kwargs = context()["request"], None, {}
    return view


def view_queryset(prefix):
    """The list's queryset before its filters, as the view reads it."""
    return view_for(prefix, "list").get_queryset()


def test_every_list_is_written_by_postgresql_and_an_expansion_by_drf():
    for prefix, viewset in ENDPOINTS.items():
        queryset = view_queryset(prefix)
        assert records.query_for(viewset.serializer_class, context(), queryset), prefix
        for name in viewset.expandable:
            expanded = records.query_for(viewset.serializer_class, context([name]), queryset)
            assert expanded is None, (prefix, name)


@pytest.mark.parametrize("action", ["list", "retrieve"])
def test_every_endpoint_of_the_router_is_written_by_postgresql(action):
    """The serializer each viewset on the router uses for `action`: PostgreSQL writes its
    records, and a list's CSV and NDJSON. A field without SQL fails here, rather than hand its
    endpoint to DRF in production (where it is logged once: core.api.cells.fell_back)."""
    for prefix in ENDPOINTS:
        view = view_for(prefix, action)
        serializer_class = view.get_serializer_class()
        site, queryset = view.get_serializer_context(), view.get_queryset()
        assert records.query_for(serializer_class, site, queryset), (prefix, action)
        if action == "list":
            for fmt in ("csv", "ndjson"):
                assert cells.api_query(serializer_class(context=site), queryset, fmt), prefix


def test_a_serializer_sql_cannot_write_is_served_by_drf_and_logged_once(client, caplog):
    class Unwritable(SectorSerializer):
        shouted = serializers.SerializerMethodField()  # with no SQL beside it

        class Meta(SectorSerializer.Meta):
            fields = [*SectorSerializer.Meta.fields, "shouted"]

        def get_shouted(self, sector):
            return sector.slug.upper()

    urls = ["/api/v1/sectors/", "/api/v1/sectors/?format=csv", "/api/v1/sectors/?format=ndjson"]
    with (
        mock.patch.object(ENDPOINTS["sectors"], "serializer_class", Unwritable),
        override_settings(DIRECTORY_API_CACHE=False),
        caplog.at_level(logging.WARNING, logger="core.api.cells"),
    ):
        for url in urls * 2:
            get(client, url)
        listed = get(client, urls[0]).json()["results"]
        record = get(client, listed[0]["url"]).json()
    assert listed and all(r["shouted"] == r["slug"].upper() for r in [*listed, record])
    logged = [r for r in caplog.records if r.name == "core.api.cells"]
    assert [r.levelno for r in logged] == [logging.WARNING]
    assert "Unwritable" in logged[0].getMessage() and "shouted" in logged[0].getMessage()

    # An expansion nests whole serializers: DRF writes it, as expected, and says nothing.
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="core.api.cells"):
        for fmt in ("json", "csv"):
            get(client, f"/api/v1/exhibitors/?expand=participations&format={fmt}")
    assert not [r for r in caplog.records if r.name == "core.api.cells"]


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("prefix", sorted(ENDPOINTS))
def test_every_list_and_record_is_the_same_json(client, awkward, prefix, language):
    for expand in expansions(prefix):
        query = "&".join(part for part in (f"lang={language}", "page_size=500", expand) if part)
        fast, slow = both(client, f"/api/v1/{prefix}/?{query}")
        assert fast == slow, (prefix, expand)
        assert fast["results"], prefix
        for record in fast["results"]:
            url = record["url"] + "?" + "&".join(p for p in (f"lang={language}", expand) if p)
            fast_record, slow_record = both(client, url)
            assert fast_record == slow_record, url
            assert fast_record == record


def test_accept_language_chooses_the_plan_language(client, awkward):
    fast, slow = both(client, "/api/v1/exhibitors/?page_size=500", HTTP_ACCEPT_LANGUAGE="es")
    assert fast == slow
    row = next(r for r in fast["results"] if r["slug"] == awkward.slug)
    # No Spanish name: the English one is shown, as modeltranslation's fallback does.
    assert row["name"] == awkward.name_en and row["name_es"] is None
    # Sectors are ordered by the Spanish column, where the untranslated one is empty.
    assert [s["name"] for s in row["sectors"]] == ["Alpha", "Alfa"]
    assert row["country"] is None and row["country_name"] is None


def test_filters_orderings_and_cursor_walks_are_the_same_json(client, awkward):
    for query in (
        "country=CN&sector=video-iot",
        "q=hangzhou&ordering=-name",
        "year=2023&facets=country,sector",
        "ordering=-updated&page=2&page_size=3",
        "cursor=&page_size=4",
    ):
        fast, slow = both(client, f"/api/v1/exhibitors/?{query}")
        assert fast == slow, query
    # Following a cursor: the same pages, to the end.
    url, pages = "/api/v1/exhibitors/?cursor=&page_size=7", 0
    while url and pages < 50:
        fast, slow = both(client, url)
        assert fast == slow
        url, pages = fast["next"], pages + 1
    assert url is None


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/exhibitors/no-such-one/",
        "/api/v1/sectors/no-such-one/",
        "/api/v1/awards/abc/",  # a primary key that cannot be one
        "/api/v1/awards/99999999999999999999/",
        "/api/v1/exhibitors/zhejiang-dahua-technology/?country=ES",  # filtered out
    ],
)
def test_a_missing_or_impossible_record_is_the_same_404(client, url):
    with override_settings(DIRECTORY_API_CACHE=False):
        fast = get(client, url, status=404).json()
        with mock.patch.object(RecordQueryMixin, "record_query", return_value=None):
            slow = get(client, url, status=404).json()
    assert fast == slow and "detail" in fast


def test_a_page_is_read_in_a_fixed_number_of_queries(client, awkward):
    factories.ExhibitorFactory.create_batch(60)
    get(client, "/api/v1/exhibitors/?page_size=1")  # what a process reads once
    counts = []
    for size in (10, 50):
        with (
            override_settings(DIRECTORY_API_CACHE=False),
            CaptureQueriesContext(connection) as queries,
        ):
            data = get(client, f"/api/v1/exhibitors/?page_size={size}").json()
        assert len(data["results"]) == size
        counts.append(len(queries))
    assert counts[0] == counts[1], [q["sql"][:120] for q in queries.captured_queries]
    # Besides the count: the page's ids, then its records as JSON with their sectors nested,
    # two queries; the statement is in Django's query log although it was prepared.
    page = [
        q["sql"]
        for q in queries.captured_queries
        if "exhibitors_exhibitor" in q["sql"] and not q["sql"].startswith("SELECT COUNT(*)")
    ]
    assert len(page) == 2, page
    assert page[0].startswith('SELECT "exhibitors_exhibitor"."id" AS "id" FROM')
    assert RECORD_MARK in page[1] and "exhibitors_sector" in page[1]


def records_statements(queries):
    return [q["sql"] for q in queries.captured_queries if RECORD_MARK in q["sql"]]


def test_with_the_sql_path_off_the_serializers_write_the_same_json(client, awkward):
    """DIRECTORY_API_RECORDS_SQL=False (make bench's R2 compares the two paths): every list
    and record is written by DRF's serializers, the same JSON, with no statement writing JSON;
    on again, PostgreSQL writes them."""
    urls = ["/api/v1/exhibitors/?page_size=500", "/api/v1/exhibitors/?country=CN&page_size=3"]
    urls.append(f"/api/v1/exhibitors/{awkward.slug}/")
    for records_sql in (False, True):
        with (
            override_settings(DIRECTORY_API_CACHE=False, DIRECTORY_API_RECORDS_SQL=records_sql),
            CaptureQueriesContext(connection) as queries,
        ):
            answers = [get(client, url).json() for url in urls]
        # Read before the next request, whose start empties Django's query log.
        assert len(records_statements(queries)) == (len(urls) if records_sql else 0)
        assert answers == [serialised(client, url) for url in urls]
    view = view_for("exhibitors", "list")
    with override_settings(DIRECTORY_API_RECORDS_SQL=False):
        assert view.record_query() is None
    assert view.record_query() is not None


def prepared_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


@pytest.mark.parametrize("prepared", [True, False])
def test_the_records_statement_is_prepared_once_a_connection(client, prepared):
    with override_settings(DIRECTORY_API_CACHE=False, DIRECTORY_PREPARED_STATEMENTS=prepared):
        first = get(client, "/api/v1/exhibitors/?page_size=3").json()
        again = get(client, "/api/v1/exhibitors/?page=2&page_size=3").json()
    assert [r["slug"] for r in first["results"]] != [r["slug"] for r in again["results"]]
    statements = [s for s in prepared_statements() if RECORD_MARK in s]
    # One statement for both pages: only the ids changed, passed as a parameter.
    assert len(statements) == (1 if prepared else 0), statements
    if prepared:
        assert "= ANY(CAST($" in statements[0]
        # Ids of any size are one type (psycopg would send small ones as smallint[] and keep
        # a statement for each type).
        queryset = view_queryset("exhibitors")
        query = records.query_for(ENDPOINTS["exhibitors"].serializer_class, context(), queryset)
        site = {"request": Request(APIRequestFactory().get("/")), "format": None, "expand": []}
        with override_settings(DIRECTORY_PREPARED_STATEMENTS=True):
            assert query.write([{"id": 3_000_000_000}, {"id": 40_000}], queryset, site) == []
        # The same text and the same parameter types: still the one statement.
        assert prepared_statements().count(statements[0]) == 1


def test_an_expansion_is_written_by_drf_and_adds_no_plan(client):
    viewset = ENDPOINTS["exhibitors"]
    for n in range(1, 4):
        expand = ",".join(["participations"] * n)
        data = get(client, f"/api/v1/exhibitors/?page_size=2&expand={expand}").json()
        assert "participations" in data["results"][0]
    assert set(viewset.__dict__.get("_record_queries", {})) <= {viewset.serializer_class}


def test_records_come_in_the_order_of_the_ids_and_a_deleted_one_is_left_out():
    viewset = ENDPOINTS["exhibitors"]
    queryset = view_queryset("exhibitors")
    query = records.query_for(viewset.serializer_class, context(), queryset)
    ids = list(Exhibitor.objects.order_by("-id").values_list("id", flat=True)[:3])
    written = query.write([{"id": i} for i in [*ids, 0]], queryset, context())
    assert [record["id"] for record in written] == ids


def test_statements_are_kept_for_a_bounded_number_of_sites():
    viewset = ENDPOINTS["sectors"]
    queryset = view_queryset("sectors")
    query = records.query_for(viewset.serializer_class, context(), queryset)
    for n in range(records.MAX_STATEMENTS + 5):
        request = Request(APIRequestFactory().get("/", HTTP_HOST=f"site{n}.example"))
        site = {"request": request, "format": None, "expand": []}
        with override_settings(ALLOWED_HOSTS=["*"]):
            _sql, params, _positions = query.compiled(queryset, site)
        assert any(f"http://site{n}.example/" in str(p) for p in params)
        assert len(query.statements) <= records.MAX_STATEMENTS
