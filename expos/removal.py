"""Removing an expo with everything it holds: the one explicit act that deletes what an expo's
deletion is otherwise refused for.

What an expo holds RESTRICTs its deletion (see the models): collected here together with the
expo, those records are deleted with it, in one transaction, with their citations and links.
The exhibitors, speakers, organisations and sources they point at stay; whatever else still
depends on what would go (an expo held within this one, a highlight of another expo naming
this one's forum) refuses the whole removal.
"""

from django.db import router, transaction
from django.db.models.deletion import Collector

from .models import (
    Appearance,
    Area,
    Award,
    Deal,
    Expo,
    Figure,
    Forum,
    Highlight,
    Participation,
    Statement,
)

# What an expo holds, each with the path from it to its expo.
HELD = [
    (Appearance, "forum__expo"),
    (Highlight, "expo"),
    (Participation, "expo"),
    (Statement, "expo"),
    (Award, "expo"),
    (Deal, "expo"),
    (Figure, "expo"),
    (Forum, "expo"),
    (Area, "expo"),
]


def collect(collector, expos):
    """Collect `expos` and what they hold into a Collector (or the admin's NestedObjects, which
    lists them): what they hold first, so the expos' RESTRICTed references find it collected;
    a reference from anything not collected fails the last collect."""
    expos = list(expos)
    for model, path in HELD:
        held = list(model._base_manager.filter(**{f"{path}__in": expos}).order_by("pk"))
        if held:
            collector.collect(held, fail_on_restricted=False)
    collector.collect(expos)


def remove_with_everything(expos):
    """Delete `expos` and everything they hold, in one transaction; returns Django's count of
    what was deleted ({model label: rows}). Raises ProtectedError or RestrictedError, and
    deletes nothing, when anything else depends on them."""
    expos = list(expos)
    if not expos:
        return {}
    using = router.db_for_write(Expo)
    with transaction.atomic(using=using):
        collector = Collector(using=using, origin=expos)
        collect(collector, expos)
        _total, counts = collector.delete()
    return counts
