"""Template filters every app's pages share: `{% load directory %}`."""

from functools import lru_cache

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language, gettext

from core.formatting import in_language, show_money, show_number
from core.http.querystring import chosen, query_string
from core.lists.facets import PRESENTATION_PARAMETERS
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


@register.simple_tag(takes_context=True)
def chosen_query(context, **changes):
    """Django's `{% querystring %}` of the request's parameters without their blank values
    (core.http.querystring): `{% chosen_query page=2 %}` after `?q=&country=CN` gives
    `?country=CN&page=2`, and "" when nothing is left."""
    return query_string(context["request"].GET, **changes)


@register.filter
def facet_split(options, shown):
    """A facet's options as (the first `shown` and every selected one, the rest): the page
    lists the first and folds the rest under "Show more", so that no chosen option is ever
    folded away. Options come selected first (core.lists.facets.options_of)."""
    first, rest = [], []
    for option in options:
        (first if option["selected"] or len(first) < shown else rest).append(option)
    return first, rest


@register.simple_tag(takes_context=True)
def active_filter_count(context):
    """How many filter values the request applies (each chosen option, a search), for the
    filter panel's "Filters (2)": blank fields, the order and the page are not filters."""
    filterset = context.get("filterset")
    if filterset is None:
        return 0
    chosen_values = chosen(context["request"].GET)
    return sum(
        len(chosen_values.getlist(name))
        for name in chosen_values
        if name in filterset.filters and name not in PRESENTATION_PARAMETERS
    )
