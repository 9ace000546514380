import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db import models as django_models

from expos import models
from tests import factories

pytestmark = pytest.mark.django_db


def assert_rejected(constraint: str, do):
    """The database refuses the write, naming the constraint."""
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        do()


@pytest.mark.parametrize(
    ("factory", "constraint"),
    [
        (factories.OrganisationFactory, "expos_organisation_unique_slug"),
        (factories.ExpoSeriesFactory, "expos_exposeries_unique_slug"),
        (factories.ExpoFactory, "expos_expo_unique_slug"),
        (factories.ForumFactory, "expos_forum_unique_slug"),
        (factories.SpeakerFactory, "expos_speaker_unique_slug"),
        (factories.DealFactory, "expos_deal_unique_slug"),
        (factories.SourceFactory, "expos_source_unique_slug"),
    ],
)
def test_slug_duplicate_rejected(factory, constraint):
    factory(slug="taken")
    assert_rejected(constraint, lambda: factory(slug="taken"))


def test_expo_end_before_start_rejected():
    assert_rejected(
        "expos_expo_end_not_before_start",
        lambda: factories.ExpoFactory(
            start_date=datetime.date(2023, 11, 9), end_date=datetime.date(2023, 11, 7)
        ),
    )


def test_expo_one_day_and_open_dates_accepted():
    one_day = factories.ExpoFactory(
        start_date=datetime.date(2021, 8, 23), end_date=datetime.date(2021, 8, 23)
    )
    undated = factories.ExpoFactory(start_date=None, end_date=None)
    assert one_day.end_date == one_day.start_date
    assert undated.start_date is None


def test_expo_end_before_start_is_a_form_error():
    expo = factories.ExpoFactory.build(
        start_date=datetime.date(2023, 11, 9), end_date=datetime.date(2023, 11, 7)
    )
    with pytest.raises(ValidationError, match="end date cannot be before"):
        expo.full_clean()


def test_expo_own_parent_rejected():
    expo = factories.ExpoFactory()
    assert_rejected(
        "expos_expo_not_own_parent",
        lambda: models.Expo.objects.filter(pk=expo.pk).update(parent=expo),
    )


def test_expo_malformed_country_rejected():
    expo = factories.ExpoFactory()
    assert_rejected(
        "expos_expo_country_iso_3166",
        lambda: models.Expo.objects.filter(pk=expo.pk).update(country="es"),
    )


def test_expo_unknown_time_zone_is_a_form_error():
    expo = factories.ExpoFactory.build(timezone="Europe/Atlantis")
    with pytest.raises(ValidationError) as error:
        expo.full_clean()
    assert "timezone" in error.value.message_dict


def test_organisation_malformed_country_rejected():
    organisation = factories.OrganisationFactory()
    assert_rejected(
        "expos_organisation_country_iso_3166",
        lambda: models.Organisation.objects.filter(pk=organisation.pk).update(country="1A"),
    )


def test_participation_second_for_same_exhibitor_and_expo_rejected():
    participation = factories.ParticipationFactory()
    assert_rejected(
        "expos_participation_unique_exhibitor_expo",
        lambda: factories.ParticipationFactory(
            exhibitor=participation.exhibitor, expo=participation.expo
        ),
    )


def test_participation_same_exhibitor_at_two_expos_accepted():
    first = factories.ParticipationFactory()
    second = factories.ParticipationFactory(exhibitor=first.exhibitor)
    assert set(first.exhibitor.expos.all()) == {first.expo, second.expo}


def test_participation_area_of_another_expo_is_a_form_error():
    participation = factories.ParticipationFactory.build(
        exhibitor=factories.ExhibitorFactory(),
        expo=factories.ExpoFactory(),
        area=factories.AreaFactory(),
    )
    with pytest.raises(ValidationError, match="another expo"):
        participation.full_clean()


def test_appearance_twice_at_same_forum_rejected():
    appearance = factories.AppearanceFactory()
    assert_rejected(
        "expos_appearance_unique_speaker_forum",
        lambda: factories.AppearanceFactory(speaker=appearance.speaker, forum=appearance.forum),
    )


def test_speaker_with_exhibitor_and_organisation_rejected():
    assert_rejected(
        "expos_speaker_one_affiliation",
        lambda: factories.SpeakerFactory(
            exhibitor=factories.ExhibitorFactory(), organisation=factories.OrganisationFactory()
        ),
    )


def test_speaker_affiliation_is_exhibitor_or_organisation():
    exhibitor = factories.ExhibitorFactory()
    organisation = factories.OrganisationFactory()
    assert factories.SpeakerFactory(exhibitor=exhibitor).affiliation == exhibitor
    assert factories.SpeakerFactory(organisation=organisation).affiliation == organisation


@pytest.mark.parametrize(
    ("field", "constraint"),
    [
        # PositiveIntegerField brings its own CHECK, which Django names after the column.
        ("project_count", "expos_deal_project_count_check"),
        ("amount", "expos_deal_amount_not_negative"),
        ("amount_usd", "expos_deal_amount_usd_not_negative"),
    ],
)
def test_deal_negative_number_rejected(field, constraint):
    deal = factories.DealFactory()
    assert_rejected(
        constraint, lambda: models.Deal.objects.filter(pk=deal.pk).update(**{field: -1})
    )


@pytest.mark.parametrize("bad", ["cny", "YU", "C1Y"])
def test_deal_malformed_currency_rejected(bad):
    assert_rejected("expos_deal_currency_iso_4217", lambda: factories.DealFactory(currency=bad))


def test_deal_amount_without_currency_rejected():
    assert_rejected(
        "expos_deal_amount_has_currency", lambda: factories.DealFactory(currency="", amount=5)
    )


def test_figure_negative_value_rejected():
    assert_rejected(
        "expos_figure_value_not_negative", lambda: factories.FigureFactory(value=Decimal("-1"))
    )


def test_figure_malformed_currency_rejected():
    assert_rejected(
        "expos_figure_currency_iso_4217", lambda: factories.FigureFactory(currency="yua")
    )


def test_area_negative_size_rejected():
    assert_rejected("expos_area_size_not_negative", lambda: factories.AreaFactory(size_m2=-5))


def test_citation_empty_quote_rejected():
    assert_rejected("expos_citation_quote_not_empty", lambda: factories.CitationFactory(quote=""))


def test_citation_same_quote_twice_for_a_record_rejected():
    citation = factories.CitationFactory()
    assert_rejected(
        "expos_citation_unique_quote",
        lambda: factories.CitationFactory(
            source=citation.source, record=citation.record, quote=citation.quote
        ),
    )


def test_citation_quote_not_in_source_is_a_form_error():
    citation = factories.CitationFactory.build(
        source=factories.SourceFactory(), record=factories.ExpoFactory(), quote="It had 99 halls."
    )
    with pytest.raises(ValidationError, match="not in the source document"):
        citation.full_clean()


def test_citation_quote_matches_across_line_breaks():
    source = factories.SourceFactory(text="The expo\nopened. It had   10 exhibitors.")
    citation = factories.CitationFactory.build(
        source=source, record=factories.ExpoFactory(), quote="The expo opened."
    )
    citation.full_clean()


def test_citations_of_deleted_exhibitor_are_removed():
    exhibitor = factories.ExhibitorFactory()
    factories.CitationFactory(record=exhibitor)
    kept = factories.CitationFactory()
    exhibitor.delete()
    assert list(models.Citation.objects.all()) == [kept]


def test_citations_of_deleted_expo_are_removed():
    citation = factories.CitationFactory()
    citation.record.delete()
    assert not models.Citation.objects.exists()


def test_str_of_records():
    forum = factories.ForumFactory(title="Round table")
    speaker = factories.SpeakerFactory(honorific="Dr.", name="Song Hongwei")
    assert str(forum) == "Round table"
    assert str(speaker) == "Dr. Song Hongwei"
    assert str(factories.AppearanceFactory(speaker=speaker, forum=forum)) == (
        "Dr. Song Hongwei at Round table"
    )


@pytest.mark.parametrize(
    ("factory", "field", "constraint"),
    [
        (factories.ExpoFactory, "edition_year", "expos_expo_edition_year_range"),
        (factories.FigureFactory, "year", "expos_figure_year_range"),
    ],
)
@pytest.mark.parametrize("year", [1800, 1899, 2101])
def test_year_outside_the_directory_range_rejected(factory, field, constraint, year):
    assert_rejected(constraint, lambda: factory(**{field: year}))
    record = factory.build(**{field: year})
    with pytest.raises(ValidationError) as error:
        record.full_clean(exclude=[f.name for f in record._meta.fields if f.name != field])
    assert field in error.value.message_dict


@pytest.mark.parametrize("year", [1900, 2023, 2100])
def test_years_at_the_ends_of_the_range_accepted(year):
    assert factories.ExpoFactory(edition_year=year).edition_year == year


def test_year_filters_read_the_range_from_the_model():
    from core.fields import value_bounds
    from expos.filtersets import DealFilterSet, ExhibitorFilterSet, ExpoFilterSet

    bounds = value_bounds(models.Expo._meta.get_field("edition_year"))
    assert bounds == (1900, 2100)
    for filterset_class in (ExpoFilterSet, DealFilterSet, ExhibitorFilterSet):
        field = filterset_class(queryset=filterset_class._meta.model.objects.none()).form.fields[
            "year"
        ]
        assert (field.min_value, field.max_value) == bounds


def test_the_citable_records_are_one_list_for_the_admin_the_api_and_the_filters(admin_client):
    from django.contrib import admin

    from expos.api.provenance import RecordTypeField
    from expos.filtersets import CitationFilterSet

    labels = models.citable_labels()
    assert "exhibitors.exhibitor" in labels and "exhibitors.sector" in labels
    assert "expos.expo" in labels and "expos.participation" in labels
    assert not {"expos.source", "expos.citation", "core.dataversion"} & set(labels)
    assert list(RecordTypeField().choices) == labels
    filter_choices = CitationFilterSet().form.fields["record_type"].choices
    assert [value for value, _label in filter_choices if value] == labels
    citation_admin = admin.site._registry[models.Citation]
    field = citation_admin.formfield_for_foreignkey(
        models.Citation._meta.get_field("content_type"), request=None
    )
    assert sorted(f"{ct.app_label}.{ct.model}" for ct in field.queryset) == labels


def test_the_year_range_migration_names_the_records_it_would_refuse():
    import importlib

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("expos.migrations.0006_year_range")
    expo = factories.ExpoFactory(edition_year=2023)
    migration.refuse_years_out_of_range(apps, None)  # nothing out of range: nothing said
    with connection.cursor() as cursor:  # the database as it was before the migration
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE expos_expo DROP CONSTRAINT expos_expo_edition_year_range")
    models.Expo.objects.filter(pk=expo.pk).update(edition_year=2150)
    with pytest.raises(RuntimeError, match=rf"Expo {expo.pk}: edition_year 2150"):
        migration.refuse_years_out_of_range(apps, None)


# --- Dates: within the directory's years -------------------------------------------------------

DATE_FIELDS = [
    (factories.ExpoFactory, "start_date", "expos_expo_start_date_range"),
    (factories.ExpoFactory, "end_date", "expos_expo_end_date_range"),
    (factories.ForumFactory, "date", "expos_forum_date_range"),
    (factories.DealFactory, "signed_on", "expos_deal_signed_on_range"),
    (factories.SourceFactory, "published_on", "expos_source_published_on_range"),
]


def with_day(field, day):
    """The values that put `day` in `field` alone: an expo's other date is left empty, so that
    no end comes before its start."""
    if field in ("start_date", "end_date"):
        return {"start_date": None, "end_date": None, field: day}
    return {field: day}


@pytest.mark.parametrize(("factory", "field", "constraint"), DATE_FIELDS)
def test_date_outside_the_directory_range_rejected_and_its_ends_accepted(
    factory, field, constraint
):
    for day in (datetime.date(1900, 1, 1), datetime.date(2100, 12, 31)):
        record = factory(**with_day(field, day))
        record.full_clean()
        record.refresh_from_db()
        assert getattr(record, field) == day
    for day, message in [
        (datetime.date(1, 1, 1), "Ensure this value is greater than or equal to 1900-01-01."),
        (datetime.date(1899, 12, 31), "Ensure this value is greater than or equal to 1900-01-01."),
        (datetime.date(2101, 1, 1), "Ensure this value is less than or equal to 2100-12-31."),
        (datetime.date(9999, 12, 31), "Ensure this value is less than or equal to 2100-12-31."),
    ]:
        assert_rejected(
            constraint,
            lambda day=day: (
                type(record).objects.filter(pk=record.pk).update(**with_day(field, day))
            ),
        )
        unsaved = factory.build(**with_day(field, day))
        with pytest.raises(ValidationError) as error:
            unsaved.full_clean(exclude=[f.name for f in unsaved._meta.fields if f.name != field])
        assert error.value.message_dict[field] == [message]


def test_every_date_a_user_writes_has_the_directory_range():
    """The class, not the examples: every date or time field of a model that editors write
    (in the admin or the API) is bounded on the model and in the database."""
    from django.contrib import admin
    from django.db.models import CheckConstraint

    from core.fields import FIRST_DAY, LAST_DAY, value_bounds

    written = [
        model
        for model in admin.site._registry
        if model._meta.app_label in ("exhibitors", "expos") and model is not models.ImportRun
    ]
    found = set()
    for model in written:
        checked = {
            constraint.name
            for constraint in model._meta.constraints
            if isinstance(constraint, CheckConstraint)
        }
        for field in model._meta.concrete_fields:
            if isinstance(field, django_models.DateField) and field.editable:
                assert value_bounds(field) == (FIRST_DAY, LAST_DAY), field
                assert f"{model._meta.db_table}_{field.name}_range" in checked, field
                found.add(f"{model.__name__}.{field.name}")
    assert found == {
        "Expo.start_date",
        "Expo.end_date",
        "Forum.date",
        "Deal.signed_on",
        "Source.published_on",
    }


def test_the_date_range_migration_names_the_records_it_would_refuse():
    import importlib

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("expos.migrations.0009_date_ranges")
    forum = factories.ForumFactory(date=datetime.date(2023, 11, 7))
    migration.refuse_dates_out_of_range(apps, None)  # nothing out of range: nothing said
    with connection.cursor() as cursor:  # the database as it was before the migration
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE expos_forum DROP CONSTRAINT expos_forum_date_range")
    models.Forum.objects.filter(pk=forum.pk).update(date=datetime.date(9999, 12, 31))
    with pytest.raises(RuntimeError, match=rf"Forum {forum.pk}: date 9999-12-31"):
        migration.refuse_dates_out_of_range(apps, None)


# --- Time zones: the ones a person would choose ------------------------------------------------


def test_expo_time_zone_is_a_place_or_utc():
    def errors(zone):
        expo = factories.ExpoFactory.build(timezone=zone)
        try:
            expo.full_clean(exclude=[f.name for f in expo._meta.fields if f.name != "timezone"])
        except ValidationError as error:
            return error.message_dict
        return {}

    for zone in ("UTC", "Europe/Madrid", "Asia/Shanghai", "America/Argentina/Buenos_Aires", ""):
        assert errors(zone) == {}, zone
    for zone in ("localtime", "Factory", "EST5EDT", "Etc/GMT-8", "Asia/Calcutta", "US/Eastern"):
        assert errors(zone) == {"timezone": [f"Value '{zone}' is not a valid choice."]}


def test_expo_time_zones_are_those_of_zone_tab_and_utc():
    import zoneinfo

    zones = [value for value, _label in models.Expo._meta.get_field("timezone").choices]
    assert zones == sorted(zones)
    assert 300 < len(zones) < len(zoneinfo.available_timezones())
    assert set(zones) <= zoneinfo.available_timezones()
    assert "UTC" in zones and "Asia/Kolkata" in zones and "Asia/Calcutta" not in zones


def test_the_migration_moves_expos_from_old_zone_names_to_the_ones_of_zone_tab():
    import importlib

    from django.apps import apps

    migration = importlib.import_module("expos.migrations.0009_date_ranges")
    zones = {
        "Asia/Calcutta": "Asia/Kolkata",
        "US/Eastern": "America/New_York",
        "Europe/Kiev": "Europe/Kyiv",
        "Etc/UTC": "UTC",
        "Asia/Shanghai": "Asia/Shanghai",
        # The same rules as a dozen zones of zone.tab, or as none: an editor chooses.
        "Iceland": "Iceland",
        "EST5EDT": "EST5EDT",
        "Etc/GMT-8": "Etc/GMT-8",
        "": "",
    }
    expos = {zone: factories.ExpoFactory() for zone in zones}
    for zone, expo in expos.items():  # as they were saved before the choices narrowed
        models.Expo.objects.filter(pk=expo.pk).update(timezone=zone)

    migration.move_expos_to_canonical_time_zones(apps, None)

    assert {
        zone: models.Expo.objects.get(pk=expo.pk).timezone for zone, expo in expos.items()
    } == zones
