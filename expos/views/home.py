"""The home page: the latest expos, the directory's counts and its charts."""

from django.db.models import F
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext, gettext_noop, ngettext
from django.views.decorators.http import require_safe
from django_countries import countries

from core.changelog import dataversion
from core.formatting import show_money, show_number
from expos import selectors

CHART_BARS = 10


def bar_chart(rows, *, all_tied, tied, bars=CHART_BARS):
    """A chart of rows (label, value, shown value, link), largest first: at most `bars` bars,
    each with its share of the longest, and the rows tied where it stops.

    A tie is never cut: ordering tied rows by name and keeping the first would show some of
    them as larger than the others. Rows tied at the cut are named together in a sentence
    (`tied(count, value, shown)`) below the bars instead. When every row ties, bars say
    nothing: the chart is only that sentence (`all_tied`) and the rows.
    """
    rows = list(rows)
    if len(rows) > 1 and rows[0][1] == rows[-1][1]:
        kept, tie, sentence = [], rows, all_tied
    else:
        kept, tie, sentence = rows[:bars], [], tied
        if len(rows) > bars and rows[bars][1] == rows[bars - 1][1]:
            value = rows[bars - 1][1]
            kept = [row for row in kept if row[1] != value]
            tie = [row for row in rows if row[1] == value]
    top = max((value for _, value, _, _ in kept), default=0) or 1
    return {
        "bars": [
            {"label": label, "value": shown, "percent": round(100 * value / top, 1), "url": url}
            for label, value, shown, url in kept
        ],
        "tie": [{"label": label, "url": url} for label, _, _, url in tie],
        "tie_sentence": sentence(len(tie), tie[0][1], tie[0][2]) if tie else "",
    }


def exhibitor_ties(nouns):
    """The sentences for a chart of exhibitor counts: `nouns` gives (all tied, tied at the cut)
    as ngettext pairs by the count of exhibitors, with %(count)s rows and %(value)s each."""
    (all_one, all_many), (cut_one, cut_many) = nouns

    def all_tied(count, value, shown):
        return ngettext(all_one, all_many, value) % {"count": count, "value": shown}

    def tied(count, value, shown):
        return ngettext(cut_one, cut_many, value) % {"count": count, "value": shown}

    return {"all_tied": all_tied, "tied": tied}


HOME_EXPOS = 12


@require_safe
def home(request):
    return render(
        request,
        "expos/home.html",
        {
            # The latest few: the expo list has the rest, filtered and paginated.
            # Expos whose year or dates are not known come after those whose are.
            "expos": list(
                selectors.expos().order_by(
                    F("edition_year").desc(nulls_last=True),
                    F("start_date").desc(nulls_last=True),
                    "id",
                )[:HOME_EXPOS]
            ),
            **dataversion.cached(home_figures, "home", stale_while_refreshing=True),
        },
    )


def home_figures():
    """The home page's counts and charts. They count and group whole tables, so the home view
    keeps them in the cache until the data changes."""
    exhibitors_url = reverse("exhibitors:exhibitor-list")
    # Every row: where the chart stops, the rows tied with its last bar are named too.
    by_country = selectors.exhibitors_by_country(limit=None)
    by_sector = selectors.exhibitors_by_sector(limit=None)
    by_deal = selectors.deal_value_by_expo(limit=None)
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
            ],
            **exhibitor_ties(
                (
                    (
                        gettext_noop("All %(count)s countries have %(value)s exhibitor each:"),
                        gettext_noop("All %(count)s countries have %(value)s exhibitors each:"),
                    ),
                    (
                        gettext_noop("%(count)s countries tie with %(value)s exhibitor each:"),
                        gettext_noop("%(count)s countries tie with %(value)s exhibitors each:"),
                    ),
                )
            ),
        ),
        "sector_chart": bar_chart(
            [(s.name, s.count, show_number(s.count), s.get_absolute_url()) for s in by_sector],
            **exhibitor_ties(
                (
                    (
                        gettext_noop("All %(count)s sectors have %(value)s exhibitor each:"),
                        gettext_noop("All %(count)s sectors have %(value)s exhibitors each:"),
                    ),
                    (
                        gettext_noop("%(count)s sectors tie with %(value)s exhibitor each:"),
                        gettext_noop("%(count)s sectors tie with %(value)s exhibitors each:"),
                    ),
                )
            ),
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
            ],
            all_tied=lambda count, value, shown: (
                gettext("All %(count)s expos have deals worth %(value)s each:")
                % {"count": count, "value": shown}
            ),
            tied=lambda count, value, shown: (
                gettext("%(count)s expos tie with deals worth %(value)s each:")
                % {"count": count, "value": shown}
            ),
        ),
    }
