import datetime
import threading
import time
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, connections, transaction
from django.db import models as django_models
from django.db.models import CharField, TextField
from django.utils import timezone

from core.models import Change, ChangeSet, Pruning
from core.provenance import Citation, Source, citable_labels
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
        (factories.SourceFactory, "core_source_unique_slug"),
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
    assert_rejected("core_citation_quote_not_empty", lambda: factories.CitationFactory(quote=""))


def test_citation_same_quote_twice_for_a_record_rejected():
    citation = factories.CitationFactory()
    assert_rejected(
        "core_citation_unique_quote",
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
    assert list(Citation.objects.all()) == [kept]


@pytest.mark.parametrize("factory", [factories.ExhibitorFactory, factories.SectorFactory])
def test_citations_of_deleted_exhibitors_and_sectors_go_with_them_as_every_records_do(factory):
    from django.db.models.signals import post_delete

    from core.provenance import CitedModel

    first, second, kept = factory(), factory(), factory()
    for record in (first, second, kept):
        factories.CitationFactory(record=record)
    type(first).objects.filter(pk__in=[first.pk, second.pk]).delete()
    assert [c.record for c in Citation.objects.all()] == [kept]
    # Through CitedModel's GenericRelation, as for the records of every app: no signal.
    assert issubclass(type(first), CitedModel)
    assert not post_delete.has_listeners(type(first))


def test_citations_of_deleted_expo_are_removed():
    citation = factories.CitationFactory()
    citation.record.delete()
    assert not Citation.objects.exists()


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

    labels = citable_labels()
    assert "exhibitors.exhibitor" in labels and "exhibitors.sector" in labels
    assert "expos.expo" in labels and "expos.participation" in labels
    assert not {"core.source", "core.citation", "core.dataversion"} & set(labels)
    assert list(RecordTypeField().choices) == labels
    filter_choices = CitationFilterSet().form.fields["record_type"].choices
    assert [value for value, _label in filter_choices if value] == labels
    # The admin's record box accepts a record of each of these kinds, and of no other.
    from django.contrib.contenttypes.models import ContentType

    from core.admin.citations import record_for

    assert "cited_record" in admin.site.get_model_admin(Citation).form.base_fields
    accepted = set()
    for content_type in ContentType.objects.all():
        model = content_type.model_class()
        if model is None or model._meta.abstract:
            continue
        record = model._default_manager.order_by().first() or factory_record(model)
        if record is not None and record_for(f"{content_type.pk}:{record.pk}") is not None:
            accepted.add(model._meta.label_lower)
    assert sorted(accepted) == labels


def factory_record(model):
    """A record of `model` made by its factory in tests.factories, if it has one."""
    factory = getattr(factories, f"{model.__name__}Factory", None)
    return factory() if factory is not None else None


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
    (factories.SourceFactory, "published_on", "core_source_published_on_range"),
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
        if model._meta.app_label in TEXT_APPS and model is not models.ImportRun
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


class AppsOf0009:
    """The models as migration 0009 knew them, on today's tables: its sources were expos's."""

    def get_model(self, app_label, model_name):
        from django.apps import apps

        if (app_label, model_name) == ("expos", "Source"):
            return Source
        return apps.get_model(app_label, model_name)


def test_the_date_range_migration_names_the_records_it_would_refuse():
    import importlib

    from django.db import connection

    apps = AppsOf0009()
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


# --- Control characters: every text field of every model, walked from the models' _meta ----

TEXT_APPS = ("core", "exhibitors", "expos")
CHANGE_LOG = (Change, ChangeSet, Pruning)
# Line breaks of every kind, and other control characters (ESC starts a terminal's escapes).
NOT_IN_A_LINE = ["\r", "\n", "\x1b", "\t", "\x85", "\u2028", "\u2029", "\x7f"]
NOT_IN_TEXT = ["\x1b", "\x00", "\x07", "\x7f", "\x9b", "\ud800"]


def text_fields(kind):
    """(model, field) for each concrete field of `kind` of the directory's models, translated
    columns (name_en, name_es) included: a field added later is walked too."""
    return [
        pytest.param(model, field, id=f"{model._meta.label}.{field.name}")
        for label in TEXT_APPS
        for model in apps.get_app_config(label).get_models()
        for field in model._meta.concrete_fields
        # The change log is written by triggers only, copying columns already checked.
        if isinstance(field, kind) and model not in CHANGE_LOG
    ]


def write_raw(model, field, value):
    """UPDATE one row of the model's table, as a writer without Django would."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f'UPDATE {table} SET "{field.column}" = %s'
            f" WHERE ctid = (SELECT ctid FROM {table} LIMIT 1) RETURNING 1",
            [value],
        )
        assert cursor.fetchone(), f"{table} has no row to write to"


@pytest.fixture
def a_row_in_every_table(seeded):
    factories.ExpoFactory(parent=factories.ExpoFactory())
    models.ImportRun.objects.create(file_name="rows.csv", started=timezone.now())


@pytest.mark.parametrize(("model", "field"), text_fields(CharField))
def test_single_line_field_refuses_control_characters(model, field):
    for character in NOT_IN_A_LINE:
        with pytest.raises(ValidationError):
            field.clean(f"{character}Atk"[: field.max_length], model())


@pytest.mark.parametrize(("model", "field"), text_fields(CharField))
def test_single_line_column_refuses_control_characters_from_any_writer(
    a_row_in_every_table, model, field
):
    """Raw SQL, an import, a translated column: the column itself refuses them."""
    for character in NOT_IN_A_LINE:
        with pytest.raises(IntegrityError), transaction.atomic():
            write_raw(model, field, character)


@pytest.mark.parametrize(("model", "field"), text_fields(TextField))
def test_multi_line_field_keeps_line_breaks_and_refuses_other_control_characters(model, field):
    field.clean("First line,\r\n\tsecond\nthird\u2028fourth", model())
    for character in NOT_IN_TEXT:
        with pytest.raises(ValidationError):
            field.clean(f"Atk{character}x", model())


@pytest.mark.parametrize(("model", "field"), text_fields(TextField))
def test_multi_line_column_refuses_control_characters_from_any_writer(
    a_row_in_every_table, model, field
):
    write_raw(model, field, "a\r\n\tb\nc")
    with pytest.raises(IntegrityError), transaction.atomic():
        write_raw(model, field, "a\x1b")


def test_full_clean_names_the_translated_field_with_a_control_character():
    expo = factories.ExpoFactory.build(name_en="Atk\rBEGIN:VEVENT", name_es="Línea\nrota")
    with pytest.raises(ValidationError) as caught:
        expo.full_clean()
    assert {"name_en", "name_es"} <= set(caught.value.message_dict)
    assert "line breaks" in caught.value.message_dict["name_en"][0]


def test_text_columns_migration_cleans_stored_rows_before_checking_them():
    """Rows an attacker stored before the CHECK existed become one line, and not refused."""
    import importlib

    migration = importlib.import_module("expos.migrations.0010_text_characters")
    (operation,) = [op for op in migration.Migration.operations if hasattr(op, "code")]
    expo = factories.ExpoFactory(name_en="Good", description_en="Kept\nas is")
    with connection.cursor() as cursor:  # the database as it was before the migration
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("ALTER TABLE expos_expo DROP CONSTRAINT expos_expo_name_en_check")
        cursor.execute("ALTER TABLE expos_expo DROP CONSTRAINT expos_expo_description_en_check")
    models.Expo.objects.filter(pk=expo.pk).update(
        name_en="Atk\rBEGIN:VEVENT\rSUMMARY:Injected", description_en="Bell\x07\nkept"
    )
    with connection.schema_editor() as editor:
        operation.code(apps, editor)
    expo.refresh_from_db()
    assert expo.name_en == "Atk BEGIN:VEVENT SUMMARY:Injected"
    assert expo.description_en == "Bell \nkept"
    with pytest.raises(IntegrityError), transaction.atomic():
        models.Expo.objects.filter(pk=expo.pk).update(name_en="Atk\nagain")


# --- An expo's parents never loop ----------------------------------------------------------


def chain(length):
    """Expos e0 ⊃ e1 ⊃ … : each held within the one before."""
    expos = [factories.ExpoFactory()]
    for _ in range(length - 1):
        expos.append(factories.ExpoFactory(parent=expos[-1]))
    return expos


@pytest.mark.parametrize("length", [2, 3, 5])
def test_expo_parent_loop_of_any_length_is_a_form_error(length):
    expos = chain(length)
    top = expos[0]
    top.parent = expos[-1]
    with pytest.raises(ValidationError) as caught:
        top.full_clean()
    assert caught.value.message_dict["parent"] == [
        "An expo cannot be held within itself, nor within an expo held within it."
    ]


def test_expo_parent_that_makes_no_loop_is_accepted():
    first, second = chain(2)
    other = factories.ExpoFactory()
    second.parent = other
    second.full_clean()
    second.save()
    first.parent = other  # both within the same expo: no loop
    first.full_clean()


@pytest.mark.parametrize("length", [2, 3, 5])
def test_expo_parent_loop_of_any_length_rejected_for_any_writer(length):
    expos = chain(length)
    assert_rejected(
        "expos_expo_parent_not_in_loop",
        lambda: models.Expo.objects.filter(pk=expos[0].pk).update(parent=expos[-1]),
    )
    assert models.Expo.objects.get(pk=expos[0].pk).parent is None


def test_expo_parent_loop_made_in_one_statement_rejected():
    """Both halves of A→B→A in one UPDATE: the row written second sees the first."""
    a, b = factories.ExpoFactory(), factories.ExpoFactory()

    def both():
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE expos_expo SET parent_id = CASE id WHEN %s THEN %s ELSE %s END"
                " WHERE id IN (%s, %s)",
                [a.pk, b.pk, a.pk, a.pk, b.pk],
            )

    assert_rejected("expos_expo_parent_not_in_loop", both)


def test_expo_inserted_within_an_expo_is_accepted():
    (top,) = chain(1)
    child = models.Expo.objects.create(slug="child", name_en="Child", parent=top)
    assert child.parent == top


@pytest.mark.django_db(transaction=True)
def test_concurrent_transactions_cannot_make_a_loop_between_them():
    """One transaction puts A within B, another B within A at the same time: neither sees the
    other's uncommitted change, so the second must wait for the first and then see it."""
    from tests.expos.test_facet_counts import wait_until_blocked

    a, b = factories.ExpoFactory(), factories.ExpoFactory()
    first_written, release = threading.Event(), threading.Event()
    pids, outcomes = {}, {}

    def write(name, expo, parent, wait):
        try:
            with transaction.atomic():
                pids[name] = connection.connection.info.backend_pid
                models.Expo.objects.filter(pk=expo.pk).update(parent=parent)
                if wait:
                    first_written.set()
                    if not release.wait(30):
                        raise AssertionError("never released")
            outcomes[name] = "committed"
        except IntegrityError as error:
            outcomes[name] = str(error)
        finally:
            connections.close_all()

    first = threading.Thread(target=write, args=("first", a, b, True))
    first.start()
    assert first_written.wait(30)
    second = threading.Thread(target=write, args=("second", b, a, False))
    second.start()
    deadline = time.monotonic() + 20
    while "second" not in pids and time.monotonic() < deadline:
        time.sleep(0.02)
    wait_until_blocked(pids["second"])
    release.set()
    first.join(30)
    second.join(30)
    assert outcomes["first"] == "committed"
    assert "An expo cannot be held within itself, nor within" in outcomes["second"]
    written = models.Expo.objects.filter(pk__in=[a.pk, b.pk])
    assert dict(written.values_list("pk", "parent")) == {a.pk: b.pk, b.pk: None}
