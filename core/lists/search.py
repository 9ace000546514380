"""Full-text and typo-tolerant search: what a record stores, and how `q` matches it.

Every searchable record stores a `search_vector` (see search_document) behind a GIN index,
and its names are matched accent-insensitively and with typos through pg_trgm on an
immutable unaccent expression (UnaccentedText), also indexed. The `directory_unaccent`
function those indexes use is created by this app's migration 0001.

Whatever a visitor types, `q` never reaches PostgreSQL's query parsers as syntax: the
websearch syntax (`"a phrase"`, `-word`, `or`) is read by searchtext.parse_search, and each word or
phrase goes to phraseto_tsquery, which reads text and no operators. websearch_to_tsquery
itself fails on some inputs ("tsquery stack too small" for a run of `-`), and one failure
would break every list, export and feed that a search reaches.
"""

import django_filters
from django import forms
from django.contrib.postgres.indexes import GinIndex, OpClass
from django.contrib.postgres.search import (
    SearchRank,
    SearchVector,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import (
    BooleanField,
    Expression,
    F,
    FloatField,
    Func,
    Q,
    Value,
)
from django.db.models.functions import Coalesce, Lower
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy
from drf_spectacular.utils import extend_schema_field

from core.lists.searchtext import (
    Term,
    balanced,
    clauses_query,
    clean_search_text,
    count_words,
    has_lexeme,
    is_websearch,
    parse_search,
    term_query,
)

RANKED = "-search_rank"  # best matches first: the order of a search without `ordering`
# The alias of a search's condition (SearchMatch), and the alias by which a query of its
# window asks for one half of it (see search_window).
SEARCH_MATCH = "search_match"
SEARCH_PART = "search_part"
WORDS, OTHERS, FOUND = "words", "others", "found"
CONFIGS = ("simple", "english", "spanish")
# Longer than any search anyone types; the bound keeps the query's size (and its planning
# time) small whatever is sent.
MAX_SEARCH_LENGTH = 200
# More words than a name or a question takes. Each word becomes a text-search query in every
# configuration, built into each statement a list runs (its rows, its count, its facets): a
# hundred one-letter words, within the length above, took seconds a request.
MAX_SEARCH_WORDS = 12


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


def search_vector(*, names, texts=(), plain_names=()):
    """A searchable model's `search_vector` field: its search_document, a column PostgreSQL
    computes and stores."""
    return models.GeneratedField(
        expression=search_document(names=names, texts=texts, plain_names=plain_names),
        output_field=SearchVectorField(),
        db_persist=True,
    )


def search_indexes(*, similar_names=()):
    """The indexes of a searchable model: GIN on its search_vector, `<app>_<model>_search`,
    and where ranked_search matches `similar_names` (columns) by trigram similarity, GIN on
    their UnaccentedText, `<app>_<model>_name_trgm`."""
    indexes = [GinIndex(fields=["search_vector"], name="%(app_label)s_%(class)s_search")]
    if similar_names:
        indexes.append(
            GinIndex(
                OpClass(UnaccentedText(*similar_names), name="gin_trgm_ops"),
                name="%(app_label)s_%(class)s_name_trgm",
            )
        )
    return indexes


class SearchMatch(Expression):
    """Whether a record matches a search: it has the `words` (full text), or matches
    `others` (a name like the words, a related record), and has none of the `excluded`
    words. Each is a Q, or None.

    A query of the search's window (see search_window) reads one half at a time: the alias
    SEARCH_PART of its queryset (WORDS or OTHERS) says which. Otherwise the whole condition
    is one expression, and PostgreSQL, asked for the records with a common word, would also
    read every name like it (it ORs the trigram index into the same scan). Once the window
    is FOUND, its ids are the condition: checked again, PostgreSQL would read both indexes
    whole to intersect them with a handful of ids.
    """

    conditional = True

    def __init__(self, words=None, others=None, excluded=None):
        super().__init__(output_field=BooleanField())
        self.words, self.others, self.excluded = words, others, excluded

    def get_source_expressions(self):
        return [self.words, self.others, self.excluded]

    def set_source_expressions(self, exprs):
        self.words, self.others, self.excluded = exprs

    def halves(self):
        """Whether the search has both halves, to be looked for one after the other."""
        return self.words is not None and self.others is not None

    def as_sql(self, compiler, connection):
        part = compiler.query.annotations.get(SEARCH_PART)
        part = part.value if isinstance(part, Value) else None
        if part == FOUND:
            return "TRUE", []
        chosen = [
            condition
            for name, condition in ((WORDS, self.words), (OTHERS, self.others))
            if condition is not None and part in (None, name)
        ]
        sql, params = [], []
        for condition in chosen:
            condition_sql, condition_params = compiler.compile(condition)
            sql.append(f"({condition_sql})")
            params.extend(condition_params)
        text = f"({' OR '.join(sql)})" if sql else "TRUE"
        if self.excluded is not None:
            excluded_sql, excluded_params = compiler.compile(self.excluded)
            text = f"({text} AND {excluded_sql})"
            params.extend(excluded_params)
        return text, params


def ranked_search(queryset, value, *, names, also=None):
    """Full-text search in English, Spanish and unstemmed text, with websearch syntax
    (`"smart city" -lighting`), plus accent-insensitive, typo-tolerant matching of names
    (`Dahau` finds Dahua, `Exposicion` finds Exposición); best matches first.

    Both halves are served by GIN indexes: the stored `search_vector`, and pg_trgm on
    UnaccentedText(names) (threshold: pg_trgm.word_similarity_threshold, set in settings).
    `also` is a further condition that makes a record match (ranked by its names alone).
    Text with no word at all (only punctuation) matches nothing.
    """
    typed_text = clean_search_text(value)
    parsed = parse_search(typed_text)
    if not parsed.clauses:
        return queryset.annotate(search_rank=Value(0.0, FloatField())).none().order_by(RANKED)
    # One vector holds every language, so an excluded word must be absent in each config's
    # form of it ("-lighting": neither 'light' nor 'lighting'); the rest may match in any.
    words = others = excluded = None
    rank = Value(0.0, FloatField())
    if parsed.wanted:
        query = balanced(
            lambda a, b: a | b, [clauses_query(parsed.wanted, config) for config in CONFIGS]
        )
        rank = SearchRank(F("search_vector"), query)
        words = Q(search_vector=query)
    if not is_websearch(typed_text):
        # Names are matched whole-word-ish against the unaccented, lower-cased words typed.
        typed = Func(Lower(Value(typed_text)), function="directory_unaccent")
        queryset = queryset.annotate(searchable_names=UnaccentedText(*names))
        others = Q(searchable_names__trigram_word_similar=typed)
        rank = rank + TrigramWordSimilarity(typed, "searchable_names")
    if also is not None and parsed.wanted:
        others = also if others is None else others | also
    for term in parsed.excluded:
        wanted_again = Term(term.text, phrase=term.phrase)
        for config in CONFIGS:
            absent = ~Q(search_vector=term_query(wanted_again, config))
            excluded = absent if excluded is None else excluded & absent
    match = SearchMatch(words, others, excluded)
    return (
        queryset.alias(**{SEARCH_MATCH: match})
        .filter(**{SEARCH_MATCH: True})
        .annotate(search_rank=rank)
        .order_by(RANKED)
    )


def text_search(queryset, fields, value):
    """Records any of whose `fields` contain every word of `value`, in any language; as in
    ranked_search, words without a letter or digit are left out, and text of only such
    words matches nothing."""
    words = [word for word in clean_search_text(value).split() if has_lexeme(word)]
    if not words:
        return queryset.none()
    for word in words:
        condition = Q()
        for field_name in fields:
            condition |= Q(**{f"{field_name}__icontains": word})
        queryset = queryset.filter(condition)
    return queryset


# --- The `q` parameter ---------------------------------------------------------------------


def check_search_words(value):
    """Refuse text of more than MAX_SEARCH_WORDS words (see count_words)."""
    count = count_words(parse_search(value))
    if count > MAX_SEARCH_WORDS:
        raise ValidationError(
            ngettext_lazy(
                "Search for at most %(limit)d word (this has %(count)d).",
                "Search for at most %(limit)d words (this has %(count)d).",
                "limit",
            ),
            code="max_words",
            params={"limit": MAX_SEARCH_WORDS, "count": count},
        )


class SearchField(forms.CharField):
    """What was typed in a search box: at most MAX_SEARCH_LENGTH characters and
    MAX_SEARCH_WORDS words, an error beyond (naming `q`), with line breaks and tabs read as
    spaces. A NUL is an error, as in every parameter."""

    default_validators = [check_search_words]

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", MAX_SEARCH_LENGTH)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if "\x00" in value:
            return value  # left for the validators to report
        return clean_search_text(value)


@extend_schema_field(
    {
        "type": "string",
        "maxLength": MAX_SEARCH_LENGTH,
        "description": (
            'Words to search for, with websearch syntax: "a phrase", -excluded, either or '
            f"other; at most {MAX_SEARCH_LENGTH} characters and {MAX_SEARCH_WORDS} words (the "
            "words of a phrase and excluded words count; `or` does not)."
        ),
    }
)
class SearchFilter(django_filters.CharFilter):
    """The `q` of every list (see SearchField); the FilterSet's `method` does the matching."""

    field_class = SearchField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label", _("Search"))
        super().__init__(*args, **kwargs)
