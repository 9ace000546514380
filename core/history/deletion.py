"""What keeps a record from being deleted: the records that depend on it.

A reference that PROTECTs or RESTRICTs what it points at keeps it; the models say which
(see the expos and exhibitors models). A plain link of a many-to-many relation (an
exhibitor's sector, an expo's organiser, a deal's party) is reported as the record it is part
of (the exhibitor, expo or deal), which is what a reader knows and edits.
"""

import operator
from dataclasses import dataclass
from functools import reduce

from django.db import models

# How many of each kind of dependent are named; the count gives the rest.
EXAMPLES = 5

KEEPING = (models.PROTECT, models.RESTRICT)


@dataclass(frozen=True)
class Dependents:
    """The records of one model that keep a record: how many, and the first few by name."""

    model: type
    count: int
    examples: list

    def as_json(self):
        return {"type": self.model._meta.model_name, "count": self.count, "examples": self.examples}

    def describe(self):
        plural = self.model._meta.verbose_name_plural
        name = self.model._meta.verbose_name if self.count == 1 else plural
        return f"{self.count} {name}"


def is_plain_link(model):
    """Whether `model` holds nothing but the two keys of a many-to-many link: a model of its own
    only to choose what deleting either side does (exhibitors.ExhibitorSector)."""
    keys = [f for f in model._meta.concrete_fields if not f.primary_key]
    return len(keys) == 2 and all(f.many_to_one for f in keys)


def link_owner(model):
    """The key of a plain link to the record it is part of: the one that cascades."""
    return next(
        f
        for f in model._meta.concrete_fields
        if f.many_to_one and f.remote_field.on_delete is models.CASCADE
    )


def keeping_relations(model):
    """The references to `model` that keep one of its records from being deleted."""
    return [
        relation
        for relation in model._meta.get_fields(include_hidden=True)
        if relation.auto_created
        and not relation.concrete
        and (relation.one_to_many or relation.one_to_one)
        and relation.on_delete in KEEPING
    ]


def label(record):
    """A record as a reader finds it: its slug, or else its name, shortened."""
    slug = getattr(record, "slug", None)
    if slug:
        return slug
    text = " ".join(str(record).split())
    return text if len(text) <= 80 else f"{text[:79]}…"


def dependents(record):
    """Every kind of record that keeps `record`, with how many and a few of their names;
    counted in the database, so a sector on a million exhibitors costs a count, not a load."""
    rows_by_model = {}
    for relation in keeping_relations(type(record)):
        model, field = relation.related_model, relation.field
        rows = model._base_manager.filter(**{field.name: record})
        if is_plain_link(model):
            owner = link_owner(model)
            model = owner.related_model
            rows = model._base_manager.filter(pk__in=rows.values(owner.attname))
        rows_by_model.setdefault(model, []).append(rows)
    found = []
    for model, querysets in rows_by_model.items():
        # Two links to the same kind of record (a forum's organisers and its partners) name
        # one forum once, though the organisation is both.
        rows = reduce(operator.or_, querysets)
        count = rows.count()
        if count:
            examples = [label(each) for each in rows.order_by("pk")[:EXAMPLES]]
            found.append(Dependents(model, count, examples))
    return by_type(found)


def dependents_among(records):
    """The same, from the records a ProtectedError or RestrictedError names (all of them)."""
    by_model = {}
    for each in records:
        model = type(each)
        if is_plain_link(model):
            owner = link_owner(model)
            each, model = getattr(each, owner.name), owner.related_model
        by_model.setdefault(model, {})[each.pk] = each
    return by_type(
        Dependents(model, len(rows), [label(rows[pk]) for pk in sorted(rows)[:EXAMPLES]])
        for model, rows in by_model.items()
    )


def by_type(found):
    """The kinds of dependents, by type. Both functions above group them by model, so no type
    comes twice."""
    return sorted(found, key=lambda each: each.model._meta.model_name)


def refusal(noun, found):
    """The API's answer body for a record (`noun`: "expo") that others keep."""
    what = ", ".join(each.describe() for each in found)
    return {
        "detail": (
            f"This {noun} cannot be deleted: other records depend on it ({what}). Delete "
            "them, or point them elsewhere, first."
        ),
        "dependents": [each.as_json() for each in found],
    }
