"""How an expo can be attended: a hybrid expo can be attended online and in person, so
`attendance=online` and `attendance=in_person` find it, and `attendance=hybrid` finds only
hybrid expos; the same on the pages (in English and Spanish), in the feeds and in the API,
and each option's count is what choosing it gives."""

import re

import pytest

from tests.pages import page

pytestmark = pytest.mark.usefixtures("seeded")

HYBRID = "smart-china-expo-2021"  # SCE 2021
IN_PERSON = "zhejiang-smart-city-exhibition-spain-2023"
FOUND = {
    "online": {HYBRID},
    "in_person": {HYBRID, IN_PERSON},
    "hybrid": {HYBRID},
}


def api_slugs(client, query):
    response = client.get(f"/api/v1/expos/?{query}")
    assert response.status_code == 200, response.content[:300]
    return {expo["slug"] for expo in response.json()["results"]}


@pytest.mark.parametrize("value", sorted(FOUND))
def test_api_attendance_finds_hybrid_expos_under_online_and_in_person(client, value):
    assert api_slugs(client, f"attendance={value}") == FOUND[value]
    # The former name of the filter finds the same.
    assert api_slugs(client, f"format={value}") == FOUND[value]


def test_api_attendance_values_are_alternatives(client):
    assert api_slugs(client, "attendance=online&attendance=in_person") == {HYBRID, IN_PERSON}


def test_api_attendance_facet_counts_what_each_option_finds(client):
    body = client.get("/api/v1/expos/?facets=attendance&attendance=online").json()
    counts = {option["value"]: option["count"] for option in body["facets"]["attendance"]}
    assert counts == {value: len(slugs) for value, slugs in FOUND.items()}
    for value, count in counts.items():
        assert client.get(f"/api/v1/expos/?attendance={value}").json()["count"] == count


@pytest.mark.parametrize(
    ("prefix", "labels"),
    [
        ("", {"online": "Online", "in_person": "In person"}),
        ("/es", {"online": "En línea", "in_person": "Presencial"}),
    ],
)
def test_page_attendance_finds_hybrid_expos_and_counts_agree(client, prefix, labels):
    html = page(client, f"{prefix}/expos/?attendance=online")
    assert f'href="{prefix}/expos/{HYBRID}/"' in html
    assert f'href="{prefix}/expos/{IN_PERSON}/"' not in html
    for value, slugs in FOUND.items():
        count = re.search(
            rf'name="attendance" value="{value}"[^>]*>\s*<label[^>]*>[^<]*'
            rf'<span class="count">\((\d+)\)</span>',
            html,
        )
        assert count and int(count.group(1)) == len(slugs), value
        listed = page(client, f"{prefix}/expos/?attendance={value}")
        assert all(f'href="{prefix}/expos/{slug}/"' in listed for slug in slugs)
    for value, label in labels.items():
        assert f"{label} <span" in html, value


def test_calendar_attendance_online_has_the_hybrid_expo(client):
    response = client.get("/expos/calendar.ics?attendance=online")
    assert response.status_code == 200
    assert b"Smart China Expo" in response.content
