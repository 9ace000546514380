"""Property-based tests of the API against its own OpenAPI schema, with schemathesis.

Valid and invalid inputs alike (NUL bytes, huge numbers, unknown parameters, wrong types)
must never cause a server error, and every response must match the schema. Writes are sent
with a superuser's token so that they reach validation, not just the permission check.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
schema.config.generation.update(
    modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE],
    max_examples=5,
    allow_x00=True,
    allow_extra_parameters=True,
    deterministic=True,
    database="none",
)

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


@pytest.fixture
def keep_test_connection():
    """Django closes the database connection when a request finishes; the test client stops
    that, and so must a raw WSGI call, or the test's transaction would be lost."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def superuser_token(seeded, keep_test_connection, django_user_model):
    user = django_user_model.objects.create_superuser("fuzzer", password="fuzzer-pw-123!")
    return Token.objects.create(user=user).key


@schema.parametrize()
@settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case, superuser_token):
    case.call_and_validate(headers={"Authorization": f"Token {superuser_token}"}, checks=CHECKS)
