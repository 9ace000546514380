"""A WSGI application whose body fails after two lines, as a download that fails midway does
(through core.exports.writers.abort_on_error): served by gunicorn in test_streaming_live."""

from core.exports.writers import abort_on_error


def lines():
    yield b"header\r\n"
    yield b"row 1\r\n"
    raise RuntimeError("a row that cannot be written")


def application(environ, start_response):
    start_response("200 OK", [("Content-Type", "text/csv; charset=utf-8")])
    return abort_on_error(lines(), "rows.csv")
