"""What every admin of this app shares: the inlines (citations, participations,
appearances) and CitedAdmin, a translated record's admin with its citations."""

from django import forms
from django.contrib.contenttypes.admin import GenericTabularInline
from django.db import models
from modeltranslation.admin import TranslationTabularInline

from core.admin import AsciiNumbersMixin, CountedAdminMixin
from exhibitors.admin import DirectoryAdmin

from ..models import (
    Appearance,
    Citation,
    Participation,
)

SHORT_TEXT = {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})}


# --- Inlines -------------------------------------------------------------------------------


class CitationInline(AsciiNumbersMixin, GenericTabularInline):
    """The quoted sentences a record is taken from.

    The inline's ModelForm runs Citation.full_clean(), so Citation.clean() rejects a quote that
    is not in the source document.
    """

    model = Citation
    fields = ("source", "quote")
    autocomplete_fields = ("source",)
    extra = 0
    formfield_overrides = {models.TextField: SHORT_TEXT}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("source")


class ParticipationInline(AsciiNumbersMixin, TranslationTabularInline):
    """On the expo page the exhibitor is chosen, on the exhibitor page the expo."""

    model = Participation
    autocomplete_fields = ("exhibitor", "expo", "area")
    extra = 0
    show_change_link = True  # the participation's own page has its citations
    formfield_overrides = {models.TextField: SHORT_TEXT}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("exhibitor", "expo", "area")


class AppearanceInline(AsciiNumbersMixin, TranslationTabularInline):
    """On the forum page the speaker is chosen, on the speaker page the forum."""

    model = Appearance
    autocomplete_fields = ("speaker", "forum")
    extra = 0
    show_change_link = True
    formfield_overrides = {models.TextField: SHORT_TEXT}

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("speaker", "forum")


# --- Base class ----------------------------------------------------------------------------


class CitedAdmin(CountedAdminMixin, DirectoryAdmin):
    """A versioned, translated admin for a CitedModel, showing its citations, whose change
    list counts as the public lists do (core.admin.CountedAdminMixin)."""

    inlines = [CitationInline]
