"""Expos: the recurring series, and each edition, possibly held within another expo but never
within itself. What an expo holds (figures, halls, participations) is in expos.models.holdings."""

import pgtrigger
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from core.fields import (
    SLUG_FROM_NAME,
    MultiLineField,
    SingleLineField,
    SingleLineSlugField,
    country_code_is_well_formed,
    date_in_range,
    date_validators,
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

    slug = SingleLineSlugField(
        _("slug"),
        max_length=120,
        help_text=SLUG_FROM_NAME,
    )
    name = SingleLineField(
        _("name"),
        max_length=255,
        help_text=_(
            "The recurring expo's name without the year, such as Smart City Expo World "
            "Congress; the expo list filters by it."
        ),
    )
    short_name = SingleLineField(
        _("short name"),
        max_length=60,
        blank=True,
        help_text=_("An abbreviation, such as SCEWC, shown where space is short."),
    )
    description = MultiLineField(
        _("description"), blank=True, help_text=_("What the series is, in a sentence or two.")
    )

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

    slug = SingleLineSlugField(
        _("slug"),
        max_length=120,
        help_text=SLUG_FROM_NAME,
    )
    name = SingleLineField(
        _("name"),
        max_length=255,
        help_text=_(
            "This edition's full name, with its year, as the expo's page and the lists show it."
        ),
    )
    short_name = SingleLineField(
        _("short name"),
        max_length=80,
        blank=True,
        help_text=_("An abbreviation, such as SCEWC 2023, shown under the name and in tables."),
    )
    # A series with editions stays; so does an expo with expos held within it.
    series = models.ForeignKey(
        ExpoSeries,
        verbose_name=_("series"),
        on_delete=models.PROTECT,
        related_name="expos",
        null=True,
        blank=True,
        help_text=_("The recurring expo this is an edition of, if any."),
    )
    edition_year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        validators=year_validators(),
        help_text=_("The year it was held; the lists filter by it."),
    )
    edition_number = models.PositiveSmallIntegerField(
        _("edition"),
        null=True,
        blank=True,
        help_text=_("Which edition of its series this is (1 for the first)."),
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("held within"),
        on_delete=models.PROTECT,
        related_name="children",
        null=True,
        blank=True,
        help_text=_("The larger expo this one was held within, such as a pavilion's own fair."),
    )
    start_date = models.DateField(
        _("start date"),
        null=True,
        blank=True,
        validators=date_validators(),
        help_text=_("The first day, shown on its page; the lists are ordered by it."),
    )
    end_date = models.DateField(
        _("end date"),
        null=True,
        blank=True,
        validators=date_validators(),
        help_text=_("The last day; not before the start date."),
    )
    timezone = SingleLineField(
        _("time zone"),
        max_length=64,
        choices=time_zone_choices,
        blank=True,
        help_text=_("The time zone of the venue, shown with the dates."),
    )
    venue = SingleLineField(
        _("venue"),
        max_length=255,
        blank=True,
        help_text=_("The building or grounds it was held at."),
    )
    city = SingleLineField(
        _("city"), max_length=120, blank=True, help_text=_("The city it was held in.")
    )
    country = CountryField(
        _("country"), blank=True, help_text=_("The country it was held in; the lists filter by it.")
    )
    organisers = models.ManyToManyField(
        Organisation,
        verbose_name=_("organisers"),
        related_name="expos_organised",
        blank=True,
        through="ExpoOrganiser",
        help_text=_("The bodies that organised it, shown on its page."),
    )
    format = SingleLineField(
        _("format"),
        max_length=12,
        choices=Format.choices,
        blank=True,
        help_text=_("Whether it was held in person, online or both."),
    )
    sectors = models.ManyToManyField(
        Sector,
        verbose_name=_("sectors"),
        related_name="expos",
        blank=True,
        through="ExpoSector",
        help_text=_("The fields it covered; the expo list filters by them."),
    )
    description = MultiLineField(
        _("description"),
        blank=True,
        help_text=_("What the expo was, shown at the top of its page."),
    )
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
