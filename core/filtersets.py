"""The base of every list's FilterSet.

One FilterSet a list: the HTML page, its CSV download and the API all filter through it, so a
query string such as `?country=CN&sector=video-iot` means the same thing everywhere. An app
whose records relate to another app's list extends that list's FilterSet (a subclass adding
filters and facets), rather than the lower app looking upwards.
"""

import django_filters
from django import forms
from django.conf import settings
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from modeltranslation.translator import NotRegistered, translator

from .counting import estimated_rows
from .search import RANKED

# Orderings that need no further key but id to be total.
UNIQUE_KEYS = {"id", "pk", "updated", "created"}


def ranked_search_limit():
    """Up to how many estimated matches a search is ranked; past it, the usual order."""
    return settings.DIRECTORY_RANKED_SEARCH_LIMIT


class RejectNulCharactersForm(forms.Form):
    """PostgreSQL cannot hold NUL characters: a value with one is an error, not a crash."""

    def clean(self):
        cleaned = super().clean()
        for name in self.fields:
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else []
            if any("\x00" in str(value) for value in values):
                self.add_error(name, _("NUL characters are not allowed."))
        return cleaned


def translated_fields(model):
    try:
        return translator.get_options_for_model(model).all_fields
    except NotRegistered:
        return {}


def base_key(model, key):
    """`-name_es` → `-name`: modeltranslation has already turned `name` into a column."""
    if not isinstance(key, str):
        return key
    name = key.lstrip("-")
    stem, _sep, suffix = name.rpartition("_")
    if suffix in dict(settings.LANGUAGES) and stem in translated_fields(model):
        return key.replace(name, stem)
    return key


def language_ordering(model, keys):
    """Order by the active language's text with English as fallback, as the page shows it.

    modeltranslation would order `name` by `name_es` alone, putting every record without a
    Spanish name last; COALESCE(name_es, name_en) matches what is displayed, and has an index.
    """
    translated = translated_fields(model)
    language = (get_language() or settings.LANGUAGE_CODE).split("-")[0]
    expressions = []
    for key in keys:
        if not isinstance(key, str) or key.lstrip("-") not in translated:
            expressions.append(key)
            continue
        name = key.lstrip("-")
        value = F(f"{name}_en")
        if language != "en":
            value = Coalesce(F(f"{name}_{language}"), F(f"{name}_en"))
        expressions.append(value.desc() if key.startswith("-") else value.asc())
    return expressions


class DirectoryFilterSet(django_filters.FilterSet):
    """What every list's FilterSet shares.

    `facets` maps the parameters whose options are shown with a count of the results each
    would give to the lookup path that is counted; see core.facets.
    """

    facets: dict = {}

    updated_since = django_filters.IsoDateTimeFilter(
        field_name="updated",
        lookup_expr="gte",
        label=_("Changed since (ISO 8601 date and time)"),
    )

    def get_form_class(self):
        form_class = super().get_form_class()
        return type(form_class.__name__, (RejectNulCharactersForm, form_class), {})

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        model = queryset.model
        chosen = [base_key(model, key) for key in queryset.query.order_by]
        default = list(model._meta.ordering)
        if chosen[:1] == [RANKED] and estimated_rows(queryset) > ranked_search_limit():
            # Ranking reads every match before the first page can be cut, so a search that
            # matches a large part of the directory would cost in proportion to it: past the
            # limit, matches come in the list's usual order (an index walk), not best first.
            chosen = []
        if not chosen:
            ordering = default
        else:
            # "Z to A" is exactly "A to Z" reversed: the keys after the chosen one (the list's
            # usual order, then id to break ties) follow its direction, so one index serves it.
            first = str(chosen[0])
            # Best matches first, then the usual order.
            descending = first.startswith("-") and first != RANKED
            then = [] if first.lstrip("-") in UNIQUE_KEYS else default
            taken = {str(key).lstrip("-") for key in chosen}
            ordering = list(chosen)
            for key in [*then, "id"]:
                name = key.lstrip("-")
                if name not in taken and name != "pk":
                    ordering.append(f"-{name}" if descending else name)
                    taken.add(name)
        return queryset.order_by(*language_ordering(model, ordering))

    def error_messages(self):
        """{parameter: [message, …]} for the values that were not understood."""
        return {
            name: [str(message) for message in messages]
            for name, messages in self.form.errors.items()
        }
