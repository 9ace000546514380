"""The abstract bases every record of the directory builds on, the change log, and (in
core.provenance) the sources and citations every record may cite."""

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


class TransactionIdField(models.Field):
    """A PostgreSQL transaction id (xid8), read as an int: what the change log orders
    transactions by and tells running from finished ones with (core.changelog.log)."""

    description = "PostgreSQL transaction id"

    def db_type(self, connection):
        return "xid8"

    def from_db_value(self, value, expression, connection):
        return None if value is None else int(value)

    def get_db_prep_value(self, value, connection, prepared=False):
        return None if value is None else str(value)


class ChangeSet(models.Model):
    """One transaction that wrote to the directory: its id, and when it committed.

    The triggers of core.changelog.log add it with the transaction's first logged write, and a
    deferred trigger sets `at` as the transaction commits. The data version is counted from
    these rows (core.changelog.dataversion), one a transaction however many records it wrote.
    """

    xid = TransactionIdField(_("transaction"), primary_key=True)
    at = models.DateTimeField(_("committed"), db_index=True)
    # Who wrote, where the writer said so (core.changelog.log.act_as): an editor's user id. Shown
    # to staff in the admin's history, never in the public change feed.
    actor = models.BigIntegerField(_("user id"), null=True, blank=True)

    class Meta:
        ordering = ["xid"]
        verbose_name = _("change set")
        verbose_name_plural = _("change sets")

    def __str__(self):
        return f"{self.xid} ({self.at:%Y-%m-%d %H:%M:%S})"


class Operation(models.TextChoices):
    INSERT = "I", _("created")
    UPDATE = "U", _("changed")
    DELETE = "D", _("deleted")


class Change(models.Model):
    """One record written: which, how, by which transaction, and its values before.

    Written only by the database's triggers (core.changelog.log), in the writer's transaction,
    whoever the writer is: the ORM, the API, the admin, the importer, raw SQL or psql.
    `before` holds the row as it was, for an update or a delete (generated columns left out).
    """

    id = models.BigAutoField(primary_key=True)
    xid = TransactionIdField(_("transaction"), db_index=True)
    model = models.CharField(_("record type"), max_length=100)
    record_id = models.BigIntegerField(_("record id"))
    # NULL: the record type has no slug (a link, a figure), as distinct from an empty one.
    slug = models.TextField(_("slug"), null=True, blank=True)  # noqa: DJ001
    operation = models.CharField(_("operation"), max_length=1, choices=Operation.choices)
    before = models.JSONField(_("values before"), null=True, blank=True)
    # For a many-to-many link: the id of the record whose field it is (an exhibitor, for its
    # sector links), which the change feed reports as changed.
    owner_id = models.BigIntegerField(_("owner id"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("change")
        verbose_name_plural = _("changes")
        indexes = [
            models.Index("model", "record_id", "id", name="core_change_record"),
            # "Recover deleted" lists a model's deletes, newest first, without walking every
            # insert and update of the log (core.history.recovery).
            models.Index(
                fields=["model", "-id"],
                condition=models.Q(operation="D"),
                name="core_change_deleted",
            ),
        ]

    def __str__(self):
        return f"{self.get_operation_display()} {self.model} {self.record_id}"


class Pruning(models.Model):
    """A run of `manage.py prune_changes`: entries of transactions below `horizon` may be gone,
    so a change-log cursor from before it is answered 410 (core.changelog.log)."""

    horizon = TransactionIdField(_("horizon"))
    at = models.DateTimeField(_("pruned"), auto_now_add=True)
    removed = models.BigIntegerField(_("entries removed"), default=0)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("change log pruning")
        verbose_name_plural = _("change log prunings")

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} ({self.removed})"


class Link(models.Model):
    """A row of a many-to-many relation, part of the record whose field it is (its owner).

    A model of its own, on the table Django made for the field, only so that the record it
    names cannot be deleted while linked: the owner's foreign key CASCADEs (a link goes with
    its owner), the other one PROTECTs, where Django's own table deleted its rows with either
    side. Subclasses declare the two foreign keys, owner first.
    """

    class Meta:
        abstract = True

    def __str__(self):
        owner, named = (getattr(self, f.name) for f in self._meta.fields if f.is_relation)
        return f"{owner}: {named}"


def link_is_unique(owner, named):
    """The UNIQUE of a Link's two foreign keys (a record is named once by each owner), named
    `<app>_<model>_unique`."""
    return models.UniqueConstraint(fields=[owner, named], name="%(app_label)s_%(class)s_unique")


# Django registers an app's models from its models module. Imported as a module, and last,
# because provenance builds on TimeStampedModel: either module may be imported first.
from core import provenance  # noqa: E402, F401
