"""The .ics downloads: events with correct time zones, the list pages' filters, and errors."""

import datetime

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation
from icalendar import Calendar

from expos.models import Expo, Forum
from tests.factories import ExpoFactory, ForumFactory

pytestmark = pytest.mark.usefixtures("seeded")

ZHEJIANG = "zhejiang-smart-city-exhibition-spain-2023"
ZHEJIANG_UID = f"expo-{ZHEJIANG}@expo-directory"
ROUND_TABLE = "empowering-smart-city-construction-with-digital-technology"
ROUND_TABLE_UID = f"forum-{ROUND_TABLE}@expo-directory"
SMART_CHINA_UID = "expo-smart-china-expo-2021@expo-directory"


def download(client, name, query="", slug=None, **headers):
    response = client.get(
        reverse(f"expos:{name}", kwargs={"slug": slug} if slug else None) + query, **headers
    )
    assert response.status_code == 200, response.content
    return response, Calendar.from_ical(response.content)


def events_by_uid(calendar):
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_expo_list_calendar_writes_an_expo_of_known_days_as_whole_days(client):
    """Only the days are known: whole days (VALUE=DATE), DTEND the day after the last, not a
    72-hour block from midnight in the expo's zone."""
    response, calendar = download(client, "expo-list-calendar")
    event = events_by_uid(calendar)[SMART_CHINA_UID]

    assert event["DTSTART"].dt == datetime.date(2021, 8, 23)
    assert event["DTEND"].dt == datetime.date(2021, 8, 26)
    assert event["DTSTART"].params["VALUE"] == "DATE"
    assert "TZID" not in event["DTSTART"].params and "TZID" not in event["DTEND"].params
    assert b"DTSTART;VALUE=DATE:20210823\r\n" in response.content
    assert b"DTEND;VALUE=DATE:20210826\r\n" in response.content


def test_expo_list_calendar_needs_no_time_zone(client):
    _, calendar = download(client, "expo-list-calendar")

    assert calendar.timezones == []
    assert calendar.get_missing_tzids() == set()


def test_expo_list_calendar_describes_each_expo(client):
    _, calendar = download(client, "expo-list-calendar")
    event = events_by_uid(calendar)[ZHEJIANG_UID]

    assert str(event["SUMMARY"]) == (
        "Zhejiang Smart City Exhibition for Commercial Services (Spain) 2023"
    )
    assert str(event["LOCATION"]) == "Barcelona Convention and Exhibition Centre, Barcelona, Spain"
    assert "Zhejiang" in str(event["DESCRIPTION"])
    assert str(event["URL"]) == f"http://testserver/expos/{ZHEJIANG}/"
    assert event["DTSTAMP"].dt.tzinfo is not None


def test_expo_list_calendar_skips_location_parts_that_are_empty(client):
    _, calendar = download(client, "expo-list-calendar")

    assert str(events_by_uid(calendar)[SMART_CHINA_UID]["LOCATION"]) == "Chongqing, China"


def test_expo_list_calendar_leaves_out_undated_expos(client):
    _, calendar = download(client, "expo-list-calendar")

    assert set(events_by_uid(calendar)) == {ZHEJIANG_UID, SMART_CHINA_UID}


def test_expo_list_calendar_has_the_calendar_properties(client):
    response, calendar = download(client, "expo-list-calendar")

    assert str(calendar["PRODID"]) == "-//Smart-city expo directory//EN"
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert str(calendar["X-WR-CALNAME"])
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="expos.ics"'
    assert b"\r\n" in response.content
    assert b"\n" not in response.content.replace(b"\r\n", b"")


def test_expo_list_calendar_filters_by_year(client):
    _, calendar = download(client, "expo-list-calendar", "?year=2021")
    events = events_by_uid(calendar)

    assert set(events) == {SMART_CHINA_UID}
    assert str(events[SMART_CHINA_UID]["SUMMARY"]) == "Smart China Expo 2021"
    assert events[SMART_CHINA_UID]["DTSTART"].dt == datetime.date(2021, 8, 23)


def test_expo_list_calendar_filters_by_country(client):
    _, calendar = download(client, "expo-list-calendar", "?country=ES")

    assert set(events_by_uid(calendar)) == {ZHEJIANG_UID}


@pytest.mark.parametrize(
    ("name", "query", "message"),
    [
        ("expo-list-calendar", "?year=abc", "year: “abc” is not a year."),
        ("expo-list-calendar", "?country=XX", "country: "),
        ("forum-list-calendar", "?year=abc", "year: “abc” is not a year."),
        ("forum-list-calendar", "?expo=no-such-expo", "expo: "),
    ],
)
def test_list_calendar_rejects_an_invalid_filter(client, name, query, message):
    response = client.get(reverse(f"expos:{name}") + query)

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert message in response.content.decode()
    assert b"BEGIN:VCALENDAR" not in response.content


def test_expo_list_calendar_summary_is_in_the_active_language(client):
    # Spanish lives under /es/; an English address stays English whatever the browser asks.
    with translation.override("es"):
        url = reverse("expos:expo-list-calendar")
    assert url.startswith("/es/")
    calendar = Calendar.from_ical(client.get(url + "?country=ES").content)

    event = events_by_uid(calendar)[ZHEJIANG_UID]
    assert str(event["SUMMARY"]) == (
        "Exposición de Ciudades Inteligentes de Zhejiang para Servicios Comerciales (España) 2023"
    )
    assert str(event["LOCATION"]) == (
        "Centro de Convenciones y Exposiciones de Barcelona, Barcelona, España"
    )


def test_expo_list_calendar_writes_whole_days_without_a_time_zone_too(client):
    ExpoFactory(slug="no-zone", timezone="", start_date=datetime.date(2024, 5, 1), end_date=None)

    _, calendar = download(client, "expo-list-calendar")
    event = events_by_uid(calendar)["expo-no-zone@expo-directory"]

    assert "TZID" not in event["DTSTART"].params
    assert event["DTSTART"].dt == datetime.date(2024, 5, 1)
    assert event["DTEND"].dt == datetime.date(2024, 5, 2)
    assert b"DTSTART;VALUE=DATE:20240501" in calendar.to_ical()


def test_forum_list_calendar_lists_dated_forums_on_their_day(client):
    response, calendar = download(client, "forum-list-calendar")
    events = events_by_uid(calendar)

    assert set(events) == {ROUND_TABLE_UID}
    event = events[ROUND_TABLE_UID]
    assert str(event["SUMMARY"]) == "Empowering Smart City Construction with Digital Technology"
    assert event["DTSTART"].dt == datetime.date(2023, 11, 7)
    assert event["DTEND"].dt == datetime.date(2023, 11, 8)
    assert str(event["URL"]).endswith(
        "/forums/empowering-smart-city-construction-with-digital-technology/"
    )
    assert calendar.timezones == []
    assert response["Content-Disposition"] == 'attachment; filename="forums.ics"'


def test_forum_list_calendar_filters_by_year(client):
    _, calendar = download(client, "forum-list-calendar", "?year=2021")

    assert calendar.walk("VEVENT") == []
    assert calendar.timezones == []


def test_expo_calendar_holds_the_expo_and_its_dated_forums(client):
    response, calendar = download(client, "expo-calendar", slug=ZHEJIANG)
    events = events_by_uid(calendar)

    assert set(events) == {ZHEJIANG_UID, ROUND_TABLE_UID}
    assert events[ROUND_TABLE_UID]["DTSTART"].dt == datetime.date(2023, 11, 7)
    assert events[ZHEJIANG_UID]["DTEND"].dt == datetime.date(2023, 11, 10)
    assert calendar.timezones == []
    assert response["Content-Disposition"] == f'attachment; filename="{ZHEJIANG}.ics"'


def test_expo_calendar_leaves_out_undated_forums(client):
    _, calendar = download(client, "expo-calendar", slug="smart-china-expo-2021")

    assert set(events_by_uid(calendar)) == {SMART_CHINA_UID}


def test_expo_calendar_of_an_undated_expo_is_empty(client):
    _, calendar = download(client, "expo-calendar", slug="global-digital-trade-expo-2")

    assert calendar.walk("VEVENT") == []


def test_expo_calendar_unknown_slug_is_not_found(client):
    response = client.get(reverse("expos:expo-calendar", kwargs={"slug": "no-such-expo"}))

    assert response.status_code == 404


def test_calendar_uids_are_unique(client):
    ForumFactory(expo=ExpoFactory(slug="shared"), slug="shared", date=datetime.date(2023, 11, 8))

    _, calendar = download(client, "expo-calendar", slug="shared")
    uids = [str(event["UID"]) for event in calendar.walk("VEVENT")]

    assert len(uids) == len(set(uids)) == 2


def add_two_expos():
    ExpoFactory.create_batch(2)


def add_two_forums():
    ForumFactory.create_batch(2, date=datetime.date(2023, 11, 8))


def add_two_zhejiang_forums():
    expo = Expo.objects.get(slug=ZHEJIANG)
    ForumFactory.create_batch(2, expo=expo, date=datetime.date(2023, 11, 8))


@pytest.mark.parametrize(
    ("url", "add_two", "events_before", "queries"),
    [
        ("/expos/calendar.ics?country=ES", add_two_expos, 1, 1),
        ("/forums/calendar.ics?country=ES", add_two_forums, 1, 1),
        # The expo and its round table; then two more forums.
        (f"/expos/{ZHEJIANG}/calendar.ics", add_two_zhejiang_forums, 2, 2),
    ],
)
def test_calendar_query_count_does_not_grow_with_events(
    client, django_assert_num_queries, url, add_two, events_before, queries
):
    with django_assert_num_queries(queries):
        before = Calendar.from_ical(client.get(url).content).walk("VEVENT")
    add_two()
    with django_assert_num_queries(queries):
        after = Calendar.from_ical(client.get(url).content).walk("VEVENT")

    assert (len(before), len(after)) == (events_before, events_before + 2)


# --- A feed never fails because of one record ---------------------------------------------------


def write_around_the_rules(model, pk, **values):
    """Write `values` as a raw UPDATE into a database without the table's CHECKs would: one
    from before a rule was added, or restored around it. (Dropped in the test's transaction.)"""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger events to block ALTER
        cursor.execute(
            "SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'c'",
            [table],
        )
        for (name,) in cursor.fetchall():
            cursor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
    model.objects.filter(pk=pk).update(**values)


FEEDS = [
    # (name, slug, the UIDs the feed keeps when the Zhejiang expo and its round table are bad)
    ("expo-list-calendar", None, {SMART_CHINA_UID, "expo-on-the-edges@expo-directory"}),
    ("forum-list-calendar", None, {"forum-on-the-last-day@expo-directory"}),
    ("expo-calendar", ZHEJIANG, {"forum-on-the-last-day@expo-directory"}),
]


@pytest.mark.parametrize(("name", "slug", "kept"), FEEDS)
def test_calendar_leaves_out_a_record_with_dates_outside_the_range_and_warns_once(
    client, caplog, name, slug, kept
):
    zhejiang = Expo.objects.get(slug=ZHEJIANG)
    ExpoFactory(
        slug="on-the-edges",
        start_date=datetime.date(1900, 1, 1),
        end_date=datetime.date(2100, 12, 31),
        timezone="Asia/Shanghai",
    )
    ForumFactory(slug="on-the-last-day", expo=zhejiang, date=datetime.date(2100, 12, 31))
    write_around_the_rules(
        Expo,
        zhejiang.pk,
        start_date=datetime.date(1, 1, 1),
        end_date=datetime.date(9999, 12, 31),
    )
    round_table = Forum.objects.get(slug=ROUND_TABLE)
    write_around_the_rules(Forum, round_table.pk, date=datetime.date(9999, 12, 31))
    caplog.set_level("WARNING", logger="expos.calendars")

    _, calendar = download(client, name, slug=slug)

    events = events_by_uid(calendar)
    assert set(events) == kept
    if "expo-on-the-edges@expo-directory" in events:
        edges = events["expo-on-the-edges@expo-directory"]
        assert edges["DTSTART"].dt == datetime.date(1900, 1, 1)
        assert edges["DTEND"].dt == datetime.date(2101, 1, 1)
    if "forum-on-the-last-day@expo-directory" in events:
        last = events["forum-on-the-last-day@expo-directory"]
        assert last["DTEND"].dt == datetime.date(2101, 1, 1)
    warnings = [
        record.getMessage() for record in caplog.records if record.name == "expos.calendars"
    ]
    left_out = [f"Expo {zhejiang.pk}"] if name != "forum-list-calendar" else []
    if name != "expo-list-calendar":
        left_out.append(f"Forum {round_table.pk}")
    assert len(warnings) == 1
    assert warnings[0].endswith(": " + ", ".join(left_out))


# --- Every text is escaped -------------------------------------------------------------------

# Line breaks of every kind a client might split lines on, each followed by what would be a
# property or an event of the record's choosing, and control characters TEXT may not hold.
NAME = "Atk\rBEGIN:VEVENT\rSUMMARY:Injected\r\nEND:VEVENT\u2028BEGIN:VEVENT\x85SUMMARY:Two\x1b\x7f"
ONE_LINE = "Atk BEGIN:VEVENT SUMMARY:Injected END:VEVENT BEGIN:VEVENT SUMMARY:Two"
TEXT = "First line\rBEGIN:VEVENT\nSUMMARY:Injected\u2029last;line,\ttabbed\x0b"
LINES = "First line\nBEGIN:VEVENT\nSUMMARY:Injected\nlast;line,\ttabbed"


@pytest.mark.parametrize(
    ("name", "slug", "events", "summary", "uid"),
    [
        ("expo-list-calendar", None, 2, "name_en", ZHEJIANG_UID),
        ("forum-list-calendar", None, 1, "title_en", ROUND_TABLE_UID),
        ("expo-calendar", ZHEJIANG, 2, "name_en", ZHEJIANG_UID),
        ("expo-calendar", ZHEJIANG, 2, "title_en", ROUND_TABLE_UID),
    ],
)
def test_calendar_text_with_line_breaks_and_control_characters_stays_in_its_property(
    client, name, slug, events, summary, uid
):
    zhejiang = Expo.objects.get(slug=ZHEJIANG)
    write_around_the_rules(
        Expo, zhejiang.pk, name_en=NAME, venue_en=NAME, city_en="", description_en=TEXT
    )
    write_around_the_rules(
        Forum, Forum.objects.get(slug=ROUND_TABLE).pk, title_en=NAME, city_en="", topic_en=TEXT
    )

    response, calendar = download(client, name, slug=slug)

    assert len(calendar.walk("VEVENT")) == events
    event = events_by_uid(calendar)[uid]
    assert str(event["SUMMARY"]) == ONE_LINE
    assert str(event["DESCRIPTION"]) == LINES
    assert str(event["LOCATION"]) == f"{ONE_LINE}, Spain"
    if slug:
        assert str(calendar["X-WR-CALNAME"]) == str(calendar["NAME"]) == ONE_LINE
    # A client that ends a line at any line break still reads the same events.
    text = response.content.decode()
    assert sum(line == "BEGIN:VEVENT" for line in text.splitlines()) == events
    assert text.split("\r\n") == [*text.splitlines(), ""]


def test_expo_calendar_with_a_line_feed_in_the_expo_name_names_the_calendar(client):
    zhejiang = Expo.objects.get(slug=ZHEJIANG)
    write_around_the_rules(Expo, zhejiang.pk, name_en="Zhejiang\nat SCEWC")

    _, calendar = download(client, "expo-calendar", slug=ZHEJIANG)

    assert str(calendar["X-WR-CALNAME"]) == "Zhejiang at SCEWC"
    assert str(events_by_uid(calendar)[ZHEJIANG_UID]["SUMMARY"]) == "Zhejiang at SCEWC"
