"""Translated text as a record shows it: django-modeltranslation's fallback rule, once.

A translated field (`name`, stored as `name_en` and `name_es`) reads, in the active language,
as that language's value, else its fallback languages' in order, skipping empty values, else
the field's fallback value or its default: what the model's attribute gives. A list reads the
same text three ways, all derived from `Translated` below: in Python from a row of values
(facet labels), as one SQL expression (downloads and the API's records, which never build
the records), and as the key an ordered list sorts by, which its indexes hold too.
"""

from django.db.models import F, TextField, Value
from django.db.models.functions import Coalesce, NullIf
from modeltranslation.fields import NONE, TranslationFieldDescriptor
from modeltranslation.thread_context import fallbacks_enabled
from modeltranslation.utils import build_localized_fieldname, get_language, resolution_order


def translated(model, name):
    """The rule by which `model.name` reads in the active language, or None where
    django-modeltranslation does not translate it."""
    descriptor = getattr(model, name, None)
    if not isinstance(descriptor, TranslationFieldDescriptor):
        return None
    return Translated(descriptor)


def localized_columns(name, language=None, fallback_languages=None):
    """The columns of the translated field `name` in the order they are read for `language`
    (the active one unless given): `["name_es", "name_en"]` for Spanish."""
    languages = resolution_order(language or get_language(), fallback_languages)
    return [build_localized_fieldname(name, each) for each in languages]


def sort_key(name, language=None, fallback_languages=None):
    """What a list ordered by the translated field `name` sorts by: its first column in
    `localized_columns` order that is not NULL. Indexes are built on this expression, and a
    list ordered by it reads them (see core.lists.filtersets.language_ordering).

    Unlike the text shown, an empty string is not skipped: the indexes were made with this
    expression, and skipping it would need them made again."""
    columns = localized_columns(name, language, fallback_languages)
    return Coalesce(*columns) if len(columns) > 1 else F(columns[0])


class Translated:
    """How a translated field reads in the language active when this was made, taken from
    its django-modeltranslation descriptor (the attribute `model.name`)."""

    def __init__(self, descriptor):
        self.descriptor = descriptor
        self.name = descriptor.field.name
        self.columns = localized_columns(self.name, None, descriptor.fallback_languages)
        default = descriptor.field.get_default()
        undefined = descriptor.fallback_undefined
        # A column holding this value counts as empty: the next language is read.
        self.undefined = default if undefined is NONE else undefined
        # The value when no column holds one.
        fallback = descriptor.fallback_value
        self.otherwise = fallback if fallbacks_enabled() and fallback is not NONE else default

    def read(self, row):
        """The text from a row of values that holds `self.columns`."""
        for column in self.columns:
            if self.descriptor.meaningful_value(row[column], self.undefined):
                return row[column]
        return self.otherwise

    def expression(self, prefix=""):
        """The text as SQL, its columns reached through `prefix` (`expo__`)."""
        candidates = [F(prefix + column) for column in self.columns]
        if self.undefined is not None:
            candidates = [NullIf(column, Value(self.undefined)) for column in candidates]
        if self.otherwise is not None:
            candidates.append(Value(self.otherwise))
        if len(candidates) == 1:
            return candidates[0]
        return Coalesce(*candidates, output_field=TextField())

    def sort_key(self):
        """The key a list ordered by this field sorts by (see sort_key)."""
        return sort_key(self.name, None, self.descriptor.fallback_languages)
