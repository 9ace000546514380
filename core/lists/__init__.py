"""Lists, for the pages and the API alike: the list-view base, filters and FilterSets, facets,
counting, the count tables the database keeps, and search with its bounded window."""
