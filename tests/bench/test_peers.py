"""bench/peers.py: the peers answer what the directory answers, so "this ÷ peer" compares the
same work: the same records for the same filters, and an import that writes what the file says.
"""

import csv
from urllib.parse import urlencode

import pytest

from bench import peers
from exhibitors.models import Exhibitor, Sector
from expos.importing.reading import COLUMNS
from expos.models import Expo, Participation

pytestmark = [pytest.mark.urls("bench.urls"), pytest.mark.usefixtures("seeded")]


def filters():
    """Query strings of every kind of filter, with values the seed has."""
    exhibitor = Exhibitor.objects.exclude(country="").order_by("id").first()
    sector = Sector.objects.filter(exhibitors__isnull=False).order_by("slug").first()
    participation = Participation.objects.select_related("expo").order_by("id").first()
    word = exhibitor.name_en.split()[0]
    return [
        {},
        {"country": exhibitor.country.code},
        {"sector": sector.slug},
        {"country": exhibitor.country.code, "sector": sector.slug},
        {"q": word},
        {"expo": participation.expo.slug},
        {"year": participation.expo.edition_year},
        {"ordering": "-name"},
    ]


def all_results(client, path, parameters):
    """Every record of a list, page after page (page_size 5: the seed spans several)."""
    query = urlencode({**parameters, "page_size": 5})
    url, records, count = f"{path}?{query}", [], None
    for _ in range(100):
        response = client.get(url)
        assert response.status_code == 200, (url, response.content[:300])
        data = response.json()
        count = data["count"]
        records += data["results"]
        if not data["next"]:
            break
        url = data["next"]
    return count, records


def test_the_peer_api_lists_the_same_records_as_the_api(client):
    for parameters in filters():
        count, records = all_results(client, "/api/v1/exhibitors/", parameters)
        peer_count, peer_records = all_results(client, "/bench/peer/api/exhibitors/", parameters)
        assert peer_count == count, parameters
        # Field for field: the peer serialises what the API does, in the same order.
        assert peer_records == records, parameters
    assert count > 0


def test_the_peer_api_has_the_api_fields():
    assert peers.PeerExhibitorSerializer.Meta.fields == [
        "url", "html_url", "id", "slug", "name", "name_en", "name_es", "country", "country_name",
        "region", "region_en", "region_es", "city", "city_en", "city_es", "sectors", "description",
        "description_en", "description_es", "website", "synthetic", "created", "updated",
    ]  # fmt: skip


def page_slugs(response):
    return [exhibitor.slug for exhibitor in response.context["object_list"]]


def test_the_peer_page_shows_the_same_exhibitors_as_the_page(client):
    for parameters in filters():
        query = urlencode(parameters)
        page = client.get(f"/exhibitors/?{query}")
        peer = client.get(f"/bench/peer/exhibitors/?{query}")
        assert page.status_code == peer.status_code == 200, parameters
        assert page_slugs(peer) == page_slugs(page), parameters
        for slug in page_slugs(page):
            assert f'href="/exhibitors/{slug}/"' in peer.content.decode()


def test_the_peer_page_counts_exactly_and_pages_by_25(client):
    response = client.get("/bench/peer/exhibitors/")
    assert response.context["paginator"].count == Exhibitor.objects.count()
    assert response.context["paginator"].per_page == 25
    assert f"{Exhibitor.objects.count()} exhibitors" in response.content.decode()


def write_file(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in COLUMNS})


def directory_rows(sectors):
    expo = {
        "expo": "bench-peer-expo-2031",
        "expo_name": "Bench Peer Expo",
        "expo_year": "2031",
        "expo_country": "ES",
        "expo_city": "Bilbao",
        "expo_start": "2031-05-06",
        "expo_end": "2031-05-08",
    }
    exhibitor = {
        "slug": "bench-peer-exhibitor",
        "name": "Bench Peer Exhibitor",
        "country": "JP",
        "region": "Kanto",
        "city": "Yokohama",
        "sectors": ";".join(sectors),
        "website": "https://bench-peer.example",
        "description": "Sensors.",
    }
    return [
        {**exhibitor, **expo, "showcase": "A sensor"},
        {**exhibitor, "expo": "bench-peer-other-2032", "expo_name": "Other", "expo_year": "2032"},
        {**exhibitor, "slug": "bench-peer-second", "name": "Second", "sectors": sectors[0]},
    ]


def test_the_import_peer_writes_the_file(tmp_path):
    sectors = list(Sector.objects.order_by("slug").values_list("slug", flat=True)[:2])
    path = tmp_path / "directory.csv"
    write_file(path, directory_rows(sectors))

    result = peers.import_file(path)

    assert result["rows"] == 3
    assert result["totals"]["expo"]["new"] == 2
    assert result["totals"]["exhibitor"]["new"] == 2
    assert result["totals"]["participation"]["new"] == 2
    first = Exhibitor.objects.get(slug="bench-peer-exhibitor")
    assert (first.name_en, first.country.code, first.region_en, first.city_en) == (
        "Bench Peer Exhibitor",
        "JP",
        "Kanto",
        "Yokohama",
    )
    assert first.website == "https://bench-peer.example"
    assert sorted(first.sectors.values_list("slug", flat=True)) == sectors
    second = Exhibitor.objects.get(slug="bench-peer-second")
    assert list(second.sectors.values_list("slug", flat=True)) == sectors[:1]
    # A row with no expo names no participation.
    assert not Participation.objects.filter(exhibitor=second).exists()
    expo = Expo.objects.get(slug="bench-peer-expo-2031")
    assert (expo.name, expo.edition_year, expo.country.code, expo.city) == (
        "Bench Peer Expo",
        2031,
        "ES",
        "Bilbao",
    )
    assert str(expo.start_date) == "2031-05-06"
    showcases = dict(
        Participation.objects.filter(exhibitor=first).values_list("expo__slug", "showcase")
    )
    assert showcases == {"bench-peer-expo-2031": "A sensor", "bench-peer-other-2032": ""}


def test_the_import_peer_imports_a_slice_and_again_changes_nothing(tmp_path):
    sectors = list(Sector.objects.order_by("slug").values_list("slug", flat=True)[:2])
    path = tmp_path / "directory.csv"
    write_file(path, directory_rows(sectors))

    assert peers.import_file(path, limit=1)["rows"] == 1
    assert Exhibitor.objects.filter(slug__startswith="bench-peer").count() == 1
    again = peers.import_file(path, limit=1)
    assert again["totals"]["exhibitor"] == {**again["totals"]["exhibitor"], "new": 0, "skip": 1}
    assert again["totals"]["participation"]["new"] == 0
