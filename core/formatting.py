"""Numbers and sums of money as a page shows them, in the page's language.

One function for each, used by every page and chart, so that a number reads the same way
wherever it is shown. Django's formats for the active language give the separators: `1,000`
and `1.5` in English; a non-breaking space and a comma in Spanish, where a number of four
digits is not grouped (`1000`, `10 000`), as the Real Academia's Ortografía (2010) and CLDR's
Spanish data have it.

A sum of money is its ISO currency code and its amount, in millions or billions from a million
on: `CNY 252.4 billion`, `252,4 mil millones de CNY`. Its words are joined by non-breaking
spaces, so that it never breaks across lines, in a table's cell or a chart's label.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats, numberformat
from django.utils.translation import get_language, get_language_info, ngettext, pgettext

# Languages whose style leaves a number below 10 000 ungrouped.
UNGROUPED_BELOW_TEN_THOUSAND = {"es"}

NO_BREAK = "\xa0"
MILLION = Decimal(10) ** 6
BILLION = Decimal(10) ** 9


def rounded(value, decimals: int) -> Decimal:
    """`value` as a Decimal of at most `decimals` decimals, without trailing zeros."""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    number = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return number.normalize() if number else Decimal(0)


def show_number(value, decimals: int = 2) -> str:
    """`value` (an int, a Decimal or a float) in the active language, grouped by thousands,
    with at most `decimals` decimals and no trailing zeros."""
    number = rounded(value, decimals)
    grouped = not (get_language() in UNGROUPED_BELOW_TEN_THOUSAND and abs(number) < 10_000)
    return str(
        numberformat.format(
            number,
            formats.get_format("DECIMAL_SEPARATOR"),
            grouping=formats.get_format("NUMBER_GROUPING") if grouped else 0,
            thousand_sep=formats.get_format("THOUSAND_SEPARATOR"),
            force_grouping=grouped,
        )
    )


def show_money(amount, currency: str) -> str:
    """`amount` of `currency` (an ISO code) in the active language, on one line."""
    amount = amount if isinstance(amount, Decimal) else Decimal(str(amount))
    values = {"currency": currency}
    if abs(amount) >= BILLION:
        scaled = rounded(amount / BILLION, 3)
        values["number"] = show_number(scaled, 3)
        text = ngettext(
            "%(currency)s %(number)s billion", "%(currency)s %(number)s billion", one(scaled)
        )
    elif abs(amount) >= MILLION:
        scaled = rounded(amount / MILLION, 3)
        values["number"] = show_number(scaled, 3)
        text = ngettext(
            "%(currency)s %(number)s million", "%(currency)s %(number)s million", one(scaled)
        )
    else:
        values["number"] = show_number(amount, 2)
        text = pgettext("money", "%(currency)s %(number)s")
    return (text % values).replace(" ", NO_BREAK)


def one(number: Decimal) -> int:
    """The count that picks a message's plural form: 1 for exactly one, else many."""
    return 1 if abs(number) == 1 else 2


def in_language(code: str) -> str:
    """`in Spanish`, `en inglés`: the note that says which language a text is written in."""
    notes = {"en": pgettext("written", "in English"), "es": pgettext("written", "in Spanish")}
    if code in notes:
        return notes[code]
    try:
        name = get_language_info(code)["name_translated"]
    except KeyError:
        name = code
    return pgettext("written", "in %(language)s") % {"language": name}
