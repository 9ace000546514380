"""Fixtures shared by the API's schema tests."""

import pytest


@pytest.fixture
def schema_builds(monkeypatch):
    """A fresh set of built schemas, and a list of the languages each schema was generated in
    (once a language: each format renders the same data)."""
    from django.utils import translation
    from drf_spectacular.generators import SchemaGenerator

    from config.api.docs import SchemaView

    monkeypatch.setattr(SchemaView, "built", {}, raising=False)
    monkeypatch.setattr(SchemaView, "documents", {}, raising=False)
    builds = []
    get_schema = SchemaGenerator.get_schema

    def counted(self, *args, **kwargs):
        builds.append(translation.get_language())
        return get_schema(self, *args, **kwargs)

    monkeypatch.setattr(SchemaGenerator, "get_schema", counted)
    return builds
