"""The lower layer: the companies and organisations that exhibit, and the sectors they work in.

Nothing here knows about expos; `expos` builds on these models.
"""

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.validators import URLValidator
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Cast, Coalesce
from django.db.models.lookups import Exact, Regex
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

# ISO 3166-1 alpha-2 and ISO 4217 codes, checked by the database as well as by forms.
COUNTRY_CODE_PATTERN = r"^[A-Z]{2}$"
CURRENCY_CODE_PATTERN = r"^[A-Z]{3}$"


def country_code_is_well_formed(field: str, name: str) -> models.CheckConstraint:
    """A named CHECK that a country column is empty or a two-letter upper-case code."""
    # CountryField cleans lookup values as country codes, which would turn the pattern into "";
    # so the regex is applied to the column read as plain text.
    as_text = Cast(field, output_field=models.CharField())
    return models.CheckConstraint(
        condition=Q(Exact(as_text, "")) | Q(Regex(as_text, COUNTRY_CODE_PATTERN)),
        name=name,
        violation_error_message=_("Country must be an ISO 3166-1 alpha-2 code, e.g. ES."),
    )


class HttpURLField(models.URLField):
    """A URL field that accepts only http and https addresses."""

    default_validators = [URLValidator(schemes=["http", "https"])]

    def formfield(self, **kwargs):
        from django import forms

        class HttpURLFormField(forms.URLField):
            default_validators = [URLValidator(schemes=["http", "https"])]

        return super().formfield(
            **{"form_class": HttpURLFormField, "assume_scheme": "https", **kwargs}
        )


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
    invalidates them all at once, in every server process, without scanning any table.
    """

    number = models.BigIntegerField(default=0)
    changed = models.DateTimeField()

    class Meta:
        verbose_name = _("data version")

    def __str__(self):
        return f"{self.number} ({self.changed:%Y-%m-%d %H:%M:%S})"


class Sector(SyntheticMixin, TimeStampedModel):
    """A field of smart-city work, such as video IoT or digital twins.

    A small taxonomy, taken from what the source documents describe; exhibitors, expos and
    deals are tagged with it.
    """

    slug = models.SlugField(_("slug"), max_length=80)
    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("sector")
        verbose_name_plural = _("sectors")
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="exhibitors_sector_unique_slug"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("exhibitors:exhibitor-list") + f"?sector={self.slug}"


def search_document(*, names, texts=(), plain_names=()):
    """The full-text vector of a record: its names weigh most, and every text is indexed in
    English and Spanish stemming and, unstemmed, in `simple` (for names in any script).

    `names` and `texts` are translated fields (`name_en`, `name_es`); `plain_names` are not.
    """
    english = [*plain_names, *[f"{field}_en" for field in (*names, *texts)]]
    spanish = [*plain_names, *[f"{field}_es" for field in (*names, *texts)]]
    return (
        SearchVector(*plain_names, *[f"{f}_en" for f in names], config="simple", weight="A")
        + SearchVector(*plain_names, *[f"{f}_es" for f in names], config="simple", weight="A")
        + SearchVector(*english, config="english", weight="B")
        + SearchVector(*spanish, config="spanish", weight="B")
    )


class UnaccentedText(Func):
    """lower(unaccent(a || ' ' || b …)) through the IMMUTABLE `directory_unaccent` wrapper
    (see migration exhibitors 0002), so that a trigram index can hold it."""

    template = "directory_unaccent(lower(%(expressions)s))"
    arg_joiner = " || ' ' || "
    output_field = models.TextField()

    def __init__(self, *fields):
        super().__init__(*[Coalesce(F(field), Value("")) for field in fields])


class Exhibitor(SyntheticMixin, TimeStampedModel):
    """A company or organisation that exhibits; each expo it attends is a Participation."""

    slug = models.SlugField(_("slug"), max_length=120)
    name = models.CharField(_("name"), max_length=255)
    country = CountryField(_("country"), blank=True)
    region = models.CharField(_("province or region"), max_length=120, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    sectors = models.ManyToManyField(
        Sector, verbose_name=_("sectors"), related_name="exhibitors", blank=True
    )
    description = models.TextField(_("description"), blank=True)
    website = HttpURLField(_("website"), blank=True)
    search_vector = models.GeneratedField(
        expression=search_document(names=["name", "city", "region"], texts=["description"]),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("exhibitor")
        verbose_name_plural = _("exhibitors")
        indexes = [
            GinIndex(fields=["search_vector"], name="exhibitors_exhibitor_search"),
            GinIndex(
                OpClass(UnaccentedText("name_en", "name_es"), name="gin_trgm_ops"),
                name="exhibitors_exhibitor_name_trgm",
            ),
            # One index for each ordering of the list (ties broken by id), alone and after
            # the country filter; Spanish names fall back to English ones (see OrderingFilter).
            models.Index("name_en", "id", name="exhibitor_name_en"),
            models.Index(Coalesce("name_es", "name_en"), "id", name="exhibitor_name_es"),
            models.Index("country", "name_en", "id", name="exhibitor_country_name_en"),
            models.Index(
                "country",
                Coalesce("name_es", "name_en"),
                "id",
                name="exhibitor_country_name_es",
            ),
            models.Index("updated", "id", name="exhibitor_updated"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="exhibitors_exhibitor_unique_slug"),
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
