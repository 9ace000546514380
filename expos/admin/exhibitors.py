"""The company register: sectors, and exhibitors with where they took part and what cites them.

At a million exhibitors the change lists cost what they cost at ten thousand
(core.admin.changelists): capped and estimated counts, the countries read along an index, the
search through the full-text and trigram indexes, and per-row counts only for the rows of the
page.
"""

from django.contrib import admin
from django.db.models import Count
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from modeltranslation.utils import get_translation_fields

from core.admin.changelists import (
    AutocompleteFilter,
    CountedAdminMixin,
    DistinctCountryFilter,
    IndexedSearchMixin,
    capped_figures,
    country_column,
)
from core.admin.directory import DirectoryAdmin
from exhibitors.models import Exhibitor, Sector

from ..models import Participation
from .base import CitationInline, ParticipationInline


@admin.register(Sector)
class SectorAdmin(CountedAdminMixin, DirectoryAdmin):
    list_display = ("name", "slug", "exhibitor_count", "updated")
    search_fields = (*get_translation_fields("name"), "slug")
    prepopulated_fields = {"slug": ("name_en",)}

    def annotate_page(self, request, rows):
        # Counting a sector's exhibitors exactly reads all of its rows of the tags table
        # (two million at a million exhibitors): as the lists count, exact up to the exact
        # limit and estimated past it, so the column cannot be sorted.
        tags = Sector.exhibitors.through.objects
        for sector in rows:
            sector.exhibitor_figures = capped_figures(tags.filter(sector=sector.pk))

    @admin.display(description=_("exhibitors"))
    def exhibitor_count(self, obj):
        total, exact = obj.exhibitor_figures
        shown = number_format(total, force_grouping=True)
        return shown if exact else _("about %(count)s") % {"count": shown}


@admin.register(Exhibitor)
class ExhibitorAdmin(CountedAdminMixin, IndexedSearchMixin, DirectoryAdmin):
    list_display = ("name", country_column(), "region", "city", "expo_count")
    list_filter = (
        ("country", DistinctCountryFilter),
        "sectors",
        ("participations__expo", AutocompleteFilter),
        "participations__expo__edition_year",
    )
    # What the search reads (core.admin.changelists.IndexedSearchMixin): the names, places and
    # description in the full-text vector, the names in the trigram index.
    search_fields = get_translation_fields("name", "city", "region", "description")
    search_names = ("name_en", "name_es")
    autocomplete_fields = ("sectors",)
    prepopulated_fields = {"slug": ("name_en",)}
    inlines = [ParticipationInline, CitationInline]

    def annotate_page(self, request, rows):
        # Counted for the rows of the page only (core.admin.changelists.CountedChangeList), in one
        # query: counted for the whole list, as an annotation, it grouped three million
        # participations before the first page, and so the column is not sortable.
        # (exhibitor, expo) is unique, so its rows count the expos.
        counts = dict(
            Participation.objects.filter(exhibitor__in=[row.pk for row in rows])
            .order_by()
            .values("exhibitor")
            .annotate(expos=Count("pk"))
            .values_list("exhibitor", "expos")
        )
        for row in rows:
            row.num_expos = counts.get(row.pk, 0)

    @admin.display(description=_("expos"))
    def expo_count(self, obj):
        return obj.num_expos
