"""The admin's add forms say what each field means (help texts, in English and Spanish), and a
slug follows the name it is made from: filled in by the admin's script as the English name is
typed, and made from it when left empty."""

import json
import re

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils import translation

from exhibitors.models import Sector

pytestmark = pytest.mark.usefixtures("seeded")

PROJECT_APPS = ("core", "exhibitors", "expos")
# Every model of the directory the admin adds records of (the import history is only read).
ADDED = [
    model
    for model in apps.get_models()
    if model._meta.app_label in PROJECT_APPS
    and admin.site.is_registered(model)
    and model._meta.label != "expos.ImportRun"
]
# The field each slug is made from.
SLUG_SOURCES = {
    "core.Source": ("title",),
    "exhibitors.Sector": ("name_en",),
    "exhibitors.Exhibitor": ("name_en",),
    "expos.ExpoSeries": ("name_en",),
    "expos.Expo": ("name_en",),
    "expos.Organisation": ("name_en",),
    "expos.Forum": ("title_en",),
    "expos.Speaker": ("name",),
    "expos.Deal": ("title_en",),
}


def add_url(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")


def visible_fields(response):
    """The add form's editable fields, in the order the page shows them."""
    return [
        field.field
        for fieldset in response.context["adminform"]
        for line in fieldset
        for field in line
        if not field.is_readonly and not field.field.is_hidden
    ]


def test_every_directory_model_is_covered():
    assert len(ADDED) == 17
    slugged = {m._meta.label for m in ADDED if "slug" in {f.name for f in m._meta.fields}}
    assert slugged == set(SLUG_SOURCES)


@pytest.mark.parametrize("model", ADDED, ids=lambda m: m._meta.label)
def test_every_field_of_an_add_form_has_help_text_in_both_languages(admin_client, model):
    response = admin_client.get(add_url(model))
    assert response.status_code == 200
    page = response.content.decode()
    fields = visible_fields(response)
    assert fields
    for bound in fields:
        help_text = bound.field.help_text
        assert str(help_text).strip(), f"{bound.name} has no help text"
        assert str(help_text) in page, bound.name  # the admin shows help text as written
        with translation.override("es"):
            spanish = str(help_text)
        assert spanish != str(help_text), f"{bound.name}: {help_text!r} is not in Spanish"


@pytest.mark.parametrize("label", SLUG_SOURCES)
def test_a_slug_follows_its_name_and_is_filled_from_it(admin_client, label):
    model = apps.get_model(label)
    response = admin_client.get(add_url(model))
    names = [bound.name for bound in visible_fields(response)]
    (source,) = SLUG_SOURCES[label]
    base = re.sub(r"_(en|es)$", "", source)
    group = [i for i, name in enumerate(names) if re.fullmatch(rf"{base}(_en|_es)?", name)]
    assert names.index("slug") == max(group) + 1, names
    # The admin's script is told to fill the slug from the English name.
    prepopulated = response.context["adminform"].prepopulated_fields
    assert [(p["field"].name, [d.name for d in p["dependencies"]]) for p in prepopulated] == [
        ("slug", [source])
    ]
    settings = re.search(r'data-prepopulated-fields="([^"]*)"', response.content.decode())
    (entry,) = json.loads(settings.group(1).replace("&quot;", '"'))
    assert (entry["id"], entry["dependency_ids"]) == ("#id_slug", [f"#id_{source}"])
    # Not required in the form: left empty, it is made from the name.
    assert not response.context["adminform"].form.fields["slug"].required


def add_sector(admin_client, **data):
    url = add_url(Sector)
    return admin_client.post(url, {"name_en": "", "name_es": "", "slug": "", **data})


def test_an_empty_slug_is_made_from_the_english_name(admin_client):
    response = add_sector(admin_client, name_en="Street Lighting", name_es="Alumbrado público")
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Sector.objects.get(name_en="Street Lighting").slug == "street-lighting"
    # A slug typed in is kept.
    add_sector(admin_client, name_en="Smart Poles", slug="poles")
    assert Sector.objects.get(name_en="Smart Poles").slug == "poles"


def test_a_slug_made_from_a_name_taken_is_the_slugs_error(admin_client):
    add_sector(admin_client, name_en="Street Lighting")
    response = add_sector(admin_client, name_en="Street lighting!")
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["slug"], errors
    assert Sector.objects.filter(slug="street-lighting").count() == 1


def test_a_name_with_nothing_to_make_a_slug_of_asks_for_one(admin_client):
    response = add_sector(admin_client, name_en="智慧城市")
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["slug"] == ["This field is required."]
    assert not Sector.objects.filter(name_en="智慧城市").exists()
