"""iCalendar (.ics) downloads of expos and forums, for people who plan their visits in a
calendar application rather than on the site.

The list downloads take the same query string as the list pages (through the same FilterSets),
so "subscribe to what I am looking at" needs no second vocabulary of parameters.
"""

import datetime
import logging
import unicodedata

from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from icalendar import Calendar, Event, vText

from core.fields import value_bounds

from .filtersets import ExpoFilterSet, ForumFilterSet
from .models import Expo, Forum

PRODID = "-//Smart-city expo directory//EN"
UID_DOMAIN = "expo-directory"
ONE_DAY = datetime.timedelta(days=1)

logger = logging.getLogger(__name__)


@require_safe
def expo_list_calendar(request):
    filterset = ExpoFilterSet(request.GET, queryset=Expo.objects.filter(start_date__isnull=False))
    if not filterset.is_valid():
        return _bad_filter(filterset)
    events = _events(request, filterset.qs)
    return _ics_response(_calendar(_("Smart-city expos"), events), "expos.ics")


@require_safe
def forum_list_calendar(request):
    forums = Forum.objects.filter(date__isnull=False).select_related("expo")
    filterset = ForumFilterSet(request.GET, queryset=forums)
    if not filterset.is_valid():
        return _bad_filter(filterset)
    events = _events(request, filterset.qs)
    return _ics_response(_calendar(_("Smart-city expo forums"), events), "forums.ics")


@require_safe
def forum_calendar(request, slug):
    """One forum, for its page's "add to a calendar" link; empty while its day is not known."""
    forum = get_object_or_404(Forum.objects.select_related("expo"), slug=slug)
    records = [forum] if forum.date else []
    return _ics_response(_calendar(forum.title, _events(request, records)), f"{forum.slug}.ics")


@require_safe
def expo_calendar(request, slug):
    """The expo with its forums, so one import puts the whole programme in the calendar."""
    dated_forums = Prefetch("forums", queryset=Forum.objects.filter(date__isnull=False))
    expo = get_object_or_404(Expo.objects.prefetch_related(dated_forums), slug=slug)
    # An expo whose dates are not known yet still has a (possibly empty) programme to show.
    records = ([expo] if expo.start_date else []) + list(expo.forums.all())
    return _ics_response(_calendar(expo.name, _events(request, records)), f"{expo.slug}.ics")


def _events(request, records) -> list[Event]:
    """The records' events, leaving out any that cannot be one.

    One record with dates the model does not allow (written around its rules, or before they
    were checked) must not cost every subscriber the whole feed. It is left out rather than
    given other dates, which would be wrong in the calendar; one warning a download names them.
    """
    events, left_out = [], []
    for record in records:
        try:
            event = _event(request, record) if _has_dates_in_range(record) else None
        except (ValueError, OverflowError):
            # What date arithmetic raises: a day no check above foresaw still
            # costs one event, not the feed.
            event = None
        if event is None:
            left_out.append(f"{type(record).__name__} {record.pk}")
        else:
            events.append(event)
    if left_out:
        logger.warning(
            "%s: left out of the calendar, their dates are outside the range the models allow "
            "or cannot be written: %s",
            request.path,
            ", ".join(left_out),
        )
    return events


def _has_dates_in_range(record: Expo | Forum) -> bool:
    """Whether the record's days are within its model's range (the validators of its date
    fields) and in order: what the models and the database hold every record to."""
    names = ["date"] if isinstance(record, Forum) else ["start_date", "end_date"]
    days = [(name, getattr(record, name)) for name in names if getattr(record, name)]
    for name, day in days:
        first, last = value_bounds(type(record)._meta.get_field(name))
        if (first is not None and day < first) or (last is not None and day > last):
            return False
    return [day for _name, day in days] == sorted(day for _name, day in days)


def _text(value: str, *, lines: bool = False) -> vText:
    """Text as RFC 5545 allows it, for icalendar to escape.

    TEXT may hold no control character but a tab, yet a record written around the models' rules
    (a raw UPDATE, a multi-line description) may: a bare CR or a Unicode line separator that a
    client reads as the end of the line would start a property, or a whole event, of the
    record's choosing. Every kind of line break becomes a line feed (escaped by vText as `\\n`)
    in text of several lines, a space in a name; other control characters are dropped.
    """
    text = ("\n" if lines else " ").join(value.splitlines())
    if not text.isprintable():  # rare: most text is printed as it is
        text = "".join(c for c in text if c in "\t\n" or unicodedata.category(c) != "Cc")
    return vText(text)


def _event(request, record: Expo | Forum) -> Event:
    """A VEVENT for an expo or one of its forums.

    Both are held at the expo, so both take its place; a forum differs only in what it is
    called, what it is about and which single day it is on. Both are whole days: no time of
    day is recorded for either, so none is invented.
    """
    if isinstance(record, Forum):
        expo, kind = record.expo, "forum"
        summary, description = record.title, record.topic
        first_day = last_day = record.date
        city = record.city or expo.city
        # The expo's venue is only known to be the forum's when the forum is in the same city.
        venue = expo.venue if city == expo.city else ""
    else:
        expo, kind = record, "expo"
        summary, description = record.name, record.description
        first_day, last_day = record.start_date, record.end_date or record.start_date
        city, venue = expo.city, expo.venue

    event = Event()
    # Stable across downloads, so re-importing updates events instead of duplicating them.
    event.add("uid", _text(f"{kind}-{record.slug}@{UID_DOMAIN}"))
    event.add("dtstamp", record.updated)
    event.add("summary", _text(summary))
    # The records know their days, not their hours: whole days (VALUE=DATE), as a calendar
    # shows a holiday, rather than a block of 72 hours from midnight in some time zone. DTEND
    # is exclusive: the day after the last day.
    event.add("dtstart", first_day)
    event.add("dtend", last_day + ONE_DAY)
    location = ", ".join(part for part in (venue, city, expo.country.name) if part)
    if location:
        event.add("location", _text(location))
    if description:
        event.add("description", _text(description, lines=True))
    event.add("url", request.build_absolute_uri(f"/{kind}s/{record.slug}/"))
    return event


def _calendar(name: str, events: list[Event]) -> Calendar:
    """The events in a calendar that clients accept as RFC 5545. Its events are whole days,
    which need no time zone (VTIMEZONE)."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    # NAME (RFC 7986) and the X-WR-CALNAME that older clients read, both escaped as text.
    calendar.calendar_name = _text(name)
    for event in events:
        calendar.add_component(event)
    return calendar


def _ics_response(calendar: Calendar, filename: str) -> HttpResponse:
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


def _bad_filter(filterset) -> HttpResponseBadRequest:
    """Says what was not understood: an unfiltered calendar would silently import every event
    into the subscriber's calendar instead."""
    lines = [
        f"{parameter}: {message}"
        for parameter, messages in filterset.error_messages().items()
        for message in messages
    ]
    return HttpResponseBadRequest("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")
