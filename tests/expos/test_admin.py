"""Every model is editable in the admin by staff only, and every edit is kept in the history."""

import pytest
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils.html import escape

from core.models import Change, ChangeSet
from core.provenance import Source
from exhibitors.models import Exhibitor, Sector
from expos.models import Deal, Expo, Forum

pytestmark = pytest.mark.usefixtures("seeded")

PROJECT_APPS = ("core", "exhibitors", "expos")

# The editable models; the import history is read-only (tests/expos/importing/test_history.py).
OUR_MODELS = sorted(
    (
        model
        for model in admin.site._registry
        if model._meta.app_label in PROJECT_APPS and model._meta.label != "expos.ImportRun"
    ),
    key=lambda model: model._meta.label,
)


def writes_of(record):
    """How many times the change log has recorded a write of `record`."""
    return Change.objects.filter(model=record._meta.label_lower, record_id=record.pk).count()


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def form_data(response):
    """The POST body the admin change form would send back unchanged."""
    data = {}
    adminform = response.context["adminform"].form
    forms = [adminform]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms += list(formset.forms)
        for name, field in formset.management_form.fields.items():
            value = formset.management_form.initial.get(name, field.initial)
            data[f"{formset.prefix}-{name}"] = value
    for form in forms:
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if callable(value):
                value = value()
            key = form.add_prefix(name)
            if isinstance(value, list | tuple | set):
                data[key] = [getattr(v, "pk", v) for v in value]
            elif hasattr(value, "pk"):
                data[key] = value.pk
            elif value is None:
                data[key] = ""
            elif isinstance(value, bool):
                if value:
                    data[key] = "on"
            else:
                data[key] = str(value)
    return data


def test_every_model_is_in_the_admin():
    labels = {model._meta.label for model in OUR_MODELS}
    assert labels == {
        "core.Citation",
        "core.Source",
        "exhibitors.Sector",
        "exhibitors.Exhibitor",
        "expos.Appearance",
        "expos.Area",
        "expos.Award",
        "expos.Deal",
        "expos.Expo",
        "expos.ExpoSeries",
        "expos.Figure",
        "expos.Forum",
        "expos.Highlight",
        "expos.Organisation",
        "expos.Participation",
        "expos.Speaker",
        "expos.Statement",
    }


def test_each_admin_is_written_once_not_completed_from_another():
    from django.apps import apps

    # What only an admin of one model declares; the shared bases (core.admin, CitedAdmin)
    # declare none of it.
    own = {"list_display", "list_filter", "search_fields", "fields", "fieldsets"}
    for model in apps.get_models():
        if not admin.site.is_registered(model):
            continue
        bases = type(admin.site.get_model_admin(model)).__mro__[1:]
        ours = [base for base in bases if base.__module__.partition(".")[0] in PROJECT_APPS]
        assert [base for base in ours if own & set(vars(base))] == [], model


def test_exhibitor_admin_shows_participations_and_citations():
    from core.admin.changelists import AutocompleteFilter
    from expos.admin.base import CitationInline, ParticipationInline

    exhibitor_admin = admin.site.get_model_admin(Exhibitor)
    assert exhibitor_admin.inlines == [ParticipationInline, CitationInline]
    assert "expo_count" in exhibitor_admin.list_display
    assert ("participations__expo", AutocompleteFilter) in exhibitor_admin.list_filter
    assert "participations__expo__edition_year" in exhibitor_admin.list_filter


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m._meta.label)
def test_admin_changelist_lists_seeded_records(admin_client, model):
    record = model.objects.first()
    response = admin_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == model.objects.count()
    assert escape(str(record)) in response.content.decode()


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m._meta.label)
def test_admin_changelist_search_and_filters_work(admin_client, model):
    model_admin = admin.site._registry[model]
    assert model_admin.search_fields, "no search_fields"
    response = admin_client.get(admin_url(model, "changelist"), {"q": "zzzz-no-such-thing"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0
    assert model_admin.list_display != ("__str__",)


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m._meta.label)
def test_admin_add_page_renders_form(admin_client, model):
    response = admin_client.get(admin_url(model, "add"))
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert form.instance.pk is None
    assert f"Add {model._meta.verbose_name}" in response.content.decode()


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m._meta.label)
def test_admin_change_page_shows_record(admin_client, model):
    record = model.objects.first()
    response = admin_client.get(admin_url(model, "change", record.pk))
    assert response.status_code == 200
    assert response.context["adminform"].form.instance == record
    assert escape(str(record)) in response.content.decode()


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda m: m._meta.label)
def test_admin_anonymous_sent_to_login(client, model):
    for url in (
        admin_url(model, "changelist"),
        admin_url(model, "add"),
        admin_url(model, "change", model.objects.first().pk),
    ):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("admin:login"))


def test_admin_logged_in_non_staff_sent_to_login(client, django_user_model):
    user = django_user_model.objects.create_user("visitor", password="pw-visitor-1")
    user.user_permissions.set(Permission.objects.all())  # permissions alone do not open the admin
    client.force_login(user)
    response = client.get(admin_url(Expo, "changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("model", [Sector, Exhibitor, Expo], ids=lambda m: m._meta.label)
def test_admin_edit_is_recorded_with_its_user(admin_client, admin_user, model):
    record = model.objects.first()
    url = admin_url(model, "change", record.pk)
    data = form_data(admin_client.get(url))
    data["name_en"] = "Renamed through the admin"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    record.refresh_from_db()
    assert record.name_en == "Renamed through the admin"
    entry = Change.objects.filter(model=record._meta.label_lower, record_id=record.pk).last()
    assert entry.operation == "U"
    assert entry.before["name_en"] != "Renamed through the admin"
    assert ChangeSet.objects.get(xid=entry.xid).actor == admin_user.pk
    history = admin_client.get(admin_url(model, "history", record.pk))
    newest = history.context["rows"][0]["version"]
    assert (newest.editor, newest.operation) == (admin_user.username, "U")
    # `name` is the column django-modeltranslation fills from the default language. (The
    # form may also write "" where the seed left an untranslated field NULL.)
    changed = {f.name for f in newest.changed}
    assert {"name", "name_en"} <= changed and not {"slug", "updated"} & changed
    assert admin_user.username in history.content.decode()


def test_admin_restores_an_earlier_version(admin_client):
    sector = Sector.objects.get(slug="smart-lighting")
    url = admin_url(Sector, "change", sector.pk)
    for name in ("Street lighting", "Lighting and poles"):
        data = form_data(admin_client.get(url))
        data["name_en"] = name
        assert admin_client.post(url, data).status_code == 302
    history = admin_client.get(admin_url(Sector, "history", sector.pk)).context["rows"]
    first_edit = history[1]["version"]
    assert first_edit.values["name_en"] == "Street lighting"

    restore_url = history[1]["restore_url"]
    page = admin_client.get(restore_url)
    assert "Street lighting" in page.content.decode()
    assert admin_client.post(restore_url).status_code == 302
    sector.refresh_from_db()
    assert sector.name_en == "Street lighting"
    assert writes_of(sector) == 4  # the seed, two edits and the restore


def test_admin_rejects_quote_missing_from_source(admin_client):
    expo = Expo.objects.get(slug="smart-china-expo-2021")
    before = writes_of(expo)
    url = admin_url(Expo, "change", expo.pk)
    data = form_data(admin_client.get(url))
    prefix = next(key for key in data if key.endswith("-0-quote")).removesuffix("-0-quote")
    data[f"{prefix}-0-quote"] = "Visitors flew in on jetpacks."
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert "This sentence is not in the source document." in response.content.decode()
    assert writes_of(expo) == before


@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda model: model._meta.label)
def test_admin_history_with_a_nul_in_the_address_is_a_404(admin_client, model):
    url = admin_url(model, "changelist") + "%00/history/"
    assert admin_client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/admin/expos/expo/?country__exact=%00",
        "/admin/expos/forum/?kind__exact=%00",
        "/admin/core/source/?language__exact=%00",
        "/admin/authtoken/tokenproxy/?pk=%00",
        "/admin/expos/expo/?a%00b=1",
        "/admin/autocomplete/?term=%00&app_label=expos&model_name=participation"
        "&field_name=exhibitor",
    ],
)
def test_admin_query_with_a_nul_is_a_400(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 400
    assert b"Traceback" not in response.content


DATED = [
    (Expo, "smart-china-expo-2021", "start_date"),
    (Expo, "smart-china-expo-2021", "end_date"),
    (Forum, "empowering-smart-city-construction-with-digital-technology", "date"),
    (Deal, "smart-china-expo-2021-major-projects", "signed_on"),
    (Source, "smart-china-expo-2021-peoples-daily", "published_on"),
]


@pytest.mark.parametrize(("model", "slug", "field"), DATED, ids=lambda v: getattr(v, "__name__", v))
@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("0001-01-01", "Ensure this value is greater than or equal to 1900-01-01."),
        ("9999-12-31", "Ensure this value is less than or equal to 2100-12-31."),
    ],
)
def test_admin_date_outside_the_directory_range_is_a_form_error(
    admin_client, model, slug, field, day, message
):
    record = model.objects.get(slug=slug)
    before = writes_of(record)
    url = admin_url(model, "change", record.pk)
    data = form_data(admin_client.get(url))
    if model is Expo:  # the other end alone would already refuse it
        data["start_date"] = data["end_date"] = ""
    data[field] = day
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {field: [message]}
    assert getattr(model.objects.get(pk=record.pk), field) == getattr(record, field)
    assert writes_of(record) == before


@pytest.mark.parametrize("zone", ["localtime", "Factory", "EST5EDT", "Asia/Calcutta"])
def test_admin_time_zone_that_is_not_a_place_is_a_form_error(admin_client, zone):
    expo = Expo.objects.get(slug="smart-china-expo-2021")
    url = admin_url(Expo, "change", expo.pk)
    data = form_data(admin_client.get(url))
    data["timezone"] = zone
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors == {
        "timezone": [f"Select a valid choice. {zone} is not one of the available choices."]
    }
    assert Expo.objects.get(pk=expo.pk).timezone == "Asia/Shanghai"


def test_admin_time_zone_choices_are_places_and_utc(admin_client):
    expo = Expo.objects.get(slug="smart-china-expo-2021")
    form = admin_client.get(admin_url(Expo, "change", expo.pk)).context["adminform"].form
    zones = [value for value, _label in form.fields["timezone"].choices]
    assert "UTC" in zones and "Asia/Shanghai" in zones
    assert not {"localtime", "Factory", "EST5EDT", "Asia/Calcutta"} & set(zones)


@pytest.mark.slow
@pytest.mark.parametrize("model", OUR_MODELS, ids=lambda model: model._meta.label)
def test_admin_a_control_character_in_any_single_line_field_is_a_form_error(admin_client, model):
    """Every single-line field the change form shows, translated ones included, walked from
    the form and the model's _meta: the error is on the field, and nothing is saved."""
    from django.db.models import CharField

    record = model.objects.first()
    before = writes_of(record)
    url = admin_url(model, "change", record.pk)
    page = admin_client.get(url)
    data = form_data(page)
    form = page.context["adminform"].form
    names = [
        name
        for name in form.fields
        if name in {f.name for f in model._meta.concrete_fields}
        and isinstance(model._meta.get_field(name), CharField)
    ]
    for name in names:
        response = admin_client.post(url, {**data, name: "Atk\rBEGIN:VEVENT\rSUMMARY:Injected"})
        assert response.status_code == 200, name
        assert name in response.context["adminform"].form.errors, name
    assert names or model._meta.label in {
        "core.Citation",
        "expos.Participation",
        "expos.Statement",
    }
    assert writes_of(record) == before


def test_admin_expo_parent_that_makes_a_loop_is_a_form_error(admin_client):
    top = Expo.objects.create(slug="top", name_en="Top")
    middle = Expo.objects.create(slug="middle", name_en="Middle", parent=top)
    bottom = Expo.objects.create(slug="bottom", name_en="Bottom", parent=middle)
    url = admin_url(Expo, "change", top.pk)
    data = {**form_data(admin_client.get(url)), "parent": bottom.pk}
    response = admin_client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["parent"] == [
        "An expo cannot be held within itself, nor within an expo held within it."
    ]
    top.refresh_from_db()
    assert top.parent is None


def test_citation_of_a_quote_twice_on_one_record_is_a_form_error(admin_client):
    from core.provenance import Citation
    from expos.models import ExpoSeries

    series = ExpoSeries.objects.create(slug="cited-series", name="Cited series")
    source = Source.objects.create(
        slug="cited", title="Cited", language="en", file_name="cited.txt", text="It opened."
    )
    url = admin_url(ExpoSeries, "change", series.pk)
    prefix = "core-citation-content_type-object_id"

    def save(*quotes):
        data = {"slug": series.slug, "name_en": series.name, "_save": "Save"}
        data.update({f"{prefix}-TOTAL_FORMS": len(quotes), f"{prefix}-INITIAL_FORMS": 0})
        for number, quote in enumerate(quotes):
            data.update({f"{prefix}-{number}-source": source.pk, f"{prefix}-{number}-quote": quote})
        return admin_client.post(url, data)

    message = (
        "Citation with this Source, Record type, Record id and Quoted sentence already exists."
    )
    twice = save("It opened.", "It opened.")
    assert twice.status_code == 200
    assert message in twice.content.decode()
    assert not Citation.objects.filter(source=source).exists()

    assert save("It opened.").status_code == 302
    again = save("It opened.")
    assert again.status_code == 200
    assert message in again.content.decode()
    assert Citation.objects.filter(source=source).count() == 1


@pytest.mark.parametrize("model", [Exhibitor, Expo, Deal], ids=lambda m: m._meta.label)
def test_sectors_are_edited_in_the_form_though_their_links_are_a_model(admin_client, model):
    """The sector links are models of their own (so that a sector in use is kept); the form
    still has the sectors' autocomplete box, and a save replaces them."""
    record = model.objects.filter(sectors__isnull=False).first()
    url = admin_url(model, "change", record.pk)
    page = admin_client.get(url)
    widget = page.context["adminform"].form.fields["sectors"].widget
    assert isinstance(widget.widget, AutocompleteSelectMultiple)
    chosen = Sector.objects.exclude(pk__in=record.sectors.all()).order_by("pk")[:2]
    data = form_data(page)
    data["sectors"] = [sector.pk for sector in chosen]
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert set(record.sectors.all()) == set(chosen)


@pytest.mark.parametrize(
    "model, field",
    [(Expo, "organisers"), (Forum, "organisers"), (Forum, "partners"), (Deal, "parties")],
    ids=lambda each: each if isinstance(each, str) else each._meta.label,
)
def test_organisers_partners_and_parties_are_edited_in_the_form_too(admin_client, model, field):
    """Their links are models of their own as well (so that what they name is kept): the form
    keeps its autocomplete box, and a save replaces them, the record named before kept."""
    from tests import factories

    target = model._meta.get_field(field).related_model
    make = factories.OrganisationFactory if target is not Exhibitor else factories.ExhibitorFactory
    record = model.objects.order_by("pk").first()
    before = make()
    getattr(record, field).set([before])
    url = admin_url(model, "change", record.pk)
    page = admin_client.get(url)
    assert isinstance(
        page.context["adminform"].form.fields[field].widget.widget, AutocompleteSelectMultiple
    )
    chosen = [make(), make()]
    data = form_data(page)
    data[field] = [each.pk for each in chosen]
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    assert set(getattr(record, field).all()) == set(chosen)
    assert target.objects.filter(pk=before.pk).exists()
