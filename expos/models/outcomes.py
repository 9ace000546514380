"""What came out of an expo: deals signed, awards won, and what the sources single out."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.fields import (
    SLUG_FROM_TITLE,
    MultiLineField,
    SingleLineField,
    SingleLineSlugField,
    currency_code_is_well_formed,
    date_in_range,
    date_validators,
    not_negative,
    slug_is_unique,
)
from core.lists.search import search_indexes, search_vector
from core.provenance import CitedModel
from exhibitors.models import Exhibitor, Sector

from .expos import Expo
from .forums import Forum
from .holdings import Area
from .organisations import Organisation


class Deal(CitedModel):
    """Projects signed or announced at an expo, with their value as the source reports it."""

    slug = SingleLineSlugField(
        _("slug"),
        max_length=120,
        help_text=SLUG_FROM_TITLE,
    )
    # RESTRICT, as every record an expo holds: see Figure.expo.
    expo = models.ForeignKey(
        Expo,
        verbose_name=_("expo"),
        on_delete=models.RESTRICT,
        related_name="deals",
        help_text=_("The expo the deal was signed or announced at."),
    )
    title = SingleLineField(
        _("title"),
        max_length=255,
        help_text=_("What was agreed, in a line, as the deal's page and the deal list show it."),
    )
    project_count = models.PositiveIntegerField(
        _("number of projects"),
        null=True,
        blank=True,
        help_text=_("How many projects were signed, where the source says."),
    )
    amount = models.DecimalField(
        _("amount"),
        max_digits=20,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The value in the currency the source gives."),
    )
    currency = SingleLineField(
        _("currency"),
        max_length=3,
        blank=True,
        help_text=_("The amount's ISO 4217 code, such as CNY; needed with an amount."),
    )
    amount_usd = models.DecimalField(
        _("amount in US dollars, as reported"),
        max_digits=20,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_(
            "The value in US dollars, only where the source gives it; never converted here."
        ),
    )
    sectors = models.ManyToManyField(
        Sector,
        verbose_name=_("sectors covered"),
        related_name="deals",
        blank=True,
        through="DealSector",
        help_text=_("The fields the projects are in; the deal list filters by them."),
    )
    parties = models.ManyToManyField(
        Exhibitor,
        verbose_name=_("parties"),
        related_name="deals",
        blank=True,
        through="DealParty",
        help_text=_("The exhibitors that signed."),
    )
    signed_on = models.DateField(
        _("date"),
        null=True,
        blank=True,
        validators=date_validators(),
        help_text=_("The day it was signed, if not just during the expo."),
    )
    description = MultiLineField(
        _("description"),
        blank=True,
        help_text=_("What the deal covers, shown at the top of its page."),
    )

    search_vector = search_vector(names=["title"], texts=["description"])

    class Meta:
        ordering = ["expo", "title", "id"]
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        indexes = search_indexes()
        constraints = [
            slug_is_unique(),
            not_negative("amount", "expos_deal_amount_not_negative"),
            not_negative("amount_usd", "expos_deal_amount_usd_not_negative"),
            currency_code_is_well_formed("currency", "expos_deal_currency_iso_4217"),
            date_in_range("signed_on", "expos_deal_signed_on_range"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | ~Q(currency=""),
                name="expos_deal_amount_has_currency",
                violation_error_message=_("An amount needs its currency."),
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("expos:deal-detail", kwargs={"slug": self.slug})


class Award(CitedModel):
    """A prize won at an expo."""

    expo = models.ForeignKey(
        Expo,
        verbose_name=_("expo"),
        on_delete=models.RESTRICT,
        related_name="awards",
        help_text=_("The expo the prize was given at."),
    )
    name = SingleLineField(
        _("award"), max_length=255, help_text=_("The prize's name, shown on the expo's page.")
    )
    recipient = models.ForeignKey(
        Organisation,
        verbose_name=_("recipient"),
        on_delete=models.PROTECT,
        related_name="awards",
        help_text=_("The body that won it."),
    )
    reason = MultiLineField(_("awarded for"), blank=True, help_text=_("What it was given for."))

    class Meta:
        ordering = ["expo", "name", "id"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")

    def __str__(self):
        return f"{self.name} — {self.recipient}"


class Highlight(CitedModel):
    """Something a source singles out at an expo: a demonstration, a theme, an outcome."""

    expo = models.ForeignKey(
        Expo,
        verbose_name=_("expo"),
        on_delete=models.RESTRICT,
        related_name="highlights",
        help_text=_("The expo the highlight is from."),
    )
    # RESTRICT: the expo's own area and forum stay while a highlight names them, unless all
    # are removed with the expo.
    area = models.ForeignKey(
        Area,
        verbose_name=_("hall or area"),
        on_delete=models.RESTRICT,
        related_name="highlights",
        null=True,
        blank=True,
        help_text=_("The hall or area it was in, if any."),
    )
    forum = models.ForeignKey(
        Forum,
        verbose_name=_("forum"),
        on_delete=models.RESTRICT,
        related_name="highlights",
        null=True,
        blank=True,
        help_text=_("The forum it was part of, if any."),
    )
    # An exhibitor a highlight names stays, even when the expo is removed.
    exhibitor = models.ForeignKey(
        Exhibitor,
        verbose_name=_("exhibitor"),
        on_delete=models.PROTECT,
        related_name="highlights",
        null=True,
        blank=True,
        help_text=_("The exhibitor it is about, if any."),
    )
    title = SingleLineField(
        _("title"),
        max_length=255,
        help_text=_("What the source singles out, in a line, shown on the expo's page."),
    )
    description = MultiLineField(
        _("description"), blank=True, help_text=_("More about it, in a sentence or two.")
    )

    class Meta:
        ordering = ["expo", "id"]
        verbose_name = _("highlight")
        verbose_name_plural = _("highlights")

    def __str__(self):
        return self.title
