"""What an import did, or would do, in a sentence: the records it creates, updates and removes.

"Created 2 expos (sce-2031, scewc-2030), 2 exhibitors, 3 participations; updated 1 exhibitor."
The records are named by their models' verbose names and counted from what each INSERT … ON
CONFLICT reported (writing.write), so a dry run's sentence is the import's own.
"""

from django.apps import apps

from ..models import Expo

SHOWN_SLUGS = 10  # the new expos named in the summary; the others are counted
# What an import does to the rows of a table, and how each is said, done and to be done.
VERBS = {
    "inserted": ("created", "create"),
    "updated": ("updated", "update"),
    "deleted": ("removed", "remove"),
}


def record_names(table):
    """(one record, several records) of `table`: its model's verbose names. Every table an
    import writes has a model of its own (the sector links too: exhibitors.ExhibitorSector)."""
    model = next(m for m in apps.get_models() if m._meta.db_table == table)
    return str(model._meta.verbose_name), str(model._meta.verbose_name_plural)


def plural_of_table(table):
    """The records of `table`, named as the admin names them ("sectors of exhibitors")."""
    return record_names(table)[1]


def counted(number, table):
    one, several = record_names(table)
    return f"{number} {one if number == 1 else several}"


def named(slugs):
    more = len(slugs) - SHOWN_SLUGS
    return f" ({', '.join(slugs[:SHOWN_SLUGS])}{f' and {more} more' if more > 0 else ''})"


def describe_changes(counts, *, dry_run=False):
    """The sentence saying what the import that answered `counts` (see import_records)
    changed, or with `dry_run`, would change."""
    parts = []
    for key, (done, to_do) in VERBS.items():
        changed = []
        for table, written in counts["tables"].items():
            if written[key]:
                changed.append(counted(written[key], table))
                if key == "inserted" and table == Expo._meta.db_table and counts["new_expos"]:
                    changed[-1] += named(counts["new_expos"])
        if changed:
            parts.append(f"{to_do if dry_run else done} {', '.join(changed)}")
    if not parts:
        return "Nothing would change." if dry_run else "Nothing changed."
    sentence = "; ".join(parts)
    if dry_run:
        return f"Would {sentence}."
    return f"{sentence[0].upper()}{sentence[1:]}."
