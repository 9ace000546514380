"""psql's own COPY of the statements the exports run (B10 csv, B10 ndjson): the download's
statement as the view would run it (core.exports.copy.capture_queries records it instead), or the
benchmark's own equivalent where a view writes no COPY.
"""

from bench.databases import (
    django_script,
    psql_command,
    sql,
)
from bench.loading import run_measured
from bench.measures import EXPORT_PATHS


def psql_seconds(database, command, scratch_dir):
    """Wall-clock seconds of one psql command, its output thrown away."""
    seconds, _rss, _output = run_measured(
        psql_command(database, "--output=/dev/null", "--command", command),
        database,
        scratch_dir,
    )
    return seconds


EXPORT_SQL_SCRIPT = """
import json, sys
import django
django.setup()
import psycopg
from django.db import connection
from django.test import Client

# The statements the views would run: core.exports.copy.capture_queries records each COPY instead of
# running it. Until the downloads go through COPY, an equivalent query written here stands in.
csv_path, ndjson_path = sys.argv[1], sys.argv[2]


def captured(path):
    try:
        from core.exports.copy import Captured, capture_queries
    except ImportError:
        return None
    client = Client()
    with capture_queries() as statements:
        try:
            response = client.get(path)
            for _block in getattr(response, "streaming_content", ()):
                break
        except Captured:
            pass
    if not statements:
        return None
    statement, parameters = statements[0]
    connection.ensure_connection()
    return psycopg.ClientCursor(connection.connection).mogrify(statement, parameters)


def written_here():
    from django_countries import countries

    names = ", ".join(
        "('%s', $n$%s$n$)" % (code, name)
        for code, name in countries
    )
    csv = (
        "COPY (SELECT e.name_en, e.slug, e.country, c.name, e.region_en, e.city_en,"
        " (SELECT string_agg(s.name_en, '; ' ORDER BY s.name_en, s.id)"
        "  FROM exhibitors_exhibitor_sectors es JOIN exhibitors_sector s ON s.id = es.sector_id"
        "  WHERE es.exhibitor_id = e.id), e.website, e.description_en"
        " FROM exhibitors_exhibitor e LEFT JOIN (VALUES %s) AS c (code, name) ON c.code = e.country"
        " ORDER BY e.name_en, e.id) TO STDOUT WITH (FORMAT csv, HEADER true)" % names
    )
    url = "'http://127.0.0.1/api/v1/exhibitors/'"
    ndjson = (
        "COPY (SELECT row_to_json(r) FROM (SELECT %s || e.slug || '/' AS url, e.id, e.slug,"
        " e.name_en AS name, e.name_en, e.name_es, e.country, c.name AS country_name,"
        " e.region_en AS region, e.region_en, e.region_es, e.city_en AS city, e.city_en,"
        " e.city_es, (SELECT coalesce(json_agg(json_build_object('slug', s.slug, 'name',"
        " s.name_en, 'url', 'http://127.0.0.1/api/v1/sectors/' || s.slug || '/')"
        " ORDER BY s.name_en, s.id), '[]') FROM exhibitors_exhibitor_sectors es"
        " JOIN exhibitors_sector s ON s.id = es.sector_id WHERE es.exhibitor_id = e.id)"
        " AS sectors, e.description_en AS description, e.description_en, e.description_es,"
        " e.website, e.synthetic, e.created, e.updated"
        " FROM exhibitors_exhibitor e LEFT JOIN (VALUES %s) AS c (code, name)"
        " ON c.code = e.country ORDER BY e.name_en, e.id) r) TO STDOUT" % (url, names)
    )
    return csv, ndjson


statements, source = {}, {}
for fmt, path, mine in zip(("csv", "ndjson"), (csv_path, ndjson_path), written_here()):
    statements[fmt] = captured(path)
    recorder = "core.exports.copy.capture_queries"
    source[fmt] = f"the view's own statement ({path}, as {recorder} records it)"
    if statements[fmt] is None:
        statements[fmt] = mine
        source[fmt] = f"an equivalent query of the benchmark's own ({path} does not run COPY)"
print(json.dumps({**statements, "source": source}))
"""


def export_statements(database):
    """The COPY … TO STDOUT statements of the full CSV download and of the API's NDJSON,
    with their parameters in place, and where they came from."""
    return django_script(
        database,
        EXPORT_SQL_SCRIPT,
        EXPORT_PATHS["csv"],
        EXPORT_PATHS["ndjson"],
        what="Reading the export statements",
        timeout=300,
    )


def measure_psql_exports(database, scratch_dir):
    """B10 csv and B10 ndjson's limits: seconds of psql running the export's own COPY (<its
    query>) TO STDOUT, as CSV and as JSON lines, into /dev/null, and how many rows there are."""
    statements = export_statements(database)
    ((rows,),) = sql(database, "SELECT count(*) FROM exhibitors_exhibitor")
    return {
        "rows": rows,
        "csv seconds": psql_seconds(database, statements["csv"], scratch_dir),
        "ndjson seconds": psql_seconds(database, statements["ndjson"], scratch_dir),
        "source": statements["source"],
    }
