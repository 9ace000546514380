"""The data version: one number that goes up with every write to the directory, and what is
cached on it.

The API's ETags, its cached answers and the cached facet counts and charts are keyed on it
(cache_key), so reading it is one primary-key lookup however large the tables grow, and a
write anywhere makes every cached answer stale at once, in every server process. ORM writes
bump it through signals (see `connect`, which each app calls for its models); code that writes
with raw SQL or `QuerySet.update()` calls `bump()` itself.
"""

import contextvars
import hashlib
import logging
import threading

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils.translation import get_language, override

from .models import DataVersion

# clock_timestamp(), not now(): now() is when the transaction began, so a long transaction
# bumping after a short one that began later would move `changed` (Last-Modified) backwards.
# The row lock the upsert takes orders bumps, so clock time keeps them in order.
TABLE = DataVersion._meta.db_table
BUMP = f"""
    INSERT INTO {TABLE} (id, number, changed) VALUES (1, 1, clock_timestamp())
    ON CONFLICT (id) DO UPDATE SET number = {TABLE}.number + 1, changed = clock_timestamp()
"""
CURRENT = f"SELECT number, changed FROM {TABLE} WHERE id = 1"
logger = logging.getLogger(__name__)
CACHE_TIMEOUT = 24 * 60 * 60
MISSING = object()


# Within one request the version is read once (see core.middleware.RequestDataVersion): its
# facet counts, estimates and ETag then all speak of the same data.
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


def stamp(version=None) -> str:
    """The data version as text, `number:changed`: what ETags and cache keys are made of.

    `changed` is part of it, so that a number seen again (a database restored from a backup,
    a test's rolled-back transaction) never finds an answer about other data.
    """
    number, changed = current() if version is None else version
    return f"{number}:{changed.isoformat() if changed else '-'}"


def cache_key(*parts, version=None) -> str:
    """Where the answer that `parts` name is cached, at the data version (the current one
    unless given) and in the active language: the one key format of every cached answer."""
    return hashed(stamp(version), get_language(), *parts)


def hashed(*parts) -> str:
    return f"directory:{hashlib.sha256(repr(parts).encode()).hexdigest()}"


def cached(compute, *key, stale_while_refreshing=False):
    """compute(), kept in the cache until the data changes, and at most a day.

    `key` names what is computed; the data version and the active language are added to it
    (see cache_key).

    With `stale_while_refreshing`, for what is slow to compute at scale (facet counts over a
    million exhibitors take seconds), a write does not make the next visitor wait: the answer
    of an earlier version is returned while a thread computes the new one (see
    refresh_in_background). Only pages may use it; the API's answers must match their ETag.
    """
    language = get_language()
    name = cache_key(*key)
    value = cache.get(name, MISSING)
    if value is not MISSING:
        return value
    latest = hashed("latest", language, *key) if stale_while_refreshing else None
    if latest and settings.DIRECTORY_REFRESH_IN_BACKGROUND:
        stale = cache.get(latest, MISSING)
        if stale is not MISSING:
            refresh_in_background(compute, name, latest, language)
            return stale
    value = compute()
    keep(name, latest, value)
    return value


# remembered(): answers kept in this process for the data version they were computed at.
_remembered = {"stamp": None, "values": {}}
_remembered_lock = threading.Lock()
REMEMBERED_MAX = 256


def remembered(compute, *key):
    """compute(), kept in this process's memory until the data version moves: for small
    answers that nearly every request asks again (which sectors a list's slugs name), where
    even the shared cache's round trip costs more than the answer. At most REMEMBERED_MAX
    answers are kept; the oldest go first."""
    version = stamp()
    with _remembered_lock:
        if _remembered["stamp"] != version:
            _remembered["stamp"], _remembered["values"] = version, {}
        values = _remembered["values"]
        if key in values:
            return values[key]
    value = compute()
    with _remembered_lock:
        if _remembered["stamp"] == version:
            if len(values) >= REMEMBERED_MAX:
                del values[next(iter(values))]
            values[key] = value
    return value


def keep(name, latest, value):
    cache.set(name, value, CACHE_TIMEOUT)
    if latest is not None:
        cache.set(latest, value, CACHE_TIMEOUT)


# Refreshes under way in this process, at most a few at once: each is a heavy query, and a
# write makes every filter combination's facets stale at the same moment.
refreshes = threading.BoundedSemaphore(2)
refresh_threads: set = set()
REFRESH_LOCK_SECONDS = 10 * 60


def refresh_in_background(compute, name, latest, language):
    """Compute `name` in a thread of its own, once across every server process (a lock in the
    cache), unless this process already runs as many refreshes as it may."""
    if not refreshes.acquire(blocking=False):
        return
    if not cache.add(f"{name}:refreshing", True, REFRESH_LOCK_SECONDS):
        refreshes.release()
        return

    def run():
        try:
            with override(language):
                keep(name, latest, compute())
        except Exception:
            logger.exception("Refreshing a cached answer failed; the next request retries.")
            cache.delete(f"{name}:refreshing")
        finally:
            connections.close_all()  # this thread's own connections
            refreshes.release()
            refresh_threads.discard(threading.current_thread())

    thread = threading.Thread(target=run, name="directory-refresh", daemon=True)
    refresh_threads.add(thread)
    thread.start()


def wait_for_refreshes(timeout=30):
    """Wait for the refreshes under way (for tests and commands that need them done)."""
    for thread in list(refresh_threads):
        thread.join(timeout)


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
