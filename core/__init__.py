"""What every app of the directory shares and that knows no app, in rooms by concern.

- models.py, fields.py, numbers.py, integrity.py: the abstract bases, model fields and named
  constraints, numbers read in ASCII digits, which constraint a refused write broke;
- provenance.py: the source documents and the citations every app's records carry;
- translated.py: django-modeltranslation's fallback, once, for Python, SQL and ordering;
- http/: what every request goes through (middleware, the client's address, throttling, the
  sign-in lockout, database outages, health endpoints, the request log);
- lists/: the list-view base and what a list is made of (filters, FilterSets, facets,
  counting, count tables, search and its window);
- exports/: the downloads (the CSV/NDJSON writer, PostgreSQL's COPY, the SQL of each column);
- api/: the REST API's machinery (viewsets, serializers, pagination, renderers, the schema);
- changelog/: the change log the database keeps, and the data version read from it;
- history/: each record's versions, recovering deleted records, what keeps a record from
  being deleted;
- admin/: what every admin shares (its base class, change lists and forms);
- backups.py: pg_dump and pg_restore.

Nothing here imports `exhibitors`, `expos` or `config`: the apps build on it.
"""
