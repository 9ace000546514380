"""The expo list, its CSV, and an expo's page with its exhibitors (and their CSV)."""

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Subquery, Value, When
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.exports.sql import as_text, col, date, display, field, number_or_blank, related
from core.lists.views import DirectoryCSVView, DirectoryListView
from exhibitors.selectors import exhibitor_list
from expos import selectors
from expos.filtersets import ExhibitorFilterSet, ExpoFilterSet
from expos.models import Expo, Figure, Participation
from expos.views.exhibitors import EXHIBITOR_CSV_COLUMNS

EXPO_CSV_COLUMNS = [
    (_("name"), col("name")),
    (_("slug"), col("slug")),
    (_("short name"), col("short_name")),
    (_("series"), related("series", "name")),
    (_("year"), number_or_blank("edition_year")),
    (_("edition"), number_or_blank("edition_number")),
    (_("held within"), related("parent", "name")),
    (_("start date"), date("start_date")),
    (_("end date"), date("end_date")),
    (_("time zone"), col("timezone")),
    (_("venue"), col("venue")),
    (_("city"), col("city")),
    (_("country code"), col("country")),
    (_("format"), display("format")),
]

# Figures that count records the directory lists, and which: the page says how many it lists
# beside the figure the source reports (e.g. 11 companies reported, the 6 named listed).
COUNTED_BY_THE_DIRECTORY = {
    Figure.Metric.EXHIBITORS: "exhibitors",
    Figure.Metric.PARTICIPATING_COMPANIES: "exhibitors",
}


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


def family(expo):
    """The ids of the expo and of the expos held within it, as a subquery: an exhibitor of an
    exhibition held within an expo exhibited at that expo too."""
    return Expo.objects.filter(Q(pk=expo.pk) | Q(parent=expo.pk)).values("pk")


def participation_at(expo):
    """Each exhibitor's participation at `expo`, or else at an expo held within it (for the
    outer exhibitor of a subquery)."""
    own_first = Case(
        When(expo=expo.pk, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    return Participation.objects.filter(exhibitor=OuterRef("pk"), expo__in=family(expo)).order_by(
        own_first, "expo_id"
    )


def of_participation(expo, path):
    """A column: the `path` of the exhibitor's participation at the expo (participation_at)."""

    def cell(queryset):
        rows = participation_at(expo).annotate(value=field(Participation, path))
        return as_text(Subquery(rows.values("value")[:1]))

    return cell


def expo_exhibitor_columns(expo):
    """The expo page's table as CSV: the exhibitor list's columns, with where each exhibited
    (the expo or one held within it), what it showcased there and in which hall or area."""
    return [
        *EXHIBITOR_CSV_COLUMNS,
        (_("exhibited at"), of_participation(expo, "expo__name")),
        (_("showcased"), of_participation(expo, "showcase")),
        (_("hall or area"), of_participation(expo, "area__name")),
    ]


class ExpoExhibitors:
    """An expo's exhibitors, with those of the expos held within it, filtered exactly as on
    the exhibitor list."""

    filterset_class = ExhibitorFilterSet

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.expo = get_object_or_404(selectors.expos(), slug=kwargs["slug"])

    def get_queryset(self):
        return exhibitor_list().filter(
            Exists(
                Participation.objects.filter(exhibitor=OuterRef("pk"), expo__in=family(self.expo))
            )
        )


class ExpoDetailView(ExpoExhibitors, DirectoryListView):
    template_name = "expos/expo_detail.html"

    def csv_href(self):
        query = self.csv_parameters().urlencode()
        url = reverse("expos:expo-exhibitors-csv", kwargs={"slug": self.expo.slug})
        return url + (f"?{query}" if query else "")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["facets"].pop("expo", None)
        expo = self.expo
        # The expo's own participation first, else the one at an expo held within it.
        showcases = {}
        for p in Participation.objects.filter(
            expo__in=family(expo), exhibitor__in=[e.pk for e in context["object_list"]]
        ).select_related("area", "expo"):
            if p.exhibitor_id not in showcases or p.expo_id == expo.pk:
                showcases[p.exhibitor_id] = p
        for exhibitor in context["object_list"]:
            exhibitor.participation = showcases.get(exhibitor.pk)
        profile = selectors.expo_profile(expo)
        listed = Participation.objects.filter(expo__in=family(expo)).aggregate(
            exhibitors=Count("exhibitor", distinct=True),
            exhibitors_within=Count("exhibitor", distinct=True, filter=~Q(expo=expo.pk)),
        )
        for figure in profile["figures"]:
            counted = COUNTED_BY_THE_DIRECTORY.get(figure.metric)
            figure.listed = listed[counted] if counted else None
            figure.listed_within = listed[f"{counted}_within"] if counted else None
            figure.listed_differs = counted is not None and (
                figure.qualifier != Figure.Qualifier.EXACTLY or figure.value != figure.listed
            )
        return {**context, "expo": expo, "title": expo.name, **profile}


class ExpoExhibitorCSVView(ExpoExhibitors, DirectoryCSVView):
    """The rows of an expo page's exhibitor table, with every column it shows."""

    def get(self, request, *args, **kwargs):
        self.csv_columns = expo_exhibitor_columns(self.expo)
        self.csv_filename = f"{self.expo.slug}-exhibitors.csv"
        return super().get(request, *args, **kwargs)
