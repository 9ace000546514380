"""What every admin of this app shares: the inlines (citations, participations,
appearances) and CitedAdmin, a translated record's admin with its citations."""

from django import forms
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.contenttypes.forms import BaseGenericInlineFormSet
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from modeltranslation.admin import TranslationTabularInline

from core.admin.changelists import CountedAdminMixin
from core.admin.directory import DirectoryAdmin
from core.admin.forms import AsciiNumbersMixin
from core.integrity import constraint_named
from core.provenance import Citation

from ..models import Appearance, Participation

SHORT_TEXT = {"widget": forms.Textarea(attrs={"rows": 2, "cols": 60})}


# --- Inlines -------------------------------------------------------------------------------


class CitationFormSet(BaseGenericInlineFormSet):
    """A record's citations, checked against Citation's constraints as a whole.

    The record a citation belongs to is not a field of its form, so the forms' own checks
    leave out every constraint that names it (one citation of a quote per record): the same
    quote twice, in the form or already on the record, was a database error.
    """

    def clean(self):
        super().clean()
        record_type = ContentType.objects.get_for_model(self.instance)
        seen = set()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or form.cleaned_data.get("DELETE"):
                continue
            citation = form.instance
            citation.content_type, citation.object_id = record_type, self.instance.pk
            try:
                citation.validate_constraints()
            except ValidationError as error:
                form.add_error(None, error)
                continue
            # Two new citations of one quote: neither is in the database yet to be found.
            fields = constraint_named(Citation, "core_citation_unique_quote").fields
            key = tuple(getattr(citation, Citation._meta.get_field(f).attname) for f in fields)
            if key in seen:
                form.add_error(None, citation.unique_error_message(Citation, fields))
            seen.add(key)


class CitationInline(AsciiNumbersMixin, GenericTabularInline):
    """The quoted sentences a record is taken from.

    The inline's ModelForm runs Citation.full_clean(), so Citation.clean() rejects a quote that
    is not in the source document.
    """

    model = Citation
    formset = CitationFormSet
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
    list counts as the public lists do (core.admin.changelists.CountedAdminMixin)."""

    inlines = [CitationInline]
