"""The admin every translated record of the directory is edited in."""

from modeltranslation.admin import TranslationAdmin

from core.admin.forms import (
    AsciiNumbersMixin,
    FittingFormsMixin,
    LinkFieldsMixin,
    RecheckRacedWritesMixin,
    SlugFromNameMixin,
)
from core.history.admin import HistoryAdminMixin


class DirectoryAdmin(
    AsciiNumbersMixin,
    FittingFormsMixin,
    SlugFromNameMixin,
    LinkFieldsMixin,
    RecheckRacedWritesMixin,
    HistoryAdminMixin,
    TranslationAdmin,
):
    """An admin for a model with translated fields, with the change log's history and
    "Recover deleted" (core.history.admin), whose forms answer a duplicate written at the same
    moment as a form error (core.admin.forms.RecheckRacedWritesMixin), and edit sector links
    that are models of their own as Django's own many-to-many fields (LinkFieldsMixin), and whose
    forms and inlines fit a 1,280 px window (FittingFormsMixin), with a slug that follows the
    name and is made from the English name (SlugFromNameMixin).

    TranslationAdmin replaces each translated field with one field per language (English
    required) and adds no media of its own.
    """
