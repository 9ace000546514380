"""core.fields: websites (an http(s) URL that is also a well-formed URI or IRI), and the
characters a line and a text may hold."""

import unicodedata

import jsonschema_rs
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from core.fields import (
    NOT_IN_A_LINE,
    NOT_IN_TEXT,
    HttpURLField,
    HttpURLValidator,
    MultiLineField,
    SingleLineField,
    SingleLineSlugField,
)

IRI = jsonschema_rs.validator_for({"type": "string", "format": "iri"}, validate_formats=True)


def accepted(value):
    try:
        HttpURLValidator()(value)
    except ValidationError:
        return False
    return True


@settings(max_examples=2000, deadline=None, derandomize=True, database=None)
@given(
    st.sampled_from(
        [
            "http://x.example/",
            "https://x.example?",
            "http://u@x.example/#",
            "https://bücher.example",
        ]
    ),
    st.text(st.characters(codec="utf-8"), max_size=12),
)
def test_validator_accepts_only_what_the_schema_format_allows(head, tail):
    """The API promises `format: iri` for websites: whatever the validator lets through
    must be one."""
    if accepted(head + tail):
        assert IRI.is_valid(head + tail), head + tail


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ('http://x.example/"><img/src=x/onerror=alert(1)>', False),
        ("http://x.example/<b>", False),
        ("http://x.example/a\x01b", False),
        ("http://x.example/%2", False),
        ("http://bücher.example/", True),
        ("https://x.example/a%20b?c=d#e", True),
    ],
)
def test_validator_examples(value, ok):
    assert accepted(value) is ok


def test_model_field_and_its_form_field_use_the_validator():
    field = HttpURLField()
    assert any(isinstance(v, HttpURLValidator) for v in field.validators)
    form_field = field.formfield()
    with pytest.raises(ValidationError):
        form_field.clean('http://x.example/"><b>')
    assert field.deconstruct()[3] == {}  # no validators in migrations


# --- What text may hold ------------------------------------------------------------------------

ALL_CHARACTERS = [chr(n) for n in range(0x110000)]


def test_a_line_refuses_exactly_the_control_characters_and_the_line_breaks():
    """Unicode categories Cc (C0 and C1 controls, DEL), Cs (lone surrogates), Zl and Zp
    (U+2028, U+2029): nothing else, so names in any script are kept."""
    refused = {c for c in ALL_CHARACTERS if NOT_IN_A_LINE.regex.search(c)}
    assert refused == {
        c for c in ALL_CHARACTERS if unicodedata.category(c) in {"Cc", "Cs", "Zl", "Zp"}
    }


def test_text_keeps_tabs_and_line_breaks_and_refuses_the_other_control_characters():
    refused = {c for c in ALL_CHARACTERS if NOT_IN_TEXT.regex.search(c)}
    assert refused == {c for c in ALL_CHARACTERS if unicodedata.category(c) in {"Cc", "Cs"}} - {
        "\t",
        "\n",
        "\r",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("characters", [NOT_IN_A_LINE, NOT_IN_TEXT], ids=["line", "text"])
def test_the_column_check_refuses_what_the_validator_refuses(characters):
    """The same set in PostgreSQL's regular expressions, for every character it can store."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT array_agg(n) FROM generate_series(1, 1114111) AS n"
            " WHERE n NOT BETWEEN 55296 AND 57343 AND chr(n) ~ %s",
            [characters.sql],
        )
        (refused,) = cursor.fetchone()
    assert {chr(n) for n in refused} == {
        c
        for c in ALL_CHARACTERS[1:]
        if characters.regex.search(c) and not "\ud800" <= c <= "\udfff"
    }


def test_escape_writes_refused_characters_as_python_escapes():
    assert NOT_IN_A_LINE.escape("two\nlines\x1b\u2028.csv") == "two\\nlines\\x1b\\u2028.csv"
    assert NOT_IN_TEXT.escape("kept\n\tand\x07") == "kept\n\tand\\x07"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        (SingleLineField(max_length=20), "Línea\nrota"),
        (SingleLineSlugField(max_length=20), "slug\r"),
        (MultiLineField(), "Bell\x07"),
        (HttpURLField(), "https://x.example/\u2028"),
    ],
)
def test_model_fields_and_their_form_fields_refuse_control_characters(field, value):
    with pytest.raises(ValidationError):
        field.clean(value, None)
