"""The data version: one number that goes up with every write to the directory.

The API's ETags and the cached facet counts and charts are keyed on it, so reading it is one
primary-key lookup however large the tables grow, and a write anywhere makes every cached
answer stale at once, in every server process. ORM writes bump it through signals (see
`connect`); code that writes with raw SQL or `QuerySet.update()` calls `bump()` itself.
"""

import hashlib

from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import get_language

from .models import DataVersion

# clock_timestamp(), not now(): now() is when the transaction began, so a long transaction
# bumping after a short one that began later would move `changed` (Last-Modified) backwards.
# The row lock the upsert takes orders bumps, so clock time keeps them in order.
BUMP = """
    INSERT INTO exhibitors_dataversion (id, number, changed) VALUES (1, 1, clock_timestamp())
    ON CONFLICT (id) DO UPDATE
    SET number = exhibitors_dataversion.number + 1, changed = clock_timestamp()
"""
CACHE_TIMEOUT = 24 * 60 * 60
MISSING = object()


def bump():
    """Record that the directory's data changed."""
    with connection.cursor() as cursor:
        cursor.execute(BUMP)


def current():
    """(number, changed): (0, None) until the first write."""
    row = DataVersion.objects.filter(pk=1).values_list("number", "changed").first()
    return row or (0, None)


def cached(compute, *key):
    """compute(), kept in the cache until the data changes, and at most a day.

    `key` names what is computed; the data version and the active language are added to it.
    `changed` is part of the version too, so that a number seen again (a database restored
    from a backup, a test's rolled-back transaction) never finds an answer of other data.
    """
    number, changed = current()
    parts = repr((number, changed and changed.isoformat(), get_language(), *key))
    name = f"directory:{hashlib.sha256(parts.encode()).hexdigest()}"
    value = cache.get(name, MISSING)
    if value is MISSING:
        value = compute()
        cache.set(name, value, CACHE_TIMEOUT)
    return value


def bump_on_write(sender, **kwargs):
    bump()


def bump_on_relation_change(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        bump()


def connect(app_label):
    """Bump the version on every save and delete of the app's models, and every change of
    their many-to-many relations."""
    for model in apps.get_app_config(app_label).get_models():
        if model is DataVersion:
            continue
        uid = f"data-version-{model._meta.label}"
        post_save.connect(bump_on_write, sender=model, dispatch_uid=uid)
        post_delete.connect(bump_on_write, sender=model, dispatch_uid=uid)
        for field in model._meta.local_many_to_many:
            m2m_changed.connect(
                bump_on_relation_change,
                sender=field.remote_field.through,
                dispatch_uid=f"{uid}-{field.name}",
            )
