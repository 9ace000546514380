"""Property-based tests of the API against its own OpenAPI schema, with schemathesis.

Valid and invalid inputs alike (NUL bytes, huge numbers, unknown parameters, wrong types)
must never cause a server error, and every response must match the schema. Writes are sent
with the token of an editor who holds the model permissions (not a superuser), so that they
reach validation and the database, not just the permission check.

Two phases:
- each operation on its own: examples, fuzzing, and for reads the coverage phase (every
  boundary and wrong type of every parameter); for writes the coverage phase is left out,
  since it would send some thousand bodies to each write, most to a record that does not
  exist (the stateful phase reaches real ones);
- stateful: sequences that follow the links schemathesis infers from the schema (a POST's
  answer gives the slug or id that a GET, PUT, PATCH or DELETE then uses), so that updates and
  deletes of the records just created are answered as the schema says.
"""

import zlib

import pytest
import schemathesis
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, Phase, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from config.api import router

WRITES = ["POST", "PUT", "PATCH", "DELETE"]
VIEWSETS = {prefix: viewset for prefix, viewset, _basename in router.registry}
CONFIG = {
    "generation": {
        "mode": "all",
        "allow-extra-parameters": True,
        "max-examples": 8,
        "allow-x00": True,
        "deterministic": True,
        "database": "none",
    },
    "operations": [{"include-method": WRITES, "phases": {"coverage": {"enabled": False}}}],
}


def load_schema():
    return schemathesis.openapi.from_wsgi(
        "/api/schema/?format=json",
        get_wsgi_application(),
        config=schemathesis.Config.from_dict(CONFIG),
    )


schema = load_schema()

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
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
def editor_token(seeded, keep_test_connection, django_user_model):
    """The token of a user who may add, change and delete every record the API serves."""
    user = django_user_model.objects.create_user("fuzzer", password="fuzzer-pw-123!")
    models = {viewset.queryset.model for _prefix, viewset, _basename in router.registry}
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label__in={model._meta.app_label for model in models},
            codename__in=[
                f"{action}_{model._meta.model_name}"
                for model in models
                for action in ("add", "change", "delete")
            ],
        )
    )
    return Token.objects.create(user=user).key


# pytest 9 builds a test's node id from its function's name and its pytest parameters, and
# schemathesis gives the operation in the name alone: every operation's test would have the
# same id, and pytest-xdist, which hands tests to its workers by id, would run the first only.
# A pytest parameter (the user whose token is sent) puts the operation into the id.
@schema.parametrize()
@pytest.mark.parametrize("sent_by", ["editor"])
@settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case, editor_token, sent_by):
    aim_at_a_real_record(case)
    case.call_and_validate(headers={"Authorization": f"Token {editor_token}"}, checks=CHECKS)


def aim_at_a_real_record(case):
    """Every other PUT, PATCH or DELETE goes to a seed record rather than to the generated
    slug or id, which names none, so that its body is validated and the answer to a write
    that succeeds is checked too. Chosen from the case itself, so a failure replays."""
    if case.method.upper() not in WRITES or not case.path_parameters:
        return
    if zlib.crc32(repr((case.body, case.query)).encode()) % 2:
        return
    prefix = case.path.split("/")[3]
    viewset = VIEWSETS[prefix]
    model = viewset.queryset.model
    lookup = "id" if viewset.lookup_field == "pk" else viewset.lookup_field
    key = model.objects.order_by("pk").values_list(viewset.lookup_field, flat=True).first()
    if key is not None:
        case.path_parameters = {**case.path_parameters, lookup: key}


@pytest.mark.slow
def test_api_sequences_of_writes_conform_to_its_schema(editor_token):
    class Directory(load_schema().as_state_machine()):
        # Every scenario starts from the seed data: Hypothesis replays a scenario's choices
        # and expects the same answers, which the writes of an earlier one would change.
        def setup(self):
            self.savepoint = transaction.savepoint()

        def teardown(self):
            transaction.savepoint_rollback(self.savepoint)
            cache.clear()  # answers cached at a data version that the rollback reuses

        def get_call_kwargs(self, case):
            return {"headers": {"Authorization": f"Token {editor_token}"}}

        def validate_response(self, response, case, **kwargs):
            case.validate_response(response, checks=CHECKS)

    Directory.run(
        settings=settings(
            max_examples=250,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
    )
