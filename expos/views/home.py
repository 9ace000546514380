"""The home page: the latest expos, the directory's counts and its charts."""

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe
from django_countries import countries

from core.changelog import dataversion
from core.formatting import show_money, show_number
from expos import selectors


def bar_chart(rows):
    """Rows of (label, value, shown value, link) with each bar's share of the longest."""
    top = max((value for _, value, _, _ in rows), default=0) or 1
    return [
        {"label": label, "value": shown, "percent": round(100 * value / top, 1), "url": url}
        for label, value, shown, url in rows
    ]


HOME_EXPOS = 12


@require_safe
def home(request):
    return render(
        request,
        "expos/home.html",
        {
            # The latest few: the expo list has the rest, filtered and paginated.
            "expos": list(
                selectors.expos().order_by("-edition_year", "-start_date", "id")[:HOME_EXPOS]
            ),
            **dataversion.cached(home_figures, "home", stale_while_refreshing=True),
        },
    )


def home_figures():
    """The home page's counts and charts. They count and group whole tables, so the home view
    keeps them in the cache until the data changes."""
    exhibitors_url = reverse("exhibitors:exhibitor-list")
    by_country = selectors.exhibitors_by_country()
    by_sector = selectors.exhibitors_by_sector()
    by_deal = selectors.deal_value_by_expo()
    return {
        "counts": selectors.directory_counts(),
        "country_chart": bar_chart(
            [
                (
                    countries.name(r["country"]),
                    r["count"],
                    show_number(r["count"]),
                    f"{exhibitors_url}?country={r['country']}",
                )
                for r in by_country
            ]
        ),
        "sector_chart": bar_chart(
            [(s.name, s.count, show_number(s.count), s.get_absolute_url()) for s in by_sector]
        ),
        "deal_chart": bar_chart(
            [
                (
                    e.short_name or e.name,
                    float(e.usd),
                    show_money(e.usd, "USD"),
                    e.get_absolute_url(),
                )
                for e in by_deal
            ]
        ),
    }
