"""The list-view base every directory list is built on, its CSV download, and error pages."""

import logging

from django.http import HttpResponseBadRequest, HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.generic import TemplateView

from core.exports.copy import page_download
from core.exports.writers import streaming_response
from core.http.querystring import chosen
from core.lists.counting import CappedPaginator
from core.lists.errors import labelled_errors
from core.lists.facets import facet_summary
from core.lists.searchwindow import SearchTooBroad
from core.numbers import parse_positive_integer

logger = logging.getLogger(__name__)


class DirectoryListView(TemplateView):
    """A filtered, faceted, sorted and paginated list, with a CSV of the same rows.

    The page and its CSV (at its own URL, `csv_url_name`) go through the same FilterSet. An
    invalid parameter shows its message, headed by the filter's label, and no rows, with status
    400: never a list that looks filtered and is not. The facets are still shown, counted under
    the parameters that were understood, so that the list is a click away.
    Counts and page numbers stop at the count cap (see CappedPaginator); the CSV has every row.
    """

    filterset_class = None
    paginate_by = 25
    facet_options_shown = 15  # each facet's largest options; the rest are counted as "more"
    # (header, function of the queryset giving the cell's SQL, from core.exports.sql): see
    # DirectoryCSVView.
    csv_columns: list = []
    csv_filename = "export.csv"
    csv_url_name = ""
    title = ""

    def get_queryset(self):
        raise NotImplementedError

    def csv_parameters(self):
        """The filters of this page, for its CSV link (the page number is not one, nor a blank
        field of the filter form)."""
        parameters = chosen(self.request.GET)
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

    def page_errors(self):
        """{"page": [message]} when `page` is given and is not a page number: Django's
        Paginator shows the first page for `?page=x` and reads `?page=١٢` as 12."""
        raw = self.request.GET.get("page")
        if raw in (None, ""):
            return {}
        try:
            parse_positive_integer(raw)
        except ValueError:
            return {"page": [str(_("A page number from 1 is required."))]}
        return {}

    def get(self, request, *args, **kwargs):
        filterset = self.get_filterset()
        valid = filterset.is_valid()
        errors = {**(filterset.error_messages() if not valid else {}), **self.page_errors()}
        paginator = None
        if not errors:
            try:
                paginator = CappedPaginator(filterset.qs, self.paginate_by)
            except SearchTooBroad as error:
                errors = error.message_dict
        valid = not errors
        page = paginator.get_page(request.GET.get("page")) if valid else None
        # With an error, the facets are counted under the other filters: the options stay
        # there to choose from, the value not understood among none of them.
        understood = self.filterset_class.canonical_data(request.GET)
        for name in errors:
            understood.pop(name, None)
        facets = facet_summary(
            self.filterset_class, understood, self.get_queryset(), shown=self.facet_options_shown
        )
        context = self.get_context_data(
            filterset=filterset,
            errors=labelled_errors(errors, filterset.form),
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
    """The rows of a list page, as CSV, streamed so that a large list never sits in memory.

    PostgreSQL writes the rows (COPY, see core.exports.copy), each cell from its column's SQL.
    """

    def get(self, request, *args, **kwargs):
        filterset = self.get_filterset()
        if not filterset.is_valid():
            lines = [f"{name}: {' '.join(m)}" for name, m in filterset.error_messages().items()]
            return HttpResponseBadRequest("\n".join(lines), content_type="text/plain")
        queryset = filterset.qs
        lines = page_download(
            queryset,
            [header for header, _cell in self.csv_columns],
            [cell(queryset) for _header, cell in self.csv_columns],
        )
        return streaming_response(
            lines, content_type="text/csv; charset=utf-8", filename=self.csv_filename
        )


def is_api(request):
    return request.path.startswith("/api/")


def page_not_found(request, exception=None):
    """404: JSON under /api/, the site's own page elsewhere."""
    if is_api(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    return render(request, "404.html", {"title": _("Page not found")}, status=404)


# The last resort, when even the site's 500 page cannot be rendered.
PLAIN_SERVER_ERROR = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Server error</title>'
    "</head><body><h1>Server error</h1><p>Something went wrong on our side. Please try again "
    "in a moment.</p></body></html>"
)


def server_error(request):
    """500: JSON in the API's error shape under /api/, the site's own page elsewhere.

    Django has logged the exception, with its traceback, before calling this; the answer
    shows nothing of it. The page is rendered with the site's layout, and if that fails too
    (the error may lie in the layout), a plain page is sent instead.
    """
    if is_api(request):
        return JsonResponse({"detail": "A server error occurred."}, status=500)
    try:
        return render(request, "500.html", {"title": _("Server error")}, status=500)
    except Exception:
        logger.exception("The 500 page could not be rendered; a plain one was sent.")
        return HttpResponseServerError(PLAIN_SERVER_ERROR)


def bad_request(request, exception):
    """400 from Django itself (too many parameters, a bad Host): JSON under /api/."""
    if is_api(request):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return defaults.bad_request(request, exception)


def permission_denied(request, exception):
    """403 from Django itself: JSON under /api/."""
    if is_api(request):
        return JsonResponse({"detail": "You do not have permission to do this."}, status=403)
    return defaults.permission_denied(request, exception)
