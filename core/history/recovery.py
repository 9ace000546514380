"""Bringing deleted records back (core.history.deleted lists them).

A delete's entry keeps the row it removed (`before`). Records deleted in one transaction went
together (an expo removed with its forums, participations, links and citations): they are
restored together, with their ids and values, parents before children, in one transaction,
or not at all. The rows are written with INSERT … SELECT from jsonb_populate_recordset, so the
count tables' triggers and the change log see them as any other write.
"""

import json
from dataclasses import dataclass, field

from django.contrib.auth import get_permission_codename
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connection, transaction
from django.db.models import ForeignKey
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from core.changelog.log import owner_of
from core.history.versions import (
    NotRestored,
    columns,
    database_reason,
    decode,
    describe,
    describe_all,
    labels_of,
    resolve,
)
from core.models import Change, Operation

# --- A restore's plan ------------------------------------------------------------------------


@dataclass
class Row:
    """A record to write again: its model, id and values (its delete's `before`)."""

    model: type
    pk: int
    values: dict
    slug: str | None = None

    @property
    def name(self):
        return describe(self.model, self.values, self.pk, self.slug)


@dataclass
class Relink:
    """A reference the same transaction set to NULL (on_delete=SET_NULL) to a record the plan
    brings back: set again, if it is still NULL."""

    model: type
    pk: int
    column: str
    value: object


@dataclass
class Plan:
    """What restoring a delete writes: `rows`, parents before children, and `relinks`;
    `unknown` names record types of the transaction that no tracked model has any more."""

    entry: Change
    rows: list = field(default_factory=list)
    relinks: list = field(default_factory=list)
    unknown: list = field(default_factory=list)


def plan_names(plan, rows):
    """The names of `rows` (some of the plan's), the records they refer to read from the
    plan's other rows where deleted with them."""
    deleted = {(row.model, row.pk): row.values for row in plan.rows}
    return describe_all([(row.model, row.values, row.pk, row.slug) for row in rows], deleted)


def plan_restore(entry: Change) -> Plan:
    """The records deleted in `entry`'s transaction that do not exist now, each as its last
    delete in that transaction left it, in the order they can be written."""
    plan = Plan(entry)
    last = {}
    first_update = {}
    for change in Change.objects.filter(xid=entry.xid).order_by("id"):
        if change.operation == Operation.DELETE:
            last[(change.model, change.record_id)] = change
        elif change.operation == Operation.UPDATE:
            first_update.setdefault((change.model, change.record_id), change)
    by_model = {}
    for (label, record_id), change in last.items():
        model = resolve(label)
        if model is None:
            plan.unknown.append(label)
            continue
        by_model.setdefault(model, {})[record_id] = Row(
            model, record_id, decode(change.before) or {}, change.slug
        )
    for model, rows in by_model.items():
        existing = set(model._base_manager.filter(pk__in=rows).values_list("pk", flat=True))
        for pk in existing:
            del rows[pk]  # restored since, or never gone
    plan.rows = ordered({model: rows for model, rows in by_model.items() if rows})
    restored = {(row.model, row.pk) for row in plan.rows}
    for (label, record_id), change in first_update.items():
        model = resolve(label)
        if model is None or (model, record_id) in restored:
            continue
        for column, model_field in columns(model).items():
            if not isinstance(model_field, ForeignKey):
                continue
            value = (decode(change.before) or {}).get(column)
            target = model_field.related_model
            if value is not None and (target, value) in restored:
                plan.relinks.append(Relink(model, record_id, column, value))
    return plan


def foreign_keys(model):
    return [f for f in model._meta.concrete_fields if isinstance(f, ForeignKey)]


def generic_keys(model):
    return [f for f in model._meta.private_fields if isinstance(f, GenericForeignKey)]


def ordered(by_model):
    """The rows, parents before children: a model after the models its foreign keys point to
    (and a model that points to any record through a generic key after the others), and
    within a model that points to itself, a row after its parent."""
    models = set(by_model)
    depends = {}
    for model in models:
        needs = {f.related_model for f in foreign_keys(model)} & models
        if generic_keys(model):
            needs |= models
        depends[model] = needs - {model}
    order = []
    while depends:
        ready = sorted(
            (m for m, needs in depends.items() if not needs - set(order)),
            key=lambda m: m._meta.label,
        )
        if not ready:  # a loop of foreign keys: the database checks them at commit
            ready = sorted(depends, key=lambda m: m._meta.label)
        for model in ready:
            order.append(model)
            del depends[model]
    rows = []
    for model in order:
        rows.extend(parents_first(model, by_model[model]))
    return rows


def parents_first(model, rows):
    own = [f for f in foreign_keys(model) if f.related_model is model]
    pending = dict(sorted(rows.items()))
    result = []
    while pending:
        ready = [
            row
            for row in pending.values()
            if not any(row.values.get(f.column) in pending for f in own)
        ] or list(pending.values())
        for row in ready:
            result.append(row)
            del pending[row.pk]
    return result


# --- Checks ----------------------------------------------------------------------------------


def permission(model, action):
    """The permission that restoring a record of `model` needs: `action` on the model, or for
    a many-to-many link (part of the record it belongs to, as core.changelog.log records it),
    changing the model that owns it: the admin edits links in the owner's form."""
    owner = owner_of(model)
    if owner:
        model, action = owner, "change"
    return f"{model._meta.app_label}.{get_permission_codename(action, model._meta)}"


def missing_permissions(plan, user):
    """The permissions `user` lacks for `plan`: adding each record type it brings back, and
    changing each it relinks."""
    needed = {permission(row.model, "add") for row in plan.rows}
    needed |= {permission(relink.model, "change") for relink in plan.relinks}
    return sorted(p for p in needed if not user.has_perm(p))


def problems(plan):
    """Why `plan` cannot be written, one message a record: a record it refers to that neither
    exists nor comes back with it. Inside a transaction, the records referred to are locked
    (FOR KEY SHARE) until it ends, so that they cannot go before the restore commits."""
    found = [
        _("Records of type %(label)s can no longer be restored.") % {"label": label}
        for label in sorted(set(plan.unknown))
    ]
    coming = Coming(plan.rows)
    wanted = {}  # (model, column) -> {value: [(row, description of the reference)]}
    for row in plan.rows:
        for model_field in foreign_keys(row.model):
            value = row.values.get(model_field.column)
            if value is None:
                continue
            target = model_field.related_model
            key = (target, model_field.target_field.column)
            if value in coming[key]:
                continue
            wanted.setdefault(key, {}).setdefault(value, []).append((row, model_field))
        for generic in generic_keys(row.model):
            type_field = row.model._meta.get_field(generic.ct_field)
            type_id = row.values.get(type_field.column)
            object_id = row.values.get(row.model._meta.get_field(generic.fk_field).column)
            if type_id is None or object_id is None:
                continue
            target = ContentType.objects.get_for_id(type_id).model_class()
            if target is None:
                continue
            key = (target, target._meta.pk.column)
            if object_id in coming[key]:
                continue
            wanted.setdefault(key, {}).setdefault(object_id, []).append((row, generic))
    for (target, column), references in wanted.items():
        present = locked(target, column, list(references))
        for value, rows in references.items():
            if value in present:
                continue
            for row, model_field in rows:
                found.append(
                    _(
                        "%(record)s cannot be restored: the %(type)s #%(id)s it refers to "
                        "(%(field)s) no longer exists. %(hint)s"
                    )
                    % {
                        "record": f"{capfirst(row.model._meta.verbose_name)} “{row.name}”",
                        "type": target._meta.verbose_name,
                        "id": value,
                        "field": getattr(model_field, "verbose_name", model_field.name),
                        "hint": hint(target, value),
                    }
                )
    return [message.strip() for message in found]


def locked(model, column, values):
    table = connection.ops.quote_name(model._meta.db_table)
    column = connection.ops.quote_name(column)
    lock = " FOR KEY SHARE" if connection.in_atomic_block else ""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE {column} = ANY(%s){lock}", [values])
        return {value for (value,) in cursor.fetchall()}


def hint(model, pk):
    """How a missing record might come back: its own delete, if the log has it."""
    deleted = Change.objects.filter(
        model__in=labels_of(model), record_id=pk, operation=Operation.DELETE
    )
    return _("It was deleted separately: recover it first.") if deleted.exists() else ""


class Coming(dict):
    """(model, column) -> the values of that column among the rows a plan brings back."""

    def __init__(self, rows):
        super().__init__()
        self.rows = rows

    def __missing__(self, key):
        model, column = key
        values = {row.values.get(column) for row in self.rows if row.model is model}
        self[key] = values
        return values


# --- Writing ---------------------------------------------------------------------------------


def restore(plan):
    """Write `plan` back, all or nothing: raises NotRestored naming the record the database
    refused and why (a slug another record has taken since, say), having written nothing."""
    with transaction.atomic():
        found = problems(plan)
        if found:
            raise NotRestored(" ".join(found))
        groups = []
        for row in plan.rows:
            if groups and groups[-1][0] is row.model and not depends_on_group(row, groups[-1]):
                groups[-1][1].append(row)
            else:
                groups.append((row.model, [row]))
        for model, rows in groups:
            insert(model, rows)
        for relink in plan.relinks:
            table = connection.ops.quote_name(relink.model._meta.db_table)
            column = connection.ops.quote_name(relink.column)
            with connection.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET {column} = %s WHERE id = %s AND {column} IS NULL",
                    [relink.value, relink.pk],
                )
    return plan.rows


def depends_on_group(row, group):
    """Whether `row` points to a row of `group` (a parent of the same model): it is written
    after it, in a statement of its own."""
    _model, rows = group
    ids = {other.pk for other in rows}
    return any(
        row.values.get(f.column) in ids
        for f in foreign_keys(row.model)
        if f.related_model is row.model
    )


def insert(model, rows):
    """INSERT the rows of one model in one statement; if the database refuses it, find the
    row it refuses (each written alone) to name it."""
    try:
        with transaction.atomic():
            write(model, rows)
    except DatabaseError as error:
        reason = database_reason(error)
        if len(rows) > 1:
            for row in rows:
                try:
                    with transaction.atomic():
                        write(model, [row])
                except DatabaseError as single:
                    reason = database_reason(single)
                    break
            else:
                row = None
        else:
            row = rows[0]
        record = (
            f"{capfirst(model._meta.verbose_name)} “{row.name}”"
            if row is not None
            else capfirst(model._meta.verbose_name_plural)
        )
        raise NotRestored(
            _("%(record)s cannot be restored: %(reason)s") % {"record": record, "reason": reason}
        ) from error


def write(model, rows):
    table = connection.ops.quote_name(model._meta.db_table)
    present = set().union(*(row.values for row in rows))
    names = ", ".join(connection.ops.quote_name(c) for c in columns(model) if c in present)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({names}) SELECT {names}"
            f" FROM jsonb_populate_recordset(NULL::{table}, %s::jsonb)",
            [json.dumps([row.values for row in rows])],
        )
