"""The abstract bases every record of the directory builds on, and the data version."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Adds created and updated timestamps; `updated` lets API clients sync what changed."""

    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True


class SyntheticMixin(models.Model):
    """Records written by `manage.py generate_directory`: kept apart from the seed records and
    removed together with `generate_directory --remove`."""

    synthetic = models.BooleanField(
        _("synthetic"),
        default=False,
        db_default=False,
        editable=False,
        help_text=_("Written by generate_directory for load testing, not taken from a source."),
    )

    class Meta:
        abstract = True


class DataVersion(models.Model):
    """One row whose number goes up with every write to the directory.

    Cached facet counts and charts, and the API's ETags, are keyed on it, so a write anywhere
    invalidates them all at once, in every server process, without scanning any table
    (see core.dataversion).
    """

    number = models.BigIntegerField(_("number"), default=0)
    changed = models.DateTimeField(_("changed"))

    class Meta:
        ordering = ["id"]
        verbose_name = _("data version")
        verbose_name_plural = _("data versions")

    def __str__(self):
        return f"{self.number} ({self.changed:%Y-%m-%d %H:%M:%S})"
