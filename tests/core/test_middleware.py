"""The request log: one JSON line per request, the request id in a header and on every record,
and a server error's traceback logged once and never shown."""

import io
import json
import logging
import uuid

import pytest
from django.conf import settings
from django.test import Client
from django.urls import path

from config import urls as site


def boom(request):
    raise RuntimeError("secret internals 42")


# The site's URLs and error pages, plus a view that fails, for the server-error tests.
urlpatterns = [path("boom/", boom), path("api/boom/", boom), *site.urlpatterns]
handler404 = site.handler404
handler500 = site.handler500


@pytest.fixture
def request_lines(caplog):
    """The request lines written while the test runs, parsed. The `core.requests` logger does
    not propagate (it has a handler of its own), so caplog listens to it directly."""
    logger = logging.getLogger("core.requests")
    logger.addHandler(caplog.handler)
    try:
        yield lambda: [
            json.loads(record.getMessage())
            for record in caplog.records
            if record.name == "core.requests"
        ]
    finally:
        logger.removeHandler(caplog.handler)


@pytest.fixture
def console():
    """What LOGGING's console handler writes (where django.request's errors go)."""
    handler = logging.getLogger("django").handlers[0]
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        yield buffer
    finally:
        handler.setStream(previous)


def test_request_log_is_the_first_middleware():
    assert settings.MIDDLEWARE[0] == "core.middleware.RequestLog"


def test_request_log_writes_one_line_with_the_fields(client, request_lines):
    response = client.get(
        "/health/live/?q=my+secret+search&token=abc123&q=again", REMOTE_ADDR="192.0.2.7"
    )
    assert response.status_code == 200
    (line,) = request_lines()
    assert line["method"] == "GET"
    assert line["path"] == "/health/live/"
    assert line["query"] == ["q", "token"]
    assert line["status"] == 200
    assert isinstance(line["duration_ms"], float)
    assert 0 <= line["duration_ms"] < 10_000
    assert line["client"] == "192.0.2.7"
    assert line["request_id"] == response["X-Request-ID"]
    assert set(line) == {
        "time",
        "request_id",
        "method",
        "path",
        "query",
        "status",
        "duration_ms",
        "client",
    }


def test_request_log_never_writes_query_values(client, caplog, request_lines):
    client.get("/health/live/?q=my+secret+search&token=abc123")
    assert [line["query"] for line in request_lines()] == [["q", "token"]]
    written = "".join(record.getMessage() for record in caplog.records)
    assert "secret" not in written
    assert "abc123" not in written


def test_request_log_names_at_most_twenty_parameters(client, request_lines):
    query = "&".join(f"p{n}=1" for n in range(30)) + "&" + "x" * 100 + "=1"
    client.get(f"/health/live/?{query}")
    (line,) = request_lines()
    assert line["query"] == [f"p{n}" for n in range(20)]


def test_request_log_line_stays_one_line_for_control_characters(client, caplog, request_lines):
    client.get("/no-such-page%0A%22injected%22%3A1/")
    (record,) = [r for r in caplog.records if r.name == "core.requests"]
    assert "\n" not in record.getMessage()
    (line,) = request_lines()
    assert line["status"] == 404
    assert line["path"] == '/no-such-page\n"injected":1/'


def test_request_log_writes_a_download_after_its_body(db, client, request_lines):
    response = client.get("/exhibitors/export.csv")
    assert response.streaming
    assert request_lines() == []
    body = b"".join(response.streaming_content)
    assert body.startswith("\ufeff".encode())
    (line,) = request_lines()
    assert (line["path"], line["status"]) == ("/exhibitors/export.csv", 200)


def test_request_id_is_a_new_uuid4_without_one_given(client):
    first = client.get("/health/live/")["X-Request-ID"]
    second = client.get("/health/live/")["X-Request-ID"]
    assert uuid.UUID(first).version == 4
    assert first != second


def test_request_id_given_as_a_safe_token_is_kept(client, request_lines):
    response = client.get("/health/live/", HTTP_X_REQUEST_ID="lb-7f3a.19:2")
    assert response["X-Request-ID"] == "lb-7f3a.19:2"
    assert request_lines()[0]["request_id"] == "lb-7f3a.19:2"


@pytest.mark.parametrize(
    "given", ["", "two words", "<script>", "a" * 65, "-leading-dash", "ü-non-ascii", "x\ty"]
)
def test_request_id_given_unsafe_is_replaced(client, given):
    sent = client.get("/health/live/", HTTP_X_REQUEST_ID=given)["X-Request-ID"]
    assert sent != given
    assert uuid.UUID(sent).version == 4


@pytest.mark.urls(__name__)
def test_server_error_logs_its_traceback_once_with_the_request_id(console, request_lines):
    response = Client(raise_request_exception=False).get("/boom/")
    assert response.status_code == 500
    request_id = response["X-Request-ID"]
    written = console.getvalue()
    assert written.count("Traceback (most recent call last)") == 1
    assert written.count("RuntimeError: secret internals 42") == 1
    error_line = next(line for line in written.splitlines() if "Internal Server Error" in line)
    assert f"request_id={request_id}" in error_line
    assert "ERROR django.request" in error_line
    assert [(line["status"], line["request_id"]) for line in request_lines()] == [(500, request_id)]


@pytest.mark.urls(__name__)
@pytest.mark.parametrize("url", ["/boom/", "/api/boom/"])
def test_server_error_shows_no_traceback(console, url):
    response = Client(raise_request_exception=False).get(url)
    assert response.status_code == 500
    body = response.content.decode()
    assert "secret internals" not in body
    assert "Traceback" not in body
    assert "RuntimeError" not in body


def test_records_outside_a_request_say_so(console):
    logging.getLogger("core").warning("outside any request")
    logging.getLogger("core").warning("named", extra={"request_id": "job-7"})
    assert "request_id=- outside any request" in console.getvalue()
    assert "request_id=job-7 named" in console.getvalue()
