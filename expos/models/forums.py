"""Forums held at expos, the people who spoke at them, and what they said."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.fields import (
    SLUG_FROM_NAME,
    SLUG_FROM_TITLE,
    MultiLineField,
    SingleLineField,
    SingleLineSlugField,
    date_in_range,
    date_validators,
    slug_is_unique,
)
from core.lists.search import search_indexes, search_vector
from core.provenance import CitedModel
from exhibitors.models import Exhibitor

from .expos import Expo
from .organisations import Organisation


class Forum(CitedModel):
    """A round table or side forum held at, or alongside, an expo."""

    class Kind(models.TextChoices):
        ROUND_TABLE = "round_table", _("Round table")
        FORUM = "forum", _("Forum")

    slug = SingleLineSlugField(
        _("slug"),
        max_length=120,
        help_text=SLUG_FROM_TITLE,
    )
    expo = models.ForeignKey(
        Expo,
        verbose_name=_("expo"),
        on_delete=models.RESTRICT,
        related_name="forums",
        help_text=_("The expo the forum was held at or alongside."),
    )
    title = SingleLineField(
        _("title"),
        max_length=300,
        help_text=_("The forum's title, as its page and the forum list show it."),
    )
    kind = SingleLineField(
        _("kind"), max_length=20, choices=Kind.choices, help_text=_("A round table or a forum.")
    )
    date = models.DateField(
        _("date"),
        null=True,
        blank=True,
        validators=date_validators(),
        help_text=_("The day it was held."),
    )
    city = SingleLineField(
        _("city"), max_length=120, blank=True, help_text=_("The city it was held in.")
    )
    organisers = models.ManyToManyField(
        Organisation,
        verbose_name=_("organisers"),
        related_name="forums_organised",
        blank=True,
        through="ForumOrganiser",
        help_text=_("The bodies that organised it."),
    )
    partners = models.ManyToManyField(
        Organisation,
        verbose_name=_("in collaboration with"),
        related_name="forums_partnered",
        blank=True,
        through="ForumPartner",
        help_text=_("The bodies it was held in collaboration with."),
    )
    topic = MultiLineField(
        _("topic"), blank=True, help_text=_("What it was about, shown at the top of its page.")
    )

    search_vector = search_vector(names=["title", "city"], texts=["topic"])

    class Meta:
        ordering = ["expo", "date", "title", "id"]
        verbose_name = _("forum")
        verbose_name_plural = _("forums")
        indexes = search_indexes()
        constraints = [
            slug_is_unique(),
            date_in_range("date", "expos_forum_date_range"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("expos:forum-detail", kwargs={"slug": self.slug})


class Speaker(CitedModel):
    """A person who spoke at a forum or was quoted at an expo.

    Their organisation is the Exhibitor when it is one, otherwise an Organisation.
    """

    slug = SingleLineSlugField(
        _("slug"),
        max_length=120,
        help_text=SLUG_FROM_NAME,
    )
    honorific = SingleLineField(
        _("honorific"),
        max_length=20,
        blank=True,
        help_text=_("A title shown before the name, such as Dr or H.E."),
    )
    name = SingleLineField(
        _("name"), max_length=200, help_text=_("The person's name, as the sources write it.")
    )
    role = SingleLineField(
        _("role"),
        max_length=255,
        blank=True,
        help_text=_("Their position, such as mayor or chief executive, shown with their name."),
    )
    # An exhibitor or organisation that speakers belong to stays.
    exhibitor = models.ForeignKey(
        Exhibitor,
        verbose_name=_("exhibitor"),
        on_delete=models.PROTECT,
        related_name="speakers",
        null=True,
        blank=True,
        help_text=_(
            "The exhibitor they speak for, if it is one; otherwise choose an organisation."
        ),
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="speakers",
        null=True,
        blank=True,
        help_text=_("The body they speak for, when it is not an exhibitor."),
    )

    search_vector = search_vector(names=[], texts=["role"], plain_names=["name"])

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        indexes = search_indexes()
        constraints = [
            slug_is_unique(),
            models.CheckConstraint(
                condition=Q(exhibitor__isnull=True) | Q(organisation__isnull=True),
                name="expos_speaker_one_affiliation",
                violation_error_message=_(
                    "A speaker belongs to an exhibitor or to an organisation, not both."
                ),
            ),
        ]

    def __str__(self):
        return f"{self.honorific} {self.name}".strip()

    def get_absolute_url(self):
        return reverse("expos:speaker-detail", kwargs={"slug": self.slug})

    @property
    def affiliation(self):
        return self.exhibitor or self.organisation


class Appearance(CitedModel):
    """A speaker at a forum: in what role, and what they spoke about."""

    # A speaker with appearances or statements stays: removing an expo leaves its speakers.
    speaker = models.ForeignKey(
        Speaker,
        verbose_name=_("speaker"),
        on_delete=models.PROTECT,
        related_name="appearances",
        help_text=_("The person who spoke."),
    )
    # RESTRICT: held by the forum, so removed with its expo (expos.removal).
    forum = models.ForeignKey(
        Forum,
        verbose_name=_("forum"),
        on_delete=models.RESTRICT,
        related_name="appearances",
        help_text=_("The forum they spoke at."),
    )
    role = SingleLineField(
        _("role at the forum"),
        max_length=120,
        blank=True,
        help_text=_("Their part at the forum, such as moderator or keynote speaker."),
    )
    topic = MultiLineField(
        _("what they spoke about"),
        blank=True,
        help_text=_("What they spoke about, shown on the forum's and the speaker's pages."),
    )

    class Meta:
        ordering = ["forum", "id"]
        verbose_name = _("appearance")
        verbose_name_plural = _("appearances")
        constraints = [
            models.UniqueConstraint(
                fields=["speaker", "forum"], name="expos_appearance_unique_speaker_forum"
            ),
        ]

    def __str__(self):
        return f"{self.speaker} at {self.forum}"


class Statement(CitedModel):
    """Words a source quotes from a person at an expo, often speaking for an exhibitor."""

    speaker = models.ForeignKey(
        Speaker,
        verbose_name=_("speaker"),
        on_delete=models.PROTECT,
        related_name="statements",
        help_text=_("The person quoted."),
    )
    expo = models.ForeignKey(
        Expo,
        verbose_name=_("expo"),
        on_delete=models.RESTRICT,
        related_name="statements",
        help_text=_("The expo they said it at."),
    )
    text = MultiLineField(
        _("what they said"),
        help_text=_(
            "Their words, as the source quotes them, shown as a quotation on the expo's page."
        ),
    )

    class Meta:
        ordering = ["expo", "speaker", "id"]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")

    def __str__(self):
        return f"{self.speaker}: {self.text[:60]}"
