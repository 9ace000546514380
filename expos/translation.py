"""Text stored per language (English and Spanish) by django-modeltranslation.

English is required everywhere; records from a Spanish source keep the Spanish original too.
"""

from modeltranslation.translator import TranslationOptions, register

from . import models


class EnglishRequired(TranslationOptions):
    required_languages = ("en",)


@register(models.Organisation)
class OrganisationTranslation(EnglishRequired):
    fields = ("name", "short_name", "region", "city", "description")


@register(models.ExpoSeries)
class ExpoSeriesTranslation(EnglishRequired):
    fields = ("name", "description")


@register(models.Expo)
class ExpoTranslation(EnglishRequired):
    fields = ("name", "short_name", "venue", "city", "description")


@register(models.Figure)
class FigureTranslation(EnglishRequired):
    fields = ("subject", "note")


@register(models.Area)
class AreaTranslation(EnglishRequired):
    fields = ("name", "description")


@register(models.Participation)
class ParticipationTranslation(EnglishRequired):
    fields = ("showcase",)


@register(models.Forum)
class ForumTranslation(EnglishRequired):
    fields = ("title", "city", "topic")


@register(models.Speaker)
class SpeakerTranslation(EnglishRequired):
    fields = ("role",)


@register(models.Appearance)
class AppearanceTranslation(EnglishRequired):
    fields = ("role", "topic")


@register(models.Statement)
class StatementTranslation(EnglishRequired):
    fields = ("text",)


@register(models.Deal)
class DealTranslation(EnglishRequired):
    fields = ("title", "description")


@register(models.Award)
class AwardTranslation(EnglishRequired):
    fields = ("name", "reason")


@register(models.Highlight)
class HighlightTranslation(EnglishRequired):
    fields = ("title", "description")
