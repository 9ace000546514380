"""Full-text and typo-tolerant search: what a record stores, and how `q` matches it.

Every searchable record stores a `search_vector` (see search_document) behind a GIN index,
and its names are matched accent-insensitively and with typos through pg_trgm on an
immutable unaccent expression (UnaccentedText), also indexed. The `directory_unaccent`
function those indexes use is created by this app's migration 0001.
"""

import re

from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    TrigramWordSimilarity,
)
from django.db import models
from django.db.models import F, Func, Q, Value
from django.db.models.functions import Coalesce, Lower

RANKED = "-search_rank"  # best matches first: the order of a search without `ordering`
CONFIGS = ("simple", "english", "spanish")


def search_document(*, names, texts=(), plain_names=()):
    """The full-text vector of a record: its names weigh most, and every text is indexed in
    English and Spanish stemming and, unstemmed, in `simple` (for names in any script).

    `names` and `texts` are translated fields (`name_en`, `name_es`); `plain_names` are not.
    """
    english = [*plain_names, *[f"{field}_en" for field in (*names, *texts)]]
    spanish = [*plain_names, *[f"{field}_es" for field in (*names, *texts)]]
    return (
        SearchVector(*plain_names, *[f"{f}_en" for f in names], config="simple", weight="A")
        + SearchVector(*plain_names, *[f"{f}_es" for f in names], config="simple", weight="A")
        + SearchVector(*english, config="english", weight="B")
        + SearchVector(*spanish, config="spanish", weight="B")
    )


class UnaccentedText(Func):
    """lower(unaccent(a || ' ' || b …)) through the IMMUTABLE `directory_unaccent` wrapper
    (see migration core 0001), so that a trigram index can hold it."""

    template = "directory_unaccent(lower(%(expressions)s))"
    arg_joiner = " || ' ' || "
    output_field = models.TextField()

    def __init__(self, *fields):
        super().__init__(*[Coalesce(F(field), Value("")) for field in fields])


def is_websearch(value: str) -> bool:
    """Whether the words use websearch syntax: "a phrase", -exclusion or OR."""
    return (
        '"' in value
        or " or " in f" {value.lower()} "
        or any(word.startswith("-") for word in value.split())
    )


def ranked_search(queryset, value, *, names, also=None):
    """Full-text search in English, Spanish and unstemmed text, with websearch syntax
    (`"smart city" -lighting`), plus accent-insensitive, typo-tolerant matching of names
    (`Dahau` finds Dahua, `Exposicion` finds Exposición); best matches first.

    Both halves are served by GIN indexes: the stored `search_vector`, and pg_trgm on
    UnaccentedText(names) (threshold: pg_trgm.word_similarity_threshold, set in settings).
    `also` is a further condition that makes a record match (ranked by its names alone).
    """
    # One vector holds every language, so an excluded word must be absent in each config's
    # form of it ("-lighting": neither 'light' nor 'lighting'); the rest may match in any.
    excluded = re.findall(r'(?:^|\s)-([^\s"]+)', value)
    wanted = re.sub(r'(?:^|\s)-[^\s"]+', " ", value).strip() or value
    query = (
        SearchQuery(wanted, config="simple", search_type="websearch")
        | SearchQuery(wanted, config="english", search_type="websearch")
        | SearchQuery(wanted, config="spanish", search_type="websearch")
    )
    rank = SearchRank(F("search_vector"), query)
    condition = Q(search_vector=query)
    for word in excluded:
        for config in CONFIGS:
            condition &= ~Q(search_vector=SearchQuery(word, config=config))
    if not is_websearch(value):
        # Names are matched whole-word-ish against the unaccented, lower-cased words typed.
        typed = Func(Lower(Value(value)), function="directory_unaccent")
        queryset = queryset.annotate(searchable_names=UnaccentedText(*names))
        condition |= Q(searchable_names__trigram_word_similar=typed)
        rank = rank + TrigramWordSimilarity(typed, "searchable_names")
    if also is not None:
        condition |= also
    return queryset.filter(condition).annotate(search_rank=rank).order_by(RANKED)


def text_search(queryset, fields, value):
    """Records any of whose `fields` contain every word of `value`, in any language."""
    for word in value.split():
        condition = Q()
        for field in fields:
            condition |= Q(**{f"{field}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset
