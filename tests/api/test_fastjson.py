"""The API's JSON renderer (orjson) writes what DRF's JSONRenderer writes, value for value."""

import datetime
import decimal
import json
import uuid

import pytest
from django.utils.translation import gettext_lazy
from rest_framework import renderers
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from core.api.fastjson import JSONRenderer

AWARE = datetime.datetime(2023, 11, 7, 10, 0, 0, 123456, tzinfo=datetime.UTC)

VALUES = [
    {"text": "Zhejiang 浙江 ñ", "number": 42, "float": 1.5, "none": None, "yes": True},
    {"nested": [{"a": [1, 2, {"b": "c"}]}], "empty": {}, "list": []},
    {"lazy": gettext_lazy("Country"), "decimal": decimal.Decimal("252400000000.00")},
    {"when": AWARE, "day": datetime.date(2021, 8, 23), "time": datetime.time(9, 30)},
    {"naive": datetime.datetime(2021, 8, 23, 9, 30), "id": uuid.UUID(int=7)},
    {"separators": "a\u2028b\u2029c", "quotes": '"</script>\\'},
    {1: "integer key", "tuple": (1, 2)},
    ReturnDict({"results": ReturnList([{"slug": "x"}], serializer=None)}, serializer=None),
    [1, "two", None],
]


@pytest.mark.parametrize("value", VALUES)
def test_the_same_json_as_drf(value):
    ours = JSONRenderer().render(value)
    drf = renderers.JSONRenderer().render(value)
    assert json.loads(ours) == json.loads(drf)
    # The line separators are escaped, as DRF escapes them, so the text can sit in a script.
    assert b"\xe2\x80\xa8" not in ours and b"\xe2\x80\xa9" not in ours


def test_datetimes_are_written_as_drf_writes_them_not_as_orjson_would():
    assert JSONRenderer().render({"when": AWARE}) == b'{"when":"2023-11-07T10:00:00.123456Z"}'


def test_what_orjson_cannot_write_falls_back_to_drf():
    huge = 2**70
    assert json.loads(JSONRenderer().render({"n": huge})) == {"n": huge}


def test_an_indent_asked_for_is_honoured():
    text = JSONRenderer().render({"a": [1]}, "application/json; indent=2")
    assert text == renderers.JSONRenderer().render({"a": [1]}, "application/json; indent=2")
    assert b"\n  " in text


def test_nothing_renders_as_an_empty_body():
    assert JSONRenderer().render(None) == b""
