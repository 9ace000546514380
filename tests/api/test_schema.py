"""The OpenAPI schema validates with no warnings, and describes filters, formats and errors."""

import yaml
from django.core.management import call_command


def test_schema_validates_without_warnings(tmp_path):
    target = tmp_path / "openapi.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    assert schema["info"]["title"] == "Smart-city expo directory API"
    paths = schema["paths"]
    assert len([p for p in paths if p.startswith("/api/v1/")]) == 34
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
