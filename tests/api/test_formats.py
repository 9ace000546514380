"""API v1 formats: CSV and NDJSON streams of every matching row."""

import csv
import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.helpers import get

pytestmark = pytest.mark.usefixtures("seeded")


def test_stream_longer_than_a_chunk_has_every_row_once_in_order(client, monkeypatch):
    from core.api import streaming

    monkeypatch.setattr(streaming, "STREAM_CHUNK", 3)
    query = "ordering=-name&page_size=500"
    expected = [r["slug"] for r in get(client, f"/api/v1/exhibitors/?{query}").json()["results"]]
    assert len(expected) == 11
    with CaptureQueriesContext(connection) as captured:
        response = get(client, f"/api/v1/exhibitors/?{query}&format=ndjson")
        lines = b"".join(response.streaming_content).decode().splitlines()
    assert [json.loads(line)["slug"] for line in lines] == expected
    response = get(client, f"/api/v1/exhibitors/?{query}&format=csv")
    table = csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    assert [r["slug"] for r in table] == expected
    assert not [q for q in captured.captured_queries if "OFFSET" in q["sql"]]


def test_csv_and_ndjson_hold_the_same_rows_as_json(client):
    query = "country=CN&ordering=name"
    rows = get(client, f"/api/v1/exhibitors/?{query}&page_size=500").json()["results"]
    csv_response = get(client, f"/api/v1/exhibitors/?{query}&format=csv")
    assert csv_response["Content-Type"] == "text/csv; charset=utf-8"
    table = list(csv.DictReader(io.StringIO(b"".join(csv_response.streaming_content).decode())))
    assert [r["slug"] for r in table] == [r["slug"] for r in rows]
    assert table[0]["sectors"] == "; ".join(s["slug"] for s in rows[0]["sectors"])
    nd = get(client, f"/api/v1/exhibitors/?{query}&format=ndjson")
    assert nd["Content-Type"] == "application/x-ndjson; charset=utf-8"
    lines = b"".join(nd.streaming_content).decode().splitlines()
    assert [json.loads(line) for line in lines] == rows


def test_unknown_format_is_400(client):
    body = get(client, "/api/v1/exhibitors/?format=xml", status=400).json()
    assert body == {"format": ["Choose one of: json, csv, ndjson."]}


def api_lists():
    from config.api import router

    return [prefix for prefix, _viewset, _basename in router.registry]


def test_api_lists_are_the_routers_seventeen():
    assert len(api_lists()) == 17


# After every record of the seed: a filter every list has, that matches nothing.
NOTHING = "updated_since=2100-01-01T00:00:00Z"


@pytest.mark.parametrize("prefix", api_lists())
def test_csv_of_no_rows_is_the_header_of_the_csv_with_rows(client, prefix):
    full = get(client, f"/api/v1/{prefix}/?format=csv")
    rows = list(csv.reader(io.StringIO(b"".join(full.streaming_content).decode())))
    assert len(rows) > 1, prefix
    empty = get(client, f"/api/v1/{prefix}/?format=csv&{NOTHING}")
    assert empty["Content-Type"] == "text/csv; charset=utf-8"
    assert list(csv.reader(io.StringIO(b"".join(empty.streaming_content).decode()))) == [rows[0]]
    ndjson = get(client, f"/api/v1/{prefix}/?format=ndjson&{NOTHING}")
    # NDJSON has no header: a file of no records is empty, and still valid NDJSON.
    assert b"".join(ndjson.streaming_content) == b""


@pytest.mark.parametrize(
    "url", ["/api/v1/exhibitors/?expand=participations", "/api/v1/expos/?expand=forums,deals"]
)
def test_csv_of_no_rows_written_by_the_serializers_is_their_header(client, url):
    full = get(client, f"{url}&format=csv")
    header = b"".join(full.streaming_content).decode().splitlines()[0]
    empty = get(client, f"{url}&format=csv&q=zzzqqq")
    assert b"".join(empty.streaming_content).decode().splitlines() == [header]
