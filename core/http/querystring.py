"""Query strings of the links the site builds: only what the visitor chose.

A form sends each of its fields, so a search left blank and the default order arrive as
`?q=&ordering=`; a link built from them would carry those on (`?q=&page=2`). These drop
every blank value, so that a shared URL holds the filters chosen and nothing else.
"""

from collections.abc import Iterable

from django.http import QueryDict
from django.utils.encoding import escape_uri_path


def chosen(query_dict):
    """A mutable copy of `query_dict` without its blank values (and without a parameter whose
    values are all blank)."""
    kept = QueryDict(mutable=True)
    for key, values in query_dict.lists():
        present = [value for value in values if value.strip()]
        if present:
            kept.setlist(key, present)
    return kept


def query_string(query_dict, **changes):
    """`?…` of `query_dict`'s chosen values with `changes` applied (None removes a parameter,
    a list sets all its values), or "" when nothing is left: Django's `{% querystring %}`
    without the blanks."""
    params = chosen(query_dict)
    for key, value in changes.items():
        if value is None:
            params.pop(key, None)
        elif isinstance(value, Iterable) and not isinstance(value, str):
            params.setlist(key, [str(v) for v in value])
        else:
            params[key] = str(value)
    params = chosen(params)
    return f"?{params.urlencode()}" if params else ""


def path_with_choices(request):
    """The request's path and chosen query string: get_full_path() without the blanks."""
    return escape_uri_path(request.path) + query_string(request.GET)
