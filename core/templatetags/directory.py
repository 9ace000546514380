"""Template filters every app's pages share: `{% load directory %}`."""

from functools import lru_cache

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language, gettext

from core.formatting import in_language, show_money, show_number
from core.timestamps import timestamp

register = template.Library()
register.filter("timestamp", timestamp)


@register.filter
def synthetic_badge(record):
    """After the name of an exhibitor, sector or expo: a badge on the records that
    `manage.py generate_directory` wrote for load testing, nothing on the others. A filter
    rather than an included template: a list page shows one for each of its records and their
    sectors, and a hundred includes took a tenth of the page's time."""
    if not getattr(record, "synthetic", False):
        return ""
    return badge(get_language())


@lru_cache(maxsize=16)
def badge(language):
    """The badge's markup in `language` (the active one: its text is translated on the
    first call for each language)."""
    return format_html(
        ' <span class="badge-synthetic" title="{}">{}</span>',
        gettext("Generated test data for load testing, not taken from a source document."),
        gettext("Synthetic"),
    )


@register.filter
def number(value):
    """A number in the page's language (core.formatting.show_number); empty for none."""
    if value is None or value == "":
        return ""
    return show_number(value)


@register.filter
def money(amount, currency):
    """A sum of money in the page's language (core.formatting.show_money), on one line."""
    if amount is None or amount == "":
        return ""
    return format_html('<span class="money">{}</span>', show_money(amount, currency))


@register.filter
def language_note(language):
    """After a quote or a title in `language` (a language code): `(in Spanish)` when the
    page is in another language, nothing when it is in the same one."""
    if not language or language == get_language():
        return ""
    return format_html(' <span class="language-note">({})</span>', in_language(language))
