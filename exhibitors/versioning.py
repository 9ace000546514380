"""The data version: one number that goes up with every write to the directory.

The API's ETags and the cached facet counts and charts are keyed on it, so reading it is one
primary-key lookup however large the tables grow, and a write anywhere makes every cached
answer stale at once, in every server process. ORM writes bump it through signals (see
`connect`); code that writes with raw SQL or `QuerySet.update()` calls `bump()` itself.
"""

import contextvars
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
CURRENT = f"SELECT number, changed FROM {DataVersion._meta.db_table} WHERE id = 1"
CACHE_TIMEOUT = 24 * 60 * 60
MISSING = object()


# Within one request the version is read once (see RequestDataVersion): its facet counts,
# estimates and ETag then all speak of the same data.
request_memo = contextvars.ContextVar("data_version_memo", default=None)


def bump():
    """Record that the directory's data changed."""
    with connection.cursor() as cursor:
        cursor.execute(BUMP)
    memo = request_memo.get()
    if memo is not None:
        memo.clear()


def current():
    """(number, changed): (0, None) until the first write.

    Every API request and cached page reads it, so it is one plain statement: building the
    same query through the ORM costs more than running it.
    """
    memo = request_memo.get()
    if memo:
        return memo["version"]
    with connection.cursor() as cursor:
        cursor.execute(CURRENT)
        row = cursor.fetchone() or (0, None)
    if memo is not None:
        memo["version"] = row
    return row


class RequestDataVersion:
    """Middleware: the data version is read at most once a request (and again after a write
    the request makes), however many cached answers and estimates the request looks up."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = request_memo.set({})
        try:
            return self.get_response(request)
        finally:
            request_memo.reset(token)


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
