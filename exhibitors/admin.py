"""Admin for the lower layer: sectors and exhibitors.

Every change made through the admin is recorded by django-reversion (with the user who made it,
and a History page from which staff can restore an earlier version), and translated text is
edited one field per language through django-modeltranslation.

`exhibitors` knows nothing about expos, so the exhibitor page here has no participations or
citations; expos/admin/exhibitors.py re-registers Exhibitor with a subclass of ExhibitorAdmin
that adds them.

At a million exhibitors the change lists cost what they cost at ten thousand (core.admin):
capped and estimated counts, the countries read along an index, the search through the
full-text and trigram indexes, and per-row counts only for the rows of the page.
"""

import reversion
from django.contrib import admin
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin
from modeltranslation.utils import get_translation_fields
from reversion.admin import VersionAdmin

from core.admin import (
    CountedAdminMixin,
    DistinctCountryFilter,
    IndexedSearchMixin,
    capped_figures,
    country_column,
)
from core.adminforms import AsciiNumbersMixin, LinkFieldsMixin, RecheckRacedWritesMixin

from .models import Exhibitor, Sector


class DirectoryAdmin(
    AsciiNumbersMixin, LinkFieldsMixin, RecheckRacedWritesMixin, VersionAdmin, TranslationAdmin
):
    """A versioned admin for a model with translated fields, whose forms answer a duplicate
    written at the same moment as a form error (core.adminforms.RecheckRacedWritesMixin).

    VersionAdmin comes first: its change list and history templates are the ones used, and its
    add and change views wrap TranslationAdmin's in a revision. TranslationAdmin replaces each
    translated field with one field per language (English required) and adds no media of its own.
    """

    def __init__(self, model, admin_site):
        # VersionAdmin registers the model with django-reversion, following its inlines, but only
        # if the model is not registered yet. Another admin's inline (participations on the expo
        # page) or an admin this one replaces (Exhibitor, re-registered by
        # expos/admin/exhibitors.py) may have registered it first without those inlines, so
        # register it afresh.
        if reversion.is_registered(model):
            reversion.unregister(model)
        super().__init__(model, admin_site)


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
    # What the search reads (core.admin.IndexedSearchMixin): the names, places and description
    # in the full-text vector, the names in the trigram index.
    search_fields = get_translation_fields("name", "city", "region", "description")
    search_names = ("name_en", "name_es")
    autocomplete_fields = ("sectors",)
    prepopulated_fields = {"slug": ("name",)}
