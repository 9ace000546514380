"""A record's versions, read from the change log, and restoring one.

An entry of the log holds the row as it was *before* its write (`before`), so the values a
write left (a version) are the `before` of the record's next entry, or the row as it is now
for the last one.
"""

import contextlib
import json
from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.auth import get_user_model
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db import DatabaseError, connection, transaction
from django.db.models import ForeignKey, GeneratedField
from django.utils.translation import gettext as _

from core.changelog.log import TRACKED, before_values
from core.models import Change, ChangeSet, Operation


def resolve(label):
    """The tracked model an entry's `model` names, else None. An entry keeps the label its
    model had when it was written; a model since renamed over the same table (a link made an
    explicit model) is found by its table."""
    model = TRACKED.get(label)
    if model is not None:
        return model
    table = label.replace(".", "_")
    return next((m for m in TRACKED.values() if m._meta.db_table == table), None)


def labels_of(model):
    """Every label the log may name `model`'s entries by (see resolve)."""
    label = model._meta.label_lower
    table_label = model._meta.db_table.replace("_", ".", 1)
    return sorted({label, table_label})


def columns(model):
    """The stored columns of `model`, by column name: what an entry's values hold."""
    return {f.column: f for f in model._meta.concrete_fields if not isinstance(f, GeneratedField)}


def current_values(model, pk):
    """The row `pk` as the log would hold it (to_jsonb, generated columns left out), or None."""
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {before_values(model, 'r')} FROM {table} r WHERE r.id = %s", [pk])
        row = cursor.fetchone()
    return decode(row[0]) if row else None


def decode(value):
    if isinstance(value, str):  # a driver that hands jsonb back as text
        return json.loads(value)
    return value


@dataclass
class Version:
    """What one write left of a record: `values` (None once it is deleted)."""

    id: int  # the id of the write's entry
    xid: int
    operation: str
    at: datetime | None
    actor: int | None
    values: dict | None
    before: dict | None = None  # the values of the version before it
    editor: str = ""
    changed: list = field(default_factory=list)

    @property
    def operation_label(self):
        return Operation(self.operation).label


def versions(model, pk):
    """The versions of record `pk` of `model`, oldest first."""
    entries = list(
        Change.objects.filter(model__in=labels_of(model), record_id=pk)
        .order_by("id")
        .values_list("id", "xid", "operation", "before")
    )
    if not entries:
        return []
    sets = ChangeSet.objects.filter(xid__in={entry[1] for entry in entries})
    times = {xid: (at, actor) for xid, at, actor in sets.values_list("xid", "at", "actor")}
    now = current_values(model, pk)
    result = []
    for index, (change_id, xid, operation, _before) in enumerate(entries):
        if operation == Operation.DELETE:
            values = None
        elif index + 1 < len(entries):
            values = decode(entries[index + 1][3])
        else:
            values = now
        at, actor = times.get(xid, (None, None))
        result.append(Version(change_id, xid, operation, at, actor, values))
    editors = usernames(v.actor for v in result)
    previous = None
    for version in result:
        version.before = previous
        version.editor = editors.get(version.actor, "")
        version.changed = changed_fields(model, previous, version.values)
        previous = version.values
    return result


# Set by the database or the save itself on every write: a difference in them alone is not
# an edit worth listing.
def is_bookkeeping(model_field):
    return getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False)


def changed_fields(model, old, new):
    """The fields whose values differ between two versions (None: no record), in the
    model's order, leaving out the timestamps every write sets."""
    if old is None or new is None:
        return []
    return [
        model_field
        for column, model_field in columns(model).items()
        if not is_bookkeeping(model_field) and old.get(column) != new.get(column)
    ]


@dataclass
class Difference:
    field: object
    old: str
    new: str
    changed: bool


def compare(model, old, new):
    """Field by field, the values of two versions as text (None: no record)."""
    rows = []
    for column, model_field in columns(model).items():
        before = None if old is None else old.get(column)
        after = None if new is None else new.get(column)
        rows.append(
            Difference(
                model_field,
                shown(model_field, before),
                shown(model_field, after),
                (old is None) != (new is None) or before != after,
            )
        )
    return rows


def shown(model_field, value):
    """A stored value as an editor reads it: a choice by its label, a related record by its
    name and id."""
    if value is None:
        return "—"
    if isinstance(model_field, ForeignKey):
        related = model_field.related_model
        name = related._default_manager.filter(pk=value).first()
        return f"{name} (#{value})" if name is not None else _("#%(id)s (deleted)") % {"id": value}
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return str(value)


def instance_from(model, values, pk):
    """An unsaved instance with `values` (an entry's JSON), for its name."""
    instance = model(pk=pk)
    for column, model_field in columns(model).items():
        if column in values:
            with contextlib.suppress(ValidationError):
                setattr(instance, model_field.attname, model_field.to_python(values[column]))
    return instance


def describe(model, values, pk, slug=None):
    """A record's name from its values, falling back to its slug or id: its __str__ may
    follow a relation to a record that no longer exists."""
    if values:
        try:
            return str(instance_from(model, values, pk))
        except (ObjectDoesNotExist, ValueError, TypeError, AttributeError):
            pass
    return slug or f"{model._meta.verbose_name} #{pk}"


def describe_all(records, deleted=None):
    """The names of `records`, (model, values, pk, slug) each, as describe() gives them, in
    a few queries: a record's __str__ that follows a foreign key (a sector link's "exhibitor:
    sector", a participation's "exhibitor @ expo") reads the related record from `records`
    or `deleted` ({(model, pk): values} of records deleted with them), else from the
    database, one query per related model."""
    deleted = deleted or {}
    instances = {}
    for model, values, pk, _slug in records:
        if values:
            instances[(model, pk)] = instance_from(model, values, pk)
    known = dict(instances)
    wanted = {}
    for (model, _pk), instance in instances.items():
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, ForeignKey):
                key = (model_field.related_model, getattr(instance, model_field.attname))
                if key[1] is None or key in known:
                    continue
                if key in deleted:
                    known[key] = instance_from(key[0], deleted[key], key[1])
                else:
                    wanted.setdefault(key[0], set()).add(key[1])
    for related, ids in wanted.items():
        for pk, record in related._base_manager.in_bulk(ids).items():
            known[(related, pk)] = record
    for (model, _pk), instance in instances.items():
        for model_field in model._meta.concrete_fields:
            if isinstance(model_field, ForeignKey):
                key = (model_field.related_model, getattr(instance, model_field.attname))
                if key in known:
                    setattr(instance, model_field.name, known[key])
    names = []
    for model, _values, pk, slug in records:
        try:
            names.append(str(instances[(model, pk)]))
        except (KeyError, ObjectDoesNotExist, ValueError, TypeError, AttributeError):
            names.append(slug or f"{model._meta.verbose_name} #{pk}")
    return names


class NotRestored(Exception):
    """A restore the database refused: the message says which record and why."""


def restore_version(model, pk, values):
    """Write `values` (a version's) back to record `pk`, in one UPDATE built from the JSON:
    the columns the version holds, `updated` set to now. The count tables' triggers see it as
    any other write, and the log records it as a change. Raises NotRestored if the database
    refuses it (a slug another record has taken since, say); nothing is then written."""
    table = connection.ops.quote_name(model._meta.db_table)
    quote = connection.ops.quote_name
    assignments = []
    for column, model_field in columns(model).items():
        if model_field.primary_key or getattr(model_field, "auto_now_add", False):
            continue
        if getattr(model_field, "auto_now", False):
            assignments.append(f"{quote(column)} = now()")
        elif column in values:
            assignments.append(f"{quote(column)} = v.{quote(column)}")
    sql = (
        f"UPDATE {table} AS t SET {', '.join(assignments)}"
        f" FROM jsonb_populate_record(NULL::{table}, %s::jsonb) AS v WHERE t.id = %s"
    )
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [json.dumps(values), pk])
            if cursor.rowcount != 1:
                raise NotRestored(_("The record no longer exists."))
    except DatabaseError as error:
        raise NotRestored(database_reason(error)) from error


def database_reason(error):
    """What the database said when it refused a write, in its own words."""
    cause = error.__cause__
    diag = getattr(cause, "diag", None)
    if diag is not None and diag.message_primary:
        detail = f" {diag.message_detail}" if diag.message_detail else ""
        return f"{diag.message_primary}.{detail}".replace("..", ".")
    return str(error).strip()


def usernames(ids):
    """{user id: username} of the editors `ids` names (None: no one named)."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return dict(get_user_model().objects.filter(pk__in=ids).values_list("pk", "username"))
