"""Request bodies: JSON read by DRF's parser, within bounds that the rest of a request can
handle."""

import math

from rest_framework import exceptions, parsers

# No record nests its fields more than a few levels; far deeper bodies could only exhaust the
# stack of whatever walks them next (validation, the change history, the error response).
MAX_JSON_DEPTH = 32


def check_json(data):
    """A ParseError for a value nested deeper than MAX_JSON_DEPTH or holding a number too
    large to be one (`1e999` reads as infinity). Walked without recursion."""
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, float) and not math.isfinite(value):
            raise exceptions.ParseError("JSON parse error - a number is out of range.")
        if isinstance(value, dict | list):
            if depth > MAX_JSON_DEPTH:
                raise too_deep()
            children = value.values() if isinstance(value, dict) else value
            pending.extend((child, depth + 1) for child in children)


def too_deep():
    return exceptions.ParseError(f"JSON parse error - nested deeper than {MAX_JSON_DEPTH} levels.")


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser; a body nested past Python's recursion limit is a 400 like any other
    body that cannot be read, not a RecursionError."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise too_deep() from None
        check_json(data)
        return data
