"""The API's formats besides JSON: CSV and NDJSON, written by core.exports.

Lists in these formats are streamed by the viewset (see streaming.py); the renderers here
write single records and errors.
"""

import json
from itertools import chain

from rest_framework import renderers

from core.exports import csv_lines, ndjson_line


def flat(value):
    """A CSV cell: nested records become their slugs (or names), lists are joined by '; '."""
    if isinstance(value, dict):
        return value.get("slug") or value.get("code") or value.get("name") or json.dumps(value)
    if isinstance(value, list):
        return "; ".join(str(flat(v)) for v in value)
    if value is None:
        return ""
    return value


def record_lines(records, header=None):
    """CSV lines of serialised records (dicts): the header is `header`, or the first record's
    keys; no records, no lines."""
    records = iter(records)
    first = next(records, None)
    if first is None:
        return
    header = header or list(first)
    rows = ([flat(record.get(name)) for name in header] for record in chain([first], records))
    yield from csv_lines(header, rows)


class StreamFormatRenderer(renderers.BaseRenderer):
    """A format of rows: one record or an error is rendered as a file of one row."""

    charset = "utf-8"

    def lines(self, rows):
        raise NotImplementedError

    def render(self, data, accepted_media_type=None, renderer_context=None):
        rows = data if isinstance(data, list) else [data]
        return "".join(self.lines(rows)).encode("utf-8")


class CSVRenderer(StreamFormatRenderer):
    media_type = "text/csv"
    format = "csv"

    def lines(self, rows):
        return record_lines(rows)


class NDJSONRenderer(StreamFormatRenderer):
    media_type = "application/x-ndjson"
    format = "ndjson"

    def lines(self, rows):
        return (ndjson_line(row) for row in rows)
