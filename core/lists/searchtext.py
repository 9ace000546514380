"""What a typed search says: websearch syntax read into clauses of words and phrases, and
the text-search query (tsquery) they make in one configuration.

Whatever a visitor types never reaches PostgreSQL's query parsers as syntax (see
core.lists.search): each word or phrase goes to phraseto_tsquery, which reads no operators.
"""

import unicodedata
from dataclasses import dataclass, field

from django.contrib.postgres.search import SearchQuery


def clean_search_text(value: str) -> str:
    """`value` with control characters (tabs, line breaks, NUL) turned into spaces and lone
    surrogates dropped: neither can be sent to PostgreSQL, and neither is part of a word."""
    characters = []
    for character in str(value):
        category = unicodedata.category(character)
        if category == "Cc":
            characters.append(" ")
        elif category != "Cs":
            characters.append(character)
    return "".join(characters).strip()


@dataclass(frozen=True)
class Term:
    """A word or a quoted phrase, wanted or (`negated`) excluded."""

    text: str
    negated: bool = False
    phrase: bool = False


@dataclass
class ParsedSearch:
    """websearch syntax as read by parse_search: every clause must match, and a clause is
    a term or several terms joined by `or`."""

    clauses: list = field(default_factory=list)

    @property
    def wanted(self):
        """The clauses that are not a lone exclusion."""
        return [c for c in self.clauses if not (len(c) == 1 and c[0].negated)]

    @property
    def excluded(self):
        """The terms excluded on their own (`-lighting`): absent in every language."""
        return [c[0] for c in self.clauses if len(c) == 1 and c[0].negated]


def has_lexeme(text):
    """Whether `text` can give a lexeme: a term of punctuation only would be an empty query."""
    return any(character.isalnum() for character in text)


def parse_search(value: str) -> ParsedSearch:
    """Read websearch syntax as websearch_to_tsquery does: words, `"phrases"` (an unclosed
    quote runs to the end), `-` before a word or phrase to exclude it, and `or` between two
    terms for either; `or` binds closer than the implicit `and` between terms.

    Terms without a letter or digit are dropped, as are `or`s with no term on either side.
    """
    text = clean_search_text(value)
    parsed = ParsedSearch()
    join_next = False
    position, end = 0, len(text)
    while position < end:
        if text[position].isspace():
            position += 1
            continue
        negated = False
        while position < end and text[position] == "-":
            negated = True
            position += 1
        if position < end and text[position] == '"':
            close = text.find('"', position + 1)
            close = end if close < 0 else close
            term = Term(text[position + 1 : close], negated=negated, phrase=True)
            position = close + 1
        else:
            start = position
            while position < end and not text[position].isspace() and text[position] != '"':
                position += 1
            word = text[start:position]
            if not negated and word.lower() == "or":
                join_next = bool(parsed.clauses)
                continue
            term = Term(word, negated=negated)
        if not has_lexeme(term.text):
            continue
        if join_next:
            parsed.clauses[-1].append(term)
        else:
            parsed.clauses.append([term])
        join_next = False
    return parsed


def count_words(parsed: ParsedSearch) -> int:
    """The words of every term, those of a phrase and excluded ones included; the `or`s
    between terms and pieces without a letter or digit are not words."""
    return sum(
        len([word for word in term.text.split() if has_lexeme(word)])
        for clause in parsed.clauses
        for term in clause
    )


def is_websearch(value: str) -> bool:
    """Whether the words use websearch syntax: "a phrase", -exclusion or OR."""
    return (
        '"' in value
        or " or " in f" {value.lower()} "
        or any(word.startswith("-") for word in value.split())
    )


# --- Building the query --------------------------------------------------------------------


def balanced(combine, items):
    """items[0] ∘ items[1] ∘ … as a balanced tree: a long query does not nest deeply (the
    SQL compiler recurses once a level)."""
    if len(items) == 1:
        return items[0]
    middle = len(items) // 2
    return combine(balanced(combine, items[:middle]), balanced(combine, items[middle:]))


def term_query(term, config):
    # phraseto_tsquery reads plain text: `smart-city` is one phrase, as websearch reads it.
    query = SearchQuery(term.text, config=config, search_type="phrase")
    return ~query if term.negated else query


def clauses_query(clauses, config):
    """The tsquery of `clauses` in one text-search configuration, or None if there are none."""
    if not clauses:
        return None
    either = [balanced(lambda a, b: a | b, [term_query(t, config) for t in c]) for c in clauses]
    return balanced(lambda a, b: a & b, either)


def search_query(value, config="simple"):
    """The tsquery of `value` in one configuration, websearch syntax and exclusions included
    (for matching a related record's vector); one that matches nothing where `value` has
    no term."""
    clauses = parse_search(value).clauses
    if not clauses:
        return SearchQuery("", config=config, search_type="phrase")
    return clauses_query(clauses, config)
