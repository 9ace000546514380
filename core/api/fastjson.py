"""The API's JSON, written by orjson: the same JSON as DRF's JSONRenderer, several times
faster.

DRF's renderer runs the standard library's encoder with its own `default` for what JSON has
no type for. Here orjson writes the text and calls DRF's `default` for the same values
(datetimes included, so they are written as DRF writes them, not as orjson would). Where
orjson would differ or cannot go (an `indent` asked for in Accept, integers beyond 64 bits),
DRF's renderer writes the answer as before.
"""

import orjson
from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder

LINE_SEPARATOR, PARAGRAPH_SEPARATOR = "\u2028".encode(), "\u2029".encode()
OPTIONS = (
    orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)


class JSONRenderer(renderers.JSONRenderer):
    """application/json, as DRF writes it (compact, UTF-8), by orjson; a NaN or an infinity,
    which DRF's renderer refuses with an error, is written as null."""

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        if self.get_indent(accepted_media_type or "", renderer_context or {}) is None:
            try:
                text = orjson.dumps(data, default=JSONEncoder().default, option=OPTIONS)
            except (orjson.JSONEncodeError, TypeError):
                pass  # DRF's renderer raises, or writes what orjson cannot, as it always has
            else:
                # As DRF does: the two line separators JSON allows raw but JavaScript does not.
                return text.replace(LINE_SEPARATOR, b"\\u2028").replace(
                    PARAGRAPH_SEPARATOR, b"\\u2029"
                )
        return super().render(data, accepted_media_type, renderer_context)
