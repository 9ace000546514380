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
