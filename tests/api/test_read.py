"""API v1 reads: every endpoint's content, filtering as the pages do, pagination, formats,
conditional GET and language."""

import csv
import io
import json

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.http import http_date

from config.api import router
from core import dataversion
from exhibitors.models import Exhibitor

pytestmark = pytest.mark.usefixtures("seeded")

ENDPOINTS = {prefix: viewset for prefix, viewset, _basename in router.registry}


def get(client, url, status=200, **headers):
    response = client.get(url, **headers)
    assert response.status_code == status, (url, response.content[:500])
    return response


def test_every_resource_is_under_api_v1(client):
    root = get(client, "/api/v1/").json()
    assert set(root) == set(ENDPOINTS)
    assert {
        "expos",
        "exhibitors",
        "participations",
        "forums",
        "speakers",
        "appearances",
        "deals",
        "sectors",
        "sources",
    } <= set(root)


@pytest.mark.parametrize("prefix", sorted(ENDPOINTS))
def test_list_and_detail_of_every_endpoint(client, prefix):
    model = ENDPOINTS[prefix].queryset.model
    data = get(client, f"/api/v1/{prefix}/").json()
    assert data["count"] == model.objects.count() > 0
    first = data["results"][0]
    assert {"url", "id", "created", "updated"} <= set(first)
    detail = get(client, first["url"]).json()
    assert detail == first
    assert model.objects.filter(pk=detail["id"]).exists()


def test_exhibitor_detail_content_and_compact_relations(client):
    data = get(client, "/api/v1/exhibitors/zhejiang-dahua-technology/").json()
    assert data["name"] == "Zhejiang Dahua Technology Co., Ltd."
    assert (data["country"], data["country_name"], data["region"]) == ("CN", "China", "Zhejiang")
    assert data["sectors"] == [
        {
            "slug": "video-iot",
            "name": "Video IoT",
            "url": "http://testserver/api/v1/sectors/video-iot/",
        }
    ]
    assert data["description_es"].startswith("Empresa de Zhejiang")


def test_participation_shows_compact_expo(client):
    data = get(client, "/api/v1/participations/?exhibitor=guangyu-mingdao-digital-technology")
    (row,) = data.json()["results"]
    assert row["expo"] == {
        "slug": "smart-china-expo-2021",
        "name": "Smart China Expo 2021",
        "url": "http://testserver/api/v1/expos/smart-china-expo-2021/",
    }
    assert row["area_name"] == "Industrial internet exhibition area"


def test_expand_includes_nested_lists_without_extra_queries_per_record(client):
    url = "/api/v1/expos/?expand=participations,forums,deals"
    data = get(client, url).json()
    sce = next(e for e in data["results"] if e["slug"] == "smart-china-expo-2021")
    assert {p["exhibitor"]["slug"] for p in sce["participations"]} == {
        "guangyu-mingdao-digital-technology",
        "china-belarus-industrial-park-development-company",
    }
    assert sce["deals"][0]["project_count"] == 92
    assert sce["forums"][0]["speakers"][0]["slug"] == "vladimir-imamovich-norov"
    # Each request from a cold cache: the work itself, not an answer kept from before.
    cache.clear()
    with CaptureQueriesContext(connection) as all_expos:
        get(client, url)
    cache.clear()
    with CaptureQueriesContext(connection) as one_expo:
        get(client, url + "&year=2021")
    assert len(all_expos) == len(one_expo)


def test_expand_unknown_is_400(client):
    body = get(client, "/api/v1/expos/?expand=everything", status=400).json()
    assert "expand" in body


def test_filters_match_the_pages(client):
    data = get(client, "/api/v1/exhibitors/?country=CN&sector=video-iot").json()
    assert [r["slug"] for r in data["results"]] == ["zhejiang-dahua-technology"]
    data = get(client, "/api/v1/exhibitors/?country=CN&country=BY&year=2023").json()
    assert data["count"] == 6
    data = get(client, "/api/v1/exhibitors/?q=hangzhou&ordering=-name").json()
    assert [r["slug"] for r in data["results"]] == [
        "hangzhou-dayu-optoelectronic-technology",
        "hangzhou-city-big-data-operation",
    ]
    data = get(client, "/api/v1/expos/?year=2021").json()
    assert [r["slug"] for r in data["results"]] == ["smart-china-expo-2021"]
    data = get(client, "/api/v1/deals/?sector=digital-economy").json()
    assert data["results"][0]["amount"] == "252400000000.00"


@pytest.mark.parametrize(
    ("url", "parameter", "words"),
    [
        ("/api/v1/exhibitors/?contry=CN", "contry", "Unknown parameter."),
        ("/api/v1/exhibitors/?country=ZZ", "country", "ZZ is not one of the available"),
        ("/api/v1/exhibitors/?sector=nope", "sector", "nope is not one of the available"),
        ("/api/v1/exhibitors/?year=abc", "year", "is not a year"),
        ("/api/v1/exhibitors/?page_size=lots", "page_size", "whole number"),
        ("/api/v1/exhibitors/?page_size=0", "page_size", "at least 1"),
        ("/api/v1/exhibitors/?page=0", "page", "page number"),
        ("/api/v1/exhibitors/?facets=colour", "facets", "Choose from"),
        ("/api/v1/exhibitors/?lang=fr", "lang", "Choose one of"),
        ("/api/v1/exhibitors/?updated_since=yesterday", "updated_since", "valid date"),
        ("/api/v1/exhibitors/?cursor=&ordering=name", "ordering", "ordered by id"),
        ("/api/v1/exhibitors/?cursor=garbage", "cursor", "Invalid cursor"),
        ("/api/v1/citations/?record_type=nope.nope", "record_type", "not one of"),
    ],
)
def test_bad_parameter_is_400_naming_it(client, url, parameter, words):
    body = get(client, url, status=400).json()
    assert parameter in body, body
    assert words in " ".join(body[parameter])


def test_facets_count_per_country_and_sector(client):
    data = get(client, "/api/v1/exhibitors/?year=2023&facets=country,sector").json()
    countries = {o["value"]: o["count"] for o in data["facets"]["country"]}
    assert countries == {"CN": 6}
    sectors = {o["value"]: o["count"] for o in data["facets"]["sector"]}
    assert sectors["video-iot"] == 1
    assert set(data["facets"]) == {"country", "sector"}


def test_full_walk_returns_every_record_once(client):
    expected = set(Exhibitor.objects.values_list("slug", flat=True))
    for ordering in ("name", "-country", "updated"):
        seen = []
        url = f"/api/v1/exhibitors/?page_size=3&ordering={ordering}"
        while url:
            data = get(client, url).json()
            seen += [r["slug"] for r in data["results"]]
            url = data["next"]
        assert sorted(seen) == sorted(expected), ordering


def test_cursor_walk_returns_every_record_once(client):
    seen = []
    url = "/api/v1/exhibitors/?page_size=4&cursor="
    pages = 0
    while url:
        data = get(client, url).json()
        seen += [r["id"] for r in data["results"]]
        url = data["next"]
        pages += 1
    assert seen == sorted(Exhibitor.objects.values_list("id", flat=True))
    assert pages == 3


def test_page_size_is_capped(client):
    data = get(client, "/api/v1/citations/?page_size=100000").json()
    assert len(data["results"]) == min(500, data["count"])


def test_query_count_does_not_change_with_page_size(client):
    counts = []
    for size in (1, 10):
        cache.clear()  # the work itself, not an answer or an estimate kept from before
        with CaptureQueriesContext(connection) as captured:
            get(client, f"/api/v1/exhibitors/?page_size={size}&expand=participations")
        counts.append(len(captured))
    assert counts[0] == counts[1]


def test_updated_since(client):
    Exhibitor.objects.filter(slug="dell").update(updated="2030-01-01T00:00:00Z")
    data = get(client, "/api/v1/exhibitors/?updated_since=2029-12-31T00:00:00Z").json()
    assert [r["slug"] for r in data["results"]] == ["dell"]


def test_conditional_get_on_list_and_detail(client):
    for url in ("/api/v1/exhibitors/?country=CN", "/api/v1/expos/smart-china-expo-2021/"):
        first = get(client, url)
        assert first["ETag"] and first["Last-Modified"]
        again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
        assert again.status_code == 304
        assert again.content == b""
        since = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
        assert since.status_code == 304


def test_conditional_get_sees_a_change_saved_in_the_orm(client):
    # A record's ETag follows the whole directory's data version, not only the record.
    urls = ("/api/v1/exhibitors/?country=CN", "/api/v1/expos/smart-china-expo-2021/")
    etags = {url: get(client, url)["ETag"] for url in urls}
    exhibitor = Exhibitor.objects.get(slug="graffiti-intelligence")
    exhibitor.description_en = "Changed."
    exhibitor.save()
    for url, etag in etags.items():
        changed = client.get(url, HTTP_IF_NONE_MATCH=etag)
        assert changed.status_code == 200
        assert changed["ETag"] != etag


def test_conditional_get_is_answered_from_the_data_version(client, django_assert_num_queries):
    for url in ("/api/v1/exhibitors/?country=CN&facets=country", "/api/v1/sectors/video-iot/"):
        etag = get(client, url)["ETag"]
        with django_assert_num_queries(1):  # the data version: nothing over the records
            assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304
    # Parameters are still checked first.
    url = "/api/v1/exhibitors/?country=CN&facets=colour"
    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 400


def test_etag_and_last_modified_follow_the_data_version(client):
    list_url, detail_url = "/api/v1/exhibitors/?country=CN", "/api/v1/expos/smart-china-expo-2021/"
    first = {url: get(client, url) for url in (list_url, detail_url)}
    dataversion.bump()
    _, changed = dataversion.current()
    for url, response in first.items():
        again = client.get(url, HTTP_IF_NONE_MATCH=response["ETag"])
        assert again.status_code == 200
        assert again["ETag"] != response["ETag"]
        assert again["Last-Modified"] == http_date(changed.timestamp())


def test_page_numbers_stop_at_the_count_cap(client, settings):
    settings.DIRECTORY_COUNT_CAP = 5
    first = get(client, "/api/v1/exhibitors/?page_size=2&ordering=name").json()
    assert (first["count"], first["count_exact"], first["count_capped"]) == (11, True, True)
    last = get(client, "/api/v1/exhibitors/?page_size=2&ordering=name&page=3").json()
    assert len(last["results"]) == 1
    assert last["next"] is None
    body = get(client, "/api/v1/exhibitors/?page_size=2&page=4", status=400).json()
    assert "cursor" in " ".join(body["page"])
    exact = get(client, "/api/v1/exhibitors/?country=BY").json()
    assert (exact["count"], exact["count_exact"], exact["count_capped"]) == (1, True, False)
    walk = get(client, "/api/v1/exhibitors/?cursor=&page_size=20").json()
    assert len(walk["results"]) == 11
    assert not {"count", "count_exact", "count_capped"} & set(walk)


def test_count_is_exact_below_the_limit(client):
    data = get(client, "/api/v1/exhibitors/").json()
    assert (data["count"], data["count_exact"], data["count_capped"]) == (11, True, False)


def test_count_past_the_limit_is_an_estimate(client, settings, monkeypatch):
    from core import counting

    settings.DIRECTORY_EXACT_COUNT = 3
    monkeypatch.setattr(counting, "estimated_rows", lambda queryset: 26_045)
    data = get(client, "/api/v1/exhibitors/?page_size=5").json()
    assert (data["count"], data["count_exact"], data["count_capped"]) == (26_000, False, True)
    assert len(data["results"]) == 5
    # The last page comes back short, and from there the count is exact.
    last = get(client, "/api/v1/exhibitors/?page_size=5&page=3").json()
    assert (last["count"], last["count_exact"], len(last["results"])) == (11, True, 1)
    assert last["next"] is None
    # A page past the real end is a 404, however many pages the estimate offered.
    get(client, "/api/v1/exhibitors/?page_size=5&page=4", status=404)


def test_a_repeated_request_is_answered_from_the_cache(client, django_assert_num_queries):
    url = "/api/v1/exhibitors/?country=CN&sector=video-iot&facets=country"
    first = get(client, url)
    with django_assert_num_queries(1):  # the data version
        again = get(client, url)
    assert again.content == first.content
    assert again["ETag"] == first["ETag"]
    assert again["Content-Type"] == "application/json"
    assert again["Content-Language"] == "en"
    # Another language, host or format is another answer.
    spanish = get(client, url + "&lang=es").json()
    assert spanish["results"][0]["name"] == spanish["results"][0]["name_es"] or spanish["results"][
        0
    ]["name_es"] in (None, "")
    other_host = get(client, url, HTTP_HOST="localhost").json()
    assert other_host["results"][0]["url"].startswith("http://localhost/")
    # A write moves the data version: the next answer is computed afresh.
    dahua = Exhibitor.objects.get(slug="zhejiang-dahua-technology")
    dahua.name_en = "Dahua Technology"
    dahua.save()
    changed = get(client, url).json()
    assert changed["results"][0]["name"] == "Dahua Technology"


def test_the_response_cache_can_be_turned_off(client, settings, django_assert_num_queries):
    settings.DIRECTORY_API_CACHE = False
    url = "/api/v1/exhibitors/?country=CN&sector=video-iot"
    first = get(client, url)
    with CaptureQueriesContext(connection) as again:
        assert get(client, url).content == first.content
    assert len(again.captured_queries) > 1


def test_a_bad_request_is_never_cached(client):
    url = "/api/v1/exhibitors/?country=ZZ"
    for _ in range(2):
        body = get(client, url, status=400).json()
        assert "country" in body


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


def test_language_by_parameter_and_header(client):
    url = "/api/v1/expos/zhejiang-smart-city-exhibition-spain-2023/"
    english = get(client, url)
    assert english["Content-Language"] == "en"
    assert english.json()["name"].startswith("Zhejiang Smart City Exhibition")
    spanish = get(client, url + "?lang=es")
    assert spanish["Content-Language"] == "es"
    assert spanish.json()["name"].startswith("Exposición de Ciudades Inteligentes")
    header = get(client, url, HTTP_ACCEPT_LANGUAGE="es-ES,es;q=0.9")
    assert header["Content-Language"] == "es"
    assert header.json()["venue"] == "Centro de Convenciones y Exposiciones de Barcelona"
    assert spanish["ETag"] != english["ETag"]


def test_schema_and_offline_docs(client):
    schema = get(client, "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    exhibitors = schema["paths"]["/api/v1/exhibitors/"]["get"]
    names = {p["name"] for p in exhibitors["parameters"]}
    assert {
        "country",
        "sector",
        "expo",
        "year",
        "q",
        "ordering",
        "updated_since",
        "page_size",
        "cursor",
        "format",
        "facets",
        "lang",
        "expand",
    } <= names
    assert {"200", "400", "429"} <= set(exhibitors["responses"])
    docs = get(client, "/api/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in docs
    assert "cdn" not in docs.lower()


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/exhibitors/?q=a%00b", "q"),
        ("/api/v1/exhibitors/?sector=video%00iot", "sector"),
        ("/api/v1/exhibitors/?country=C%00", "country"),
        ("/api/v1/exhibitors/?year=99999999999999999999999", "year"),
        ("/api/v1/citations/?record_id=1e400", "record_id"),
    ],
)
def test_nul_bytes_and_huge_numbers_are_400(client, url, parameter):
    body = get(client, url, status=400).json()
    assert parameter in body


def test_unknown_api_path_is_json_404(client):
    response = client.get("/api/v1/no-such-resource/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}
    past_the_end = get(client, "/api/v1/exhibitors/?page=99999999999999999999999", status=404)
    assert past_the_end.json() == {"detail": "Invalid page."}


def test_unknown_format_is_400(client):
    body = get(client, "/api/v1/exhibitors/?format=xml", status=400).json()
    assert body == {"format": ["Choose one of: json, csv, ndjson."]}


@pytest.mark.parametrize("prefix", ["exhibitors", "participations", "forums", "deals"])
def test_every_link_in_a_list_resolves_as_reverse_would(client, prefix):
    """Links are built from one resolved pattern per request; they must equal reverse()'s."""
    from django.urls import reverse

    rows = client.get(f"/api/v1/{prefix}/", {"page_size": 200}).json()["results"]
    assert rows
    for row in rows:
        lookup = {"slug": row["slug"]} if "slug" in row else {"pk": row["id"]}
        expected = "http://testserver" + reverse(f"api:{prefix[:-1]}-detail", kwargs=lookup)
        assert row["url"] == expected
        assert client.get(row["url"]).json()["id"] == row["id"]
