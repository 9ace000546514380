"""A download that fails midway, through a real WSGI server: the client gets a cut body on a
closed connection, and the failure is logged with its traceback.

In its own module: live_server commits its data and flushes the database afterwards, which
would take the seed from the modules that share it.
"""

import http.client
import logging
import socket
from urllib.parse import urlsplit

import pytest

from tests.factories import ExhibitorFactory
from tests.gunicorn import serving


def raw_get(base_url, path):
    """The bytes a server sends for GET `path`, read until it closes the connection."""
    address = urlsplit(base_url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {address.netloc}\r\n\r\n".encode())
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


@pytest.fixture
def gunicorn():
    """gunicorn, as `make serve` runs it, serving tests/core/http/failing_wsgi.py; its URL."""
    with serving("tests.core.http.failing_wsgi:application") as url:
        yield url


def test_gunicorn_ends_a_failed_download_without_its_last_chunk(gunicorn):
    """What a client of `make serve` sees: a chunked body without the zero-length chunk that
    ends it, which HTTP clients report as an incomplete transfer."""
    received = raw_get(gunicorn, "/rows.csv")
    head, _blank, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and b"Transfer-Encoding: chunked" in head
    assert b"row 1" in body
    assert not body.endswith(b"0\r\n\r\n")
    address = urlsplit(gunicorn)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    connection.request("GET", "/rows.csv")
    with pytest.raises(http.client.IncompleteRead):
        connection.getresponse().read()
    connection.close()


# --- The downloads PostgreSQL writes (core.exports.copy) ------------------------------------------


@pytest.fixture
def failing_copy(monkeypatch, transactional_db):
    """Six exhibitors; PostgreSQL fails to compute the name of the fourth (see
    tests/core/exports/test_copy_exports.py failing_on), and each row is a block of its own."""
    from core.exports import copy
    from expos.views.exhibitors import ExhibitorCSVView
    from tests.core.exports.test_copy_exports import failing_on

    exhibitors = [ExhibitorFactory(name=f"Exhibitor {n}") for n in range(6)]
    monkeypatch.setattr(copy, "BUFFER_SIZE", 1)
    columns = [("name", failing_on(exhibitors[3].slug))]
    monkeypatch.setattr(ExhibitorCSVView, "csv_columns", columns)
    return exhibitors


def test_copy_failing_midway_is_cut_off_and_logged(live_server, failing_copy, caplog):
    with caplog.at_level(logging.ERROR, logger="core.exports.writers"):
        received = raw_get(live_server.url, "/exhibitors/export.csv")
    head, _blank, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert b"Connection: close" in head and b"Content-Length" not in head
    # The rows before the failure went out; the connection was closed at it.
    assert b"Exhibitor 2" in body
    assert b"Exhibitor 3" not in body and b"Exhibitor 5" not in body
    logged = [r for r in caplog.records if r.name == "core.exports.writers"]
    assert len(logged) == 1 and "exhibitors.csv" in logged[0].getMessage()
    assert "midway" in logged[0].getMessage()
    assert "division by zero" in str(logged[0].exc_info[1])


def copies_running():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE query LIKE 'COPY (%%' "
            "AND pid <> pg_backend_pid() AND datname = current_database()"
        )
        return cursor.fetchone()[0]


def test_copy_closed_midway_is_cancelled_and_its_connection_closed(transactional_db, monkeypatch):
    """What the WSGI server does when the client goes away: close() the response."""
    from django.test import Client

    from core.exports import copy

    ExhibitorFactory.create_batch(5)
    monkeypatch.setattr(copy, "BUFFER_SIZE", 1)
    response = Client().get("/exhibitors/export.csv")
    content = iter(response.streaming_content)
    next(content), next(content), next(content)
    assert copies_running() == 1  # on a connection of its own, while it streams
    response.close()
    assert copies_running() == 0
