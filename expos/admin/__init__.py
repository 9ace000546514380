"""The admin: expos and everything that happens at them, the company register (exhibitors and
sectors), and the citations of every record. Each model's admin is written here once.

Translated models use core.admin.directory.DirectoryAdmin (core.history's HistoryAdminMixin
with django-modeltranslation's TranslationAdmin); Source and Citation, which are not
translated, use HistoryAdminMixin alone. Each record's History page reads the change log, which
the database writes for every writer: staff compare and restore versions there, and recover
deleted records from each change list's "Recover deleted".

Every change list of a translated model counts as the public lists do (core.admin.changelists:
capped and
estimated counts); an expo is chosen in a filter through the admin's autocomplete rather than
from a list of five thousand links, and expos, exhibitors and participations are searched
through the full-text and trigram indexes.

The admins are in this package's modules, one a topic as the models are: base (the inlines and
CitedAdmin), expos, forums, outcomes, provenance, and exhibitors (sectors, and exhibitors with
their participations and citations), and tokens (API tokens, outside the directory). Importing
them registers them.
"""

from . import exhibitors, expos, forums, outcomes, provenance, tokens  # noqa: F401
