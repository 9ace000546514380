"""The company register: the companies and organisations that exhibit, and the sectors they
work in."""

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.changelog.log import track
from core.fields import (
    SLUG_FROM_NAME,
    HttpURLField,
    MultiLineField,
    SingleLineField,
    SingleLineSlugField,
    country_code_is_well_formed,
    slug_is_unique,
)
from core.lists.search import search_indexes, search_vector
from core.models import Link, SyntheticMixin, link_is_unique
from core.provenance import CitedModel
from core.translated import sort_key


class Sector(SyntheticMixin, CitedModel):
    """A field of smart-city work, such as video IoT or digital twins.

    A small taxonomy, taken from what the source documents describe; exhibitors, expos and
    deals are tagged with it.
    """

    slug = SingleLineSlugField(
        _("slug"),
        max_length=80,
        help_text=SLUG_FROM_NAME,
    )
    name = SingleLineField(
        _("name"),
        max_length=120,
        help_text=_(
            "The sector as the lists of exhibitors, expos and deals show it and filter by it."
        ),
    )
    description = MultiLineField(
        _("description"),
        blank=True,
        help_text=_("What work the sector covers, in a sentence or two."),
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        constraints = [slug_is_unique()]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("exhibitors:exhibitor-list") + f"?sector={self.slug}"


class Exhibitor(SyntheticMixin, CitedModel):
    """A company or organisation that exhibits; each expo it attends is a Participation."""

    slug = SingleLineSlugField(
        _("slug"),
        max_length=120,
        help_text=SLUG_FROM_NAME,
    )
    name = SingleLineField(
        _("name"),
        max_length=255,
        help_text=_(
            "The company's or organisation's name, as the exhibitor's page and the lists show it."
        ),
    )
    country = CountryField(
        _("country"),
        blank=True,
        help_text=_("Where the exhibitor is based; the exhibitor list filters by it."),
    )
    region = SingleLineField(
        _("province or region"),
        max_length=120,
        blank=True,
        help_text=_("Its province or region, shown on its page."),
    )
    city = SingleLineField(
        _("city"),
        max_length=120,
        blank=True,
        help_text=_("Its city, shown on its page and in the lists."),
    )
    sectors = models.ManyToManyField(
        Sector,
        verbose_name=_("sectors"),
        related_name="exhibitors",
        blank=True,
        through="ExhibitorSector",
        help_text=_("The fields it works in; the exhibitor list filters by them."),
    )
    description = MultiLineField(
        _("description"),
        blank=True,
        help_text=_("What the exhibitor does, shown at the top of its page."),
    )
    website = HttpURLField(
        _("website"),
        blank=True,
        help_text=_("Its website, an http or https address, linked from its page."),
    )
    search_vector = search_vector(names=["name", "city", "region"], texts=["description"])

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("exhibitor")
        verbose_name_plural = _("exhibitors")
        indexes = [
            *search_indexes(similar_names=["name_en", "name_es"]),
            # One index for each ordering of the list (ties broken by id), alone and after
            # the country filter, in each language (Spanish names fall back to English ones).
            models.Index(sort_key("name", "en"), "id", name="exhibitor_name_en"),
            models.Index(sort_key("name", "es"), "id", name="exhibitor_name_es"),
            models.Index("country", sort_key("name", "en"), "id", name="exhibitor_country_name_en"),
            models.Index("country", sort_key("name", "es"), "id", name="exhibitor_country_name_es"),
            models.Index("updated", "id", name="exhibitor_updated"),
        ]
        constraints = [
            slug_is_unique(),
            country_code_is_well_formed("country", "exhibitors_exhibitor_country_iso_3166"),
            models.CheckConstraint(
                condition=Q(website="") | Q(website__regex=r"^https?://"),
                name="exhibitors_exhibitor_website_http",
                violation_error_message=_("The website must be an http or https address."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("exhibitors:exhibitor-detail", kwargs={"slug": self.slug})


class ExhibitorSector(Link):
    """One of an exhibitor's sectors (core.models.Link: a sector in use cannot be deleted)."""

    exhibitor = models.ForeignKey(
        Exhibitor,
        verbose_name=_("exhibitor"),
        on_delete=models.CASCADE,
        related_name="sector_links",
    )
    sector = models.ForeignKey(
        Sector, verbose_name=_("sector"), on_delete=models.PROTECT, related_name="exhibitor_links"
    )

    class Meta:
        db_table = "exhibitors_exhibitor_sectors"
        ordering = ["exhibitor", "sector"]
        verbose_name = _("sector of an exhibitor")
        verbose_name_plural = _("sectors of exhibitors")
        constraints = [link_is_unique("exhibitor", "sector")]
        # Its index on (sector, exhibitor), which the `sector` filter reads, is made by SQL in
        # migration 0006, when the table was Django's own.


# Every write to the company register is recorded by the database (core.changelog.log).
track(Sector)
track(Exhibitor)
track(ExhibitorSector, owner="exhibitor")
