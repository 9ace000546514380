"""The exhibitor list, its CSV, and an exhibitor's page with its expos, people and deals."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from core.exports.sql import col, country, join_of
from core.lists.views import DirectoryCSVView, DirectoryListView
from exhibitors.selectors import exhibitor_list
from expos import selectors
from expos.filtersets import ExhibitorFilterSet

EXHIBITOR_CSV_COLUMNS = [
    (_("name"), col("name")),
    (_("slug"), col("slug")),
    (_("country code"), col("country")),
    (_("country"), country("country")),
    (_("province or region"), col("region")),
    (_("city"), col("city")),
    (_("sectors"), join_of("sectors")),
    (_("website"), col("website")),
    (_("description"), col("description")),
]


class ExhibitorListView(DirectoryListView):
    template_name = "exhibitors/exhibitor_list.html"
    filterset_class = ExhibitorFilterSet
    title = _("Exhibitors")
    csv_url_name = "exhibitors:exhibitor-csv"

    def get_queryset(self):
        return exhibitor_list()


class ExhibitorCSVView(DirectoryCSVView, ExhibitorListView):
    csv_columns = EXHIBITOR_CSV_COLUMNS
    csv_filename = "exhibitors.csv"


class ExhibitorDetailView(TemplateView):
    template_name = "exhibitors/exhibitor_detail.html"

    def get_context_data(self, **kwargs):
        exhibitor = get_object_or_404(exhibitor_list(), slug=kwargs["slug"])
        return super().get_context_data(
            exhibitor=exhibitor,
            title=exhibitor.name,
            **selectors.exhibitor_profile(exhibitor),
        )
