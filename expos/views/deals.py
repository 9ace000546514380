"""Deals: their list, CSV and pages."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from core.exports.sql import col, date, join_of, number, number_or_blank, related
from core.lists.views import DirectoryCSVView, DirectoryListView, join
from expos import selectors
from expos.filtersets import DealFilterSet

DEAL_CSV_COLUMNS = [
    (_("title"), lambda d: d.title, col("title")),
    (_("slug"), lambda d: d.slug, col("slug")),
    (_("expo"), lambda d: d.expo.name, related("expo", "name")),
    (
        _("number of projects"),
        lambda d: d.project_count if d.project_count is not None else "",
        number("project_count"),
    ),
    (_("amount"), lambda d: d.amount if d.amount is not None else "", number("amount")),
    (_("currency"), lambda d: d.currency, col("currency")),
    (
        _("amount in US dollars, as reported"),
        lambda d: d.amount_usd or "",
        number_or_blank("amount_usd"),
    ),
    (_("sectors"), lambda d: join(s.name for s in d.sectors.all()), join_of("sectors")),
    (_("parties"), lambda d: join(d.parties.all()), join_of("parties")),
    (_("date"), lambda d: d.signed_on or "", date("signed_on")),
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
