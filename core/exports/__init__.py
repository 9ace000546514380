"""Downloads: the CSV and NDJSON writer (writers), full lists written by PostgreSQL's COPY
(copy), and the SQL expressions that give each column's cells (sql)."""
