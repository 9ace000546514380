"""Numbers from outside are ASCII digits: every integer and decimal parameter, body field,
admin form field and page number refuses other scripts' digits, superscripts, underscores and
exponents with an error that names it, instead of a 500 or a silent misreading."""

import base64
from urllib.parse import urlencode

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from config.api import router
from core.admin.forms import AsciiNumbersMixin
from core.api import fields
from core.numbers import (
    DecimalFormField,
    IntegerFormField,
    is_decimal_text,
    parse_integer,
    parse_positive_integer,
)
from expos.models import Deal

pytestmark = pytest.mark.usefixtures("seeded")

API_LISTS = sorted(f"/api/v1/{prefix}/" for prefix, _viewset, _basename in router.registry)
PAGE_LISTS = ["/exhibitors/", "/expos/", "/forums/", "/speakers/", "/deals/"]
# What int() or Decimal() accept and a person does not type as a number: other scripts'
# digits (Arabic-Indic, fullwidth), what str.isdigit() accepts and int() refuses (superscript,
# circled), underscores, a decimal tail, spaces int() strips.
NOT_ASCII_INTEGERS = ["²", "①", "١٢", "１２", "1_0", "12.0", "\u30001", "1\n"]
NOT_ASCII_DECIMALS = ["١٢٣", "1_000", "1e3", "²", "NaN", "１"]


def client():
    return Client(raise_request_exception=False)


# --- The rule ------------------------------------------------------------------------------


@pytest.mark.parametrize("text", NOT_ASCII_INTEGERS)
def test_parse_integer_refuses_what_int_would_misread(text):
    with pytest.raises(ValueError):
        parse_integer(text)


@pytest.mark.parametrize(("text", "number"), [("12", 12), ("-3", -3), ("+7", 7), ("007", 7)])
def test_parse_integer_reads_ascii_digits(text, number):
    assert parse_integer(text) == number


@pytest.mark.parametrize("value", [True, 1.0, None, "", "+", "0", "-1", "+1"])
def test_parse_positive_integer_refuses_anything_but_a_count_from_one(value):
    with pytest.raises(ValueError):
        parse_positive_integer(value)


@pytest.mark.parametrize(("text", "valid"), [("1.50", True), (".5", True), ("-2.", True)])
def test_decimal_text_is_digits_with_one_point(text, valid):
    assert is_decimal_text(text) is valid
    assert not is_decimal_text(text + ".1")


# --- Query parameters ------------------------------------------------------------------------


@pytest.mark.parametrize("url", API_LISTS)
@pytest.mark.parametrize("parameter", ["page", "page_size"])
def test_every_api_list_refuses_a_page_number_that_is_not_ascii_digits(url, parameter):
    for value in [*NOT_ASCII_INTEGERS, "0", "-1"]:
        response = client().get(url, {parameter: value})
        assert response.status_code == 400, (url, parameter, value, response.content[:300])
        assert list(response.json()) == [parameter], (value, response.json())


def test_api_page_in_arabic_indic_digits_is_not_page_twelve():
    response = client().get("/api/v1/exhibitors/", {"page": "١٢", "page_size": 1})
    assert response.status_code == 400
    assert "ASCII" in response.json()["page"][0]
    assert client().get("/api/v1/exhibitors/", {"page": "2", "page_size": 1}).status_code == 200


def forged_cursor(position):
    return base64.b64encode(urlencode({"p": position}).encode()).decode()


@pytest.mark.parametrize("position", ["١٢", "²", "1_0", "12.0"])
def test_forged_cursor_with_a_position_in_other_digits_is_a_400(position):
    response = client().get("/api/v1/exhibitors/", {"cursor": forged_cursor(position)})
    assert response.status_code == 400
    assert list(response.json()) == ["cursor"]


def test_cursor_with_an_ascii_position_walks_from_there():
    response = client().get("/api/v1/exhibitors/", {"cursor": forged_cursor("1")})
    assert response.status_code == 200
    assert all(row["id"] > 1 for row in response.json()["results"])


@pytest.mark.parametrize("value", ["1.5", "١", "1_0", "1e0", "²"])
def test_citation_record_id_must_be_a_whole_number(value):
    response = client().get("/api/v1/citations/", {"record_id": value})
    assert response.status_code == 400, (value, response.content)
    assert list(response.json()) == ["record_id"]


def test_citation_record_id_filters_by_the_record():
    citations = client().get("/api/v1/citations/", {"page_size": 500}).json()["results"]
    record_id = citations[0]["record_id"]
    found = client().get("/api/v1/citations/", {"record_id": record_id}).json()["results"]
    assert found and {row["record_id"] for row in found} == {record_id}


@pytest.mark.parametrize("url", ["/api/v1/exhibitors/", "/api/v1/expos/", "/api/v1/deals/"])
@pytest.mark.parametrize("value", ["٢٠٢١", "²⁰²¹", "2_021", "2021.0"])
def test_year_filter_refuses_digits_that_are_not_ascii(url, value):
    response = client().get(url, {"year": value})
    assert response.status_code == 400, (value, response.content)
    assert list(response.json()) == ["year"]


@pytest.mark.parametrize("url", PAGE_LISTS)
@pytest.mark.parametrize("value", ["١٢", "²", "1_0", "x", "0"])
def test_every_list_page_answers_a_bad_page_number_with_a_400_naming_it(url, value):
    response = client().get(url, {"page": value})
    assert response.status_code == 400, (url, value)
    content = response.content.decode()
    assert "page" in content and "A page number from 1 is required." in content
    assert 'class="errors"' in content


@pytest.mark.parametrize("url", PAGE_LISTS)
def test_list_page_with_an_ascii_page_number_or_none_is_shown(url):
    assert client().get(url, {"page": "1"}).status_code == 200
    assert client().get(url, {"page": ""}).status_code == 200


def test_year_filter_on_a_page_refuses_other_digits():
    response = client().get("/exhibitors/", {"year": "٢٠٢٣"})
    assert response.status_code == 400
    assert "is not a year" in response.content.decode()


# --- Bodies ----------------------------------------------------------------------------------

ENDPOINTS = {prefix: viewset for prefix, viewset, _basename in router.registry}
NUMBER_FIELDS = (serializers.IntegerField, serializers.DecimalField)


def writable_number_fields():
    """(prefix, field name, field) of every number a client can write, by the serializers."""
    found = []
    for prefix, viewset in sorted(ENDPOINTS.items()):
        for name, field in viewset.serializer_class().fields.items():
            if field.read_only:
                continue
            if isinstance(field, (*NUMBER_FIELDS, serializers.PrimaryKeyRelatedField)):
                found.append((prefix, name, field))
            elif isinstance(field, fields.CompactRelatedField) and field.slug_field == "pk":
                # A link written by its record's id (an area's).
                found.append((prefix, name, field))
    return found


WRITABLE_NUMBERS = writable_number_fields()


def test_writable_numbers_are_found():
    """The walk below covers what it should: these are the directory's numbers today."""
    names = {(prefix, name) for prefix, name, _field in WRITABLE_NUMBERS}
    assert {
        ("deals", "amount"),
        ("deals", "amount_usd"),
        ("deals", "project_count"),
        ("expos", "edition_year"),
        ("areas", "size_m2"),
        ("figures", "value"),
        ("participations", "area"),
        ("citations", "record_id"),
    } <= names


@pytest.mark.parametrize(
    ("prefix", "name"), [(prefix, name) for prefix, name, _field in WRITABLE_NUMBERS]
)
def test_every_writable_number_is_read_as_ascii_digits(prefix, name):
    field = dict(ENDPOINTS[prefix].serializer_class().fields)[name]
    strict = (
        fields.AsciiIntegerMixin,
        fields.DecimalField,
        fields.PrimaryKeyRelatedField,
        fields.CompactRelatedField,
    )
    assert isinstance(field, strict), (prefix, name, type(field))


@pytest.fixture
def editor(django_user_model):
    user = django_user_model.objects.create_user("numbers-editor", password="numbers-pw-123!")
    user.user_permissions.set(Permission.objects.filter(codename__startswith="change_"))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return api


@pytest.mark.parametrize(
    ("prefix", "name"), [(prefix, name) for prefix, name, _field in WRITABLE_NUMBERS]
)
def test_patch_of_a_number_in_other_digits_is_a_400_naming_it(editor, prefix, name):
    model = ENDPOINTS[prefix].queryset.model
    record = model.objects.order_by("pk").first()
    assert record is not None, f"the seed has no {prefix} to patch"
    lookup = getattr(record, ENDPOINTS[prefix].lookup_field)
    url = f"/api/v1/{prefix}/{lookup}/"
    before = editor.get(url).json()
    is_decimal = isinstance(
        dict(ENDPOINTS[prefix].serializer_class().fields)[name], NUMBER_FIELDS[1]
    )
    for value in NOT_ASCII_DECIMALS if is_decimal else [*NOT_ASCII_INTEGERS, 12.5, True]:
        response = editor.patch(url, {name: value}, format="json")
        assert response.status_code == 400, (prefix, name, value, response.content)
        assert list(response.json()) == [name], (value, response.json())
    after = editor.get(url).json()
    assert after[name] == before[name]


def test_deal_amount_in_ascii_digits_is_written(editor):
    deal = Deal.objects.exclude(amount=None).order_by("pk").first()
    response = editor.patch(f"/api/v1/deals/{deal.slug}/", {"amount": "1000.5"}, format="json")
    assert response.status_code == 200, response.content
    deal.refresh_from_db()
    assert str(deal.amount) == "1000.50"


# --- The admin -------------------------------------------------------------------------------


def directory_admins():
    """Every ModelAdmin of the directory's apps, and every inline they show."""
    found = []
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label):
        if not admin.site.is_registered(model):
            continue
        if model._meta.app_label not in {"core", "exhibitors", "expos"}:
            continue
        model_admin = admin.site.get_model_admin(model)
        found.append(model_admin)
        found += [inline(model, admin.site) for inline in model_admin.inlines]
    return found


def test_every_directory_admin_reads_numbers_as_ascii_digits(rf, admin_user):
    request = rf.get("/")
    request.user = admin_user
    checked = 0
    for model_admin in directory_admins():
        assert isinstance(model_admin, AsciiNumbersMixin), type(model_admin)
        for db_field in model_admin.model._meta.fields:
            if db_field.choices or db_field.is_relation or not db_field.editable:
                continue
            form_field = model_admin.formfield_for_dbfield(db_field, request)
            if form_field is None or not hasattr(form_field, "max_value"):
                continue
            assert isinstance(form_field, IntegerFormField | DecimalFormField), db_field
            checked += 1
    assert checked >= 8  # years, editions, amounts, counts, values, sizes


def test_admin_deal_form_refuses_an_amount_in_other_digits(admin_client):
    deal = Deal.objects.exclude(amount=None).order_by("pk").first()
    url = f"/admin/expos/deal/{deal.pk}/change/"
    form = admin_client.get(url).context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and not isinstance(value, list | tuple)
    }
    for value in ["١٢٣", "1_000", "1e3"]:
        response = admin_client.post(url, {**data, "amount": value})
        assert response.status_code == 200
        assert "amount" in response.context["adminform"].form.errors, value
    deal.refresh_from_db()
    assert deal.amount not in (123, 1000)


@pytest.mark.parametrize("value", ["١", "²", "1_0"])
def test_admin_change_list_page_number_in_other_digits_is_refused(admin_client, value):
    response = admin_client.get("/admin/exhibitors/exhibitor/", {"p": value})
    assert response.status_code == 302
    assert response["Location"].endswith("?e=1")
    assert admin_client.get("/admin/exhibitors/exhibitor/", {"p": "1"}).status_code == 200


# --- Dates, which are numbers too -----------------------------------------------------------

DATE_FIELDS = (serializers.DateField, serializers.DateTimeField)
WRITABLE_DATES = [
    (prefix, name)
    for prefix, viewset in sorted(ENDPOINTS.items())
    for name, field in viewset.serializer_class().fields.items()
    if not field.read_only and isinstance(field, DATE_FIELDS)
]


def test_writable_dates_are_found():
    assert {("expos", "start_date"), ("forums", "date"), ("sources", "published_on")} <= set(
        WRITABLE_DATES
    )


@pytest.mark.parametrize(("prefix", "name"), WRITABLE_DATES)
def test_patch_of_a_date_in_other_digits_is_a_400_naming_it(editor, prefix, name):
    model = ENDPOINTS[prefix].queryset.model
    record = model.objects.order_by("pk").first()
    assert record is not None, f"the seed has no {prefix} to patch"
    url = f"/api/v1/{prefix}/{getattr(record, ENDPOINTS[prefix].lookup_field)}/"
    before = editor.get(url).json()[name]
    for value in ["٢٠٢١-٠٦-٠١", "２０２１-06-01", "2021-0６-01"]:
        response = editor.patch(url, {name: value}, format="json")
        assert response.status_code == 400, (prefix, name, value, response.content)
        assert list(response.json()) == [name], (value, response.json())
    assert editor.get(url).json()[name] == before


@pytest.mark.parametrize("url", ["/api/v1/exhibitors/", "/api/v1/deals/", "/exhibitors/"])
def test_updated_since_in_other_digits_is_a_400(url):
    response = client().get(url, {"updated_since": "٢٠٢١-٠١-٠١T00:00:00Z"})
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert list(response.json()) == ["updated_since"]
    ascii_form = client().get(url, {"updated_since": "2021-01-01T00:00:00Z"})
    assert ascii_form.status_code == 200


def test_admin_source_form_refuses_a_date_in_other_digits(rf, admin_user):
    from core.provenance import Source

    request = rf.get("/")
    request.user = admin_user
    form_class = admin.site.get_model_admin(Source).get_form(request)
    field = form_class.base_fields["published_on"]
    assert field.clean("2021-09-06").isoformat() == "2021-09-06"
    with pytest.raises(ValidationError):
        field.clean("٢٠٢١-٠٩-٠٦")
