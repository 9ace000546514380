"""Expos: the recurring series, each edition, its figures, its halls and who exhibited."""

import pgtrigger
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.fields import (
    MultiLineField,
    SingleLineField,
    SingleLineSlugField,
    country_code_is_well_formed,
    currency_code_is_well_formed,
    date_in_range,
    date_validators,
    not_negative,
    slug_is_unique,
    time_zone_choices,
    year_in_range,
    year_validators,
)
from core.lists.search import search_indexes, search_vector
from core.models import SyntheticMixin
from core.provenance import CitedModel
from exhibitors.models import Exhibitor, Sector

from .organisations import Organisation


class ExpoSeries(CitedModel):
    """A recurring expo, such as Smart City Expo World Congress; each year is an Expo."""

    slug = SingleLineSlugField(_("slug"), max_length=120)
    name = SingleLineField(_("name"), max_length=255)
    short_name = SingleLineField(_("short name"), max_length=60, blank=True)
    description = MultiLineField(_("description"), blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("expo series")
        verbose_name_plural = _("expo series")
        constraints = [
            slug_is_unique(),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("expos:expo-list") + f"?series={self.slug}"


# --- An expo's parents never loop ----------------------------------------------------------

# Raised by the database in English (see ParentNotInLoop), translated where it is shown.
PARENT_LOOP = gettext_noop(
    "An expo cannot be held within itself, nor within an expo held within it."
)


def parent_loop_sql(table, child, parent):
    """SQL that is true when `parent` (an expo id) is `child` or held within it: walking up
    from `parent` through the expos each is held within reaches `child`. UNION, not UNION
    ALL, so that the walk ends even on a loop stored before this rule existed."""
    return f"""
        EXISTS (
            WITH RECURSIVE up(id) AS (
                SELECT {parent}::bigint
                UNION
                SELECT e.parent_id FROM {table} e JOIN up ON e.id = up.id
                WHERE e.parent_id IS NOT NULL
            )
            SELECT FROM up WHERE id = {child}
        )
    """


def lock_expo_parents(cursor, table):
    """Wait for any other transaction changing an expo's parent to end, and hold off the others
    until this one ends: two transactions, one putting A within B and the other B within A,
    would each find no loop in what the other has not committed. The lock is the table's own
    advisory lock key (its oid), which the trigger takes too."""
    cursor.execute("SELECT pg_advisory_xact_lock(%s::regclass::oid::bigint)", [table])


class ParentNotInLoop(pgtrigger.Trigger):
    """Refuses, for any writer, a parent that is the expo itself or held within it.

    It takes the lock of lock_expo_parents() first, then walks up from the new parent with a
    fresh snapshot (each statement of a trigger function sees what was committed before it
    ran, at READ COMMITTED, Django's level), so a concurrent change of parents has committed
    and is seen, or waits for this one. Its error is a check_violation naming the column, so
    the API answers it as a 400 on `parent` (core.api.errors).
    """

    when = pgtrigger.Before
    operation = pgtrigger.Insert | pgtrigger.Update
    condition = pgtrigger.Q(new__parent__isnull=False)

    def get_func(self, model):
        table = model._meta.db_table
        column = model._meta.get_field("parent").column
        message = PARENT_LOOP.replace("'", "''")
        return f"""
            -- An unchanged parent makes no new loop; the expo itself as its parent is the
            -- CHECK expos_expo_not_own_parent's to refuse, under its own name.
            IF (TG_OP = 'UPDATE' AND NEW.{column} IS NOT DISTINCT FROM OLD.{column})
               OR NEW.{column} = NEW.id THEN
                RETURN NEW;
            END IF;
            PERFORM pg_advisory_xact_lock(TG_RELID::bigint);
            IF {parent_loop_sql(table, "NEW.id", f"NEW.{column}")} THEN
                RAISE EXCEPTION USING
                    ERRCODE = 'check_violation', MESSAGE = '{message}',
                    TABLE = TG_TABLE_NAME, COLUMN = '{column}', CONSTRAINT = '{self.name}';
            END IF;
            RETURN NEW;
        """


class Expo(SyntheticMixin, CitedModel):
    """One edition of an expo, possibly held within another (its parent)."""

    class Format(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        ONLINE = "online", _("Online")
        HYBRID = "hybrid", _("Hybrid (online and in person)")

    slug = SingleLineSlugField(_("slug"), max_length=120)
    name = SingleLineField(_("name"), max_length=255)
    short_name = SingleLineField(_("short name"), max_length=80, blank=True)
    # A series with editions stays; so does an expo with expos held within it.
    series = models.ForeignKey(
        ExpoSeries,
        verbose_name=_("series"),
        on_delete=models.PROTECT,
        related_name="expos",
        null=True,
        blank=True,
    )
    edition_year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, validators=year_validators()
    )
    edition_number = models.PositiveSmallIntegerField(_("edition"), null=True, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("held within"),
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
    )
    start_date = models.DateField(
        _("start date"), null=True, blank=True, validators=date_validators()
    )
    end_date = models.DateField(_("end date"), null=True, blank=True, validators=date_validators())
    timezone = SingleLineField(_("time zone"), max_length=64, choices=time_zone_choices, blank=True)
    venue = SingleLineField(_("venue"), max_length=255, blank=True)
    city = SingleLineField(_("city"), max_length=120, blank=True)
    country = CountryField(_("country"), blank=True)
    organisers = models.ManyToManyField(
        Organisation,
        verbose_name=_("organisers"),
        related_name="expos_organised",
        blank=True,
        through="ExpoOrganiser",
    )
    format = SingleLineField(_("format"), max_length=12, choices=Format.choices, blank=True)
    sectors = models.ManyToManyField(
        Sector, verbose_name=_("sectors"), related_name="expos", blank=True, through="ExpoSector"
    )
    description = MultiLineField(_("description"), blank=True)
    exhibitors = models.ManyToManyField(
        Exhibitor, through="Participation", related_name="expos", verbose_name=_("exhibitors")
    )
    search_vector = search_vector(
        names=["name", "short_name", "city", "venue"], texts=["description"]
    )

    class Meta:
        ordering = ["-start_date", "name", "id"]
        verbose_name = _("expo")
        verbose_name_plural = _("expos")
        indexes = [
            *search_indexes(similar_names=["name_en", "name_es"]),
            models.Index(fields=["-start_date", "name_en", "id"], name="expos_expo_start_date"),
            models.Index("edition_year", name="expos_expo_edition_year"),
            models.Index("country", name="expos_expo_country"),
        ]
        constraints = [
            slug_is_unique(),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=F("start_date")),
                name="expos_expo_end_not_before_start",
                violation_error_message=_("The end date cannot be before the start date."),
            ),
            models.CheckConstraint(condition=~Q(parent=F("id")), name="expos_expo_not_own_parent"),
            country_code_is_well_formed("country", "expos_expo_country_iso_3166"),
            year_in_range("edition_year", "expos_expo_edition_year_range"),
            date_in_range("start_date", "expos_expo_start_date_range"),
            date_in_range("end_date", "expos_expo_end_date_range"),
        ]
        triggers = [ParentNotInLoop(name="expos_expo_parent_not_in_loop")]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("expos:expo-detail", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        if self.parent_id is None or self.pk is None:
            return  # a new expo has nothing held within it yet
        table = self._meta.db_table
        with connection.cursor() as cursor:
            if connection.in_atomic_block:  # the admin's save: checked and written under one lock
                lock_expo_parents(cursor, table)
            in_loop = parent_loop_sql(table, child="%(child)s", parent="%(parent)s")
            cursor.execute(f"SELECT {in_loop}", {"child": self.pk, "parent": self.parent_id})
            (loop,) = cursor.fetchone()
        if loop:
            raise ValidationError({"parent": gettext(PARENT_LOOP)})


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
    )
    series = models.ForeignKey(
        ExpoSeries,
        verbose_name=_("series"),
        on_delete=models.PROTECT,
        related_name="figures",
        null=True,
        blank=True,
    )
    subject = SingleLineField(
        _("subject"), max_length=200, help_text=_("What the number is about, e.g. Chongqing.")
    )
    metric = SingleLineField(_("metric"), max_length=20, choices=Metric.choices)
    qualifier = SingleLineField(
        _("qualifier"), max_length=10, choices=Qualifier.choices, default=Qualifier.EXACTLY
    )
    value = models.DecimalField(_("value"), max_digits=20, decimal_places=2)
    currency = SingleLineField(_("currency"), max_length=3, blank=True)
    year = models.PositiveSmallIntegerField(
        _("year"), null=True, blank=True, validators=year_validators()
    )
    note = MultiLineField(_("note"), blank=True)

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
        Expo, verbose_name=_("expo"), on_delete=models.RESTRICT, related_name="areas"
    )
    name = SingleLineField(_("name"), max_length=255)
    kind = SingleLineField(_("kind"), max_length=10, choices=Kind.choices)
    size_m2 = models.DecimalField(
        _("size (m²)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    sector = models.ForeignKey(
        Sector,
        verbose_name=_("sector"),
        on_delete=models.PROTECT,
        related_name="areas",
        null=True,
        blank=True,
    )
    description = MultiLineField(_("description"), blank=True)

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
    )
    expo = models.ForeignKey(
        Expo, verbose_name=_("expo"), on_delete=models.RESTRICT, related_name="participations"
    )
    # RESTRICT: an area with exhibitors in it stays, unless removed with its expo.
    area = models.ForeignKey(
        Area,
        verbose_name=_("hall or area"),
        on_delete=models.RESTRICT,
        related_name="participations",
        null=True,
        blank=True,
    )
    showcase = MultiLineField(_("what it showcased"), blank=True)

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
