"""The history of bulk imports: one entry for each file that `manage.py import_directory` read.

Each record an import writes is in the change log like any other write (core.changelog.log), and
so in the record's History; this entry is the trace of the run itself: the file, who ran it,
when, what it wrote to each table, and how it ended.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from core.fields import MultiLineField, SingleLineField


class ImportOutcome(models.TextChoices):
    """How an import ended; `running` until it does (or if its process was killed)."""

    RUNNING = "running", _("running")
    SUCCEEDED = "succeeded", _("succeeded")
    FAILED = "failed", _("failed")


class ImportRun(models.Model):
    """One run of the bulk importer over one file, successful or not."""

    Outcome = ImportOutcome

    file_name = SingleLineField(_("file name"), max_length=500)
    # An account is not a directory record: deleting one keeps its imports, with system_user.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The staff member named with --user."),
    )
    system_user = SingleLineField(
        _("system account"),
        max_length=150,
        blank=True,
        help_text=_("The operating-system account that ran the command."),
    )
    started = models.DateTimeField(_("started"))
    finished = models.DateTimeField(_("finished"), null=True, blank=True)
    outcome = SingleLineField(
        _("outcome"), max_length=10, choices=ImportOutcome.choices, default=ImportOutcome.RUNNING
    )
    rows = models.PositiveIntegerField(_("rows read"), null=True, blank=True)
    tables = models.JSONField(
        _("rows written per table"),
        default=dict,
        blank=True,
        help_text=_("For each table, how many rows were inserted, updated and deleted."),
    )
    error = MultiLineField(_("error"), blank=True)

    class Meta:
        ordering = ["-started", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        indexes = [models.Index(fields=["-started"], name="expos_importrun_started")]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome__in=ImportOutcome.values),
                name="expos_importrun_outcome_valid",
            ),
            models.CheckConstraint(
                condition=Q(finished__isnull=True) | Q(finished__gte=F("started")),
                name="expos_importrun_finished_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.file_name} ({self.started:%Y-%m-%d %H:%M}, {self.get_outcome_display()})"
