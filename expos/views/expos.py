"""The expo list, its CSV, and an expo's page with its exhibitors."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from core.exports.sql import col, date, display, number_or_blank, related
from core.lists.views import DirectoryCSVView, DirectoryListView
from exhibitors.selectors import exhibitor_list
from expos import selectors
from expos.filtersets import ExhibitorFilterSet, ExpoFilterSet

EXPO_CSV_COLUMNS = [
    (_("name"), lambda e: e.name, col("name")),
    (_("slug"), lambda e: e.slug, col("slug")),
    (_("short name"), lambda e: e.short_name, col("short_name")),
    (_("series"), lambda e: e.series.name if e.series else "", related("series", "name")),
    (_("year"), lambda e: e.edition_year or "", number_or_blank("edition_year")),
    (_("edition"), lambda e: e.edition_number or "", number_or_blank("edition_number")),
    (_("held within"), lambda e: e.parent.name if e.parent else "", related("parent", "name")),
    (_("start date"), lambda e: e.start_date or "", date("start_date")),
    (_("end date"), lambda e: e.end_date or "", date("end_date")),
    (_("time zone"), lambda e: e.timezone, col("timezone")),
    (_("venue"), lambda e: e.venue, col("venue")),
    (_("city"), lambda e: e.city, col("city")),
    (_("country code"), lambda e: e.country.code, col("country")),
    (_("format"), lambda e: e.get_format_display(), display("format")),
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
