"""What happens at expos: the expos themselves, who exhibited, forums, speakers, deals, awards,
figures, and the source documents every fact is cited from.

This app builds on `exhibitors`; `exhibitors` never imports from here.
"""

import zoneinfo

from django.contrib.contenttypes.fields import GenericForeignKey, GenericRelation
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import SearchVectorField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from exhibitors.models import (
    CURRENCY_CODE_PATTERN,
    Exhibitor,
    Sector,
    SyntheticMixin,
    TimeStampedModel,
    UnaccentedText,
    country_code_is_well_formed,
    search_document,
)

TIME_ZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


def not_negative(field: str, name: str) -> models.CheckConstraint:
    """A named CHECK that a number column is empty or at least zero."""
    return models.CheckConstraint(
        condition=Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0}),
        name=name,
        violation_error_message=_("Numbers and amounts cannot be negative."),
    )


def currency_code_is_well_formed(field: str, name: str) -> models.CheckConstraint:
    """A named CHECK that a currency column is empty or a three-letter upper-case code."""
    return models.CheckConstraint(
        condition=Q(**{field: ""}) | Q(**{f"{field}__regex": CURRENCY_CODE_PATTERN}),
        name=name,
        violation_error_message=_("Currency must be an ISO 4217 code, e.g. CNY."),
    )


# --- Provenance ----------------------------------------------------------------------------


class Source(TimeStampedModel):
    """A document the directory's facts are taken from, kept whole so each citation can be
    checked against it."""

    slug = models.SlugField(_("slug"), max_length=120)
    title = models.CharField(_("title"), max_length=300)
    title_supplied = models.BooleanField(
        _("title supplied by the directory"),
        default=False,
        help_text=_("The document has no title of its own; this one describes it."),
    )
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    author = models.CharField(_("author"), max_length=300, blank=True)
    published_on = models.DateField(_("date"), null=True, blank=True)
    language = models.CharField(
        _("language"), max_length=8, help_text=_("The language the document is written in.")
    )
    file_name = models.CharField(_("file name"), max_length=200)
    text = models.TextField(_("full text"))

    class Meta:
        ordering = ["-published_on", "title", "id"]
        verbose_name = _("source document")
        verbose_name_plural = _("source documents")
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="expos_source_unique_slug"),
            models.UniqueConstraint(fields=["file_name"], name="expos_source_unique_file_name"),
        ]

    def __str__(self):
        return self.title


def normalise_space(text: str) -> str:
    return " ".join(text.split())


class Citation(TimeStampedModel):
    """The sentence or sentences of a source document that a record was taken from."""

    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="citations"
    )
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("record type"), on_delete=models.CASCADE
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    quote = models.TextField(
        _("quoted sentence"), help_text=_("Word for word, in the document's language.")
    )

    class Meta:
        ordering = ["content_type", "object_id", "id"]
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        indexes = [models.Index(fields=["content_type", "object_id"], name="expos_citation_record")]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "content_type", "object_id", "quote"],
                name="expos_citation_unique_quote",
            ),
            models.CheckConstraint(condition=~Q(quote=""), name="expos_citation_quote_not_empty"),
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


# --- Organisations that are not exhibitors -------------------------------------------------


class Organisation(CitedModel):
    """A body that organises, hosts, partners or speaks, but is not (known as) an exhibitor:
    a government department, an international organisation, a city, a company."""

    class Kind(models.TextChoices):
        GOVERNMENT = "government", _("Government body")
        INTERNATIONAL = "international", _("International organisation")
        COMPANY = "company", _("Company")
        PUBLIC_BODY = "public_body", _("Public body")

    slug = models.SlugField(_("slug"), max_length=120)
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    country = CountryField(_("country"), blank=True)
    region = models.CharField(_("province or region"), max_length=120, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    description = models.TextField(_("description"), blank=True)

    search_vector = models.GeneratedField(
        expression=search_document(names=["name", "short_name", "city"], texts=["description"]),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        indexes = [GinIndex(fields=["search_vector"], name="expos_organisation_search")]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="expos_organisation_unique_slug"),
            country_code_is_well_formed("country", "expos_organisation_country_iso_3166"),
        ]

    def __str__(self):
        return self.name


# --- Expos ---------------------------------------------------------------------------------


class ExpoSeries(CitedModel):
    """A recurring expo, such as Smart City Expo World Congress; each year is an Expo."""

    slug = models.SlugField(_("slug"), max_length=120)
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("expo series")
        verbose_name_plural = _("expo series")
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="expos_exposeries_unique_slug"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("expos:expo-list") + f"?series={self.slug}"


class Expo(SyntheticMixin, CitedModel):
    """One edition of an expo, possibly held within another (its parent)."""

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("Hybrid (online and in person)")

    slug = models.SlugField(_("slug"), max_length=120)
    name = models.CharField(_("name"), max_length=255)
    short_name = models.CharField(_("short name"), max_length=80, blank=True)
    series = models.ForeignKey(
        ExpoSeries,
        verbose_name=_("series"),
        on_delete=models.PROTECT,
        related_name="expos",
        null=True,
        blank=True,
    )
    edition_year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    edition_number = models.PositiveSmallIntegerField(_("edition"), null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("held within"),
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    timezone = models.CharField(
        _("time zone"), max_length=64, choices=TIME_ZONE_CHOICES, blank=True
    )
    venue = models.CharField(_("venue"), max_length=255, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = CountryField(_("country"), blank=True)
    organisers = models.ManyToManyField(
        Organisation, verbose_name=_("organisers"), related_name="expos_organised", blank=True
    )
    format = models.CharField(_("format"), max_length=12, choices=Format.choices, blank=True)
    sectors = models.ManyToManyField(
        Sector, verbose_name=_("sectors"), related_name="expos", blank=True
    )
    description = models.TextField(_("description"), blank=True)
    exhibitors = models.ManyToManyField(
        Exhibitor, through="Participation", related_name="expos", verbose_name=_("exhibitors")
    )
    search_vector = models.GeneratedField(
        expression=search_document(
            names=["name", "short_name", "city", "venue"], texts=["description"]
        ),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["-start_date", "name", "id"]
        verbose_name = _("expo")
        verbose_name_plural = _("expos")
        indexes = [
            GinIndex(fields=["search_vector"], name="expos_expo_search"),
            GinIndex(
                OpClass(UnaccentedText("name_en", "name_es"), name="gin_trgm_ops"),
                name="expos_expo_name_trgm",
            ),
            models.Index(fields=["-start_date", "name_en", "id"], name="expos_expo_start_date"),
            models.Index("edition_year", name="expos_expo_edition_year"),
            models.Index("country", name="expos_expo_country"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="expos_expo_unique_slug"),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="expos_expo_end_not_before_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="expos_expo_not_own_parent"),
            country_code_is_well_formed("country", "expos_expo_country_iso_3166"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("expos:expo-detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        if self.parent_id and self.pk and self.parent_id == self.pk:
            raise ValidationError({"parent": _("An expo cannot be held within itself.")})


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

    expo = models.ForeignKey(
        Expo,
        verbose_name=_("expo"),
        on_delete=models.CASCADE,
        related_name="figures",
        null=True,
        blank=True,
    )
    series = models.ForeignKey(
        ExpoSeries,
        verbose_name=_("series"),
        on_delete=models.CASCADE,
        related_name="figures",
        null=True,
        blank=True,
    )
    subject = models.CharField(
        _("subject"), max_length=200, help_text=_("What the number is about, e.g. Chongqing.")
    )
    metric = models.CharField(_("metric"), max_length=20, choices=Metric.choices)
    qualifier = models.CharField(
        _("qualifier"), max_length=10, choices=Qualifier.choices, default=Qualifier.EXACTLY
    )
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=2)
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["expo", "metric", "id"]
        verbose_name = _("figure")
        verbose_name_plural = _("figures")
        constraints = [
            not_negative("value", "expos_figure_value_not_negative"),
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
        Expo, verbose_name=_("expo"), on_delete=models.CASCADE, related_name="areas"
    )
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    size_m2 = models.DecimalField(
        _("size (m²)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector"),
        on_delete=models.SET_NULL,
        related_name="areas",
        null=True,
        blank=True,
    )
    description = models.TextField(_("description"), blank=True)

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

    exhibitor = models.ForeignKey(
        Exhibitor,
        verbose_name=_("exhibitor"),
        on_delete=models.CASCADE,
        related_name="participations",
    )
    expo = models.ForeignKey(
        Expo, verbose_name=_("expo"), on_delete=models.CASCADE, related_name="participations"
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("hall or area"),
        on_delete=models.SET_NULL,
        related_name="participations",
        null=True,
        blank=True,
    )
    showcase = models.TextField(_("what it showcased"), blank=True)

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


# --- Forums and people ---------------------------------------------------------------------


class Forum(CitedModel):
    """A round table or side forum held at, or alongside, an expo."""

    class Kind(models.TextChoices):
        ROUND_TABLE = "round_table", _("Round table")
        FORUM = "forum", _("Forum")

    slug = models.SlugField(_("slug"), max_length=120)
    expo = models.ForeignKey(
        Expo, verbose_name=_("expo"), on_delete=models.CASCADE, related_name="forums"
    )
    title = models.CharField(_("title"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    date = models.DateField(_("date"), null=True, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    organisers = models.ManyToManyField(
        Organisation, verbose_name=_("organisers"), related_name="forums_organised", blank=True
    )
    partners = models.ManyToManyField(
        Organisation,
        verbose_name=_("in collaboration with"),
        related_name="forums_partnered",
        blank=True,
    )
    topic = models.TextField(_("topic"), blank=True)

    search_vector = models.GeneratedField(
        expression=search_document(names=["title", "city"], texts=["topic"]),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["expo", "date", "title", "id"]
        verbose_name = _("forum")
        verbose_name_plural = _("forums")
        indexes = [GinIndex(fields=["search_vector"], name="expos_forum_search")]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="expos_forum_unique_slug"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("expos:forum-detail", kwargs={"slug": self.slug})


class Speaker(CitedModel):
    """A person who spoke at a forum or was quoted at an expo.

    Their organisation is the Exhibitor when it is one, otherwise an Organisation.
    """

    slug = models.SlugField(_("slug"), max_length=120)
    honorific = models.CharField(_("honorific"), max_length=20, blank=True)
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=255, blank=True)
    exhibitor = models.ForeignKey(
        Exhibitor,
        verbose_name=_("exhibitor"),
        on_delete=models.SET_NULL,
        related_name="speakers",
        null=True,
        blank=True,
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.SET_NULL,
        related_name="speakers",
        null=True,
        blank=True,
    )

    search_vector = models.GeneratedField(
        expression=search_document(names=[], texts=["role"], plain_names=["name"]),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("speaker")
        verbose_name_plural = _("speakers")
        indexes = [GinIndex(fields=["search_vector"], name="expos_speaker_search")]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="expos_speaker_unique_slug"),
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

    speaker = models.ForeignKey(
        Speaker, verbose_name=_("speaker"), on_delete=models.CASCADE, related_name="appearances"
    )
    forum = models.ForeignKey(
        Forum, verbose_name=_("forum"), on_delete=models.CASCADE, related_name="appearances"
    )
    role = models.CharField(_("role at the forum"), max_length=120, blank=True)
    topic = models.TextField(_("what they spoke about"), blank=True)

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
        Speaker, verbose_name=_("speaker"), on_delete=models.CASCADE, related_name="statements"
    )
    expo = models.ForeignKey(
        Expo, verbose_name=_("expo"), on_delete=models.CASCADE, related_name="statements"
    )
    text = models.TextField(_("what they said"))

    class Meta:
        ordering = ["expo", "speaker", "id"]
        verbose_name = _("statement")
        verbose_name_plural = _("statements")

    def __str__(self):
        return f"{self.speaker}: {self.text[:60]}"


# --- Outcomes ------------------------------------------------------------------------------


class Deal(CitedModel):
    """Projects signed or announced at an expo, with their value as the source reports it."""

    slug = models.SlugField(_("slug"), max_length=120)
    expo = models.ForeignKey(
        Expo, verbose_name=_("expo"), on_delete=models.CASCADE, related_name="deals"
    )
    title = models.CharField(_("title"), max_length=255)
    project_count = models.PositiveIntegerField(_("number of projects"), null=True, blank=True)
    amount = models.DecimalField(
        _("amount"), max_digits=20, decimal_places=2, null=True, blank=True
    )
    currency = models.CharField(_("currency"), max_length=3, blank=True)
    amount_usd = models.DecimalField(
        _("amount in US dollars, as reported"),
        max_digits=20,
        decimal_places=2,
        null=True,
        blank=True,
    )
    sectors = models.ManyToManyField(
        Sector, verbose_name=_("sectors covered"), related_name="deals", blank=True
    )
    parties = models.ManyToManyField(
        Exhibitor, verbose_name=_("parties"), related_name="deals", blank=True
    )
    signed_on = models.DateField(_("date"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)

    search_vector = models.GeneratedField(
        expression=search_document(names=["title"], texts=["description"]),
        output_field=SearchVectorField(),
        db_persist=True,
    )

    class Meta:
        ordering = ["expo", "title", "id"]
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        indexes = [GinIndex(fields=["search_vector"], name="expos_deal_search")]
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="expos_deal_unique_slug"),
            not_negative("amount", "expos_deal_amount_not_negative"),
            not_negative("amount_usd", "expos_deal_amount_usd_not_negative"),
            currency_code_is_well_formed("currency", "expos_deal_currency_iso_4217"),
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
        Expo, verbose_name=_("expo"), on_delete=models.CASCADE, related_name="awards"
    )
    name = models.CharField(_("award"), max_length=255)
    recipient = models.ForeignKey(
        Organisation,
        verbose_name=_("recipient"),
        on_delete=models.PROTECT,
        related_name="awards",
    )
    reason = models.TextField(_("awarded for"), blank=True)

    class Meta:
        ordering = ["expo", "name", "id"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")

    def __str__(self):
        return f"{self.name} — {self.recipient}"


class Highlight(CitedModel):
    """Something a source singles out at an expo: a demonstration, a theme, an outcome."""

    expo = models.ForeignKey(
        Expo, verbose_name=_("expo"), on_delete=models.CASCADE, related_name="highlights"
    )
    area = models.ForeignKey(
        Area,
        verbose_name=_("hall or area"),
        on_delete=models.SET_NULL,
        related_name="highlights",
        null=True,
        blank=True,
    )
    forum = models.ForeignKey(
        Forum,
        verbose_name=_("forum"),
        on_delete=models.SET_NULL,
        related_name="highlights",
        null=True,
        blank=True,
    )
    exhibitor = models.ForeignKey(
        Exhibitor,
        verbose_name=_("exhibitor"),
        on_delete=models.SET_NULL,
        related_name="highlights",
        null=True,
        blank=True,
    )
    title = models.CharField(_("title"), max_length=255)
    description = models.TextField(_("description"), blank=True)

    class Meta:
        ordering = ["expo", "id"]
        verbose_name = _("highlight")
        verbose_name_plural = _("highlights")

    def __str__(self):
        return self.title
