"""Counts and page numbers whose cost does not grow with the table: the pages and the API
share them."""

import json

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connections
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from core.changelog import dataversion
from core.lists.searchwindow import is_search, ranked_search_limit, search_window
from core.numbers import parse_integer

# Past this many times the exact limit, the planner's estimate is taken without counting:
# even a poor estimate that far out means more results than are counted exactly.
TRUST_ESTIMATE_ABOVE = 5


def count_cap():
    """How many results page numbers reach: further rows are for narrower filters, a
    download, or the API's cursor walk."""
    return settings.DIRECTORY_COUNT_CAP


def exact_count_limit():
    """Up to how many results a list counts exactly; past it, the count is an estimate."""
    return settings.DIRECTORY_EXACT_COUNT


def estimated_rows(queryset):
    """The planner's estimate of how many rows `queryset` returns: EXPLAIN, not a scan.

    Planning a search over many indexes takes milliseconds, and a list and its search both
    ask, so the answer is cached until the data changes.
    """
    try:
        sql, params = queryset.order_by().query.sql_with_params()
    except EmptyResultSet:
        return 0

    def explain():
        with connections[queryset.db].cursor() as cursor:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
            (plan,) = cursor.fetchone()
        if isinstance(plan, str):
            plan = json.loads(plan)
        return int(plan[0]["Plan"]["Plan Rows"])

    return dataversion.cached(explain, "estimate", queryset.db, sql, [str(p) for p in params])


def significant(number, digits=2):
    """26,045 → 26,000: an estimate is shown without digits it cannot vouch for."""
    if number < 10**digits:
        return number
    scale = 10 ** (len(str(number)) - digits)
    return round(number / scale) * scale


def page_number(number):
    """A page number as an int: Paginator reads it with int(), which takes `١٢` for 12."""
    if isinstance(number, str):
        try:
            return parse_integer(number)
        except ValueError:
            raise PageNotAnInteger(_("That page number is not an integer")) from None
    return number


class CappedPaginator(Paginator):
    """A Paginator whose counting costs the same at a thousand rows and at a million.

    COUNT(*) reads every matching row. Instead, `total` is exact up to `exact_limit` (a count
    over a LIMITed subquery, which stops there), and past it is PostgreSQL's own estimate of
    the rows (EXPLAIN), rounded; `exact` says which. Where the estimate is far above the
    limit, nothing is counted at all. A page that comes back short is the last one, so the
    total becomes exact there for free; a page past the real end, or a full page where the
    estimate ended, makes it count again, up to the cap. A page asked for before anything
    is counted is read first: if it comes back short, nothing is counted at all (a search
    with a handful of matches runs once, not once to count and again for its rows), and if
    it comes back full its rows are kept for the page.

    Page numbers reach the first `cap` results at most (`capped` says they stop short of the
    end), so no page needs an OFFSET past the cap.

    A search, listed best matches first or in a chosen order, has its pages cut from its
    window (see core.lists.searchwindow.search_window): the cap is then the window's size, and
    finding
    the window counts the matches up to it, so a search that fits in it is counted exactly
    for free. A search too broad to find its window raises core.lists.searchwindow.SearchTooBroad.
    """

    def __init__(self, object_list, per_page, *, cap=None, exact_limit=None, **kwargs):
        self.counted = object_list  # what the figures count; the pages are cut from object_list
        matches = None
        if is_search(object_list):
            window = ranked_search_limit()
            object_list, matches = search_window(object_list, window)
        super().__init__(object_list, per_page, **kwargs)
        self.cap = count_cap() if cap is None else cap
        self.exact_limit = exact_count_limit() if exact_limit is None else exact_limit
        if matches is None:
            return
        if matches <= window:
            self.settle(matches, True)
            return
        self.cap = min(self.cap, window)
        if matches > self.exact_limit:
            self.settle(significant(max(estimated_rows(self.counted), matches)), False)

    @cached_property
    def figures(self):
        """(total, exact)."""
        estimate = estimated_rows(self.counted)
        if estimate > self.exact_limit * TRUST_ESTIMATE_ABOVE:
            return significant(estimate), False
        # Without ORDER BY: the order of the rows counted does not change how many there are.
        counted = self.counted.order_by()[: self.exact_limit + 1].count()
        if counted <= self.exact_limit:
            return counted, True
        return significant(max(estimate, counted)), False

    @property
    def total(self):
        return self.figures[0]

    @property
    def exact(self):
        return self.figures[1]

    @cached_property
    def count(self):
        return min(self.total, self.cap)

    @property
    def capped(self):
        return self.total > self.cap

    def settle(self, total, exact):
        self.__dict__["figures"] = (total, exact)
        for name in ("count", "num_pages"):
            self.__dict__.pop(name, None)

    def recount(self):
        """Count for real, up to the cap: the estimate proved wrong at the end of the pages."""
        counted = self.counted.order_by()[: self.cap + 1].count()
        if counted <= self.cap:
            self.settle(counted, True)
        else:
            self.settle(max(self.total, counted), False)

    def read_first(self, number):
        """Page `number` read before anything is counted: the Page when it comes back short
        (it is the last one, and the total is exact), else None, the rows kept for page()."""
        try:
            number = page_number(number)
        except PageNotAnInteger:
            return None
        if not isinstance(number, int):
            return None
        bottom = (number - 1) * self.per_page
        if number < 1 or bottom >= self.cap:
            return None  # page() gives the error, or the page past the cap
        wanted = min(self.per_page, self.cap - bottom)
        rows = list(self.object_list[bottom : bottom + wanted])
        if len(rows) < wanted and (rows or number == 1):
            self.settle(bottom + len(rows), True)
            return self._get_page(rows, number, self)
        self._read = (number, bottom, rows)
        return None

    def page(self, number):
        if "figures" not in self.__dict__:
            early = self.read_first(number)
            if early is not None:
                return early
        page = super().page(number)
        read = self.__dict__.pop("_read", None)
        if read is not None and read[0] == page.number:
            _number, bottom, rows = read
            top = bottom + self.per_page
            if top + self.orphans >= self.count:
                top = self.count
            if len(rows) == top - bottom:  # the rows this page holds, already read
                page.object_list = rows
        if self.exact:
            return page
        page.object_list = rows = list(page.object_list)
        start = (page.number - 1) * self.per_page
        asked = min(self.per_page, self.count - start)
        if rows and len(rows) < asked:
            self.settle(start + len(rows), True)
        elif not rows or (not page.has_next() and not self.capped):
            self.recount()
            return super().page(number)
        return page

    def validate_number(self, number):
        return super().validate_number(page_number(number))

    def get_page(self, number):
        """As Paginator.get_page (no number or not a number shows the first page, a number past
        the end the last), also when the end turns out nearer than the estimate said; the page
        is read before anything is counted, as page() does."""
        try:
            return self.page(number)
        except PageNotAnInteger:
            return self.page(1)
        except EmptyPage:
            return self.page(self.num_pages)
