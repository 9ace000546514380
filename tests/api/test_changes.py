"""/api/v1/changes/: the change feed a mirror keeps itself exact with, deletions included."""

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from rest_framework.authtoken.models import Token
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

from config.api import router
from core.api.changes import ChangesView
from core.changelog import log as changelog
from exhibitors.models import Exhibitor, Sector
from expos.models import Expo, Highlight
from tests import factories as f

CHANGES = "/api/v1/changes/"


def walk_changes(client, url):
    """Every entry from `url` on, following `next` until a page is empty: (entries, next)."""
    found = []
    for _ in range(1000):
        answer = client.get(url)
        assert answer.status_code == 200, answer.content
        body = answer.json()
        if not body["results"]:
            return found, body["next"]
        found += body["results"]
        url = body["next"]
    raise AssertionError("the walk never ended")


@pytest.mark.django_db
def test_since_now_is_an_empty_page_with_the_position(client):
    f.SectorFactory()
    body = client.get(CHANGES + "?since=now").json()
    assert body["results"] == []
    assert body["next"].startswith("http://testserver/api/v1/changes/?since=")


@pytest.mark.django_db(transaction=True)
def test_entries_name_type_id_slug_operation_time_and_url_and_no_user(client):
    start = client.get(CHANGES + "?since=now").json()["next"]
    exhibitor = f.ExhibitorFactory(slug="dahua")
    sector = f.SectorFactory(slug="video-iot")
    exhibitor.sectors.add(sector)
    Sector.objects.filter(pk=sector.pk).update(name="Video IoT")
    exhibitor.sectors.clear()
    sector_id = sector.pk
    sector.delete()
    found, _ = walk_changes(client, start)
    shown = [(e["type"], e["id"], e["slug"], e["operation"]) for e in found]
    assert shown == [
        ("exhibitor", exhibitor.pk, "dahua", "create"),
        ("sector", sector_id, "video-iot", "create"),
        ("exhibitor", exhibitor.pk, "dahua", "update"),  # the link, as a change of its owner
        ("sector", sector_id, "video-iot", "update"),
        ("exhibitor", exhibitor.pk, "dahua", "update"),
        ("sector", sector_id, "video-iot", "delete"),
    ]
    assert found[0]["url"] == "http://testserver/api/v1/exhibitors/dahua/"
    assert found[-1]["url"] == "http://testserver/api/v1/sectors/video-iot/"
    assert all(e["time"] for e in found)
    assert set(found[0]) == {"type", "id", "slug", "operation", "time", "url"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query, field",
    [
        ("since=nope", "since"),
        ("since=" + "A" * 5000, "since"),
        ("since=MTsxOjE6OzA", "since"),
        ("since=now&page_size=٣", "page_size"),
        ("since=now&page_size=0", "page_size"),
        ("after=1", "after"),
    ],
)
def test_bad_parameters_are_a_400_naming_them(client, query, field):
    answer = client.get(f"{CHANGES}?{query}")
    assert answer.status_code == 400
    assert list(answer.json()) == [field]


@pytest.mark.django_db(transaction=True)
def test_a_cursor_from_before_the_entries_kept_is_a_410(client):
    from datetime import timedelta

    from django.utils import timezone

    from core.models import ChangeSet

    old = client.get(CHANGES + "?since=now").json()["next"]
    f.SectorFactory()
    ChangeSet.objects.update(at=timezone.now() - timedelta(days=365))
    call_command("prune_changes", verbosity=0)
    for url in (old, CHANGES):  # a cursor from before, and the walk from the start
        answer = client.get(url)
        assert answer.status_code == 410
        assert "afresh" in answer.json()["detail"]
    assert client.get(CHANGES + "?since=now").status_code == 200


def test_the_feed_is_throttled_like_every_list_and_in_the_schema():
    assert [type(t) for t in ChangesView().get_throttles()] == [
        *api_settings.DEFAULT_THROTTLE_CLASSES
    ]
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"]["/api/v1/changes/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"since", "page_size"}
    assert {"200", "400", "410"} <= set(operation["responses"])


# --- A mirror -----------------------------------------------------------------------------


def full_walk(client):
    """Every record of every list, as its own URL answers: {(type, id): body}."""
    mirror = {}
    for prefix, _viewset, basename in router.registry:
        url = f"/api/v1/{prefix}/?page_size=500"
        while url:
            body = client.get(url).json()
            for item in body["results"]:
                detail = client.get(item["url"])
                assert detail.status_code == 200
                mirror[(basename, item["id"])] = detail.json()
            url = body.get("next")
    return mirror


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_a_mirror_from_a_full_walk_and_the_changes_since_equals_the_database(django_user_model):
    call_command("loaddata", "seed", verbosity=0)
    client = APIClient()
    position = client.get(CHANGES + "?since=now").json()["next"]
    mirror = full_walk(client)
    assert len(mirror) > 50

    # Writes by every path.
    editor = django_user_model.objects.create_superuser("editor", password="editor-pw-123!")
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=editor).key}")
    assert api.post("/api/v1/sectors/", {"name_en": "Mirrors"}, format="json").status_code == 201
    dahua = Exhibitor.objects.get(slug="zhejiang-dahua-technology")
    url = "/api/v1/exhibitors/zhejiang-dahua-technology/"
    answer = api.patch(url, {"city_en": "Hangzhou"}, format="json")
    assert answer.status_code == 200
    dahua.sectors.add(Sector.objects.get(slug="mirrors"))  # a link, through the ORM
    Exhibitor.objects.filter(country="CN").update(region="Zhejiang")  # QuerySet.update
    Sector.objects.bulk_create([Sector(slug="bulk-sector", name="Bulk")])  # bulk_create
    expo = Expo.objects.first()
    highlight = Highlight.objects.create(expo=expo, title="Written by the ORM")
    with connection.cursor() as cursor:  # raw SQL, as psql would
        cursor.execute("UPDATE expos_expo SET venue = 'Renamed hall' WHERE id = %s", [expo.pk])
        cursor.execute("DELETE FROM expos_highlight WHERE id = %s", [highlight.pk])
        cursor.execute("DELETE FROM exhibitors_sector WHERE slug = 'bulk-sector'")
    assert api.delete("/api/v1/sectors/mirrors/").status_code in (204, 409)

    # The mirror follows the feed: each entry's record is fetched again, or dropped.
    found, position = walk_changes(client, position)
    assert {e["operation"] for e in found} == {"create", "update", "delete"}
    for entry in found:
        key = (entry["type"], entry["id"])
        answer = client.get(entry["url"]) if entry["url"] else None
        if answer is not None and answer.status_code == 200:
            mirror[key] = answer.json()
        else:
            mirror.pop(key, None)
    fresh = full_walk(client)
    assert mirror.keys() == fresh.keys()
    assert mirror == fresh
    # Nothing more since.
    assert walk_changes(client, position)[0] == []


@pytest.mark.django_db(transaction=True)
def test_the_walk_from_the_start_returns_the_oldest_entries_first(client):
    f.SectorFactory(slug="first")
    f.SectorFactory(slug="second")
    entries, _ = changelog.walk(changelog.Cursor(), 1000)
    slugs = [e.slug for e in entries if e.model == "exhibitors.sector"]
    assert slugs[-2:] == ["first", "second"]


@pytest.mark.django_db(transaction=True)
def test_next_keeps_the_page_size_and_pages_hold_at_most_it(client):
    start = client.get(CHANGES + "?since=now").json()["next"]
    Sector.objects.bulk_create([Sector(slug=f"s{n}", name=f"S{n}") for n in range(5)])
    first = client.get(start + "&page_size=2").json()
    assert [e["slug"] for e in first["results"]] == ["s0", "s1"]
    assert first["next"].endswith("&page_size=2")
    second = client.get(first["next"]).json()
    assert [e["slug"] for e in second["results"]] == ["s2", "s3"]


@pytest.mark.django_db(transaction=True)
def test_links_of_a_deleted_owner_and_records_with_no_url(client, monkeypatch):
    start = client.get(CHANGES + "?since=now").json()["next"]
    exhibitor, sector = f.ExhibitorFactory(slug="gone"), f.SectorFactory(slug="kept")
    exhibitor.sectors.add(sector)
    with connection.cursor() as cursor:  # the links go with their exhibitor
        cursor.execute("DELETE FROM exhibitors_exhibitor_sectors")
        cursor.execute("DELETE FROM exhibitors_exhibitor WHERE slug = 'gone'")
    with transaction.atomic(), connection.cursor() as cursor:
        # An entry of a table the code no longer tracks is left out.
        cursor.execute(
            "INSERT INTO core_change (xid, model, record_id, operation)"
            " VALUES (pg_current_xact_id(), 'exhibitors.retired', 1, 'I')"
        )
        cursor.execute("SELECT core_note_write()")
    # A type with no endpoint, and one whose route no longer reverses, have no url.
    monkeypatch.setattr(ChangesView, "routes", {**ChangesView.routes})
    ChangesView.routes["exhibitors.sector"] = ("no-such-route", "slug")
    found, _ = walk_changes(client, start)
    shown = [(e["type"], e["slug"], e["operation"], e["url"]) for e in found]
    gone = "http://testserver/api/v1/exhibitors/gone/"
    assert shown == [
        ("exhibitor", "gone", "create", gone),
        ("no-such-route", "kept", "create", None),
        ("exhibitor", None, "update", None),  # its link: the owner is gone, so no slug
        ("exhibitor", None, "update", None),
        ("exhibitor", "gone", "delete", gone),
    ]
    del ChangesView.routes["exhibitors.exhibitor"]
    found, _ = walk_changes(client, start)
    assert found[0]["type"] == "exhibitors.exhibitor" and found[0]["url"] is None
