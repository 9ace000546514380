"""What every large change list of the admin shares, so that a page costs the same at ten
thousand records and at a million.

Django's own change list counts every matching row twice (its paginator and the "N total"
beside the search box), lists every related record as a filter link (five thousand expos),
and searches with `icontains` on columns no index serves. The pieces here replace each with
what the public pages already do:

- CountedAdminMixin: the capped and estimated counts of core.lists.counting (through AdminPaginator;
  CountedChangeList shows "About 26,000 exhibitors"), no full count, no facet counts, filters
  across to-many relations as EXISTS, and the media of any AutocompleteFilter;
- AutocompleteFilter: a related filter chosen through the admin's own autocomplete view and
  its select2 widget, instead of one link per record;
- DistinctCountryFilter: the countries present, read by skipping along an index rather than
  a DISTINCT over the whole table;
- IndexedSearchMixin: the admin's search box through core.lists.search.ranked_search (the stored
  full-text vector and the trigram index of the names), best matches first;
- country_column and capped_figures: a country's name without Django's per-row walk through
  every choice, and a per-row count that is estimated past the exact limit;
- RecheckRacedWritesMixin: a form saved at the same moment as a duplicate of it answers with
  the form's error, not a server error.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import lookup_spawns_duplicates
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.contrib.admin.widgets import AutocompleteSelect
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import Exists, Func, OuterRef, Q, Value
from django.db.models.functions import Lower
from django.db.models.lookups import Contains
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_countries import countries
from django_countries.filters import CountryFilter

from core.lists.counting import CappedPaginator
from core.lists.search import (
    MAX_SEARCH_LENGTH,
    RANKED,
    UnaccentedText,
    check_search_words,
    ranked_search,
)
from core.lists.searchwindow import SearchTooBroad

# Shorter words are matched by the full-text and trigram search only: a pattern of one or two
# letters has no trigram for the index to look up, so `LIKE '%ab%'` would read every row.
SUBSTRING_MIN_LENGTH = 3


# --- Counts ----------------------------------------------------------------------------------


def capped_figures(queryset):
    """(total, exact) for `queryset` as the lists count: exact up to the exact limit, else
    PostgreSQL's estimate, without reading the rows past it."""
    if not queryset.ordered:
        queryset = queryset.order_by("pk")  # a paginator warns of an unordered list
    return CappedPaginator(queryset, 1).figures


class AdminPaginator(CappedPaginator):
    """CappedPaginator as the admin calls a paginator: ModelAdmin.get_paginator passes
    `orphans` and `allow_empty_first_page` by position, where CappedPaginator's own
    arguments after `per_page` are keywords only."""

    def __init__(self, object_list, per_page, orphans=0, allow_empty_first_page=True):
        super().__init__(
            object_list, per_page, orphans=orphans, allow_empty_first_page=allow_empty_first_page
        )


class CountedChangeList(ChangeList):
    """A change list whose counts come from CappedPaginator and whose queries stay on indexes.

    `result_count` is the paginator's total (exact, or the estimate past the exact limit)
    and `result_exact` says which; `result_capped` says that page numbers stop short of the
    end. After the page is read, the admin's `annotate_page(request, rows)`, if it has one,
    adds what its columns need for those rows only.

    A filter across a to-many relation (an exhibitor's expos or sectors) is applied as
    EXISTS rather than a join that Django then makes DISTINCT: DISTINCT sorts every match
    before the first page can be cut, where EXISTS keeps the walk along the list's index.

    Searching, the best matches come first, unless a column was chosen: as on the public
    lists, a bounded window of the matches is ranked or put in the column's order (see
    core.lists.searchwindow.search_window), and a search too broad to find it is refused with a
    message.
    """

    def get_filters(self, request):
        specs, has_filters, remaining, may_have_duplicates, active = super().get_filters(request)
        if may_have_duplicates:
            for spec in specs:
                path = getattr(spec, "field_path", None)
                if (
                    spec.used_parameters
                    and path
                    and lookup_spawns_duplicates(self.lookup_opts, path)
                ):
                    spec.queryset = self.through_exists(spec.queryset)
            # What no filter took (a lookup typed into the address) still needs DISTINCT.
            may_have_duplicates = any(
                lookup_spawns_duplicates(self.lookup_opts, key) for key in remaining
            )
        return specs, has_filters, remaining, may_have_duplicates, active

    def through_exists(self, apply_filter):
        """A filter's queryset() applied inside EXISTS (… WHERE pk = the row's pk)."""
        model = self.model

        def queryset(request, queryset):
            matching = apply_filter(request, model._default_manager.filter(pk=OuterRef("pk")))
            return queryset.filter(Exists(matching))

        return queryset

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        if "search_rank" not in queryset.query.annotations:
            return queryset
        # ModelAdmin.get_search_results runs after the list's ordering is set, and ranked
        # search replaces it with the rank alone: set it again, the rank first if cheap.
        ordering = self.get_ordering(request, queryset)
        if ORDER_VAR not in self.params:
            # Best matches first: AdminPaginator ranks a bounded window of them, as the
            # public lists do (core.lists.searchwindow.search_window).
            ordering = [RANKED, *ordering]
        return queryset.order_by(*ordering)

    def get_ordering(self, request, queryset):
        return [key for key in super().get_ordering(request, queryset) if key != RANKED]

    def get_results(self, request):
        try:
            super().get_results(request)
        except SearchTooBroad as error:
            messages.error(request, " ".join(error.messages))
            self.queryset = self.queryset.none()
            super().get_results(request)
        paginator = self.paginator
        if (self.show_all and self.can_show_all) or not self.multi_page:
            # ChangeList lists its whole queryset when one page holds the results: for a
            # search, those are the window's (the paginator's list).
            self.result_list = paginator.object_list
        self.result_list = list(self.result_list)
        # Reading the page may have settled the figures (a short page is the last one).
        self.result_count = paginator.total
        self.result_exact = paginator.exact
        self.result_capped = paginator.capped
        annotate_page = getattr(self.model_admin, "annotate_page", None)
        if annotate_page is not None:
            annotate_page(request, self.result_list)


class CountedAdminMixin:
    """A ModelAdmin whose change list costs the same however many records there are.

    Counts are CappedPaginator's, the "N total" beside the search box is not counted, and
    the facet counts Django can add to every filter option (`?_facets`), which count every
    option's records, are off. Pages have the public lists' 50 rows.
    """

    paginator = AdminPaginator
    show_full_result_count = False
    show_facets = admin.ShowFacets.NEVER
    list_per_page = 50

    def get_changelist(self, request, **kwargs):
        return CountedChangeList

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        context = getattr(response, "context_data", None) or {}
        cl = context.get("cl")
        if cl is not None and not getattr(cl, "result_exact", True):
            # "All 1000000 selected" would pass an estimate for a count.
            context["selection_note_all"] = _("All of about %(count)s selected") % {
                "count": number_format(cl.result_count, force_grouping=True)
            }
        return response

    def action_checkbox(self, obj):
        """Django's checkbox of each row, written out: rendering a CheckboxInput through the
        form renderer's template for each row took a fifth of the page's time."""
        return format_html(
            '<input type="checkbox" name="{}" value="{}" class="action-select" aria-label="{}">',
            helpers.ACTION_CHECKBOX_NAME,
            str(obj.pk),
            format_html(_("Select this object for an action - {}"), str(obj)),
        )

    @property
    def media(self):
        media = super().media
        if any(
            isinstance(spec, tuple) and issubclass(spec[1], AutocompleteFilter)
            for spec in self.list_filter
        ):
            media += AutocompleteFilter.media()
        return media


# --- Filters ---------------------------------------------------------------------------------


class AutocompleteFilter(admin.RelatedFieldListFilter):
    """Filter by a related record chosen with the admin's autocomplete (its select2 widget
    and its `admin:autocomplete` view, which searches the related model's admin), instead
    of one link per record.

    Use it as `("participations__expo", AutocompleteFilter)`: the last field of the path
    must be a relation to a model whose admin has search_fields. Only the chosen record is
    read, to show its name. static/admin/js/autocomplete_filter.js opens the list filtered
    by what is chosen; the "All" link clears it without script.
    """

    template = "admin/autocomplete_filter.html"

    def __init__(self, field, request, params, model, model_admin, field_path):
        self.admin_site = model_admin.admin_site  # the site whose autocomplete view searches
        super().__init__(field, request, params, model, model_admin, field_path)

    @staticmethod
    def media():
        # The widget's media (jQuery, select2, its translations, jquery.init.js and the
        # admin's autocomplete.js) in the language of the request, then the script that
        # applies the choice, which needs them all: one list, so that merging keeps it last.
        widget_media = AutocompleteSelect(None, admin.site).media
        css = {"screen": [*widget_media._css["screen"], "admin/css/autocomplete_filter.css"]}
        return forms.Media(js=[*widget_media._js, "admin/js/autocomplete_filter.js"], css=css)

    def field_choices(self, field, request, model_admin):
        if not self.lookup_val:
            return []
        try:
            return field.get_choices(
                include_blank=False, limit_choices_to={"pk__in": self.lookup_val}
            )
        except (ValueError, ValidationError):
            return []  # not a key: the change list reports the bad parameter

    def has_output(self):
        return True

    def widget(self):
        """The select2 box of the filter, holding the chosen record if there is one."""
        related = self.field.remote_field.model
        widget = AutocompleteSelect(
            self.field,
            self.admin_site,
            attrs={"class": "autocomplete-filter", "data-lookup": self.lookup_kwarg},
        )
        chooser = forms.ModelChoiceField(
            related._default_manager.all(), widget=widget, required=False
        )
        chosen = [pk for pk, _label in self.lookup_choices]
        return chooser.widget.render(self.lookup_kwarg, chosen[-1] if chosen else None)


class DistinctCountryFilter(CountryFilter):
    """django-countries' filter of the countries present, found by skipping along an index.

    Its own SELECT DISTINCT reads every row (two seconds across a join of three million
    participations). Here a recursive query jumps from one country to the next in the
    btree index that leads with the column (a "loose index scan"): one index probe per
    country. Through a relation (`exhibitor__country`) the countries are those of the
    related table, all of them: a country whose records have none of these is listed and
    finds nothing.
    """

    def lookup_choices(self, changelist):
        model = self.field.model
        connection = connections[model._default_manager.db]
        table = connection.ops.quote_name(model._meta.db_table)
        column = connection.ops.quote_name(self.field.column)
        # Identifiers of our own models, quoted; nothing in it comes from the request.
        sql = f"""
            WITH RECURSIVE present(code) AS (
                (SELECT {column} FROM {table} ORDER BY {column} LIMIT 1)
                UNION ALL
                SELECT (SELECT {column} FROM {table} WHERE {column} > present.code
                        ORDER BY {column} LIMIT 1)
                FROM present WHERE present.code IS NOT NULL
            )
            SELECT code FROM present WHERE code IS NOT NULL
        """
        with connection.cursor() as cursor:
            cursor.execute(sql)
            codes = {code for (code,) in cursor.fetchall()}
        return [(code, name) for code, name in countries if code in codes]


# --- Columns ---------------------------------------------------------------------------------


def country_column(path="country", description=None):
    """A column of the country's name at `path` (`exhibitor__country`), sortable by it.

    The admin shows a field with choices by searching all of its flattened choices for each
    row's value (django-countries rebuilds its 250 for every row: most of the time of a
    page); the name is one lookup.
    """

    @admin.display(description=description or _("country"), ordering=path)
    def country(obj):
        value = obj
        for part in path.split("__"):
            value = getattr(value, part)
        return value.name

    return country


# --- Search ----------------------------------------------------------------------------------


def search_term_is_accepted(request, search_term):
    """Whether the admin's search box may search for `search_term`: the public lists' bound
    on words (core.lists.search.check_search_words) holds here too, and text past it is shown the
    same message, with no results, rather than searched in part."""
    try:
        check_search_words(search_term)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    return True


class IndexedSearchMixin:
    """The admin's search box through core.lists.search.ranked_search: the words in the stored
    full-text vector (names, places and descriptions, in English, Spanish and unstemmed),
    names by trigram similarity (typos, accents), and a name containing the text typed
    (`dahu` finds Dahua), all three served by the model's GIN indexes.

    `search_names` are the translated name columns the model's trigram index is built on
    (UnaccentedText of them). `search_fields` stay as the admin's list of what is searched
    (the autocomplete view requires some), but no `icontains` is run over them.
    """

    search_names = ()
    search_help_text = _(
        "Words of the name, place or description; “a phrase”, -word to exclude, or; "
        "part of a name also matches."
    )

    def search_also(self, request, search_term):
        """A further condition that makes a record match; by default, a name containing
        the text typed (through the trigram index)."""
        if len(search_term) < SUBSTRING_MIN_LENGTH:
            return None
        typed = Func(Lower(Value(search_term)), function="directory_unaccent")
        return Q(Contains(UnaccentedText(*self.search_names), typed))

    def get_search_results(self, request, queryset, search_term):
        search_term = search_term.strip()[:MAX_SEARCH_LENGTH]
        if not search_term or not self.search_names:
            return super().get_search_results(request, queryset, search_term)
        if not search_term_is_accepted(request, search_term):
            return queryset.none(), False
        also = self.search_also(request, search_term)
        return ranked_search(queryset, search_term, names=self.search_names, also=also), False
