"""Provenance: the source documents every fact is taken from, and the citations that tie a
record to the sentence it came from.

Here in core, below every app, so that any app's record can be a CitedModel: its citations are
deleted with it through the GenericRelation, whichever app it is in. core/models.py imports
this module, where Django looks for core's models.
"""

from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.changelog.log import track
from core.fields import (
    MultiLineField,
    SingleLineField,
    SingleLineSlugField,
    date_in_range,
    date_validators,
    slug_is_unique,
)
from core.models import TimeStampedModel


class Source(TimeStampedModel):
    """A document the directory's facts are taken from, kept whole so each citation can be
    checked against it."""

    slug = SingleLineSlugField(
        _("slug"),
        max_length=120,
        help_text=_(
            "The document's name in web addresses and in the API: lower-case letters, digits "
            "and hyphens, unique. Left empty, it is made from the title."
        ),
    )
    title = SingleLineField(
        _("title"),
        max_length=300,
        help_text=_("The document's own title, shown with every fact cited from it."),
    )
    title_supplied = models.BooleanField(
        _("title supplied by the directory"),
        default=False,
        help_text=_("The document has no title of its own; this one describes it."),
    )
    publisher = SingleLineField(
        _("publisher"),
        max_length=200,
        blank=True,
        help_text=_("Who published the document: a newspaper, an organiser, a government body."),
    )
    author = SingleLineField(
        _("author"),
        max_length=300,
        blank=True,
        help_text=_("Who wrote it, where the document names them."),
    )
    published_on = models.DateField(
        _("date"),
        null=True,
        blank=True,
        validators=date_validators(),
        help_text=_("The day the document was published, shown with its citations."),
    )
    language = SingleLineField(
        _("language"), max_length=8, help_text=_("The language the document is written in.")
    )
    file_name = SingleLineField(
        _("file name"),
        max_length=200,
        help_text=_("The name of the document's file among the sources; one file is one source."),
    )
    text = MultiLineField(
        _("full text"),
        help_text=_(
            "The document's whole text: every quoted sentence is checked against it, word for word."
        ),
    )

    class Meta:
        ordering = ["-published_on", "title", "id"]
        verbose_name = _("source document")
        verbose_name_plural = _("source documents")
        constraints = [
            slug_is_unique(),
            models.UniqueConstraint(fields=["file_name"], name="core_source_unique_file_name"),
            date_in_range("published_on", "core_source_published_on_range"),
        ]

    def __str__(self):
        return self.title


def normalise_space(text: str) -> str:
    return " ".join(text.split())


class Citation(TimeStampedModel):
    """The sentence or sentences of a source document that a record was taken from."""

    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        related_name="citations",
        help_text=_("The document the sentence is quoted from."),
    )
    # A record type goes only with its model (remove_stale_contenttypes); the citations of a
    # record go with the record (CitedModel's GenericRelation).
    content_type = models.ForeignKey(
        ContentType,
        verbose_name=_("record type"),
        on_delete=models.CASCADE,
        help_text=_("The kind of record the sentence is evidence for."),
    )
    object_id = models.PositiveBigIntegerField(
        _("record id"),
        help_text=_("Which record of that kind; in the admin it is picked by its name."),
    )
    record = GenericForeignKey("content_type", "object_id")
    quote = MultiLineField(
        _("quoted sentence"), help_text=_("Word for word, in the document's language.")
    )

    class Meta:
        ordering = ["content_type", "object_id", "id"]
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        indexes = [models.Index(fields=["content_type", "object_id"], name="core_citation_record")]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "content_type", "object_id", "quote"],
                name="core_citation_unique_quote",
            ),
            models.CheckConstraint(condition=~Q(quote=""), name="core_citation_quote_not_empty"),
        ]

    def __str__(self):
        return f"{self.source}: “{self.quote[:60]}…”"

    def clean(self):
        super().clean()
        if self.source_id and normalise_space(self.quote) not in normalise_space(self.source.text):
            raise ValidationError({"quote": _("This sentence is not in the source document.")})


class CitedModel(TimeStampedModel):
    """A record whose facts are cited from source documents."""

    citations = GenericRelation(Citation, related_query_name="%(app_label)s_%(class)s")

    class Meta:
        abstract = True


def citable_models():
    """Every kind of record a citation can point at: the one list the admin, the API and the
    filters offer."""
    cited = [m for m in apps.get_models() if issubclass(m, CitedModel) and not m._meta.abstract]
    return sorted(cited, key=lambda m: m._meta.label_lower)


def citable_labels():
    """`app.model` of every kind of record that can be cited."""
    return [model._meta.label_lower for model in citable_models()]


# Every write to sources and citations is recorded by the database (core.changelog.log).
track(Source)
track(Citation)
