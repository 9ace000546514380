"""Page numbers whose cost does not grow with the table: the pages and the API share them."""

from django.conf import settings
from django.core.paginator import Paginator
from django.utils.functional import cached_property

DEFAULT_COUNT_CAP = 10_000


def count_cap():
    return getattr(settings, "DIRECTORY_COUNT_CAP", DEFAULT_COUNT_CAP)


class CappedPaginator(Paginator):
    """A Paginator that counts at most `cap` results, and offers only the pages holding them.

    COUNT(*) over a million filtered rows reads them all; counting a LIMITed subquery stops
    after `cap` + 1. So `count` is exact up to the cap and is the cap beyond it, `capped` says
    which, and no page needs an OFFSET past the cap: further rows are for narrower filters, or
    the API's cursor walk.
    """

    def __init__(self, object_list, per_page, *, cap=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = count_cap() if cap is None else cap

    @cached_property
    def counted(self):
        # Without ORDER BY: the order of the rows counted does not change how many there are.
        return self.object_list.order_by()[: self.cap + 1].count()

    @cached_property
    def count(self):
        return min(self.counted, self.cap)

    @property
    def capped(self):
        return self.counted > self.cap
