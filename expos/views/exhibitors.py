"""The exhibitor list, its CSV, and an exhibitor's page with its expos, people and deals."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from core.exports.sql import col, country, join_of
from core.lists.views import DirectoryCSVView, DirectoryListView, join
from exhibitors.selectors import exhibitor_list
from expos import selectors
from expos.filtersets import ExhibitorFilterSet

EXHIBITOR_CSV_COLUMNS = [
    (_("name"), lambda e: e.name, col("name")),
    (_("slug"), lambda e: e.slug, col("slug")),
    (_("country code"), lambda e: e.country.code, col("country")),
    (_("country"), lambda e: e.country.name, country("country")),
    (_("province or region"), lambda e: e.region, col("region")),
    (_("city"), lambda e: e.city, col("city")),
    (_("sectors"), lambda e: join(s.name for s in e.sectors.all()), join_of("sectors")),
    (_("website"), lambda e: e.website, col("website")),
    (_("description"), lambda e: e.description, col("description")),
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
