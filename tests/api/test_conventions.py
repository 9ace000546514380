"""One convention per kind of value, over every endpoint of the router and every format, on
both paths (PostgreSQL writing records and downloads; DRF's serializers with
DIRECTORY_API_RECORDS_SQL off and without COPY), which write the same bytes: null for missing
text, one link object for every related record, `html_url` to a page that answers, true/false
in CSV, NDJSON lines that are the record's compact JSON, LF line ends, plural file names."""

import csv
import io
import json
import re
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.test import override_settings
from rest_framework import relations

from config.api import router
from core.api import cells
from core.api.fields import CompactRelatedField, DetailURLField, PageURLField
from tests.api.helpers import get
from tests.api.test_records import awkward  # noqa: F401 (a fixture)
from tests.pages import body

pytestmark = [pytest.mark.usefixtures("seeded"), pytest.mark.django_db]

ENDPOINTS = {prefix: viewset for prefix, viewset, _basename in router.registry}
LINK_KEYS = ["id", "slug", "name", "url"]
PAGES = {"exhibitors", "expos", "forums", "speakers", "deals"}


def fields_of(prefix):
    return ENDPOINTS[prefix].serializer_class().fields


def fetch(client, url, records_sql=True, copy=True, **headers):
    """The response to `url` with the response cache off; by DRF's serializers when
    `records_sql` is off, by DRF a chunk at a time (no COPY) when `copy` is off."""
    with override_settings(DIRECTORY_API_CACHE=False, DIRECTORY_API_RECORDS_SQL=records_sql):
        if copy:
            return get(client, url, **headers)
        with mock.patch.object(cells, "api_query", side_effect=cells.Unsupported("compared")):
            return get(client, url, **headers)


def both_paths(client, url, **headers):
    """The bytes of `url` from PostgreSQL and from DRF, checked to be the same."""
    fast = body(fetch(client, url, **headers))
    slow = body(fetch(client, url, records_sql=False, copy=False, **headers))
    assert fast == slow, url
    return fast


def check_record(prefix, record):
    """No "" where null is the rule; every related record a link; html_url a page URL."""
    fields = fields_of(prefix)
    assert list(record) == list(fields), prefix
    for name, value in record.items():
        assert value != "", (prefix, name)
        field = fields[name]
        if isinstance(field, relations.ManyRelatedField):
            assert isinstance(field.child_relation, CompactRelatedField), (prefix, name)
            links = value
        elif isinstance(field, relations.RelatedField) and not isinstance(field, DetailURLField):
            # No bare id: every reference is a link (to-one: or null).
            assert isinstance(field, CompactRelatedField), (prefix, name)
            links = [] if value is None else [value]
        else:
            continue
        for link in links:
            assert list(link) == LINK_KEYS, (prefix, name, link)
            assert isinstance(link["id"], int) and link["name"], (prefix, name, link)
            assert link["url"].startswith("http://testserver/api/v1/"), link
            assert link["slug"] is None or link["url"].endswith(f"/{link['slug']}/"), link
            assert link["slug"] is not None or link["url"].endswith(f"/{link['id']}/"), link


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("prefix", sorted(ENDPOINTS))
def test_every_record_keeps_the_conventions_on_both_paths(client, awkward, prefix, language):  # noqa: F811
    listed = json.loads(both_paths(client, f"/api/v1/{prefix}/?page_size=500&lang={language}"))
    assert listed["results"], prefix
    has_page = any(isinstance(f, PageURLField) for f in fields_of(prefix).values())
    assert has_page == (prefix in PAGES)
    for record in listed["results"]:
        check_record(prefix, record)
        detail = json.loads(both_paths(client, f"{record['url']}?lang={language}"))
        assert detail == record
        if has_page:
            page = urlsplit(record["html_url"])
            assert page.netloc == "testserver", record["html_url"]
            assert page.path.startswith("/es/") == (language == "es")
            get(client, page.path)  # a page that answers 200
        else:
            assert "html_url" not in record


@pytest.mark.parametrize("prefix", sorted(ENDPOINTS))
def test_ndjson_lines_are_the_records_compact_json_and_csv_matches(client, awkward, prefix):  # noqa: F811
    listed = fetch(client, f"/api/v1/{prefix}/?page_size=500").json()["results"]
    lines = both_paths(client, f"/api/v1/{prefix}/?format=ndjson").split(b"\n")
    assert lines[-1] == b"" and len(lines) - 1 == len(listed)
    for line, record in zip(lines, listed, strict=False):
        compact = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
        assert line == compact.encode(), prefix
    # A record's NDJSON is its list's line.
    detail = both_paths(client, f"{listed[0]['url']}?format=ndjson")
    assert detail == lines[0] + b"\n"

    table = both_paths(client, f"/api/v1/{prefix}/?format=csv")
    header, *rows = csv.reader(io.StringIO(table.decode(), newline=""))
    assert header == list(fields_of(prefix)) and len(rows) == len(listed)
    for row, record in zip(rows, listed, strict=True):
        for name, cell in zip(header, row, strict=True):
            value = record[name]
            if isinstance(value, bool):
                assert cell == ("true" if value else "false"), (prefix, name)
            elif value is None:
                assert cell == "", (prefix, name)
            elif isinstance(value, dict):
                assert cell == (value["slug"] or str(value["id"])), (prefix, name)


def test_csv_booleans_are_true_and_false_in_every_list_that_has_them(client):
    seen = set()
    for prefix in ENDPOINTS:
        booleans = [
            n for n, f in fields_of(prefix).items() if f.__class__.__name__ == "BooleanField"
        ]
        if not booleans:
            continue
        table = both_paths(client, f"/api/v1/{prefix}/?format=csv").decode()
        for record in csv.DictReader(io.StringIO(table, newline="")):
            for name in booleans:
                assert record[name] in ("true", "false"), (prefix, name, record[name])
                seen.add(prefix)
    assert {"expos", "exhibitors", "sectors", "sources"} <= seen


def ends_of_lines(data):
    """The line ends of a CSV file outside its quoted cells."""
    outside = re.sub(rb'"(?:[^"]|"")*"', b"", data)
    return re.findall(rb"\r\n|\r|\n", outside)


@pytest.mark.parametrize("prefix", sorted(ENDPOINTS))
def test_every_csv_line_ends_in_lf(client, awkward, prefix):  # noqa: F811
    listed = both_paths(client, f"/api/v1/{prefix}/?format=csv")
    first = fetch(client, f"/api/v1/{prefix}/?page_size=1").json()["results"][0]
    record = body(fetch(client, f"{first['url']}?format=csv"))
    for data in (listed, record):
        assert data.endswith(b"\n")
        ends = ends_of_lines(data)
        assert set(ends) == {b"\n"}, prefix
        assert len(ends) == len(list(csv.reader(io.StringIO(data.decode(), newline=""))))


@pytest.mark.parametrize("path", ["exhibitors", "expos", "forums", "speakers", "deals"])
@pytest.mark.parametrize("language", ["", "/es"])
def test_every_page_download_line_ends_in_lf(client, awkward, path, language):  # noqa: F811
    data = body(get(client, f"{language}/{path}/export.csv"))
    assert data.startswith("\ufeff".encode()) and data.endswith(b"\n")
    assert set(ends_of_lines(data)) == {b"\n"}
    assert f'filename="{path}.csv"' in get(client, f"/{path}/export.csv")["Content-Disposition"]


@pytest.mark.parametrize("prefix", sorted(ENDPOINTS))
def test_downloads_are_named_by_the_plural_resource(client, prefix):
    first = fetch(client, f"/api/v1/{prefix}/?page_size=1").json()["results"][0]
    for fmt in ("csv", "ndjson"):
        for url in (f"/api/v1/{prefix}/?format={fmt}", f"{first['url']}?format={fmt}"):
            disposition = fetch(client, url)["Content-Disposition"]
            assert disposition == f'attachment; filename="{prefix}.{fmt}"', url


def test_a_record_read_is_written_back_as_it_is(admin_client):
    """Writes take what reads give: null text, links (an area's by id)."""
    from expos.models import Participation

    participation = Participation.objects.filter(area__isnull=False).first()
    url = f"/api/v1/participations/{participation.pk}/"
    record = admin_client.get(url).json()
    assert record["area"]["slug"] is None and record["area"]["id"] == participation.area_id
    assert record["showcase_es"] is None or record["showcase_es"]
    written = admin_client.put(url, record, content_type="application/json")
    assert written.status_code == 200, written.content
    assert written.json()["updated"] >= record["updated"]
    assert {k: v for k, v in written.json().items() if k != "updated"} == {
        k: v for k, v in record.items() if k != "updated"
    }
    # The id alone, and a refused one naming the field.
    answer = admin_client.patch(
        url, {"area": participation.area_id}, content_type="application/json"
    )
    assert answer.status_code == 200 and answer.json()["area"] == record["area"]
    refused = admin_client.patch(url, {"area": "١٢"}, content_type="application/json")
    assert refused.status_code == 400 and list(refused.json()) == ["area"]

    expo = admin_client.get("/api/v1/expos/?page_size=1").json()["results"][0]
    expo_url = expo["url"].removeprefix("http://testserver")
    written = admin_client.put(expo_url, expo, content_type="application/json")
    assert written.status_code == 200, written.content
    assert written.json()["sectors"] == expo["sectors"]
