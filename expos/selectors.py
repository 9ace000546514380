"""Reads that the pages and the API share: the related records of a page, fetched in a fixed
number of queries however many there are."""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Prefetch, Q, Sum

from core.provenance import Citation
from exhibitors.models import Exhibitor, Sector

from .models import (
    Appearance,
    Deal,
    Expo,
    Forum,
    Participation,
    Speaker,
    Statement,
)


def attach_citations(*groups):
    """Give every record in `groups` a `cites` list of its citations, in one query."""
    records = [record for group in groups for record in group if record is not None]
    if not records:
        return
    by_type = defaultdict(set)
    for record in records:
        by_type[ContentType.objects.get_for_model(record).pk].add(record.pk)
    condition = Q()
    for content_type, ids in by_type.items():
        condition |= Q(content_type=content_type, object_id__in=ids)
    found = defaultdict(list)
    for citation in Citation.objects.filter(condition).select_related("source"):
        found[(citation.content_type_id, citation.object_id)].append(citation)
    for record in records:
        key = (ContentType.objects.get_for_model(record).pk, record.pk)
        record.cites = found.get(key, [])


def participations():
    """Participations with their exhibitor, expo and area: a list's or an expansion's rows."""
    return Participation.objects.select_related("exhibitor", "expo", "area")


def speakers():
    return Speaker.objects.select_related("exhibitor", "organisation")


def forums():
    return Forum.objects.select_related("expo").prefetch_related(
        "organisers",
        "partners",
        Prefetch("appearances", queryset=Appearance.objects.select_related("speaker")),
    )


def deals():
    return Deal.objects.select_related("expo").prefetch_related("sectors", "parties")


def expos():
    return Expo.objects.select_related("series", "parent")


def exhibitor_profile(exhibitor):
    """Everything the exhibitor page shows beyond the exhibitor itself."""
    participations = list(
        Participation.objects.filter(exhibitor=exhibitor)
        .select_related("expo", "area")
        .order_by("-expo__start_date", "expo__edition_year", "id")
    )
    people = list(speakers().filter(exhibitor=exhibitor))
    statements = list(
        Statement.objects.filter(speaker__in=people).select_related("expo", "speaker")
    )
    exhibitor_deals = list(deals().filter(parties=exhibitor))
    attach_citations([exhibitor], participations, people, statements)
    return {
        "participations": participations,
        "people": people,
        "statements": statements,
        "deals": exhibitor_deals,
        "sources": sorted(
            {c.source for r in [exhibitor, *participations, *statements] for c in r.cites},
            key=lambda s: s.pk,
        ),
    }


def expo_profile(expo):
    """Everything the expo page shows beyond the expo and its exhibitor list."""
    children = list(Expo.objects.filter(parent=expo))
    expo_forums = list(forums().filter(expo=expo))
    figures = list(expo.figures.all())
    expo_deals = list(deals().filter(expo=expo))
    awards = list(expo.awards.select_related("recipient"))
    highlights = list(expo.highlights.select_related("exhibitor", "area", "forum"))
    areas = list(expo.areas.select_related("sector"))
    statements = list(expo.statements.select_related("speaker", "speaker__exhibitor"))
    attach_citations([expo], figures, expo_deals, awards, highlights, areas, statements)
    return {
        "children": children,
        "forums": expo_forums,
        "figures": figures,
        "deals": expo_deals,
        "awards": awards,
        "highlights": highlights,
        "areas": areas,
        "statements": statements,
        "organisers": list(expo.organisers.all()),
        "sectors": list(expo.sectors.all()),
    }


def directory_counts():
    return {
        "expos": Expo.objects.count(),
        "exhibitors": Exhibitor.objects.count(),
        "forums": Forum.objects.count(),
        "speakers": Speaker.objects.count(),
        "deals": Deal.objects.count(),
    }


def exhibitors_by_country(limit=10):
    return list(
        Exhibitor.objects.exclude(country="")
        .values("country")
        .annotate(count=Count("id"))
        .order_by("-count", "country")[:limit]
    )


def exhibitors_by_sector(limit=10):
    return list(
        Sector.objects.annotate(count=Count("exhibitors"))
        .filter(count__gt=0)
        .order_by("-count", "name")[:limit]
    )


def deal_value_by_expo(limit=10):
    return list(
        Expo.objects.annotate(usd=Sum("deals__amount_usd"))
        .filter(usd__gt=0)
        .order_by("-usd", "id")[:limit]
    )
