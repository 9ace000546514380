"""Template filters every app's pages share: `{% load directory %}`."""

from functools import lru_cache

from django import template
from django.utils.html import format_html
from django.utils.translation import get_language, gettext

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
