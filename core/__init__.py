"""What every app of the directory shares and that knows no app.

Base models and fields, search documents, the data version and what is cached on it,
counting, the FilterSet base and its filters, facets, the streaming CSV/NDJSON writer, the
list-view base, error pages, middleware, and (in `core.api`) the API machinery. Nothing here
imports `exhibitors`, `expos` or `config`: the apps build on it.
"""
