"""Server-rendered pages: home, expos, forums, speakers, deals and the search across them."""

from django.http import JsonResponse, QueryDict
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from django_countries import countries

from exhibitors import versioning
from exhibitors.filtersets import ExhibitorFilterSet
from exhibitors.selectors import exhibitor_list
from exhibitors.views import DirectoryCSVView, DirectoryListView, join

from . import selectors
from .filtersets import DealFilterSet, ExpoFilterSet, ForumFilterSet, SpeakerFilterSet
from .models import Statement


def bar_chart(rows):
    """Rows of (label, value, shown value, link) with each bar's share of the longest."""
    top = max((value for _, value, _, _ in rows), default=0) or 1
    return [
        {"label": label, "value": shown, "percent": round(100 * value / top, 1), "url": url}
        for label, value, shown, url in rows
    ]


HOME_EXPOS = 12


def home(request):
    return render(
        request,
        "expos/home.html",
        {
            # The latest few: the expo list has the rest, filtered and paginated.
            "expos": list(
                selectors.expos().order_by("-edition_year", "-start_date", "id")[:HOME_EXPOS]
            ),
            **versioning.cached(home_figures, "home", stale_while_refreshing=True),
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
                    r["count"],
                    f"{exhibitors_url}?country={r['country']}",
                )
                for r in by_country
            ]
        ),
        "sector_chart": bar_chart(
            [(s.name, s.count, s.count, s.get_absolute_url()) for s in by_sector]
        ),
        "deal_chart": bar_chart(
            [
                (
                    e.short_name or e.name,
                    float(e.usd),
                    _("US$%(billions)s billion") % {"billions": f"{float(e.usd) / 1e9:g}"},
                    e.get_absolute_url(),
                )
                for e in by_deal
            ]
        ),
    }


# --- Expos ---------------------------------------------------------------------------------

EXPO_CSV_COLUMNS = [
    (_("name"), lambda e: e.name),
    (_("slug"), lambda e: e.slug),
    (_("short name"), lambda e: e.short_name),
    (_("series"), lambda e: e.series.name if e.series else ""),
    (_("year"), lambda e: e.edition_year or ""),
    (_("edition"), lambda e: e.edition_number or ""),
    (_("held within"), lambda e: e.parent.name if e.parent else ""),
    (_("start date"), lambda e: e.start_date or ""),
    (_("end date"), lambda e: e.end_date or ""),
    (_("time zone"), lambda e: e.timezone),
    (_("venue"), lambda e: e.venue),
    (_("city"), lambda e: e.city),
    (_("country code"), lambda e: e.country.code),
    (_("format"), lambda e: e.get_format_display()),
]


class ExpoListView(DirectoryListView):
    template_name = "expos/expo_list.html"
    filterset_class = ExpoFilterSet
    title = _("Expos")
    csv_url_name = "expos:expo-csv"

    def get_queryset(self):
        return selectors.expos()


class ExpoCSVView(DirectoryCSVView, ExpoListView):
    csv_columns = EXPO_CSV_COLUMNS
    csv_filename = "expos.csv"


class ExpoDetailView(DirectoryListView):
    """An expo, with its exhibitors filtered exactly as on the exhibitor list."""

    template_name = "expos/expo_detail.html"
    filterset_class = ExhibitorFilterSet
    csv_url_name = "exhibitors:exhibitor-csv"

    def get(self, request, *args, **kwargs):
        self.expo = get_object_or_404(selectors.expos(), slug=kwargs["slug"])
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        return exhibitor_list().filter(participations__expo=self.expo)

    def csv_parameters(self):
        parameters = super().csv_parameters()
        parameters.setlist("expo", [self.expo.slug])
        return parameters

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["facets"].pop("expo", None)
        showcases = {
            p.exhibitor_id: p
            for p in self.expo.participations.filter(
                exhibitor__in=[e.pk for e in context["object_list"]]
            ).select_related("area")
        }
        for exhibitor in context["object_list"]:
            exhibitor.participation = showcases.get(exhibitor.pk)
        return {
            **context,
            "expo": self.expo,
            "title": self.expo.name,
            **selectors.expo_profile(self.expo),
        }


# --- Forums --------------------------------------------------------------------------------

FORUM_CSV_COLUMNS = [
    (_("title"), lambda f: f.title),
    (_("slug"), lambda f: f.slug),
    (_("kind"), lambda f: f.get_kind_display()),
    (_("expo"), lambda f: f.expo.name),
    (_("date"), lambda f: f.date or ""),
    (_("city"), lambda f: f.city),
    (_("organisers"), lambda f: join(f.organisers.all())),
    (_("speakers"), lambda f: join(a.speaker for a in f.appearances.all())),
    (_("topic"), lambda f: f.topic),
]


class ForumListView(DirectoryListView):
    template_name = "expos/forum_list.html"
    filterset_class = ForumFilterSet
    title = _("Forums")
    csv_url_name = "expos:forum-csv"

    def get_queryset(self):
        return selectors.forums()


class ForumCSVView(DirectoryCSVView, ForumListView):
    csv_columns = FORUM_CSV_COLUMNS
    csv_filename = "forums.csv"


class ForumDetailView(TemplateView):
    template_name = "expos/forum_detail.html"

    def get_context_data(self, **kwargs):
        forum = get_object_or_404(selectors.forums(), slug=kwargs["slug"])
        appearances = list(forum.appearances.all())
        highlights = list(forum.highlights.all())
        selectors.attach_citations([forum], appearances, highlights)
        return super().get_context_data(
            forum=forum, appearances=appearances, highlights=highlights, title=forum.title
        )


# --- Speakers ------------------------------------------------------------------------------

SPEAKER_CSV_COLUMNS = [
    (_("name"), lambda s: s.name),
    (_("slug"), lambda s: s.slug),
    (_("honorific"), lambda s: s.honorific),
    (_("role"), lambda s: s.role),
    (_("organisation"), lambda s: s.affiliation or ""),
]


class SpeakerListView(DirectoryListView):
    template_name = "expos/speaker_list.html"
    filterset_class = SpeakerFilterSet
    title = _("Speakers")
    csv_url_name = "expos:speaker-csv"

    def get_queryset(self):
        return selectors.speakers()


class SpeakerCSVView(DirectoryCSVView, SpeakerListView):
    csv_columns = SPEAKER_CSV_COLUMNS
    csv_filename = "speakers.csv"


class SpeakerDetailView(TemplateView):
    template_name = "expos/speaker_detail.html"

    def get_context_data(self, **kwargs):
        speaker = get_object_or_404(selectors.speakers(), slug=kwargs["slug"])
        appearances = list(
            speaker.appearances.select_related("forum", "forum__expo").order_by("forum__date")
        )
        statements = list(Statement.objects.filter(speaker=speaker).select_related("expo"))
        selectors.attach_citations([speaker], appearances, statements)
        return super().get_context_data(
            speaker=speaker, appearances=appearances, statements=statements, title=str(speaker)
        )


# --- Deals ---------------------------------------------------------------------------------

DEAL_CSV_COLUMNS = [
    (_("title"), lambda d: d.title),
    (_("slug"), lambda d: d.slug),
    (_("expo"), lambda d: d.expo.name),
    (_("number of projects"), lambda d: d.project_count if d.project_count is not None else ""),
    (_("amount"), lambda d: d.amount if d.amount is not None else ""),
    (_("currency"), lambda d: d.currency),
    (_("amount in US dollars, as reported"), lambda d: d.amount_usd or ""),
    (_("sectors"), lambda d: join(s.name for s in d.sectors.all())),
    (_("parties"), lambda d: join(d.parties.all())),
    (_("date"), lambda d: d.signed_on or ""),
]


class DealListView(DirectoryListView):
    template_name = "expos/deal_list.html"
    filterset_class = DealFilterSet
    title = _("Deals")
    csv_url_name = "expos:deal-csv"

    def get_queryset(self):
        return selectors.deals()


class DealCSVView(DirectoryCSVView, DealListView):
    csv_columns = DEAL_CSV_COLUMNS
    csv_filename = "deals.csv"


class DealDetailView(TemplateView):
    template_name = "expos/deal_detail.html"

    def get_context_data(self, **kwargs):
        deal = get_object_or_404(selectors.deals(), slug=kwargs["slug"])
        selectors.attach_citations([deal])
        return super().get_context_data(deal=deal, title=deal.title)


# --- Search --------------------------------------------------------------------------------

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


def search(request):
    """One search box over every kind of record, through each list's own `q` filter."""
    q = request.GET.get("q", "").strip()
    groups = []
    if q:
        data = QueryDict(mutable=True)
        data["q"] = q
        for key, heading, filterset_class, queryset, url_name in SEARCH_GROUPS:
            filterset = filterset_class(data, queryset=queryset())
            filterset.is_valid()
            # Results show only names and links: the lists' prefetches are not needed here.
            rows = list(filterset.qs.prefetch_related(None)[: SEARCH_LIMIT + 1])
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
            "title": _("Search"),
        },
    )


def page_not_found(request, exception=None):
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", {"title": _("Page not found")}, status=404)
