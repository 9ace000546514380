"""API v1 reads: every endpoint's content, expansion, filtering as the pages do, facets,
language, the schema and errors."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from config.api import router
from tests.api.helpers import get

pytestmark = pytest.mark.usefixtures("seeded")

ENDPOINTS = {prefix: viewset for prefix, viewset, _basename in router.registry}


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
            "id": data["sectors"][0]["id"],
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
        "id": row["expo"]["id"],
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
        ("/api/v1/exhibitors/?country=ZZ", "country", "“ZZ” is not a country code"),
        ("/api/v1/exhibitors/?sector=nope", "sector", "No sector has the slug “nope”"),
        ("/api/v1/exhibitors/?year=abc", "year", "is not a year"),
        ("/api/v1/exhibitors/?page_size=lots", "page_size", "whole number"),
        ("/api/v1/exhibitors/?page_size=0", "page_size", "at least 1"),
        ("/api/v1/exhibitors/?page=0", "page", "page number"),
        ("/api/v1/exhibitors/?facets=colour", "facets", "Choose from"),
        ("/api/v1/exhibitors/?lang=fr", "lang", "Choose one of"),
        ("/api/v1/exhibitors/?updated_since=yesterday", "updated_since", "ISO 8601"),
        ("/api/v1/exhibitors/?cursor=&ordering=name", "ordering", "ordered by id"),
        ("/api/v1/exhibitors/?cursor=garbage", "cursor", "Invalid cursor"),
        (
            "/api/v1/citations/?record_type=nope.nope",
            "record_type",
            "not one of the choices: exhibitors.exhibitor",
        ),
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


def expo_slugs(response):
    return sorted(row["slug"] for row in response.json()["results"])


def test_expo_attendance_filter_and_output_format_work_together(client):
    # A hybrid expo can be attended in person: in_person finds it too.
    hybrid = expo_slugs(get(client, "/api/v1/expos/?attendance=hybrid"))
    in_person = expo_slugs(get(client, "/api/v1/expos/?attendance=in_person"))
    assert len(hybrid) == 1 and len(in_person) == 2 and set(hybrid) < set(in_person)
    both = expo_slugs(get(client, "/api/v1/expos/?attendance=in_person&attendance=hybrid"))
    assert set(both) == set(in_person)
    csv = get(client, "/api/v1/expos/?format=csv&attendance=hybrid")
    assert csv["Content-Type"].startswith("text/csv")
    assert len(b"".join(csv.streaming_content).decode().strip().splitlines()) == 2
    everything = get(client, "/api/v1/expos/?format=csv")
    assert len(b"".join(everything.streaming_content).decode().strip().splitlines()) == 5


def test_expo_format_is_still_read_as_attendance_where_unambiguous(client):
    """`format=in_person` was the filter's name before `attendance`: still understood."""
    in_person = expo_slugs(get(client, "/api/v1/expos/?attendance=in_person"))
    assert expo_slugs(get(client, "/api/v1/expos/?format=in_person")) == in_person
    aliased_csv = get(client, "/api/v1/expos/?format=in_person&format=csv")
    assert aliased_csv["Content-Type"].startswith("text/csv")
    assert len(b"".join(aliased_csv.streaming_content).decode().strip().splitlines()) == 3
    assert get(client, "/api/v1/expos/?format=xml", status=400).json() == {
        "format": ["Choose one of: json, csv, ndjson."]
    }
    # Elsewhere `format` is only the output format.
    assert "format" in get(client, "/api/v1/exhibitors/?format=in_person", status=400).json()


def test_expo_attendance_facet_counts_under_the_alias(client):
    data = get(client, "/api/v1/expos/?format=hybrid&facets=attendance,country").json()
    assert data["count"] == 1
    attendance = {o["value"]: (o["count"], o["selected"]) for o in data["facets"]["attendance"]}
    # Each option counts what it finds: in_person and online find the hybrid expo too.
    assert attendance == {"hybrid": (1, True), "in_person": (2, False), "online": (1, False)}
    assert sum(o["count"] for o in data["facets"]["country"]) == 1


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/exhibitors/?country=&sector=&expo=&year=&synthetic=&updated_since=",
        "/api/v1/expos/?attendance=&format=&series=&ordering=&q=",
        "/api/v1/citations/?record_type=&record_id=&source=",
        "/api/v1/exhibitors/?facets=",
    ],
)
def test_empty_filter_values_are_no_filter(client, url):
    """As an HTML form sends a field left empty: the list is not narrowed, and not a 400."""
    unfiltered = get(client, url.split("?")[0]).json()
    data = get(client, url).json()
    assert data["count"] == unfiltered["count"] > 0
    assert [row["id"] for row in data["results"]] == [row["id"] for row in unfiltered["results"]]


def test_empty_value_beside_a_real_one_filters_by_the_real_one(client):
    data = get(client, "/api/v1/exhibitors/?country=&country=BY").json()
    assert data["count"] > 0
    assert {row["country"] for row in data["results"]} == {"BY"}


@pytest.mark.parametrize(
    ("prefix", "factory"),
    [("exhibitors", "ExhibitorFactory"), ("sectors", "SectorFactory"), ("expos", "ExpoFactory")],
)
def test_synthetic_records_are_marked_and_filtered(client, prefix, factory):
    from tests import factories

    generated = getattr(factories, factory)(synthetic=True)
    everything = get(client, f"/api/v1/{prefix}/?page_size=200").json()
    marks = {row["slug"]: row["synthetic"] for row in everything["results"]}
    assert marks[generated.slug] is True
    assert list(marks.values()).count(True) == 1
    only = get(client, f"/api/v1/{prefix}/?synthetic=true").json()
    assert [row["slug"] for row in only["results"]] == [generated.slug]
    own = get(client, f"/api/v1/{prefix}/?synthetic=false").json()
    assert own["count"] == everything["count"] - 1
    assert generated.slug not in {row["slug"] for row in own["results"]}
    assert get(client, f"/api/v1/{prefix}/{generated.slug}/").json()["synthetic"] is True
    error = get(client, f"/api/v1/{prefix}/?synthetic=ture", status=400).json()
    assert error == {"synthetic": ["“ture” is neither true nor false."]}


def test_facets_follow_the_value_a_repeated_parameter_filters_by(client):
    """A parameter given twice filters by its last value: the facets of `q=A&q=B` are those
    of `q=B`, never those of `q=B&q=A` cached before them."""
    alone = {}
    for q in ("qqqqq", "Zhejiang"):
        alone[q] = get(client, f"/api/v1/expos/?q={q}&facets=country").json()["facets"]
    assert alone["qqqqq"] != alone["Zhejiang"]
    cache.clear()
    for first, last in (("qqqqq", "Zhejiang"), ("Zhejiang", "qqqqq")):
        data = get(client, f"/api/v1/expos/?q={first}&q={last}&facets=country").json()
        assert data["facets"] == alone[last], (first, last)
