"""core.fields.HttpURLValidator: an http(s) URL that is also a well-formed URI (or IRI)."""

import jsonschema_rs
import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from core.fields import HttpURLField, HttpURLValidator

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
