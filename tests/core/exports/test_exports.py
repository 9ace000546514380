"""Downloads: no cell of any CSV the directory writes runs as a spreadsheet formula, and a
download that fails is an error, never a file that looks complete."""

import csv
import io
from decimal import Decimal

import pytest
from django.db import models, transaction
from django.test import Client

from config.api import router
from core.api.renderers import cell
from core.exports.writers import FORMULA_STARTS, csv_lines, neutralise
from exhibitors.models import Exhibitor
from tests.pages import body, get

pytestmark = pytest.mark.usefixtures("seeded")

PAYLOAD = '=HYPERLINK("http://evil.example","click")+cmd|\' /C calc\'!A0'
PAGE_DOWNLOADS = {
    "/exhibitors/export.csv": "exhibitors.Exhibitor",
    "/expos/export.csv": "expos.Expo",
    "/forums/export.csv": "expos.Forum",
    "/speakers/export.csv": "expos.Speaker",
    "/deals/export.csv": "expos.Deal",
}
API_ENDPOINTS = sorted((prefix, viewset) for prefix, viewset, _basename in router.registry)


@pytest.mark.parametrize("start", FORMULA_STARTS)
def test_neutralise_prefixes_text_that_starts_a_formula(start):
    assert neutralise(f"{start}1+2") == f"'{start}1+2"


@pytest.mark.parametrize("value", ["-5", "+34 91 123 45 67", "@handle", "\t=1"])
def test_neutralise_prefixes_numbers_and_phones_given_as_text(value):
    assert neutralise(value) == f"'{value}"


@pytest.mark.parametrize("value", [-5, -2.5, Decimal("-1.50"), "a=b", "", " =1", "'=1"])
def test_neutralise_leaves_numbers_and_harmless_text(value):
    assert neutralise(value) == value


def test_api_number_columns_stay_numbers():
    assert cell("-1500.00", number=True) == Decimal("-1500.00")
    assert cell("-1500.00") == "-1500.00"  # neutralised as text by csv_lines
    assert cell("=1+2", number=True) == "=1+2"  # not a number: still text, and neutralised
    lines = list(csv_lines(["a", "b"], [[cell("-3", number=True), cell("-3")]]))
    assert lines[1] == "-3,'-3\n"


def plant(record):
    """Write PAYLOAD (cut to each field's length) into every free-text field of `record` that
    takes it; the names of the fields planted."""
    planted = []
    for field in record._meta.concrete_fields:
        if (
            not isinstance(field, models.CharField | models.TextField)
            or field.choices
            or isinstance(field, models.SlugField)
            or field.name in ("slug",)
        ):
            continue
        value = PAYLOAD[: field.max_length] if field.max_length else PAYLOAD
        try:
            with transaction.atomic():
                type(record).objects.filter(pk=record.pk).update(**{field.attname: value})
        except Exception:  # a constraint the payload breaks (a currency code): not planted
            continue
        planted.append(field.name)
    return planted


def csv_cells(content):
    return [cell for row in csv.reader(io.StringIO(content.removeprefix("\ufeff"))) for cell in row]


def assert_neutralised(response):
    cells = csv_cells(body(response).decode())
    assert any(c.startswith(f"'{PAYLOAD[:3]}") for c in cells), "the planted text is not there"
    dangerous = [c for c in cells if c.startswith(FORMULA_STARTS)]
    assert dangerous == []


@pytest.mark.parametrize("url", sorted(PAGE_DOWNLOADS))
def test_page_download_neutralises_formulas(url):
    from django.apps import apps

    record = apps.get_model(PAGE_DOWNLOADS[url]).objects.order_by("pk").first()
    assert plant(record)
    assert_neutralised(get(Client(), url))


def test_expo_page_s_exhibitor_download_neutralises_formulas():
    exhibitor = Exhibitor.objects.filter(participations__isnull=False).first()
    expo = exhibitor.participations.first().expo
    assert plant(exhibitor)
    assert_neutralised(get(Client(), f"/exhibitors/export.csv?expo={expo.slug}"))


@pytest.mark.parametrize("prefix, viewset", API_ENDPOINTS, ids=[p for p, _v in API_ENDPOINTS])
def test_api_list_and_record_in_csv_neutralise_formulas(prefix, viewset):
    data = Client().get(f"/api/v1/{prefix}/").json()["results"]
    first = data[0]
    record = viewset.queryset.model.objects.get(
        **({"slug": first["slug"]} if "slug" in first else {"pk": first["id"]})
    )
    if not plant(record):
        pytest.fail(f"{prefix}: no text field to plant a formula in")
    # Accept rather than ?format=: the expo list has a filter of that name.
    assert_neutralised(get(Client(), f"/api/v1/{prefix}/", HTTP_ACCEPT="text/csv"))
    assert_neutralised(get(Client(), first["url"], HTTP_ACCEPT="text/csv"))


# --- Failures ------------------------------------------------------------------------------


@pytest.fixture
def serialised(monkeypatch):
    """The API's downloads written by DRF's serializers, as for a list whose fields SQL does
    not express (its own failures: tests/core/exports/test_copy_exports.py,
    test_streaming_live.py)."""
    from core.api import cells

    def unsupported(*args):
        raise cells.Unsupported("the Python path")

    monkeypatch.setattr(cells, "api_query", unsupported)


@pytest.mark.usefixtures("serialised")
def test_api_download_failing_at_its_first_row_is_a_json_500(monkeypatch):
    from expos.api.views import SectorViewSet

    def fail(self, *args, **kwargs):
        raise RuntimeError("a record that cannot be serialised")

    serializer = SectorViewSet.serializer_class
    monkeypatch.setattr(serializer, "to_representation", fail)
    response = Client(raise_request_exception=False).get("/api/v1/sectors/", HTTP_ACCEPT="text/csv")
    assert response.status_code == 500
    assert response.json() == {"detail": "A server error occurred."}


@pytest.mark.usefixtures("serialised")
def test_api_download_failing_midway_is_logged_and_raised(monkeypatch, caplog):
    from core.api import streaming
    from expos.api.views import SectorViewSet

    serializer = SectorViewSet.serializer_class
    written = serializer.to_representation
    calls = []

    def fail_on_the_third(self, instance):
        calls.append(instance)
        if len(calls) == 3:
            raise RuntimeError("a record that cannot be serialised")
        return written(self, instance)

    monkeypatch.setattr(streaming, "STREAM_CHUNK", 1)
    monkeypatch.setattr(serializer, "to_representation", fail_on_the_third)
    response = Client().get("/api/v1/sectors/", HTTP_ACCEPT="application/x-ndjson")
    assert response.status_code == 200
    lines = []
    with pytest.raises(RuntimeError, match="cannot be serialised"):
        lines.extend(response.streaming_content)
    assert len(lines) == 2
    (logged,) = [r for r in caplog.records if r.name == "core.exports.writers"]
    assert "sectors.ndjson" in logged.getMessage() and logged.exc_info
