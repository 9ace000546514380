"""Text stored per language (English and Spanish) by django-modeltranslation."""

from modeltranslation.translator import TranslationOptions, register

from .models import Exhibitor, Sector


@register(Sector)
class SectorTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = ("en",)


@register(Exhibitor)
class ExhibitorTranslation(TranslationOptions):
    fields = ("name", "region", "city", "description")
    required_languages = ("en",)
