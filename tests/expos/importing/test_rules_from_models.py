"""The importer takes its limits, columns and defaults from the models, not from copies."""

import datetime
import re

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import NOT_PROVIDED, Value
from modeltranslation.translator import translator
from modeltranslation.utils import build_localized_fieldname

from core.fields import value_bounds
from exhibitors.models import Exhibitor
from expos import importing
from expos.importing import checks, columns, sql, writing
from expos.models import Expo, Participation
from tests.expos.importing.files import write

pytestmark = pytest.mark.django_db

UPSERTS = [writing.WRITE_EXHIBITORS, writing.WRITE_EXPOS, writing.WRITE_PARTICIPATIONS]


def rejected(tmp_path, text):
    """The problems of a file the importer rejects."""
    with pytest.raises(importing.ImportRejected) as rejection:
        importing.import_directory(write(tmp_path, text))
    return rejection.value.errors


def inserted_columns(upsert):
    """The columns an Upsert's INSERT names."""
    (columns,) = re.findall(r"^INSERT INTO \S+ \((.*?)\) SELECT", upsert.sql("source"))
    return [column.strip('"') for column in columns.split(", ")]


# --- Limits ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "model", "field"),
    [
        ("slug", Exhibitor, "slug"),
        ("name", Exhibitor, "name"),
        ("region", Exhibitor, "region"),
        ("city", Exhibitor, "city"),
        ("expo", Expo, "slug"),
        ("expo_name", Expo, "name"),
        ("expo_city", Expo, "city"),
    ],
)
def test_a_value_one_over_the_models_max_length_is_rejected(tmp_path, column, model, field):
    limit = model._meta.get_field(field).max_length
    row = {"slug": "a", "name": "A", "region": "", "city": "", "expo": "x", "expo_name": "X"}
    row |= {column: "a"}
    header = ",".join([*row, *([column] if column not in row else [])])

    def file_with(value):
        values = {**row, column: value}
        return header + "\n" + ",".join(values[c] for c in header.split(",")) + "\n"

    if field == "slug":
        message = f"Use letters, digits, hyphens and underscores ({limit} at most)."
    else:
        message = f"{limit} characters at most."
    assert rejected(tmp_path, file_with("a" * (limit + 1))) == [(2, column, message)]
    importing.import_directory(write(tmp_path, file_with("a" * limit)))
    stored = Exhibitor.objects.values(field) if model is Exhibitor else Expo.objects.values(field)
    assert stored.get()[field] == "a" * limit


@pytest.mark.parametrize("address", ["https://a.example/", "https://bücher.example/a%20b/"])
def test_a_website_over_the_models_max_length_is_a_problem_of_its_line(tmp_path, address):
    limit = Exhibitor._meta.get_field("website").max_length
    longest = address + "a" * (limit - len(address))
    header = "slug,name,website\n"
    assert rejected(tmp_path, f"{header}a,A,{longest}a\n") == [
        (2, "website", f"{limit} characters at most.")
    ]
    importing.import_directory(write(tmp_path, f"{header}a,A,{longest}\n"))
    assert Exhibitor.objects.get().website == longest


def test_expo_years_follow_the_models_validators(tmp_path):
    validators = Expo._meta.get_field("edition_year").validators
    first = max(v.limit_value for v in validators if isinstance(v, MinValueValidator))
    last = min(v.limit_value for v in validators if isinstance(v, MaxValueValidator))
    header = "slug,name,expo,expo_name,expo_year\n"
    errors = rejected(tmp_path, header + f"a,A,x,X,{first - 1}\nb,B,y,Y,{last + 1}\n")
    assert errors == [
        (2, "expo_year", f"“{first - 1}” is not a year between {first} and {last}."),
        (3, "expo_year", f"“{last + 1}” is not a year between {first} and {last}."),
    ]
    importing.import_directory(write(tmp_path, header + f"a,A,x,X,{first}\nb,B,y,Y,{last}\n"))
    assert sorted(Expo.objects.values_list("edition_year", flat=True)) == [first, last]


@pytest.mark.parametrize("year", ["²⁰²³", "２０２３", "20 23", "2023.0", "-2023", "MMXXIII"])
def test_an_expo_year_that_is_not_plain_digits_is_a_named_error(tmp_path, year):
    errors = rejected(tmp_path, f"slug,name,expo,expo_year\na,A,x,{year}\n")
    assert [(line, field) for line, field, _message in errors] == [(2, "expo_year")]


def year_field(*validators):
    """Expo.edition_year as it would be with these validators of its own."""
    name, _path, args, kwargs = Expo._meta.get_field("edition_year").deconstruct()
    field = models.PositiveSmallIntegerField(*args, **{**kwargs, "validators": list(validators)})
    field.set_attributes_from_name(name)
    field.model = Expo
    return field


def test_the_year_range_is_read_from_the_validators_and_required():
    assert checks.year_range(year_field(MinValueValidator(1950), MaxValueValidator(2050))) == (
        1950,
        2050,
    )
    for validators in [(), (MinValueValidator(1950),), (MaxValueValidator(2050),)]:
        with pytest.raises(ImproperlyConfigured, match=r"Expo\.edition_year needs a Min"):
            checks.year_range(year_field(*validators))


def test_the_date_ranges_are_read_from_the_validators_and_required():
    assert {
        "expo_start": value_bounds(Expo._meta.get_field("start_date")),
        "expo_end": value_bounds(Expo._meta.get_field("end_date")),
    } == {
        column.name: (column.kind.first, column.kind.last)
        for column in columns.TABLE
        if isinstance(column.kind, checks.Date)
    }
    name, _path, args, kwargs = Expo._meta.get_field("start_date").deconstruct()
    for validators in [(), (MinValueValidator(datetime.date(1950, 1, 1)),)]:
        field = models.DateField(*args, **{**kwargs, "validators": list(validators)})
        field.set_attributes_from_name(name)
        field.model = Expo
        with pytest.raises(ImproperlyConfigured, match=r"Expo\.start_date needs a Min"):
            checks.date_range(field)


# --- Columns -----------------------------------------------------------------------------------


def test_a_column_is_refused_a_kind_its_field_cannot_take():
    with pytest.raises(ImproperlyConfigured, match=r"Exhibitor\.name cannot be imported as a Year"):
        columns.Column("founded", Exhibitor, "name", checks.Year)
    with pytest.raises(ImproperlyConfigured, match=r"Expo\.end_date .* as a required Date"):
        columns.Column("expo_end", Expo, "end_date", checks.Date, required=True)
    with pytest.raises(
        ImproperlyConfigured, match=r"Expo\.edition_number needs a MinValueValidator"
    ):
        columns.Column("expo_edition", Expo, "edition_number", checks.Year)
    # A value not given is staged as NULL: a field that cannot store it cannot be optional.
    not_null = models.PositiveSmallIntegerField(
        validators=[MinValueValidator(1950), MaxValueValidator(2050)]
    )
    not_null.set_attributes_from_name("edition_year")
    not_null.model = Expo
    with pytest.raises(ImproperlyConfigured, match=r"Expo\.edition_year cannot be imported"):
        checks.Year(not_null)


@pytest.mark.parametrize("upsert", UPSERTS, ids=lambda upsert: upsert.table.model.__name__)
def test_the_insert_names_the_default_languages_column_of_each_translated_field(upsert):
    model = upsert.table.model
    written = {model._meta.get_field(name).name for name in upsert.columns.values()}
    columns = inserted_columns(upsert)
    default = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
    for name in translator.get_options_for_model(model).all_fields:
        for language in settings.MODELTRANSLATION_LANGUAGES:
            column = build_localized_fieldname(name, language)
            # The file gives no translations: other languages' columns are left alone.
            assert (column in columns) is (name in written and language == default), column


def test_the_default_language_is_modeltranslations(monkeypatch):
    monkeypatch.setattr("modeltranslation.settings.DEFAULT_LANGUAGE", "es")
    upsert = sql.Upsert(Exhibitor, columns=writing.EXHIBITOR_FIELDS, conflict=("slug",))
    columns = inserted_columns(upsert)
    assert {"name", "name_es", "city_es"} <= set(columns)
    assert "name_en" not in columns
    assert '"exhibitors_exhibitor"."name_es"' in upsert.sql("source").split("WHERE")[-1]


@pytest.mark.parametrize("upsert", UPSERTS, ids=lambda upsert: upsert.table.model.__name__)
def test_the_insert_fills_every_column_that_cannot_be_null(upsert):
    columns = inserted_columns(upsert)
    for field in upsert.table.model._meta.concrete_fields:
        if not (field.null or field.primary_key or field.generated):
            assert field.column in columns or field.db_default is not NOT_PROVIDED, field.name


def test_the_base_and_default_language_columns_get_the_value_and_the_others_none(tmp_path):
    text = "slug,name,city,expo,expo_name,expo_city,showcase\na,Acme,Vigo,x,X Expo,Lugo,Lamps\n"
    importing.import_directory(write(tmp_path, text))
    assert Exhibitor.objects.values("name", "name_en", "name_es", "city_en", "city_es").get() == {
        "name": "Acme",
        "name_en": "Acme",
        "name_es": None,
        "city_en": "Vigo",
        "city_es": None,
    }
    expo = Expo.objects.values("name_en", "name_es", "city_en", "short_name", "short_name_en")
    assert expo.get() == {
        "name_en": "X Expo",
        "name_es": None,
        "city_en": "Lugo",
        "short_name": "",
        "short_name_en": None,
    }
    assert Participation.objects.values_list("showcase", "showcase_en", "showcase_es").get() == (
        "Lamps",
        "Lamps",
        None,
    )


# --- Defaults ----------------------------------------------------------------------------------


def test_a_new_expo_takes_the_defaults_of_the_fields_the_file_does_not_give(tmp_path, monkeypatch):
    field = Expo._meta.get_field("timezone")
    field.get_default()  # cached: the patch below is undone with the cache as it was
    monkeypatch.setattr(field, "default", "Europe/Madrid")
    monkeypatch.delitem(field.__dict__, "_get_default")
    importing.import_directory(write(tmp_path, "slug,name,expo,expo_name\na,A,x,X\n"))
    assert Expo.objects.get().timezone == "Europe/Madrid"


def test_a_field_left_to_its_db_default_or_without_any_default(monkeypatch):
    monkeypatch.setattr(Expo._meta.get_field("format"), "db_default", Value("in_person"))
    options = {"columns": writing.EXPO_FIELDS, "conflict": ("slug",), "given": ("synthetic",)}
    assert "format" not in inserted_columns(sql.Upsert(Expo, **options))
    monkeypatch.setattr(Expo._meta.get_field("edition_number"), "null", False)
    with pytest.raises(ImproperlyConfigured, match=r"Expo\.edition_number has no default"):
        sql.Upsert(Expo, **options)
