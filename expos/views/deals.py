"""Deals: their list, CSV and pages."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from core.exports.sql import col, date, join_of, number, number_or_blank, related
from core.lists.views import DirectoryCSVView, DirectoryListView
from expos import selectors
from expos.filtersets import DealFilterSet

DEAL_CSV_COLUMNS = [
    (_("title"), col("title")),
    (_("slug"), col("slug")),
    (_("expo"), related("expo", "name")),
    (_("number of projects"), number("project_count")),
    (_("amount"), number("amount")),
    (_("currency"), col("currency")),
    (_("amount in US dollars, as reported"), number_or_blank("amount_usd")),
    (_("sectors"), join_of("sectors")),
    (_("parties"), join_of("parties")),
    (_("date"), date("signed_on")),
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
