"""What `make loadtest` asks for: the standard mix of requests, the costliest ones, and the
lists whose first records give the detail requests. Standard library only, like
bench/loadtest.py, which sends them.
"""

# (kind, path): the mix, requested in turn by each connection.
PATHS = [
    ("page", "/"),
    ("page", "/es/"),
    ("page", "/exhibitors/"),
    ("page", "/es/exhibitors/?ordering=-name"),
    ("page", "/expos/"),
    ("page", "/es/expos/"),
    ("page", "/forums/"),
    ("search", "/search/?q=smart"),
    ("search", "/es/search/?q=ciudad"),
    ("search", "/exhibitors/?q=iot"),
    ("api list", "/api/v1/exhibitors/?country=CN"),
    ("api list", "/api/v1/expos/?ordering=-date&country=ES"),
    ("api list", "/api/v1/participations/?page_size=20"),
    ("api list", "/api/v1/exhibitors/?q=smart&page_size=10"),
    ("csv", "/exhibitors/export.csv"),
    ("health", "/health/live/"),
]
# The costliest requests found: (kind, path). `{size}` is a page size that changes from one
# request to the next (a new URL, which the API's response cache has not seen), and a
# "cursor walk" follows `next` to the end of the list (at most MAX_WALK_PAGES pages).
COSTLY_PATHS = [
    ("facets", "/api/v1/expos/?facets=attendance,country,sector,series,year&page_size={size}"),
    ("facets", "/api/v1/exhibitors/?facets=country,expo,sector,year&page_size={size}"),
    ("facets", "/api/v1/participations/?facets=country,expo,year&page_size={size}"),
    ("facets", "/api/v1/forums/?facets=expo,kind,year&page_size={size}"),
    ("facets", "/api/v1/deals/?facets=expo,sector,year&page_size={size}"),
    ("facets", "/api/v1/organisations/?facets=country,kind&page_size={size}"),
    ("expand", "/api/v1/expos/?expand=deals,forums,participations&page_size={size}"),
    ("expand", "/api/v1/exhibitors/?expand=participations&facets=country,sector&page_size={size}"),
    ("search", "/api/v1/exhibitors/?q=smart+or+city+or+video+or+iot+or+twin&page_size={size}"),
    ("search", "/api/v1/expos/?q=smart+city+expo+world+congress&page_size={size}"),
    ("search", "/search/?q=smart+city+expo+china+technology"),
    ("search", "/es/search/?q=ciudad+inteligente+exposici%C3%B3n"),
    ("search", "/exhibitors/?q=smart&country=CN&sector=video-iot&ordering=-name"),
    ("schema", "/api/schema/"),
    ("schema", "/api/schema/?format=json&lang=es"),
    ("download", "/api/v1/exhibitors/?format=csv"),
    ("download", "/api/v1/participations/?format=ndjson"),
    ("download", "/api/v1/expos/?format=csv&expand=forums"),
    ("download", "/exhibitors/export.csv"),
    ("download", "/expos/calendar.ics"),
    ("cursor walk", "/api/v1/exhibitors/?cursor=&page_size=2"),
    ("cursor walk", "/api/v1/citations/?cursor=&page_size=5"),
]
MIXES = {"standard": PATHS, "costly": COSTLY_PATHS}

# Lists whose first records' slugs give the detail requests: (API list, page, API detail).
DETAILS = [
    ("/api/v1/exhibitors/?page_size=5", "/exhibitors/{}/", "/api/v1/exhibitors/{}/"),
    ("/api/v1/expos/?page_size=5", "/expos/{}/", "/api/v1/expos/{}/"),
]
