"""Admin for the lower layer: sectors and exhibitors.

Every change made through the admin is recorded by django-reversion (with the user who made it,
and a History page from which staff can restore an earlier version), and translated text is
edited one field per language through django-modeltranslation.

`exhibitors` knows nothing about expos, so the exhibitor page here has no participations or
citations; expos/admin.py re-registers Exhibitor with a subclass of ExhibitorAdmin that adds them.
"""

import reversion
from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from django_countries.filters import CountryFilter
from modeltranslation.admin import TranslationAdmin
from modeltranslation.utils import get_translation_fields
from reversion.admin import VersionAdmin

from .models import Exhibitor, Sector


class DirectoryAdmin(VersionAdmin, TranslationAdmin):
    """A versioned admin for a model with translated fields.

    VersionAdmin comes first: its change list and history templates are the ones used, and its
    add and change views wrap TranslationAdmin's in a revision. TranslationAdmin replaces each
    translated field with one field per language (English required) and adds no media of its own.
    """

    def __init__(self, model, admin_site):
        # VersionAdmin registers the model with django-reversion, following its inlines, but only
        # if the model is not registered yet. Another admin's inline (participations on the expo
        # page) or an admin this one replaces (Exhibitor, re-registered by expos/admin.py) may
        # have registered it first without those inlines, so register it afresh.
        if reversion.is_registered(model):
            reversion.unregister(model)
        super().__init__(model, admin_site)


@admin.register(Sector)
class SectorAdmin(DirectoryAdmin):
    list_display = ("name", "slug", "exhibitor_count", "updated")
    search_fields = (*get_translation_fields("name"), "slug")
    prepopulated_fields = {"slug": ("name",)}

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(num_exhibitors=Count("exhibitors", distinct=True))
        )

    @admin.display(description=_("exhibitors"), ordering="num_exhibitors")
    def exhibitor_count(self, obj):
        return obj.num_exhibitors


@admin.register(Exhibitor)
class ExhibitorAdmin(DirectoryAdmin):
    # expos/admin.py extends list_display, list_filter and inlines with what it knows about.
    list_display = ("name", "country", "region", "city")
    list_filter = (("country", CountryFilter), "sectors")
    search_fields = (*get_translation_fields("name", "city", "region"), "slug", "website")
    autocomplete_fields = ("sectors",)
    prepopulated_fields = {"slug": ("name",)}
