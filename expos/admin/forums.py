"""Forums, speakers, their appearances and statements, and the organisations they come
from."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from django_countries.filters import CountryFilter
from modeltranslation.utils import get_translation_fields

from core.admin.changelists import (
    AutocompleteFilter,
    country_column,
)

from ..models import (
    Appearance,
    Forum,
    Organisation,
    Speaker,
    Statement,
)
from .base import AppearanceInline, CitationInline, CitedAdmin

# --- Organisations -------------------------------------------------------------------------


@admin.register(Organisation)
class OrganisationAdmin(CitedAdmin):
    list_display = ("name", "short_name", "kind", country_column(), "city")
    list_filter = ("kind", ("country", CountryFilter))
    search_fields = (*get_translation_fields("name", "short_name", "city"), "slug")
    prepopulated_fields = {"slug": ("name_en",)}


# --- Forums and people ---------------------------------------------------------------------


@admin.register(Forum)
class ForumAdmin(CitedAdmin):
    list_display = ("title", "kind", "expo", "date", "city")
    list_filter = (("expo", AutocompleteFilter), "expo__edition_year", "kind")
    search_fields = (*get_translation_fields("title", "city", "topic", "expo__name"), "slug")
    list_select_related = ("expo",)
    autocomplete_fields = ("expo", "organisers", "partners")
    prepopulated_fields = {"slug": ("title_en",)}
    inlines = [AppearanceInline, CitationInline]


@admin.register(Speaker)
class SpeakerAdmin(CitedAdmin):
    list_display = ("name", "honorific", "role", "exhibitor", "organisation")
    list_filter = (
        ("appearances__forum__expo", AutocompleteFilter),
        ("exhibitor__country", CountryFilter),
    )
    search_fields = (
        "name",
        "slug",
        *get_translation_fields("role", "exhibitor__name", "organisation__name"),
    )
    list_select_related = ("exhibitor", "organisation")
    autocomplete_fields = ("exhibitor", "organisation")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [AppearanceInline, CitationInline]


@admin.register(Appearance)
class AppearanceAdmin(CitedAdmin):
    list_display = ("speaker", "forum", "role", "expo")
    list_filter = (("forum__expo", AutocompleteFilter), "forum__expo__edition_year", "forum")
    search_fields = ("speaker__name", *get_translation_fields("forum__title", "role", "topic"))
    list_select_related = ("speaker", "forum__expo")
    autocomplete_fields = ("speaker", "forum")

    @admin.display(description=_("expo"), ordering="forum__expo")
    def expo(self, obj):
        return obj.forum.expo


@admin.register(Statement)
class StatementAdmin(CitedAdmin):
    list_display = ("speaker", "expo", "short_text")
    list_filter = (("expo", AutocompleteFilter), "expo__edition_year")
    search_fields = ("speaker__name", *get_translation_fields("text", "expo__name"))
    list_select_related = ("speaker", "expo")
    autocomplete_fields = ("speaker", "expo")

    @admin.display(description=_("what they said"))
    def short_text(self, obj):
        return obj.text if len(obj.text) <= 80 else f"{obj.text[:80]}…"
