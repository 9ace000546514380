"""Deals, awards and highlights."""

from django.contrib import admin
from django_countries.filters import CountryFilter
from modeltranslation.utils import get_translation_fields

from core.admin.changelists import AutocompleteFilter

from ..models import (
    Award,
    Deal,
    Highlight,
)
from .base import CitedAdmin

# --- Outcomes ------------------------------------------------------------------------------


@admin.register(Deal)
class DealAdmin(CitedAdmin):
    list_display = ("title", "expo", "project_count", "amount", "currency", "amount_usd")
    list_filter = (("expo", AutocompleteFilter), "expo__edition_year", "sectors", "currency")
    search_fields = (*get_translation_fields("title", "description", "expo__name"), "slug")
    list_select_related = ("expo",)
    autocomplete_fields = ("expo", "sectors", "parties")
    prepopulated_fields = {"slug": ("title_en",)}


@admin.register(Award)
class AwardAdmin(CitedAdmin):
    list_display = ("name", "recipient", "expo")
    list_filter = (
        ("expo", AutocompleteFilter),
        "expo__edition_year",
        ("recipient__country", CountryFilter),
    )
    search_fields = get_translation_fields("name", "reason", "recipient__name", "expo__name")
    list_select_related = ("expo", "recipient")
    autocomplete_fields = ("expo", "recipient")


@admin.register(Highlight)
class HighlightAdmin(CitedAdmin):
    list_display = ("title", "expo", "area", "forum", "exhibitor")
    list_filter = (("expo", AutocompleteFilter), "expo__edition_year", "area__sector")
    search_fields = get_translation_fields("title", "description", "expo__name")
    list_select_related = ("expo", "area", "forum", "exhibitor")
    autocomplete_fields = ("expo", "area", "forum", "exhibitor")
