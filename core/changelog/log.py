"""The change log: every write to the directory, recorded by the database itself.

Each tracked table (`track`) has statement-level triggers that append one `core_change` row
per record written, in the writer's transaction, whoever the writer is: the ORM, the API, the
admin, the importer, `QuerySet.update()`, raw SQL or psql. An import of a million rows costs
one `INSERT … SELECT` from the statement's transition table, not a million. A TRUNCATE is
logged too, as a delete of every row, before it runs.

The transaction is noted once in `core_changeset` (its xid, and when it committed: a deferred
trigger sets `at` at commit). From those rows come

- the data version (core.changelog.dataversion), which moves as soon as any write commits, in
whatever
  order transactions commit, with no shared row for writers to queue on;
- the walk (`walk`) that /api/v1/changes/ serves: a reader remembers the snapshot it read at,
  and the next read returns what became visible since, so an entry whose transaction took its
  id early and committed late is never skipped.

Why not django-pghistory: it keeps one event table per model, mirroring its columns, with a
sequence each and no transaction id. A feed oldest-first across twenty tables would be a UNION
of all of them, and telling late commits from missed ones needs the transaction id.
"""

import base64
import binascii
import re
from dataclasses import dataclass

import pgtrigger
from django.db import connection
from django.db.models import GeneratedField

from core.lists.counttables import statement_trigger
from core.models import Change, ChangeSet, Pruning

CHANGES = Change._meta.db_table
CHANGESETS = ChangeSet._meta.db_table
COMMIT_TIME = "core_changeset_commit_time"

# The SQL functions the triggers call (installed by core's migrations).
NOTE_WRITE = f"""
CREATE OR REPLACE FUNCTION core_note_write() RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    writes integer := coalesce(nullif(current_setting('directory.writes', true), '')::integer, 0);
BEGIN
    -- Counted in the transaction (set_config's `true`: undone with it, or with its savepoint),
    -- so the version a transaction reads moves with its own writes too
    (core.changelog.dataversion).
    PERFORM set_config('directory.writes', (writes + 1)::text, true);
    IF writes = 0 THEN
        INSERT INTO {CHANGESETS} (xid, at, actor)
        VALUES (pg_current_xact_id(), clock_timestamp(),
                nullif(current_setting('directory.actor', true), '')::bigint)
        ON CONFLICT (xid) DO NOTHING;
    END IF;
END $$;

CREATE OR REPLACE FUNCTION core_changeset_committed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {CHANGESETS} SET at = clock_timestamp() WHERE xid = NEW.xid;
    RETURN NULL;
END $$;

DROP TRIGGER IF EXISTS core_changeset_commit_time ON {CHANGESETS};
-- Deferred: runs as the transaction commits, so `at` is (within a moment) its commit time and
-- Last-Modified never goes back when a long transaction commits after short ones.
CREATE CONSTRAINT TRIGGER core_changeset_commit_time AFTER INSERT ON {CHANGESETS}
DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION core_changeset_committed();
"""

DROP_NOTE_WRITE = f"""
DROP TRIGGER IF EXISTS core_changeset_commit_time ON {CHANGESETS};
DROP FUNCTION IF EXISTS core_changeset_committed();
DROP FUNCTION IF EXISTS core_note_write();
"""


def before_values(model, alias):
    """The row `alias` as JSON, without the generated columns (a search vector is derived
    from the others, and large)."""
    generated = [f.column for f in model._meta.concrete_fields if isinstance(f, GeneratedField)]
    return " - ".join([f"to_jsonb({alias})", *(f"'{column}'" for column in generated)])


def owner_field(model):
    """For a many-to-many link, its foreign key to the record whose field it is: the one
    `track` was given, or, for Django's own table, the one to the model declaring the field."""
    label = model._meta.label_lower
    if label in OWNER_FIELDS:
        return model._meta.get_field(OWNER_FIELDS[label])
    owner = model._meta.auto_created
    if not owner:
        return None
    return next(f for f in model._meta.fields if f.is_relation and f.remote_field.model is owner)


def owner_of(model):
    """The model whose record a link of `model` belongs to (None: `model` is no link)."""
    field = owner_field(model)
    return field.remote_field.model if field else None


def log_sql(model, rows, operation, *, before=None, where=""):
    label = model._meta.label_lower
    slug = "slug" if any(f.name == "slug" for f in model._meta.concrete_fields) else None
    slug_sql = f"r.{slug}" if slug else "NULL"
    owner = owner_field(model)
    owner_sql = f"r.{owner.column}" if owner else "NULL"
    return (
        f"INSERT INTO {CHANGES} (xid, model, record_id, slug, operation, before, owner_id)"
        f" SELECT pg_current_xact_id(), '{label}', r.id, {slug_sql}, '{operation}',"
        f" {before or 'NULL'}, {owner_sql} FROM {rows}{where};"
        "\nIF FOUND THEN PERFORM core_note_write(); END IF;"
    )


def triggers(model):
    """The change-log triggers of `model`'s table."""
    table = model._meta.db_table
    return [
        statement_trigger(
            "change_log_insert",
            pgtrigger.Insert,
            log_sql(model, "new_rows r", "I"),
            new="new_rows",
        ),
        statement_trigger(
            "change_log_update",
            pgtrigger.Update,
            # An UPDATE that changes nothing in a row (SET x = x) is not a change.
            log_sql(
                model,
                "old_rows o JOIN new_rows r ON r.id = o.id",
                "U",
                before=before_values(model, "o"),
                where=" WHERE o IS DISTINCT FROM r",
            ),
            old="old_rows",
            new="new_rows",
        ),
        statement_trigger(
            "change_log_delete",
            pgtrigger.Delete,
            log_sql(model, "old_rows r", "D", before=before_values(model, "r")),
            old="old_rows",
        ),
        # A TRUNCATE fires no row or transition-table trigger: log its rows as deleted before.
        pgtrigger.Trigger(
            name="change_log_truncate",
            level=pgtrigger.Statement,
            when=pgtrigger.Before,
            operation=pgtrigger.Truncate,
            func=log_sql(model, f"{table} r", "D", before=before_values(model, "r"))
            # The commit-time trigger's event would point at a row the same TRUNCATE may
            # remove (a flush truncates the log too): it runs now instead.
            + f"\nSET CONSTRAINTS {COMMIT_TIME} IMMEDIATE;"
            + f"\nSET CONSTRAINTS {COMMIT_TIME} DEFERRED;"
            + "\nRETURN NULL;",
        ),
    ]


TRACKED = {}
OWNER_FIELDS = {}


def track(model, owner=None):
    """Record every write to `model`'s table in the change log (see the module's docstring).
    Each app calls it for each of its tables, many-to-many links included; `owner` names a
    link model's foreign key to the record it is part of (Django's own link tables need
    none)."""
    TRACKED[model._meta.label_lower] = model
    if owner:
        OWNER_FIELDS[model._meta.label_lower] = owner
    pgtrigger.register(*triggers(model))(model)
    return model


# Walking the log ------------------------------------------------------------------------

SNAPSHOT = re.compile(r"(\d{1,19}):(\d{1,19}):((?:\d{1,19})(?:,\d{1,19})*)?")
# Before any transaction: a walk from here returns the whole log.
ORIGIN = "1:1:"
MAX_CURSOR_LENGTH = 4096


class BadCursor(ValueError):
    """A cursor that no answer of ours gave."""


class CursorExpired(Exception):
    """A cursor from before the oldest entry kept: the entries after it may be pruned."""


@dataclass(frozen=True)
class Cursor:
    """Where a reader is in the log.

    `seen` is the snapshot the reader has read everything visible in. A page cut short by its
    size also holds `upto`, the snapshot that page was read at, and `after`, its last id: the
    next page returns the rest of what `upto` sees and `seen` does not, oldest first.
    """

    seen: str = ORIGIN
    upto: str | None = None
    after: int = 0

    def encode(self) -> str:
        text = ";".join(["1", self.seen, self.upto or "", str(self.after)])
        return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, token: str) -> "Cursor":
        if not token or len(token) > MAX_CURSOR_LENGTH or not token.isascii():
            raise BadCursor(token)
        try:
            text = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode("ascii")
        except (binascii.Error, ValueError) as error:
            raise BadCursor(token) from error
        parts = text.split(";")
        if len(parts) != 4 or parts[0] != "1":
            raise BadCursor(token)
        _, seen, upto, after = parts
        if not valid_snapshot(seen) or (upto and not valid_snapshot(upto)):
            raise BadCursor(token)
        if not (after.isascii() and after.isdigit() and len(after) <= 19):
            raise BadCursor(token)
        return cls(seen=seen, upto=upto or None, after=int(after))


def valid_snapshot(text: str) -> bool:
    """Whether `text` is a pg_snapshot as PostgreSQL writes one: xmin ≤ each running id <
    xmax, ascending, in ASCII digits."""
    match = SNAPSHOT.fullmatch(text)
    if not match:
        return False
    xmin, xmax = int(match[1]), int(match[2])
    running = [int(x) for x in match[3].split(",")] if match[3] else []
    limit = 2**63
    return (
        0 < xmin <= xmax < limit
        and all(xmin <= x < xmax for x in running)
        and running == sorted(set(running))
    )


def horizon() -> int:
    """The transaction id below which entries may have been pruned (0: none were)."""
    return Pruning.objects.order_by("-horizon").values_list("horizon", flat=True).first() or 0


def position() -> Cursor:
    """Now: a cursor from which a walk returns only what commits after this moment."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_current_snapshot()::text")
        return Cursor(seen=cursor.fetchone()[0])


WALK = f"""
    SELECT c.id, c.model, c.record_id, c.slug, c.operation, s.at, c.owner_id
    FROM {CHANGES} c JOIN {CHANGESETS} s ON s.xid = c.xid
    WHERE c.xid >= pg_snapshot_xmin(%(seen)s::pg_snapshot)
      AND NOT pg_visible_in_snapshot(c.xid, %(seen)s::pg_snapshot)
      AND pg_visible_in_snapshot(c.xid, %(upto)s::pg_snapshot)
      AND c.id > %(after)s
    ORDER BY c.id
    LIMIT %(limit)s
"""


@dataclass(frozen=True)
class Entry:
    id: int
    model: str
    record_id: int
    slug: str | None
    operation: str
    at: object
    owner_id: int | None


def walk(cursor: Cursor, limit: int):
    """(entries, next cursor): the entries that committed after `cursor`, oldest first, at
    most `limit`. Raises CursorExpired if some of them may have been pruned."""
    seen_xmin = int(cursor.seen.split(":", 1)[0])
    if seen_xmin < horizon():
        raise CursorExpired(cursor)
    with connection.cursor() as db:
        upto = cursor.upto
        if upto is None:
            db.execute("SELECT pg_current_snapshot()::text")
            upto = db.fetchone()[0]
        db.execute(
            WALK, {"seen": cursor.seen, "upto": upto, "after": cursor.after, "limit": limit + 1}
        )
        entries = [Entry(*row) for row in db.fetchall()]
    if len(entries) > limit:
        entries = entries[:limit]
        return entries, Cursor(seen=cursor.seen, upto=upto, after=entries[-1].id)
    # Everything `upto` sees is returned: the next walk starts from it.
    return entries, Cursor(seen=upto)


def act_as(user):
    """Name `user` as the writer of what the current transaction writes next (the admin's
    history shows it to staff). Call it inside the transaction: it ends with it."""
    if user is not None and user.is_authenticated:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('directory.actor', %s, true)", [str(user.pk)])
