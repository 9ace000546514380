"""The OpenAPI schema validates with no warnings, and describes filters, formats and errors."""

import pytest
import yaml
from django.core.management import call_command
from django.test import Client


@pytest.mark.slow
def test_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "openapi.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    assert schema["info"]["title"] == "Smart-city expo directory API"
    paths = schema["paths"]
    assert len([p for p in paths if p.startswith("/api/v1/")]) == 35  # 17 lists, 17 records
    changes = paths["/api/v1/changes/"]["get"]  # and the change feed
    assert {"200", "400", "401", "410", "429"} <= set(changes["responses"])
    error = changes["responses"]["400"]["content"]["application/json"]["schema"]
    assert error["type"] == "object"
    deals = paths["/api/v1/deals/"]["get"]
    formats = next(p for p in deals["parameters"] if p["name"] == "format")
    assert formats["schema"]["enum"] == ["csv", "json", "ndjson"]
    assert set(deals["responses"]["200"]["content"]) == {
        "application/json",
        "text/csv",
        "application/x-ndjson",
    }
    delete = paths["/api/v1/expos/{slug}/"]["delete"]["responses"]
    assert {"204", "401", "403", "404", "409", "429"} <= set(delete)
    page = schema["components"]["schemas"]["PaginatedExhibitorList"]["properties"]
    assert page["count_capped"]["type"] == "boolean"
    assert page["count_exact"]["type"] == "boolean"
    assert "exact up to 1000" in page["count"]["description"]
    assert "first 10000 results" in page["count_capped"]["description"]
    exhibitor_out = schema["components"]["schemas"]["Exhibitor"]["properties"]
    assert exhibitor_out["sectors"]["items"]["required"] == ["slug", "name", "url"]
    exhibitor_in = schema["components"]["schemas"]["ExhibitorRequest"]["properties"]
    assert exhibitor_in["sectors"]["items"]["type"] == "string"
    assert "slug" not in exhibitor_in


def generated_schema():
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def test_schema_reads_need_no_token_and_writes_do():
    paths = generated_schema()["paths"]
    operations = [(m, op) for item in paths.values() for m, op in item.items()]
    reads = [op for method, op in operations if method == "get"]
    writes = [op for method, op in operations if method in ("post", "put", "patch", "delete")]
    assert len(reads) == 35 and len(writes) == 68
    assert all({} in op["security"] for op in reads)
    assert all(op["security"] and {} not in op["security"] for op in writes)
    assert all("401" in op["responses"] for op in reads + writes)


def test_schema_every_list_describes_its_400_in_the_error_shape():
    paths = generated_schema()["paths"]
    lists = [
        item["get"]
        for path, item in paths.items()
        if path.endswith("s/") and path != "/api/v1/changes/"  # not a list of records
    ]
    assert len(lists) == 17
    for operation in lists:
        error = operation["responses"]["400"]["content"]
        assert list(error) == ["application/json"]
        shape = error["application/json"]["schema"]
        assert shape["type"] == "object"
        kinds = shape["additionalProperties"]["oneOf"]
        assert {"type": "array", "items": {"type": "string"}} in kinds
        assert "empty value" in operation["responses"]["400"]["description"]
        filters = [p for p in operation["parameters"] if p.get("allowEmptyValue")]
        assert "updated_since" in {p["name"] for p in filters}


def test_schema_expo_format_keeps_the_former_attendance_values_as_deprecated():
    parameters = {
        p["name"]: p for p in generated_schema()["paths"]["/api/v1/expos/"]["get"]["parameters"]
    }
    attendance = parameters["attendance"]["schema"]
    assert attendance["items"]["enum"] == ["hybrid", "in_person", "online"]
    output = parameters["format"]
    assert output["schema"]["enum"] == ["csv", "hybrid", "in_person", "json", "ndjson", "online"]
    assert "Deprecated" in output["description"] and "`attendance`" in output["description"]
    assert parameters["synthetic"]["schema"] == {"type": "boolean"}


def test_schema_marks_synthetic_records_and_websites_as_iris():
    components = generated_schema()["components"]["schemas"]
    for name in ("Exhibitor", "Expo", "Sector"):
        synthetic = components[name]["properties"]["synthetic"]
        assert synthetic["type"] == "boolean" and synthetic["readOnly"] is True
        assert "load testing" in synthetic["description"]
        assert "synthetic" in components[name]["required"]
        assert "synthetic" not in components[f"{name}Request"]["properties"]
    website = components["ExhibitorRequest"]["properties"]["website"]["anyOf"]
    assert website == [
        {"type": "string", "format": "iri", "maxLength": 200},
        {"type": "string", "maxLength": 0},
    ]


@pytest.mark.slow
def test_schema_is_generated_once_per_language_and_rendered_once_per_format(client, schema_builds):
    first = client.get("/api/schema/")
    again = client.get("/api/schema/", HTTP_ACCEPT_LANGUAGE="en")
    as_json = [client.get("/api/schema/?format=json") for _ in range(2)]
    spanish = [
        client.get("/api/schema/?lang=es"),
        client.get("/api/schema/", HTTP_ACCEPT_LANGUAGE="es"),
    ]
    assert schema_builds == ["en", "es"]
    assert (
        first.status_code == 200
        and first["Content-Type"] == "application/vnd.oai.openapi; charset=utf-8"
    )
    assert again.content == first.content and again["ETag"] == first["ETag"]
    assert yaml.safe_load(first.content)["info"]["version"] == "1.0.0"
    assert as_json[0]["Content-Type"] == "application/vnd.oai.openapi+json"
    assert as_json[1].json() == as_json[0].json() == yaml.safe_load(first.content)
    assert as_json[0]["ETag"] not in (first["ETag"], None)
    assert spanish[0].content == spanish[1].content
    assert spanish[0]["Content-Language"] == "es" and first["Content-Language"] == "en"
    assert first["Content-Disposition"] == 'inline; filename="Smart-city expo directory API.yaml"'


def test_schema_answers_its_own_etag_with_304(client, schema_builds):
    first = client.get("/api/schema/?format=json")
    current = client.get("/api/schema/?format=json", HTTP_IF_NONE_MATCH=f'"x", {first["ETag"]}')
    assert current.status_code == 304 and current.content == b""
    assert current["ETag"] == first["ETag"]
    stale = client.get("/api/schema/?format=json", HTTP_IF_NONE_MATCH='"x"')
    assert stale.status_code == 200 and stale.json()["info"]["version"] == "1.0.0"
    other_format = client.get("/api/schema/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert other_format.status_code == 200 and other_format.content.startswith(b"openapi: 3")
    assert schema_builds == ["en"]


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("version=<script>alert(1)</script>", "version"),
        ("version=1.0.0", "version"),
        ("lang=xx", "lang"),
    ],
)
def test_schema_version_or_an_unknown_language_is_a_400_naming_it(
    client, schema_builds, query, parameter
):
    response = client.get(f"/api/schema/?{query}")
    assert response.status_code == 400
    assert list(response.json()) == [parameter]
    assert schema_builds == []


def test_schema_every_variant_is_built_before_a_gunicorn_worker_takes_requests(schema_builds):
    import runpy

    from config.api.docs import SchemaView

    hooks = runpy.run_path("gunicorn.conf.py")
    hooks["post_worker_init"](worker=None)
    assert schema_builds == ["en", "es"]
    assert len(SchemaView.built) == 8  # 2 languages, 4 renderers
    client = Client()
    yaml_es = client.get("/api/schema/?lang=es")
    json_en = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert schema_builds == ["en", "es"]
    from drf_spectacular.renderers import OpenApiYamlRenderer

    assert yaml_es["ETag"] == SchemaView.built[("es", OpenApiYamlRenderer)].etag
    assert json_en.json()["info"]["title"] == "Smart-city expo directory API"


def test_schema_that_cannot_be_built_in_advance_does_not_stop_the_worker(monkeypatch):
    import runpy

    from config.api.docs import SchemaView

    def fail():
        raise RuntimeError("no schema")

    logged = []

    class Log:
        def exception(self, message):
            logged.append(message)

    class Worker:
        log = Log()

    monkeypatch.setattr(SchemaView, "build_all", fail)
    runpy.run_path("gunicorn.conf.py")["post_worker_init"](Worker())
    assert logged == ["The API schema could not be built in advance."]


def test_schema_is_built_by_gunicorns_master_before_it_forks_its_workers(schema_builds):
    """Built by each worker as it started, the schema left the other worker alone to serve for
    seconds whenever max_requests replaced one; the master builds it once, for every fork."""
    import runpy

    from config.api.docs import SchemaView

    hooks = runpy.run_path("gunicorn.conf.py")
    hooks["on_starting"](server=None)
    assert schema_builds == ["en", "es"]
    assert len(SchemaView.built) == 8
    hooks["post_worker_init"](worker=None)  # a worker forked from it builds nothing more
    assert schema_builds == ["en", "es"]


def test_gunicorn_serving_another_application_builds_no_schema(monkeypatch, schema_builds):
    import runpy

    monkeypatch.delenv("DJANGO_SETTINGS_MODULE")
    hooks = runpy.run_path("gunicorn.conf.py")
    hooks["on_starting"](server=None)
    hooks["post_worker_init"](worker=None)
    assert schema_builds == []
