"""Deleted records, read from the change log: each record's last delete, with who deleted it
and how many records went with it (core.history.recovery brings them back)."""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Exists, OuterRef

from core.history.versions import decode, describe_all, labels_of, usernames
from core.models import Change, ChangeSet, Operation

PAGE = 50


@dataclass
class Deleted:
    """A record deleted and not restored since: its last delete's entry."""

    change_id: int
    model: type
    record_id: int
    slug: str | None
    values: dict
    xid: int
    at: object = None
    editor: str = ""
    name: str = ""
    together: int = 0  # how many other records were deleted in the same transaction


def deleted_records(model, *, before=None, limit=PAGE):
    """(records, more): the records of `model` deleted and not restored since, newest first,
    at most `limit`, below entry `before` if given."""
    labels = labels_of(model)
    entries = (
        Change.objects.filter(model__in=labels, operation=Operation.DELETE)
        .exclude(Exists(model._base_manager.filter(pk=OuterRef("record_id"))))
        .exclude(
            Exists(
                Change.objects.filter(
                    model__in=labels, record_id=OuterRef("record_id"), id__gt=OuterRef("id")
                )
            )
        )
        .order_by("-id")
    )
    if before is not None:
        entries = entries.filter(id__lt=before)
    rows = list(entries.values_list("id", "record_id", "slug", "before", "xid")[: limit + 1])
    more = len(rows) > limit
    records = [
        Deleted(change_id, model, record_id, slug, decode(values) or {}, xid)
        for change_id, record_id, slug, values, xid in rows[:limit]
    ]
    xids = {record.xid for record in records}
    sets = {
        xid: (at, actor)
        for xid, at, actor in ChangeSet.objects.filter(xid__in=xids).values_list(
            "xid", "at", "actor"
        )
    }
    sizes = {}
    if xids:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT xid::text, count(DISTINCT (model, record_id)) FROM {Change._meta.db_table}"
                " WHERE xid = ANY(%s::xid8[]) AND operation = 'D' GROUP BY xid",
                [[str(xid) for xid in xids]],
            )
            sizes = {int(xid): count for xid, count in cursor.fetchall()}
    editors = usernames({actor for _at, actor in sets.values()})
    for record in records:
        record.at, actor = sets.get(record.xid, (None, None))
        record.editor = editors.get(actor, "")
        record.together = max(sizes.get(record.xid, 1) - 1, 0)
    names = describe_all([(model, r.values, r.record_id, r.slug) for r in records])
    for record, name in zip(records, names, strict=True):
        record.name = name
    return records, more
