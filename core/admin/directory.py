"""The admin every translated record of the directory is edited in."""

from modeltranslation.admin import TranslationAdmin

from core.admin.forms import AsciiNumbersMixin, LinkFieldsMixin, RecheckRacedWritesMixin
from core.history.admin import HistoryAdminMixin


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
