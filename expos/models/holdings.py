"""What an expo holds: the figures the sources report, its halls and areas, and who
exhibited (a participation)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fields import (
    MultiLineField,
    SingleLineField,
    currency_code_is_well_formed,
    not_negative,
    year_in_range,
    year_validators,
)
from core.provenance import CitedModel
from exhibitors.models import Exhibitor, Sector

from .expos import Expo, ExpoSeries


class Figure(CitedModel):
    """A number a source reports: exhibitors, countries, floor area, trade volume, editions…

    Kept with its qualifier ("more than", "nearly"), because the sources rarely give exact counts.
    """

    class Metric(models.TextChoices):
        EXHIBITORS = "exhibitors", _("Exhibitors")
        COUNTRIES = "countries", _("Countries")
        REGIONS = "regions", _("Regions")
        COUNTRIES_AND_REGIONS = "countries_regions", _("Countries and regions")
        PARTICIPATING_COMPANIES = "companies", _("Participating companies")
        EXHIBITION_AREA = "area_m2", _("Exhibition area (m²)")
        EDITIONS = "editions", _("Consecutive editions held")
        PARTNER_REGIONS = "partner_regions", _("Partner regions")
        TRADE_VOLUME = "trade_volume", _("Trade volume")

    class Qualifier(models.TextChoices):
        EXACTLY = "exactly", _("exactly")
        MORE_THAN = "more_than", _("more than")
        NEARLY = "nearly", _("nearly")

    # RESTRICT, as every record an expo holds: an expo with figures is not deleted, unless
    # they are deleted with it (expos.removal, the admin's "Remove with everything").
    expo = models.ForeignKey(
        Expo,
        verbose_name=_("expo"),
        on_delete=models.RESTRICT,
        related_name="figures",
        null=True,
        blank=True,
        help_text=_("The expo the number is about; leave empty for a number about a whole series."),
    )
    series = models.ForeignKey(
        ExpoSeries,
        verbose_name=_("series"),
        on_delete=models.PROTECT,
        related_name="figures",
        null=True,
        blank=True,
        help_text=_("The series the number is about, when it is not about one expo."),
    )
    subject = SingleLineField(
        _("subject"), max_length=200, help_text=_("What the number is about, e.g. Chongqing.")
    )
    metric = SingleLineField(
        _("metric"), max_length=20, choices=Metric.choices, help_text=_("What is counted.")
    )
    qualifier = SingleLineField(
        _("qualifier"),
        max_length=10,
        choices=Qualifier.choices,
        default=Qualifier.EXACTLY,
        help_text=_("How the source gives the number: exactly, more than, nearly."),
    )
    value = models.DecimalField(
        _("value"),
        max_digits=20,
        decimal_places=2,
        help_text=_("The number as the source gives it."),
    )
    currency = SingleLineField(
        _("currency"),
        max_length=3,
        blank=True,
        help_text=_("For an amount of money: its ISO 4217 code, such as EUR."),
    )
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        validators=year_validators(),
        help_text=_("The year the number is for, if not the expo's."),
    )
    note = MultiLineField(
        _("note"), blank=True, help_text=_("Anything the source adds about the number.")
    )

    class Meta:
        ordering = ["expo", "metric", "id"]
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        constraints = [
            not_negative("value", "expos_figure_value_not_negative"),
            year_in_range("year", "expos_figure_year_range"),
            currency_code_is_well_formed("currency", "expos_figure_currency_iso_4217"),
        ]

    def __str__(self):
        qualifier, metric = self.get_qualifier_display(), self.get_metric_display()
        return f"{self.subject}: {qualifier} {self.value} {metric}"


class Area(CitedModel):
    """A hall, exhibition area or off-site venue of an expo, with its size where reported."""

    class Kind(models.TextChoices):
        HALL = "hall", _("Exhibition hall")
        AREA = "area", _("Exhibition area")
        SITE = "site", _("Off-site venue")

    expo = models.ForeignKey(
        Expo,
        verbose_name=_("expo"),
        on_delete=models.RESTRICT,
        related_name="areas",
        help_text=_("The expo the hall or area was part of."),
    )
    name = SingleLineField(
        _("name"),
        max_length=255,
        help_text=_("The hall's or area's name, shown on the expo's page."),
    )
    kind = SingleLineField(
        _("kind"),
        max_length=10,
        choices=Kind.choices,
        help_text=_("A hall, an exhibition area or an off-site venue."),
    )
    size_m2 = models.DecimalField(
        _("size (m²)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Its floor area in square metres, where reported."),
    )
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector"),
        on_delete=models.PROTECT,
        related_name="areas",
        null=True,
        blank=True,
        help_text=_("The sector the area was given to, if any."),
    )
    description = MultiLineField(
        _("description"), blank=True, help_text=_("What was in the area, in a sentence or two.")
    )

    class Meta:
        ordering = ["expo", "name", "id"]
        verbose_name = _("exhibition area")
        verbose_name_plural = _("exhibition areas")
        constraints = [
            not_negative("size_m2", "expos_area_size_not_negative"),
        ]

    def __str__(self):
        return self.name


class Participation(CitedModel):
    """One exhibitor at one expo: what it showed there, and where."""

    # An exhibitor that took part in expos stays; the expo holds its participations.
    exhibitor = models.ForeignKey(
        Exhibitor,
        verbose_name=_("exhibitor"),
        on_delete=models.PROTECT,
        related_name="participations",
        help_text=_("The exhibitor that took part."),
    )
    expo = models.ForeignKey(
        Expo,
        verbose_name=_("expo"),
        on_delete=models.RESTRICT,
        related_name="participations",
        help_text=_("The expo it took part in."),
    )
    # RESTRICT: an area with exhibitors in it stays, unless removed with its expo.
    area = models.ForeignKey(
        Area,
        verbose_name=_("hall or area"),
        on_delete=models.RESTRICT,
        related_name="participations",
        null=True,
        blank=True,
        help_text=_("The hall or area of that expo it was in, if known."),
    )
    showcase = MultiLineField(
        _("what it showcased"),
        blank=True,
        help_text=_("What it showed there, shown on the expo's and the exhibitor's pages."),
    )

    class Meta:
        ordering = ["expo", "exhibitor", "id"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(
                fields=["exhibitor", "expo"], name="expos_participation_unique_exhibitor_expo"
            ),
        ]
        # An expo's exhibitors, and the expo and year filters of the exhibitor list.
        indexes = [
            models.Index("expo", "exhibitor", name="participation_expo_exhibitor"),
        ]

    def __str__(self):
        return f"{self.exhibitor} @ {self.expo}"

    def clean(self):
        super().clean()
        if self.area_id and self.expo_id and self.area.expo_id != self.expo_id:
            raise ValidationError({"area": _("This area belongs to another expo.")})
