"""One search box over every kind of record, through each list's own `q` filter."""

from django.http import QueryDict
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from core.lists.errors import labelled_errors
from core.lists.searchwindow import SearchTooBroad, is_search, ranked_search_limit, search_window
from exhibitors.selectors import exhibitor_list
from expos import selectors
from expos.filtersets import (
    DealFilterSet,
    ExhibitorFilterSet,
    ExpoFilterSet,
    ForumFilterSet,
    SpeakerFilterSet,
)

SEARCH_GROUPS = [
    # (key, heading, FilterSet, queryset, list URL name)
    (
        "exhibitors",
        _("Exhibitors"),
        ExhibitorFilterSet,
        exhibitor_list,
        "exhibitors:exhibitor-list",
    ),
    ("expos", _("Expos"), ExpoFilterSet, selectors.expos, "expos:expo-list"),
    ("forums", _("Forums"), ForumFilterSet, selectors.forums, "expos:forum-list"),
    ("speakers", _("Speakers"), SpeakerFilterSet, selectors.speakers, "expos:speaker-list"),
    ("deals", _("Deals"), DealFilterSet, selectors.deals, "expos:deal-list"),
]
SEARCH_LIMIT = 10


@require_safe
def search(request):
    """One search box over every kind of record, through each list's own `q` filter.

    A `q` that the filter refuses (too long, a NUL) is shown with its message and no
    results, with status 400, as on the lists.
    """
    q = request.GET.get("q", "").strip()
    groups, errors = [], {}
    if q:
        data = QueryDict(mutable=True)
        data["q"] = q
        for key, heading, filterset_class, queryset, url_name in SEARCH_GROUPS:
            filterset = filterset_class(data, queryset=queryset())
            if not filterset.is_valid():
                groups, errors = [], labelled_errors(filterset.error_messages(), filterset.form)
                break
            # Results show only names and links: the lists' prefetches are not needed here.
            queryset = filterset.qs.prefetch_related(None)
            if is_search(queryset):  # always, but for a `q` of no word
                try:
                    queryset, _matches = search_window(queryset, ranked_search_limit())
                except SearchTooBroad as error:
                    groups, errors = [], labelled_errors(error.message_dict, filterset.form)
                    break
            rows = list(queryset[: SEARCH_LIMIT + 1])
            groups.append(
                {
                    "key": key,
                    "heading": heading,
                    "results": rows[:SEARCH_LIMIT],
                    "more": len(rows) > SEARCH_LIMIT,
                    "url_name": url_name,
                }
            )
    return render(
        request,
        "expos/search.html",
        {
            "q": q,
            "groups": groups,
            "total": sum(len(g["results"]) for g in groups),
            "errors": errors,
            "title": _("Search"),
        },
        status=400 if errors else 200,
    )
