"""No write, by any path, leaves a cached answer standing: the response cache, the facets, the
slug memo and the ETags all follow the change log (issue: "A write outside the ORM leaves
stale answers")."""

import pytest
from django.core.management import call_command
from django.db import connection

from exhibitors.models import Exhibitor, Sector
from tests.api.helpers import get

pytestmark = pytest.mark.usefixtures("seeded")

DAHUA = "zhejiang-dahua-technology"


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def rename_by_update():
    Exhibitor.objects.filter(slug=DAHUA).update(name_en="Renamed")


def rename_by_sql():
    sql("UPDATE exhibitors_exhibitor SET name_en = 'Renamed' WHERE slug = %s", [DAHUA])


def link_in_the_many_to_many_table():
    """The links' own model, as a bulk writer uses it: no m2m_changed signal."""
    Exhibitor.sectors.through.objects.bulk_create(
        [
            Exhibitor.sectors.through(
                exhibitor=Exhibitor.objects.get(slug=DAHUA),
                sector=Sector.objects.get(slug="renamed"),
            )
        ]
    )


def unlink_by_sql():
    sql(
        "DELETE FROM exhibitors_exhibitor_sectors WHERE exhibitor_id ="
        " (SELECT id FROM exhibitors_exhibitor WHERE slug = %s)",
        [DAHUA],
    )


WRITES = {
    rename_by_update: "Renamed",
    rename_by_sql: "Renamed",
    link_in_the_many_to_many_table: "Renamed",
    unlink_by_sql: None,
}


@pytest.mark.parametrize("write", list(WRITES), ids=lambda w: w.__name__)
def test_a_write_by_any_path_refreshes_cached_answers_and_etags(client, settings, write):
    settings.DIRECTORY_API_CACHE = True
    Sector.objects.create(slug="renamed", name="Renamed")  # in no answer yet
    url = f"/api/v1/exhibitors/{DAHUA}/"
    first = get(client, url)
    sectors = [s["slug"] for s in first.json()["sectors"]]
    assert "Renamed" not in first.content.decode() and sectors
    write()
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200  # not 304: the old ETag no longer names the data
    assert again["ETag"] != first["ETag"]
    if WRITES[write]:
        assert WRITES[write] in again.content.decode()  # not the cached body
    else:
        assert again.json()["sectors"] == []


def test_a_record_deleted_with_sql_is_gone_from_the_cache(client, settings):
    settings.DIRECTORY_API_CACHE = True
    url = "/api/v1/figures/"
    figure_id = get(client, url).json()["results"][0]["id"]
    detail = f"/api/v1/figures/{figure_id}/"
    assert get(client, detail).json()["id"] == figure_id
    sql("DELETE FROM expos_figure WHERE id = %s", [figure_id])
    assert client.get(detail).status_code == 404
    assert figure_id not in [r["id"] for r in get(client, url).json()["results"]]


def test_a_sector_renamed_with_sql_is_found_by_its_new_slug(client):
    """The slugs a filter names are remembered per data version (core.changelog.dataversion)."""
    url = "/api/v1/exhibitors/?sector=video-iot"
    assert get(client, url).json()["count"] >= 1
    sql("UPDATE exhibitors_sector SET slug = 'video-things' WHERE slug = 'video-iot'")
    assert client.get(url).status_code == 400
    assert get(client, "/api/v1/exhibitors/?sector=video-things").json()["count"] >= 1


def test_a_recount_refreshes_cached_facets(client):
    url = "/api/v1/exhibitors/?facets=country"

    def shown():
        return {o["value"]: o["count"] for o in get(client, url).json()["facets"]["country"]}

    true = {"CN": Exhibitor.objects.filter(country="CN").count()}
    # Counts that drifted (a write that bypassed the triggers), seen and cached…
    sql("UPDATE exhibitors_countrycount SET n = n + 7 WHERE country = 'CN'")
    assert shown()["CN"] == true["CN"] + 7
    # …then counted again: the cached facets go with the recount.
    call_command("recount_facets", verbosity=0)
    assert shown()["CN"] == true["CN"]
