"""Server-rendered pages for exhibitors, and the list machinery every directory list shares."""

import csv

from django.http import HttpResponseBadRequest, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from .filtersets import ExhibitorFilterSet
from .pagination import CappedPaginator
from .selectors import exhibitor_list, facet_summary


class Echo:
    """A file-like object whose write returns the line, for streaming csv.writer output."""

    def write(self, value):
        return value


class DirectoryListView(TemplateView):
    """A filtered, faceted, sorted and paginated list, with a CSV of the same rows.

    The page and its CSV (at its own URL, `csv_url_name`) go through the same FilterSet. An
    invalid parameter shows its message and no rows, with status 400: never the unfiltered list.
    Counts and page numbers stop at the count cap (see CappedPaginator); the CSV has every row.
    """

    filterset_class = None
    paginate_by = 25
    facet_options_shown = 15  # each facet's largest options; the rest are counted as "more"
    csv_columns: list = []  # (header, function of a record)
    csv_filename = "export.csv"
    csv_url_name = ""
    title = ""

    def get_queryset(self):
        raise NotImplementedError

    def csv_parameters(self):
        """The filters of this page, for its CSV link (the page number is not one)."""
        parameters = self.request.GET.copy()
        parameters.pop("page", None)
        return parameters

    def csv_href(self):
        if not self.csv_url_name:
            return ""
        query = self.csv_parameters().urlencode()
        return reverse(self.csv_url_name) + (f"?{query}" if query else "")

    def get_filterset(self):
        return self.filterset_class(
            self.request.GET, queryset=self.get_queryset(), request=self.request
        )

    def get(self, request, *args, **kwargs):
        filterset = self.get_filterset()
        valid = filterset.is_valid()
        if valid:
            paginator = CappedPaginator(filterset.qs, self.paginate_by)
            page = paginator.get_page(request.GET.get("page"))
            facets = facet_summary(
                self.filterset_class,
                request.GET,
                self.get_queryset(),
                shown=self.facet_options_shown,
            )
        else:
            page, facets = None, {}
        context = self.get_context_data(
            filterset=filterset,
            errors=filterset.error_messages() if not valid else {},
            page_obj=page,
            object_list=list(page.object_list) if page else [],
            facets=facets,
            facet_labels={
                name: filterset.form.fields[name].label for name in self.filterset_class.facets
            },
            sort_choices=filterset.form.fields["ordering"].choices,
            title=self.title,
            csv_href=self.csv_href(),
            **kwargs,
        )
        return self.render_to_response(context, status=200 if valid else 400)


class DirectoryCSVView(DirectoryListView):
    """The rows of a list page, as CSV, streamed so that a large list never sits in memory."""

    def get(self, request, *args, **kwargs):
        filterset = self.get_filterset()
        if not filterset.is_valid():
            lines = [f"{name}: {' '.join(m)}" for name, m in filterset.error_messages().items()]
            return HttpResponseBadRequest("\n".join(lines), content_type="text/plain")
        writer = csv.writer(Echo())

        def rows():
            # A byte-order mark, so spreadsheet programs read the file as UTF-8.
            yield "\ufeff"
            yield writer.writerow([str(header) for header, _ in self.csv_columns])
            for record in filterset.qs.iterator(chunk_size=2000):
                yield writer.writerow([value(record) for _, value in self.csv_columns])

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{self.csv_filename}"'
        return response


def join(values):
    return "; ".join(str(v) for v in values)


EXHIBITOR_CSV_COLUMNS = [
    (_("name"), lambda e: e.name),
    (_("slug"), lambda e: e.slug),
    (_("country code"), lambda e: e.country.code),
    (_("country"), lambda e: e.country.name),
    (_("province or region"), lambda e: e.region),
    (_("city"), lambda e: e.city),
    (_("sectors"), lambda e: join(s.name for s in e.sectors.all())),
    (_("website"), lambda e: e.website),
    (_("description"), lambda e: e.description),
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
        # Where an exhibitor exhibited, who speaks for it and what it signed are expos' data;
        # the upper layer's selector gathers them.
        from expos.selectors import exhibitor_profile

        exhibitor = get_object_or_404(exhibitor_list(), slug=kwargs["slug"])
        return super().get_context_data(
            exhibitor=exhibitor, title=exhibitor.name, **exhibitor_profile(exhibitor)
        )
