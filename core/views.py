"""The list-view base every directory list is built on, its CSV download, and error pages."""

from django.http import HttpResponseBadRequest, JsonResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView

from .counting import CappedPaginator
from .exports import csv_lines
from .facets import facet_summary


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
        rows = (
            [value(record) for _, value in self.csv_columns]
            for record in filterset.qs.iterator(chunk_size=2000)
        )
        header = [header for header, _ in self.csv_columns]
        response = StreamingHttpResponse(
            csv_lines(header, rows, byte_order_mark=True), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{self.csv_filename}"'
        return response


def join(values):
    """Several values in one CSV cell."""
    return "; ".join(str(v) for v in values)


def page_not_found(request, exception=None):
    """404: JSON under /api/, the site's own page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", {"title": _("Page not found")}, status=404)
