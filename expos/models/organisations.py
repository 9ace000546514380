"""Bodies that organise, host, partner or speak without being (known as) exhibitors."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.fields import (
    SLUG_FROM_NAME,
    MultiLineField,
    SingleLineField,
    SingleLineSlugField,
    country_code_is_well_formed,
    slug_is_unique,
)
from core.lists.search import search_indexes, search_vector
from core.provenance import CitedModel


class Organisation(CitedModel):
    """A body that organises, hosts, partners or speaks, but is not (known as) an exhibitor:
    a government department, an international organisation, a city, a company."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government body")
        INTERNATIONAL = "international", _("International organisation")
        COMPANY = "company", _("Company")
        PUBLIC_BODY = "public_body", _("Public body")

    slug = SingleLineSlugField(
        _("slug"),
        max_length=120,
        help_text=SLUG_FROM_NAME,
    )
    name = SingleLineField(
        _("name"),
        max_length=255,
        help_text=_(
            "The body's full name, shown where it organises, partners, speaks or wins an award."
        ),
    )
    short_name = SingleLineField(
        _("short name"),
        max_length=60,
        blank=True,
        help_text=_("An abbreviation, such as UN-Habitat, shown beside the name."),
    )
    kind = SingleLineField(
        _("kind"), max_length=20, choices=Kind.choices, help_text=_("What sort of body it is.")
    )
    country = CountryField(_("country"), blank=True, help_text=_("Where the body is based."))
    region = SingleLineField(
        _("province or region"), max_length=120, blank=True, help_text=_("Its province or region.")
    )
    city = SingleLineField(_("city"), max_length=120, blank=True, help_text=_("Its city."))
    description = MultiLineField(
        _("description"),
        blank=True,
        help_text=_("What the body is and does, in a sentence or two."),
    )

    search_vector = search_vector(names=["name", "short_name", "city"], texts=["description"])

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = search_indexes()
        constraints = [
            slug_is_unique(),
            country_code_is_well_formed("country", "expos_organisation_country_iso_3166"),
        ]

    def __str__(self):
        return self.name
