"""Admin for expos and everything that happens at them, with the citations of every record.

Translated models use exhibitors.admin.DirectoryAdmin (django-reversion's VersionAdmin with
django-modeltranslation's TranslationAdmin); Source and Citation, which are not translated, use
VersionAdmin alone. Every change through the admin is therefore recorded in a revision with its
user, and staff can restore earlier versions from each record's History page.

Every change list of a translated model counts as the public lists do (core.admin: capped and
estimated counts); an expo is chosen in a filter through the admin's autocomplete rather than
from a list of five thousand links, and expos, exhibitors and participations are searched
through the full-text and trigram indexes.

The admins are in this package's modules, one a topic as the models are: base (the inlines and
CitedAdmin), expos, forums, outcomes, provenance, and exhibitors (the exhibitor admin with its
participations). Importing them registers them.
"""

from . import exhibitors, expos, forums, outcomes, provenance  # noqa: F401
