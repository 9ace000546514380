"""Admin for the lower layer: sectors and exhibitors.

Every record's History page reads the change log (core.history): every version from the
first, the seed and imports included, with its editor; two versions compared; one restored;
and deleted records recovered with everything deleted with them. Translated text is edited one
field per language through django-modeltranslation.

`exhibitors` knows nothing about expos, so the exhibitor page here has no participations or
citations; expos/admin/exhibitors.py re-registers Exhibitor with a subclass of ExhibitorAdmin
that adds them.

At a million exhibitors the change lists cost what they cost at ten thousand
(core.admin.changelists):
capped and estimated counts, the countries read along an index, the search through the
full-text and trigram indexes, and per-row counts only for the rows of the page.
"""

from django.contrib import admin
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin
from modeltranslation.utils import get_translation_fields

from core.admin.changelists import (
    CountedAdminMixin,
    DistinctCountryFilter,
    IndexedSearchMixin,
    capped_figures,
    country_column,
)
from core.admin.forms import AsciiNumbersMixin, LinkFieldsMixin, RecheckRacedWritesMixin
from core.history.admin import HistoryAdminMixin

from .models import Exhibitor, Sector


class DirectoryAdmin(
    AsciiNumbersMixin,
    LinkFieldsMixin,
    RecheckRacedWritesMixin,
    HistoryAdminMixin,
    TranslationAdmin,
):
    """An admin for a model with translated fields, with the change log's history and
    "Recover deleted" (core.history.admin), whose forms answer a duplicate written at the same
    moment as a form error (core.admin.forms.RecheckRacedWritesMixin), and edit sector links
    that are models of their own as Django's own many-to-many fields (LinkFieldsMixin).

    TranslationAdmin replaces each translated field with one field per language (English
    required) and adds no media of its own.
    """


@admin.register(Sector)
class SectorAdmin(CountedAdminMixin, DirectoryAdmin):
    list_display = ("name", "slug", "exhibitor_count", "updated")
    search_fields = (*get_translation_fields("name"), "slug")
    prepopulated_fields = {"slug": ("name",)}

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
    # expos/admin/exhibitors.py extends list_display, list_filter and inlines with what it
    # knows about.
    list_display = ("name", country_column(), "region", "city")
    list_filter = (("country", DistinctCountryFilter), "sectors")
    # What the search reads (core.admin.changelists.IndexedSearchMixin): the names, places and
    # description in the full-text vector, the names in the trigram index.
    search_fields = get_translation_fields("name", "city", "region", "description")
    search_names = ("name_en", "name_es")
    autocomplete_fields = ("sectors",)
    prepopulated_fields = {"slug": ("name",)}
