"""The CSV and NDJSON writer in Python, and what every download shares (neutralise,
`started`, the streaming response that aborts on failure).

Full lists are written by PostgreSQL (core.exports.copy), cell for cell as this writer would; this
one
writes single records, errors, the header lines, and any list whose fields core.exports.copy cannot
express in SQL.

Rows are written a line at a time, so a download of a million records never sits in memory.
Every CSV line ends with LF ("\n"), as PostgreSQL's COPY writes its rows: the header and the
rows of a file end alike (RFC 4180's CRLF would have COPY's every line rewritten on its way
out). A line break inside a quoted cell is kept as the text holds it.
Every CSV cell goes through `neutralise`, so that no text in the directory becomes a
spreadsheet formula, and a download that fails midway ends as a broken transfer, never as a
file that looks complete (see `streaming_response`).
"""

import csv
import json
import logging
from itertools import chain

from django.http import StreamingHttpResponse

logger = logging.getLogger(__name__)

BYTE_ORDER_MARK = "\ufeff"
# The end of every CSV line, header included: COPY's (see the module's docstring).
LINE_END = "\n"
# What spreadsheet programs read as the start of a formula (OWASP's list: = + - @, tab and
# carriage return), with the full-width forms of the first four, which some read the same.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise(value):
    """A CSV cell that no spreadsheet runs as a formula.

    Text starting with one of FORMULA_STARTS is prefixed with a single quote, as OWASP
    advises, text such as "-5" or "+34 91 …" included: a spreadsheet cannot tell a phone
    number from a formula. Numbers (int, float, Decimal) are left as they are: the program
    reads them as numbers, a negative one included, and a number is never a formula.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return f"'{value}"
    return value


class Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value):
        return value


def csv_lines(header, rows, *, byte_order_mark=False):
    """The lines of a CSV file: `header`, then each row (a sequence of cells), every cell
    neutralised.

    With `byte_order_mark`, the file starts with one, so spreadsheet programs read it as UTF-8.
    """
    # Written with CRLF, so that a cell holding a carriage return alone is quoted, as COPY
    # quotes it; the line then ends as COPY's do.
    writer = csv.writer(Echo(), lineterminator="\r\n")
    if byte_order_mark:
        yield BYTE_ORDER_MARK
    yield writer.writerow([neutralise(str(name)) for name in header])[:-2] + LINE_END
    for row in rows:
        yield writer.writerow([neutralise(cell) for cell in row])[:-2] + LINE_END


# NDJSON is compact, as the API's JSON is (no space after "," or ":"), and as PostgreSQL
# writes it (core.api.cells.json_object): a line is the record's JSON, byte for byte.
COMPACT = (",", ":")


def ndjson_line(record):
    """One record as a line of compact JSON (dates and decimals as text, text as it is)."""
    return json.dumps(record, ensure_ascii=False, separators=COMPACT, default=str) + "\n"


def started(rows):
    """`rows` with its first item already fetched, here, in the view.

    A query the database refuses then fails while the view can still answer with an error
    status, rather than after a 200 and the first lines have gone out.
    """
    rows = iter(rows)
    try:
        first = next(rows)
    except StopIteration:
        return iter(())
    return chain([first], rows)


def abort_on_error(lines, name):
    """`lines`; if producing one fails, the failure is logged with its traceback and raised
    again, so that the WSGI server drops the connection without ending the body (gunicorn
    sends no terminating chunk): the client sees a broken transfer, not a short file."""
    try:
        yield from lines
    except Exception:
        logger.exception("The download %s failed midway and was cut off.", name)
        raise


def streaming_response(lines, *, content_type, filename):
    """A download of `lines`, streamed, as an attachment called `filename`."""
    response = StreamingHttpResponse(abort_on_error(lines, filename), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
