"""The request log: one JSON line per request, the request id in a header and on every record,
and a server error's traceback logged once and never shown."""

import io
import json
import logging
import os
import re
import socket
import uuid
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.test.client import FakePayload
from django.urls import path

from config import urls as site
from tests.gunicorn import serving
from tests.pages import page


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
    assert settings.MIDDLEWARE[0] == "core.http.middleware.RequestLog"


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
    body = page(Client(raise_request_exception=False), url, status=500)
    assert "secret internals" not in body
    assert "Traceback" not in body
    assert "RuntimeError" not in body


def test_records_outside_a_request_say_so(console):
    logging.getLogger("core").warning("outside any request")
    logging.getLogger("core").warning("named", extra={"request_id": "job-7"})
    assert "request_id=- outside any request" in console.getvalue()
    assert "request_id=job-7 named" in console.getvalue()


# --- Methods no view serves (core.http.middleware.RefuseUnknownMethods) ---------------------------

# A sample value for each kind of part a URL pattern can have, so that every pattern gives a
# path that resolves to it.
SAMPLE_PARTS = [
    (r"\(\?P<app_label>([a-z_]+)\|[^)]*\)", r"\1"),
    (r"\(\?P<format>[^)]*\)", "json"),
    (r"\(\?P<url>\.\*\)", "nothing-here"),
    (r"\((\?P<[a-z_]+>)?[^)]*\)", "1"),
    (r"<drf_format_suffix:format>", ".json"),
    (r"<[a-z_]+:[a-z_]+>", "1"),
    (r"\\\.", "."),
    (r"/\?", "/"),
    (r"[\^$]", ""),
]


def every_url(patterns=None, prefix=""):
    """(path, view) for every pattern of the site's URLconf."""
    from django.urls import URLResolver, get_resolver

    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(pattern, URLResolver):
            yield from every_url(pattern.url_patterns, prefix + str(pattern.pattern))
            continue
        path = prefix + str(pattern.pattern)
        for part, sample in SAMPLE_PARTS:
            path = re.sub(part, sample, path)
        yield "/" + path, pattern.callback


def test_every_url_pattern_gives_a_sample_path_resolving_to_it():
    from django.urls import resolve

    urls = list(every_url())
    assert len(urls) > 250
    assert [url for url, view in urls if resolve(url).func is not view] == []


@pytest.mark.parametrize("method", ["TRACE", "CONNECT", "PROPFIND", "BREW", "trace"])
def test_every_url_answers_a_method_no_view_serves_with_405(client, method):
    refused = {}
    for url, _view in every_url():
        response = client.generic(method, url)
        allow = response.get("Allow", "")
        refused[url] = (response.status_code, bool(allow), method.upper() in allow)
        if url.startswith("/api/"):
            assert response.json() == {"detail": f"Method {method.upper()!r} not allowed."}
    assert set(refused.values()) == {(405, True, False)}


@pytest.mark.parametrize(
    ("path", "allow"),
    [
        ("/", "GET, HEAD"),
        ("/search/?q=dahua", "GET, HEAD"),
        ("/health/live/", "GET, HEAD"),
        ("/expos/calendar.ics", "GET, HEAD"),
        ("/exhibitors/", "GET, HEAD, OPTIONS"),
        ("/es/expos/", "GET, HEAD, OPTIONS"),
        ("/health/ready/", "GET, HEAD, OPTIONS"),
        ("/admin/", "GET, HEAD, POST"),
        ("/admin/login/", "GET, HEAD, POST"),
        ("/api/v1/exhibitors/", "GET, HEAD, OPTIONS, POST"),
        ("/api/v1/exhibitors/some-slug/", "DELETE, GET, HEAD, OPTIONS, PATCH, PUT"),
        ("/api/schema/", "GET, HEAD, OPTIONS"),
    ],
)
def test_trace_is_refused_with_the_views_own_methods(client, path, allow):
    response = client.generic("TRACE", path)
    assert response.status_code == 405
    assert response["Allow"] == allow
    assert b"TRACE" not in response.content or path.startswith("/api/")


@pytest.mark.parametrize("path", ["/", "/search/?q=dahua", "/health/live/"])
@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_function_views_serve_only_get_and_head(client, path, method):
    response = client.generic(method, path)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


def test_a_class_based_page_refuses_an_unknown_method_before_the_csrf_check():
    response = Client(enforce_csrf_checks=True).generic("PROPFIND", "/exhibitors/")
    assert response.status_code == 405 and response["Allow"] == "GET, HEAD, OPTIONS"


# --- Content-Length and chunked bodies (core.http.middleware.RequestBodyFraming) ------------------

# Each is read by int() as another number than the one sent, or refused by it with a 500.
NOT_A_LENGTH = ["²", "١٢", "+5", "1_0", "-1", " 5", "5 ", "0x10", "1e3", "5.0", "9" * 19, "٣"]
BODY_PATHS = ["/api/v1/exhibitors/", "/admin/login/", "/exhibitors/", "/search/"]


@pytest.mark.parametrize("length", NOT_A_LENGTH)
@pytest.mark.parametrize("path", BODY_PATHS)
def test_content_length_not_in_ascii_digits_is_a_400_naming_it(path, length):
    body = b"name_en=Atk&country=CN"
    response = Client(raise_request_exception=False).generic(
        "POST",
        path,
        CONTENT_LENGTH=length,
        CONTENT_TYPE="application/x-www-form-urlencoded",
        **{"wsgi.input": FakePayload(body)},
    )
    assert response.status_code == 400
    message = "The Content-Length header must be a number of bytes in digits 0-9."
    if path.startswith("/api/"):
        assert response.json() == {"detail": message}
    else:
        assert response.content.decode() == message


def test_content_length_in_ascii_digits_is_read(admin_client):
    body = b'{"name_en": "Atk Length", "country": "CN"}'
    response = admin_client.generic(
        "POST",
        "/api/v1/exhibitors/",
        CONTENT_LENGTH=f"000{len(body)}",
        CONTENT_TYPE="application/json",
        **{"wsgi.input": FakePayload(body)},
    )
    assert response.status_code == 201 and response.json()["name_en"] == "Atk Length"


@pytest.mark.parametrize("path", BODY_PATHS)
def test_chunked_body_is_a_411(path):
    response = Client(raise_request_exception=False).generic(
        "POST",
        path,
        HTTP_TRANSFER_ENCODING="chunked",
        CONTENT_TYPE="application/json",
        **{"wsgi.input": FakePayload(b"1a\r\n" + b'{"name_en": "Atk Chunked"}' + b"\r\n0\r\n\r\n")},
    )
    assert response.status_code == 411
    message = "Length Required: send the body with a Content-Length, not in chunks."
    if path.startswith("/api/"):
        assert response.json() == {"detail": message}
    else:
        assert response.content.decode() == message


@pytest.fixture
def gunicorn_site():
    """The site under gunicorn, as `make serve` runs it (production settings, no HTTPS
    redirect); its URL."""
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "test-" + "k" * 60,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
    }
    with serving("config.wsgi:application", env=environment) as url:
        yield url


def test_gunicorn_answers_a_chunked_post_with_411(gunicorn_site):
    """gunicorn reads a chunked body and passes no CONTENT_LENGTH: Django would read none of
    it, and the API would see an empty record."""
    address = urlsplit(gunicorn_site)
    body = b'{"name_en": "Atk Chunked", "country": "CN"}'
    request = (
        b"POST /api/v1/exhibitors/ HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n"
        b"\r\n" + f"{len(body):x}\r\n".encode() + body + b"\r\n0\r\n\r\n"
    )
    with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    head, _blank, answer = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 411")
    assert b'{"detail": "Length Required: send the body with a Content-Length' in answer


# --- A request for a host the site does not serve (core.http.requestlog.OneLineWarning) -----------


@pytest.mark.parametrize("path", ["/", "/api/v1/exhibitors/", "/admin/", "/health/live/"])
def test_unknown_host_is_logged_as_a_one_line_warning(caplog, console, path):
    logger = logging.getLogger("django")  # does not propagate to caplog's root handler
    logger.addHandler(caplog.handler)
    try:
        response = Client(raise_request_exception=False).get(path, HTTP_HOST="attacker.example")
    finally:
        logger.removeHandler(caplog.handler)
    assert response.status_code == 400
    (record,) = [r for r in caplog.records if r.name == "django.security.DisallowedHost"]
    assert record.levelno == logging.WARNING
    assert record.exc_info is None and record.exc_text is None
    assert "Invalid HTTP_HOST header: 'attacker.example'" in record.getMessage()
    (line,) = console.getvalue().splitlines()
    assert " WARNING django.security.DisallowedHost request_id=" in line
    assert "Traceback" not in console.getvalue()
