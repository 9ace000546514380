"""The API's formats besides JSON: CSV and NDJSON, written by core.exports.writers.

Lists in these formats are streamed by the viewset (see streaming.py); the renderers here
write single records and errors.
"""

import json
import re
from decimal import Decimal
from itertools import chain

from rest_framework import renderers, serializers

from core.exports.writers import csv_lines, ndjson_line

# The keys of a link to a related record (core.api.fields.CompactRelatedField).
LINK_KEYS = {"id", "slug", "name", "url"}


def flat(value):
    """A CSV cell: a link becomes its record's slug (its id, where the record has none), other
    nested records their slugs (or names), lists are joined by '; ', booleans are `true` and
    `false` as in JSON, and null is an empty cell."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        if value.keys() == LINK_KEYS and not value["slug"]:
            return value["id"]
        return value.get("slug") or value.get("code") or value.get("name") or json.dumps(value)
    if isinstance(value, list):
        return "; ".join(str(flat(v)) for v in value)
    if value is None:
        return ""
    return value


NUMBER = re.compile(r"-?\d+(\.\d+)?")


def number_fields(serializer):
    """The names of a serializer's number fields: their values are numbers in a CSV, not text
    (DRF gives decimals as strings), so a negative one is not taken for a formula."""
    return {
        name
        for name, field in serializer.fields.items()
        if isinstance(
            field, serializers.IntegerField | serializers.FloatField | serializers.DecimalField
        )
    }


def cell(value, number=False):
    """A CSV cell of a serialised value; see core.exports.writers.neutralise for text."""
    value = flat(value)
    if number and isinstance(value, str) and NUMBER.fullmatch(value):
        return Decimal(value)
    return value


def record_lines(records, header=None, numbers=()):
    """CSV lines of serialised records (dicts): the header is `header`, or the first record's
    keys. No records give the header line alone, or nothing where no `header` is given. The
    columns named in `numbers` hold numbers."""
    records = iter(records)
    if header is None:
        first = next(records, None)
        if first is None:
            return
        header, records = list(first), chain([first], records)
    rows = ([cell(record.get(name), name in numbers) for name in header] for record in records)
    yield from csv_lines(header, rows)


class StreamFormatRenderer(renderers.BaseRenderer):
    """A format of rows: one record or an error is rendered as a file of one row."""

    charset = "utf-8"

    def lines(self, rows, numbers=()):
        raise NotImplementedError

    def render(self, data, accepted_media_type=None, renderer_context=None):
        rows = data if isinstance(data, list) else [data]
        view = (renderer_context or {}).get("view")
        response = (renderer_context or {}).get("response")
        numbers = set()
        if hasattr(view, "get_serializer") and response is not None and not response.exception:
            numbers = number_fields(view.get_serializer())
        return "".join(self.lines(rows, numbers)).encode("utf-8")


class CSVRenderer(StreamFormatRenderer):
    media_type = "text/csv"
    format = "csv"

    def lines(self, rows, numbers=()):
        return record_lines(rows, numbers=numbers)


class NDJSONRenderer(StreamFormatRenderer):
    media_type = "application/x-ndjson"
    format = "ndjson"

    def lines(self, rows, numbers=()):
        return (ndjson_line(row) for row in rows)
