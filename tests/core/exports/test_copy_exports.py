"""The downloads PostgreSQL writes (COPY, core.exports.copy), cell for cell, in English and
Spanish, over the seed data and records with awkward text: every page download as its expected
file holds it (expected/<language>/), every API list in CSV and NDJSON as its serializers write
it."""

import csv
import datetime
import io
import json
from decimal import Decimal
from pathlib import Path
from unittest import mock

import pytest
from django.db.models import F
from django.test import Client

from config.api import router
from core.api import cells
from core.exports import copy
from core.exports.sql import Sql
from core.fields import NOT_IN_A_LINE
from exhibitors.models import Exhibitor
from tests import factories
from tests.pages import csv_rows, csv_table, expected_bytes, expected_csv, get, streamed

pytestmark = pytest.mark.usefixtures("seeded")

# Quotes, separators, line breaks, formula starts (full-width ones too) and non-ASCII.
AWKWARD = [
    'Say "cheese", then; leave',
    "two\nlines\r\nand a tab\there",
    "=SUM(A1:A2)",
    "-5",
    "+34 91 123 45 67",
    "@handle",
    "\uff1dfull-width formula",
    "\uff0b\uff0d\uff20",
    "Ñandú, São Paulo, Zürich 中文 — ok",
    "'already quoted",
    "\\back\\slash\\",
    "\t=tabbed",
]


def line(text):
    """`text` as a single-line field holds it: line breaks and tabs stay in the multi-line
    fields (descriptions, showcases, topics), which still carry every AWKWARD text."""
    return NOT_IN_A_LINE.regex.sub(" ", text)


EXPECTED = Path(__file__).parent / "expected"
# Each page download, over the seed and the awkward records, and the file that holds its rows.
PAGE_DOWNLOADS = {
    "/exhibitors/export.csv": "exhibitors.csv",
    "/exhibitors/export.csv?expo=awkward-expo": "exhibitors-at-an-expo.csv",
    "/expos/export.csv": "expos.csv",
    "/forums/export.csv": "forums.csv",
    "/speakers/export.csv": "speakers.csv",
    "/deals/export.csv": "deals.csv",
}
API_LISTS = sorted(prefix for prefix, _viewset, _basename in router.registry)
LANGUAGES = ["en", "es"]
# Lists whose fields core.exports.copy cannot all express: none today.
PYTHON_ONLY: set = set()


@pytest.fixture
def awkward(db):
    """Records of every kind whose text is AWKWARD, some with Spanish, some without; the slugs
    the page downloads show are fixed, so their expected files hold them."""
    sectors = [
        factories.SectorFactory(name=line(text), name_es=line(text[::-1]) if n % 2 else "")
        for n, text in enumerate(AWKWARD[:4])
    ]
    series = factories.ExpoSeriesFactory(name=AWKWARD[8], name_es="Serie ñ")
    expo = factories.ExpoFactory(
        slug="awkward-expo",
        name=AWKWARD[0],
        name_es=AWKWARD[8],
        short_name=AWKWARD[2],
        venue=line(AWKWARD[1]),
        city_es='Ciudad, "con" comas',
        series=series,
        edition_year=None,
        edition_number=0,
        start_date=None,
        country="",
    )
    child = factories.ExpoFactory(
        slug="awkward-child", name=line(AWKWARD[6]), parent=expo, country="BY"
    )
    organisations = [factories.OrganisationFactory(name=line(text)) for text in AWKWARD[4:7]]
    expo.organisers.set(organisations[:2])
    expo.sectors.set(sectors)
    exhibitors = []
    for n, text in enumerate(AWKWARD):
        exhibitor = factories.ExhibitorFactory(
            slug=f"awkward-{n}",
            name=line(text),
            name_es=line(AWKWARD[-1 - n]) if n % 3 else "",
            region=line(AWKWARD[(n + 1) % len(AWKWARD)]),
            city_es=line(text) if n % 2 else "",
            description=AWKWARD[(n + 5) % len(AWKWARD)],
            country=["CN", "ES", "", "XK", "BY", "US"][n % 6],
            website="https://example.org/ñ?a=1,2" if n % 2 else "",
        )
        exhibitor.sectors.set(sectors[: n % 5])
        exhibitors.append(exhibitor)
    area = factories.AreaFactory(expo=expo, name=line(AWKWARD[7]))
    for n, exhibitor in enumerate(exhibitors[:6]):
        factories.ParticipationFactory(
            exhibitor=exhibitor,
            expo=[expo, child][n % 2],
            area=area if n % 2 else None,
            showcase=AWKWARD[n],
        )
    forum = factories.ForumFactory(
        expo=expo, slug="awkward-forum", title=line(AWKWARD[3]), topic=AWKWARD[1], date=None
    )
    forum.organisers.set(organisations)
    forum.partners.set(organisations[1:])
    speakers = [
        factories.SpeakerFactory(
            slug=f"awkward-{n}",
            name=line(text),
            honorific=["", "Dr.", "Ms"][n % 3],
            role=line(AWKWARD[n + 2]),
        )
        for n, text in enumerate(AWKWARD[:4])
    ]
    speakers[1].exhibitor = exhibitors[0]
    speakers[1].save()
    speakers[2].organisation = organisations[0]
    speakers[2].save()
    for speaker in speakers[::-1]:
        factories.AppearanceFactory(speaker=speaker, forum=forum, topic=AWKWARD[5])
    factories.StatementFactory(speaker=speakers[0], expo=expo, text=AWKWARD[4])
    deal = factories.DealFactory(
        expo=expo,
        slug="awkward-deal",
        title=line(AWKWARD[2]),
        amount=Decimal("1500.50"),
        amount_usd=Decimal("0"),
        project_count=None,
        description=AWKWARD[1],
        signed_on=datetime.date(2023, 11, 8),
    )
    deal.sectors.set(sectors[1:])
    deal.parties.set(exhibitors[:3])
    factories.DealFactory(
        expo=child, slug="awkward-child-deal", title=line(AWKWARD[9]), amount=None, project_count=0
    )
    return exhibitors


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("url", "name"), PAGE_DOWNLOADS.items())
def test_page_downloads_are_their_expected_files(awkward, url, name, language):
    prefix = "" if language == "en" else f"/{language}"
    expected = expected_csv(EXPECTED / language / name)
    assert len(expected) > 1, url
    body = streamed(get(Client(), prefix + url))
    assert csv_table(body) == expected, url
    # Byte for byte: the byte-order mark, then every line ending in LF as COPY writes it
    # (the header line, written in Python, included); a CR only inside a quoted cell.
    assert body == expected_bytes(EXPECTED / language / name), url


def test_page_download_cells_are_neutralised_and_numbers_stay_numbers(awkward):
    rows = csv_rows(get(Client(), "/deals/export.csv"))
    deal = next(row for row in rows if row[0] == f"'{AWKWARD[2]}")
    assert deal[4] == "1500.50" and deal[6] == "" and deal[3] == ""
    rows = csv_rows(get(Client(), "/exhibitors/export.csv"))
    names = [row[0] for row in rows]
    assert "'\uff1dfull-width formula" in names and "'-5" in names
    # A tab may start only text of several lines now, such as a description.
    assert "'\t=tabbed" in [cell for row in rows for cell in row[1:]]


def api_body(prefix, fmt, language, query=""):
    accept = {"csv": "text/csv", "ndjson": "application/x-ndjson"}[fmt]
    url = f"/api/v1/{prefix}/?lang={language}" + (f"&{query}" if query else "")
    response = get(Client(), url, HTTP_ACCEPT=accept)
    assert response["Content-Language"] == language
    return streamed(response)


def parsed(body, fmt):
    if fmt == "csv":
        return csv_table(body, byte_order_mark=False)
    return [json.loads(line) for line in body.decode().splitlines()]


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("fmt", ["csv", "ndjson"])
def test_api_lists_from_copy_are_the_serializers(awkward, fmt, language, monkeypatch):
    ran = []
    original = copy.copy_blocks

    def recorded(sql, params, fmt, using="default"):
        ran.append(sql)
        return original(sql, params, fmt, using)

    monkeypatch.setattr(copy, "copy_blocks", recorded)
    copied = {}
    for prefix in API_LISTS:
        ran.clear()
        copied[prefix] = api_body(prefix, fmt, language)
        assert bool(ran) == (prefix not in PYTHON_ONLY), prefix

    def unsupported(*args):
        raise cells.Unsupported("the Python path, for comparison")

    monkeypatch.setattr(cells, "api_query", unsupported)
    for prefix in API_LISTS:
        expected = api_body(prefix, fmt, language)
        assert parsed(expected, fmt), prefix
        assert parsed(copied[prefix], fmt) == parsed(expected, fmt), prefix
        # Byte for byte: the same line endings, quoting and (NDJSON) compact separators.
        assert copied[prefix] == expected, prefix


# Filters by a choice make the list's query SELECT DISTINCT (django-filter's default for them).
DISTINCT_LISTS = [
    ("areas", "kind=area"),
    ("figures", "metric=exhibitors&metric=countries"),
    ("organisations", "kind=company&ordering=-name"),
    ("sources", "language=en&ordering=-date"),
    ("exhibitors", "country=CN&sector=video-iot&sector=digital-twin"),
]


@pytest.mark.parametrize("fmt", ["csv", "ndjson"])
@pytest.mark.parametrize(("prefix", "query"), DISTINCT_LISTS)
def test_api_lists_filtered_by_a_choice_are_the_serializers(awkward, prefix, query, fmt):
    copied = api_body(prefix, fmt, "en", query)
    with mock.patch.object(cells, "api_query", side_effect=cells.Unsupported("for comparison")):
        expected = api_body(prefix, fmt, "en", query)
    assert parsed(expected, fmt), (prefix, query)
    assert copied == expected


def test_api_csv_of_no_rows_is_its_header_as_the_pages(awkward):
    response = get(Client(), "/api/v1/exhibitors/?country=AD", HTTP_ACCEPT="text/csv")
    (header,) = csv_table(streamed(response), byte_order_mark=False)
    assert header[:4] == ["url", "html_url", "id", "slug"]
    assert csv_rows(get(Client(), "/exhibitors/export.csv?country=AD"))[0][0] == "name"


def test_expand_takes_the_python_path(awkward):
    response = get(
        Client(), "/api/v1/exhibitors/?expand=participations", HTTP_ACCEPT="application/x-ndjson"
    )
    records = parsed(streamed(response), "ndjson")
    assert any(record["participations"] for record in records)


# --- Failures in the database --------------------------------------------------------------


def test_copy_in_a_transaction_is_read_whole_in_the_view(failing_sql):
    """Inside a transaction the COPY shares its connection, so it is read before the view
    answers: a failure at any row is a 500 (streamed failures: test_streaming_live.py)."""
    failing_sql(Exhibitor.objects.order_by("name_en", "id")[3].slug)
    response = Client(raise_request_exception=False).get("/exhibitors/export.csv")
    assert response.status_code == 500


def failing_on(slug):
    """A name column that PostgreSQL fails to compute for the exhibitor `slug` (a division by
    zero). random() makes it volatile, so the planner computes it after the sort, as rows go
    out, rather than before the first."""
    return lambda queryset: Sql(
        "CASE WHEN {0} = {1} AND random() >= 0 THEN CAST(1 / (length({0}) - length({0})) AS "
        "text) ELSE {2} END",
        F("slug"),
        slug,
        F("name_en"),
    )


@pytest.fixture
def failing_sql(monkeypatch):
    from expos.views.exhibitors import ExhibitorCSVView

    def fail_on(slug):
        columns = [("name", failing_on(slug)), *ExhibitorCSVView.csv_columns[1:]]
        monkeypatch.setattr(ExhibitorCSVView, "csv_columns", columns)

    return fail_on


def test_copy_refused_at_its_first_row_is_a_500(failing_sql):
    failing_sql(Exhibitor.objects.order_by("name_en", "id").first().slug)
    response = Client(raise_request_exception=False).get("/exhibitors/export.csv")
    assert response.status_code == 500
    assert not response.streaming


def test_api_copy_refused_at_its_first_row_is_a_json_500(monkeypatch):
    build = cells.api_query

    def refused(serializer, queryset, fmt):
        sql, params = build(serializer, queryset, fmt)
        return sql.replace("SELECT", "SELECT 1 / (length(%s) - 1),", 1), ["x", *params]

    monkeypatch.setattr(cells, "api_query", refused)
    response = Client(raise_request_exception=False).get("/api/v1/sectors/", HTTP_ACCEPT="text/csv")
    assert response.status_code == 500
    assert response.json() == {"detail": "A server error occurred."}


# --- The query, for psql --------------------------------------------------------------------


def test_export_query_is_the_statement_the_download_runs(awkward):
    from django.db import connection

    statement = copy.export_query("/exhibitors/export.csv?country=CN", language="es")
    assert statement.startswith("COPY (SELECT") and statement.endswith("TO STDOUT (FORMAT csv)")
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copying:
        psql = b"".join(bytes(block) for block in copying)
    rows = csv_rows(get(Client(), "/es/exhibitors/export.csv?country=CN"))
    assert rows[1:] == list(csv.reader(io.StringIO(psql.decode())))
    statement = copy.export_query("/api/v1/exhibitors/?format=ndjson")
    assert """'{"url":'""" in statement
