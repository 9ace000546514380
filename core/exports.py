"""The one CSV and NDJSON writer: the pages' downloads and the API's formats stream through it.

Rows are written a line at a time, so a download of a million records never sits in memory.
"""

import csv
import json

BYTE_ORDER_MARK = "\ufeff"


class Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value):
        return value


def csv_lines(header, rows, *, byte_order_mark=False):
    """The lines of a CSV file: `header`, then each row (a sequence of cells).

    With `byte_order_mark`, the file starts with one, so spreadsheet programs read it as UTF-8.
    """
    writer = csv.writer(Echo())
    if byte_order_mark:
        yield BYTE_ORDER_MARK
    yield writer.writerow([str(name) for name in header])
    for row in rows:
        yield writer.writerow(row)


def ndjson_line(record):
    """One record as a line of JSON (dates and decimals as text, text as it is)."""
    return json.dumps(record, ensure_ascii=False, default=str) + "\n"
