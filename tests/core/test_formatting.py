"""Numbers and sums of money read the same way on every page, in the page's language."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from core.formatting import in_language, show_money, show_number

NB = "\xa0"


@pytest.mark.parametrize(
    ("value", "english", "spanish"),
    [
        (0, "0", "0"),
        (140, "140", "140"),
        # Four digits are not grouped in Spanish (the RAE's Ortografía, CLDR): one way, 1000.
        (1000, "1,000", "1000"),
        (9990, "9,990", "9990"),
        (10_000, "10,000", f"10{NB}000"),
        (1_000_000, "1,000,000", f"1{NB}000{NB}000"),
        (-12_345, "-12,345", f"-12{NB}345"),
        (Decimal("20000.00"), "20,000", f"20{NB}000"),
        (Decimal("1234.5"), "1,234.5", "1234,5"),
        (Decimal("12345.678"), "12,345.68", f"12{NB}345,68"),
        (2.5, "2.5", "2,5"),
    ],
)
def test_numbers_follow_the_language(value, english, spanish):
    with translation.override("en"):
        assert show_number(value) == english
    with translation.override("es"):
        assert show_number(value) == spanish


@pytest.mark.parametrize(
    ("amount", "currency", "english", "spanish"),
    [
        ("252400000000", "CNY", "CNY 252.4 billion", "252,4 mil millones de CNY"),
        ("39000000000", "USD", "USD 39 billion", "39 mil millones de USD"),
        ("1000000000", "USD", "USD 1 billion", "mil millones de USD"),
        ("32500000000", "CNY", "CNY 32.5 billion", "32,5 mil millones de CNY"),
        ("1234567890123", "EUR", "EUR 1,234.568 billion", "1234,568 mil millones de EUR"),
        ("1000000", "EUR", "EUR 1 million", "1 millón de EUR"),
        ("2500000", "EUR", "EUR 2.5 million", "2,5 millones de EUR"),
        ("999999.5", "EUR", "EUR 999,999.5", f"999{NB}999,5 EUR"),
        ("1000", "CNY", "CNY 1,000", "1000 CNY"),
        ("12.30", "USD", "USD 12.3", "12,3 USD"),
    ],
)
def test_money_is_one_format_on_one_line(amount, currency, english, spanish):
    with translation.override("en"):
        assert show_money(Decimal(amount), currency) == english.replace(" ", NB)
    with translation.override("es"):
        assert show_money(Decimal(amount), currency) == spanish.replace(" ", NB)


def test_money_never_holds_a_breaking_space():
    for language in ("en", "es"):
        with translation.override(language):
            for amount in (5, 5_000, 5_000_000, 5_000_000_000):
                assert " " not in show_money(amount, "USD")


def render(source, **context):
    return Template("{% load directory %}" + source).render(Context(context))


def test_template_filters_mark_money_and_numbers():
    with translation.override("en"):
        assert render("{{ v|money:'CNY' }}", v=Decimal("252400000000")) == (
            f'<span class="money">CNY{NB}252.4{NB}billion</span>'
        )
        assert render("{{ v|number }}", v=26_000) == "26,000"
        assert render("[{{ v|number }}][{{ v|money:'USD' }}]", v=None) == "[][]"
    with translation.override("es"):
        assert render("{{ v|money:'CNY' }}", v=Decimal("252400000000")) == (
            f'<span class="money">252,4{NB}mil{NB}millones{NB}de{NB}CNY</span>'
        )
        assert render("{{ v|number }}", v=26_000) == f"26{NB}000"


def test_language_note_only_when_the_text_is_in_another_language():
    with translation.override("en"):
        assert render("{{ c|language_note }}", c="es") == (
            ' <span class="language-note">(in Spanish)</span>'
        )
        assert render("{{ c|language_note }}", c="en") == ""
        assert in_language("fr") == "in French"
    with translation.override("es"):
        assert render("{{ c|language_note }}", c="en") == (
            ' <span class="language-note">(en inglés)</span>'
        )
        assert render("{{ c|language_note }}", c="es") == ""
        assert in_language("zz") == "en zz"
