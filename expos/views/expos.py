"""The expo list, its CSV, and an expo's page with its exhibitors."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _

from core.exports.sql import col, date, display, number_or_blank, related
from core.lists.views import DirectoryCSVView, DirectoryListView
from exhibitors.selectors import exhibitor_list
from expos import selectors
from expos.filtersets import ExhibitorFilterSet, ExpoFilterSet

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
