"""Expos and what an expo holds: series, figures, areas and participations."""

from django.contrib import admin
from django.db.models import Count
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_countries.filters import CountryFilter
from modeltranslation.utils import get_translation_fields

from core.admin import (
    AutocompleteFilter,
    DistinctCountryFilter,
    IndexedSearchMixin,
    capped_figures,
    country_column,
    search_term_is_accepted,
)
from core.search import MAX_SEARCH_LENGTH
from exhibitors.models import Exhibitor

from ..models import (
    Area,
    Expo,
    ExpoSeries,
    Figure,
    Participation,
)
from .base import CitationInline, CitedAdmin, ParticipationInline

# Participations in the inline of an expo's page (see ExpoAdmin.get_formset_kwargs).
EXPO_PAGE_PARTICIPATIONS = 25


# --- Expos ---------------------------------------------------------------------------------


@admin.register(ExpoSeries)
class ExpoSeriesAdmin(CitedAdmin):
    list_display = ("name", "short_name", "expo_count")
    list_filter = (("expos__country", CountryFilter), "expos__edition_year")
    search_fields = (*get_translation_fields("name"), "short_name", "slug")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(num_expos=Count("expos", distinct=True))

    @admin.display(description=_("expos"), ordering="num_expos")
    def expo_count(self, obj):
        return obj.num_expos


@admin.register(Expo)
class ExpoAdmin(IndexedSearchMixin, CitedAdmin):
    list_display = (
        "name",
        "series",
        "edition_year",
        "start_date",
        "end_date",
        "city",
        country_column(),
        "format",
    )
    list_filter = (
        "edition_year",
        ("country", DistinctCountryFilter),
        "series",
        "format",
        "sectors",
    )
    # What the search reads (core.admin.IndexedSearchMixin): the full-text vector and the
    # trigram index of the names. It also serves the autocomplete of every expo field.
    search_fields = get_translation_fields("name", "short_name", "city", "venue", "description")
    search_names = ("name_en", "name_es")
    list_select_related = ("series",)
    date_hierarchy = "start_date"
    autocomplete_fields = ("series", "parent", "organisers", "sectors")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [ParticipationInline, CitationInline]
    readonly_fields = ("all_participations",)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        # An expo at a million exhibitors has hundreds of them: all in the inline made its page
        # megabytes, with a query for each row's autocomplete boxes. The inline holds the
        # first EXPO_PAGE_PARTICIPATIONS (by exhibitor name); the rest are a link away
        # (all_participations), and a save touches only the rows shown.
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, ParticipationInline) and obj is not None and obj.pk:
            first = (
                Participation.objects.filter(expo=obj)
                .order_by("exhibitor__name_en", "pk")
                .values("pk")[:EXPO_PAGE_PARTICIPATIONS]
            )
            kwargs["queryset"] = kwargs["queryset"].filter(pk__in=first)
        return kwargs

    @admin.display(description=_("participations"))
    def all_participations(self, obj):
        if obj is None or not obj.pk:
            return "—"
        total, exact = capped_figures(Participation.objects.filter(expo=obj))
        shown = number_format(total, force_grouping=True)
        url = reverse(f"{self.admin_site.name}:expos_participation_changelist")
        return format_html(
            '<a href="{}?expo__id__exact={}">{}</a>',
            url,
            obj.pk,
            _("All %(count)s, in the participation list; the first %(first)s are below.")
            % {
                "count": shown if exact else _("about %(count)s") % {"count": shown},
                "first": EXPO_PAGE_PARTICIPATIONS,
            },
        )


@admin.register(Figure)
class FigureAdmin(CitedAdmin):
    list_display = ("subject", "metric", "qualifier", "value", "currency", "year", "expo", "series")
    list_filter = ("metric", ("expo", AutocompleteFilter), "series", "year")
    search_fields = get_translation_fields("subject", "note", "expo__name", "series__name")
    list_select_related = ("expo", "series")
    autocomplete_fields = ("expo", "series")


@admin.register(Area)
class AreaAdmin(CitedAdmin):
    list_display = ("name", "kind", "expo", "size_m2", "sector")
    list_filter = ("kind", ("expo", AutocompleteFilter), "expo__edition_year", "sector")
    search_fields = get_translation_fields("name", "expo__name")
    list_select_related = ("expo", "sector")
    autocomplete_fields = ("expo", "sector")


@admin.register(Participation)
class ParticipationAdmin(CitedAdmin):
    list_display = ("exhibitor", "expo", "area", country_column("exhibitor__country"))
    list_filter = (
        ("expo", AutocompleteFilter),
        "expo__edition_year",
        ("exhibitor__country", DistinctCountryFilter),
        "exhibitor__sectors",
    )
    # A participation is found by its exhibitor or its expo, each searched as its own list
    # searches them (get_search_results); what it showed (`showcase`) has no index.
    search_fields = get_translation_fields("exhibitor__name", "expo__name")
    search_help_text = _("Words of the exhibitor or of the expo, searched as in their lists.")
    list_select_related = ("exhibitor", "expo", "area")
    autocomplete_fields = ("exhibitor", "expo", "area")

    def get_search_results(self, request, queryset, search_term):
        search_term = search_term.strip()[:MAX_SEARCH_LENGTH]
        if not search_term:
            return queryset, False
        if not search_term_is_accepted(request, search_term):
            return queryset.none(), False
        found = {}
        for model in (Exhibitor, Expo):
            model_admin = self.admin_site.get_model_admin(model)
            matches, _duplicates = model_admin.get_search_results(
                request, model._default_manager.all(), search_term
            )
            found[model] = matches.order_by().values("pk")
        # Each half through its own index (participations of these exhibitors, of these
        # expos), joined by id: an OR of the two would be checked row by row along the list.
        by_exhibitor = Participation.objects.filter(exhibitor__in=found[Exhibitor])
        by_expo = Participation.objects.filter(expo__in=found[Expo])
        ids = by_exhibitor.values("pk").union(by_expo.values("pk"))
        return queryset.filter(pk__in=ids), False
