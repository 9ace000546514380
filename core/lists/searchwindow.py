"""The window of a search: the matches a page of it is ranked or sorted from, found at a cost
that does not grow with how many records match (see search_window).

core.lists.search builds a search's condition (ranked_search, its SearchMatch) and reads what was
typed; this module bounds what running it costs: a window of at most
DIRECTORY_RANKED_SEARCH_LIMIT matches, found through the search's indexes within
DIRECTORY_SEARCH_BUDGET_MS, or SearchTooBroad (a 400 naming `q`).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import OperationalError, connections, transaction
from django.db.models import ExpressionWrapper, F, IntegerField, Value
from django.utils.translation import gettext_lazy as _
from psycopg.errors import QueryCanceled

from core.lists.search import FOUND, OTHERS, RANKED, SEARCH_MATCH, SEARCH_PART, WORDS

# How long a search may look for its matches by reading the table (see matching_ids).
EARLY_STOP_MS = 30


class SearchTooBroad(ValidationError):
    """A search whose window could not be found within its budget (see matching_ids)."""

    def __init__(self):
        super().__init__(
            {
                "q": [
                    ValidationError(
                        _(
                            "This search is too broad to answer quickly (a common word in a "
                            "phrase or excluded): add a word."
                        ),
                        code="too_broad",
                    )
                ]
            }
        )


def ranked_search_limit():
    """How many matches of a search are listed at most (see search_window)."""
    return settings.DIRECTORY_RANKED_SEARCH_LIMIT


def is_search(queryset):
    """Whether `queryset` is a search (see ranked_search), in whatever order it is listed."""
    return SEARCH_MATCH in queryset.query.annotations


def search_budget_ms():
    """How long a search may take to find its window by its indexes (see matching_ids)."""
    return settings.DIRECTORY_SEARCH_BUDGET_MS


def matching_ids(queryset, limit, *, early_stop=True):
    """The ids of at most `limit` rows of `queryset`, in no particular order, at a cost that
    does not grow with how many rows match.

    PostgreSQL picks the plan by its estimate of the matches. Where it expects many, it
    reads the table until it has `limit`: quick when they are many, but the whole table
    when the estimate is wrong (it takes a phrase for its words apart, "smart city" for a
    third of the directory where four match; two common words that never meet, for many).
    So that plan gets EARLY_STOP_MS; past it, the search's own indexes are read instead
    (a bitmap scan: their lists of matches, then the first `limit` rows), which costs at
    most a read of those lists and a check of each row they give.

    That check is the one cost left that grows with the matches: an excluded word or a
    phrase is checked on every row that has the words (the index knows neither absence nor
    positions), so `smart -city` checks every record with `smart`. It gets the search's
    budget (search_budget_ms); past it, SearchTooBroad (a 400 naming `q`).

    Without `early_stop`, the indexes are read at once: for a condition no other plan serves.
    """
    rows = queryset.order_by().values_list("pk", flat=True)[:limit]
    connection = connections[queryset.db]
    if early_stop:
        ids = early_ids(rows, connection)
        if ids is not None:
            return ids
    try:
        with transaction.atomic(using=rows.db), connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('statement_timeout', %s, true)",
                [f"{search_budget_ms()}ms"],
            )
            cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
            ids = list(rows)
            cursor.execute(
                "SET LOCAL enable_seqscan TO DEFAULT; SET LOCAL enable_indexscan TO DEFAULT; "
                "SET LOCAL statement_timeout TO DEFAULT"
            )
    except OperationalError as error:
        if not isinstance(error.__cause__, QueryCanceled):
            raise
        raise SearchTooBroad from None
    return ids


def early_ids(rows, connection):
    """The ids of `rows` by the plan PostgreSQL picks, or None past EARLY_STOP_MS."""
    try:
        with transaction.atomic(using=rows.db), connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('statement_timeout', %s, true)", [f"{EARLY_STOP_MS}ms"]
            )
            ids = list(rows)
            # A setting local to the transaction outlasts a savepoint, until the caller's
            # transaction ends: back to the session's for what follows.
            cursor.execute("SET LOCAL statement_timeout TO DEFAULT")
    except OperationalError as error:
        if not isinstance(error.__cause__, QueryCanceled):
            raise
        return None  # the rollback took the timeout back
    return ids


def search_window(queryset, size):
    """The search `queryset` bounded: (the queryset, matches).

    Ranking reads every row it orders before the first page can be cut, and so does a
    chosen order (`ordering=name` walks the names, checking each for the words, until a
    page is full: the whole directory for a rare word), so a search that matched a large
    part of the directory, or few of it, cost in proportion to the table (seconds at a
    million exhibitors). The window is the first `size` matches the indexes give
    (matching_ids): those with the words themselves (each quick to find and to check, and
    ranked above the rest), then, if they do not fill it, those with a name merely like the
    words (or another way to match); then the window alone is ranked, or put in the order
    chosen. `matches` is how many there are when at most `size` (the window holds them
    all, in the order of the whole), else `size + 1`: the window holds `size` of more.
    """
    match = queryset.query.annotations[SEARCH_MATCH]
    if match.halves():
        ids = matching_ids(queryset.alias(**{SEARCH_PART: Value(WORDS)}), size + 1)
        if len(ids) <= size:
            others = queryset.alias(**{SEARCH_PART: Value(OTHERS)}).exclude(pk__in=ids)
            # Reading the table for a name like the words means comparing every name: only
            # the trigram index (or the other condition's own) serves.
            ids += matching_ids(others, size + 1 - len(ids), early_stop=False)
    else:
        ids = matching_ids(queryset, size + 1)
    window = queryset.alias(**{SEARCH_PART: Value(FOUND)}).filter(pk__in=ids[:size])
    keys = queryset.query.order_by or queryset.model._meta.ordering
    if keys and keys[0] != RANKED:
        # A chosen order has its index, and PostgreSQL, sure that the window's rows are
        # spread along it, would walk it checking each row against the window (674,543 rows
        # for a page of `minsk` by name at 1M): a first key that is 0 for every row, but
        # that no index gives, makes it fetch the window's rows and sort them.
        unsorted = ExpressionWrapper(F("pk") * 0, output_field=IntegerField())
        window = window.order_by(unsorted, *keys)
    return window, len(ids)
