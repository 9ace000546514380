"""Each record's history, read from the change log (core.changelog.log), and what staff do with
it in the admin: see every version and who wrote it, compare two, restore one (versions),
and bring back deleted records with everything deleted with them (recovery); and what keeps a
record from being deleted (deletion).

The change log is the directory's one history. The database writes it, in the writer's
transaction, for every writer (the admin, the API, the importer, `QuerySet.update()`, raw SQL,
psql), so every record has a history from its first version, the seed and imports included,
and every delete keeps the values it removed.
"""
