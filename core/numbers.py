r"""Numbers from outside, and the dates made of them: ASCII digits only.

Python's int() and Decimal() read far more than a person types into a number: digits of any
script (`١٢` is 12), superscripts and circled digits that str.isdigit() accepts and int()
then refuses (`²`, `①`: a 500 where a check trusted isdigit()), underscores (`1_000`),
surrounding Unicode spaces, and, in Django's and DRF's integer fields, a decimal tail
(`12.0`). A number that arrives as text (a query parameter, a form, a JSON string, a
cursor) is read here, with the rule written once: an optional sign, ASCII digits and, for
decimals, one ASCII point. Anything else is refused, for the caller to name its field. Dates
and times are read by parsers whose `\d` matches any script's digits (Django's parse_date,
strptime): they are refused when a digit in them is not ASCII.
"""

import re

from django import forms

INTEGER = re.compile(r"[+-]?[0-9]+", re.ASCII)
DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", re.ASCII)


def is_integer_text(text: str) -> bool:
    return INTEGER.fullmatch(text) is not None


def is_decimal_text(text: str) -> bool:
    return DECIMAL.fullmatch(text) is not None


def digits_are_ascii(text: str) -> bool:
    """Whether every character of `text` that counts as a number is an ASCII digit."""
    return all(character.isascii() for character in text if character.isnumeric())


def parse_integer(value) -> int:
    """An int from an int (not a bool) or from text of ASCII digits with an optional sign;
    ValueError for anything else."""
    if isinstance(value, bool):
        raise ValueError("not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and is_integer_text(value):
        return int(value)
    raise ValueError("not a whole number")


def parse_positive_integer(value) -> int:
    """parse_integer() for a count from 1: no sign, no zero."""
    if isinstance(value, str) and value[:1] in "+-":
        raise ValueError("not a whole number from 1")
    number = parse_integer(value)
    if number < 1:
        raise ValueError("not a whole number from 1")
    return number


class AsciiFormFieldMixin:
    """A form field that refuses typed text `accepts` does not pass before its own parsing
    (spaces around it are trimmed, as every form field trims them)."""

    accepts = staticmethod(is_integer_text)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip(" \t")
            if value and not self.accepts(value):
                raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        return super().to_python(value)


class IntegerFormField(AsciiFormFieldMixin, forms.IntegerField):
    """Django's IntegerField, reading typed text by parse_integer()'s rule."""


class DecimalFormField(AsciiFormFieldMixin, forms.DecimalField):
    """Django's DecimalField, reading ASCII digits with at most one point (no exponent, no
    underscores, no other script's digits)."""

    accepts = staticmethod(is_decimal_text)


class DateFormField(AsciiFormFieldMixin, forms.DateField):
    """Django's DateField, refusing a date written in other digits than ASCII ones."""

    accepts = staticmethod(digits_are_ascii)
