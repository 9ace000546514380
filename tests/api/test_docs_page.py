"""The API documentation: its sections in a useful order, no padlock on reads, and a schema
that is built once per language and sent compact and compressed."""

import gzip
import json

WRITES = ("post", "put", "patch", "delete")


def schema(client, language="en", **headers):
    response = client.get(f"/api/schema/?format=json&lang={language}", **headers)
    assert response.status_code == 200
    return response


def test_docs_sections_lead_with_exhibitors_and_expos(client, schema_builds):
    document = schema(client).json()
    tags = [tag["name"] for tag in document["tags"]]
    assert tags[:6] == ["exhibitors", "expos", "forums", "speakers", "deals", "sectors"]
    assert tags[-1] == "changes"
    used = {
        tag for item in document["paths"].values() for op in item.values() for tag in op["tags"]
    }
    assert used == set(tags)  # every section listed, none empty
    # The operations follow the same order: Swagger UI keeps it within a section.
    first_tags = list(dict.fromkeys(item["get"]["tags"][0] for item in document["paths"].values()))
    assert first_tags == tags
    assert list(document["paths"])[:2] == ["/api/v1/exhibitors/", "/api/v1/exhibitors/{slug}/"]
    methods = list(document["paths"]["/api/v1/exhibitors/{slug}/"])
    assert methods == ["get", "put", "patch", "delete"]


def test_docs_sections_are_described_in_the_schemas_language(client, schema_builds):
    english = schema(client, "en").json()["tags"][0]
    spanish = schema(client, "es").json()["tags"][0]
    assert english == {
        "name": "exhibitors",
        "description": "Companies and organisations that exhibit.",
    }
    assert spanish == {
        "name": "exhibitors",
        "description": "Empresas y organizaciones que exponen.",
    }


def test_reads_carry_no_padlock_and_writes_do(client, schema_builds):
    """Swagger UI shows a padlock unless an operation's security is empty or only {}."""
    for language in ("en", "es"):
        paths = schema(client, language).json()["paths"]
        operations = [(method, op) for item in paths.values() for method, op in item.items()]
        reads = [op for method, op in operations if method == "get"]
        writes = [op for method, op in operations if method in WRITES]
        assert len(reads) == 35 and len(writes) == 68
        assert all(op["security"] == [{}] for op in reads)
        for op in writes:
            assert op["security"] == [{"tokenAuth": []}, {"cookieAuth": []}]


def test_docs_page_and_its_script_respond_in_both_languages(client):
    for query in ("", "?lang=es"):
        page = client.get(f"/api/docs/{query}")
        assert page.status_code == 200
        assert "swagger-ui-bundle.js" in page.content.decode()
        assert "swagger-ui-standalone-preset.js" not in page.content.decode()
    script = client.get("/api/docs/?lang=es&script=").content.decode()
    assert 'url: "/api/schema/?lang\\u003Des"' in script


def test_schema_is_built_once_per_language_and_sent_the_same_each_time(client, schema_builds):
    first = [schema(client, "en"), schema(client, "es")]
    again = [schema(client, "en"), schema(client, "es")]
    assert schema_builds == ["en", "es"]
    assert [r.content for r in again] == [r.content for r in first]
    assert [r["ETag"] for r in again] == [r["ETag"] for r in first]
    assert first[0].content != first[1].content and first[0]["ETag"] != first[1]["ETag"]
    assert first[1].json()["tags"][0]["description"].startswith("Empresas")
    # A language's copy is its own: building Spanish left English as it was.
    assert schema(client, "en").json()["tags"][0]["description"].startswith("Companies")


def test_schema_json_is_compact(client, schema_builds):
    content = schema(client).content
    assert b"\n" not in content and b'"openapi":"3.0.3"' in content


def test_schema_is_sent_gzipped_to_a_client_that_accepts_it(client, schema_builds):
    plain = schema(client)
    zipped = schema(client, HTTP_ACCEPT_ENCODING="br, gzip;q=0.8")
    assert zipped["Content-Encoding"] == "gzip" and "Content-Encoding" not in plain
    assert gzip.decompress(zipped.content) == plain.content
    assert len(zipped.content) * 5 < len(plain.content)
    assert zipped["ETag"] != plain["ETag"]
    assert "Accept-Encoding" in zipped["Vary"] and "Accept-Language" in zipped["Vary"]
    not_modified = schema_304 = client.get(
        "/api/schema/?format=json&lang=en",
        HTTP_ACCEPT_ENCODING="gzip",
        HTTP_IF_NONE_MATCH=zipped["ETag"],
    )
    assert schema_304.status_code == 304 and not_modified["ETag"] == zipped["ETag"]
    refused = schema(client, HTTP_ACCEPT_ENCODING="gzip;q=0, identity")
    assert "Content-Encoding" not in refused and json.loads(refused.content)
    assert schema_builds == ["en"]
