"""The data version: what changes as soon as any write to the directory commits, and what is
cached on it.

The API's ETags, its cached answers and the cached facet counts and charts are keyed on it
(cache_key), so that a write anywhere, by any writer, makes every cached answer stale at once
in every server process. It is read from the change log (core.changelog.log), which the database's
triggers write in the writer's transaction: no writer locks a shared row, and no code has to
remember to announce its writes.

How one statement tells that something committed, whatever order transactions commit in:
every writing transaction has one row in core_changeset, keyed by its transaction id (xid).
Every transaction below the snapshot's xmin has finished, so the rows with an xid below it are
final; a new row can appear only at or above it. The version counts the visible rows from a
floor just under xmin (xmin rounded down to a multiple of 4,096, so that it moves seldom):
that count goes up when any writing transaction commits, early or late, and it is an
index-only count of the transactions since the floor, not of the records they wrote. A
million-row import, while it runs, holds the floor where it began, so the count then covers
the writes since; its own rows are one.

A transaction also sees its own writes: the number of statements it has logged
(`directory.writes`, a transaction-local setting the triggers keep) is part of the version it
reads, so a request that writes and then answers speaks of the new data.
"""

import contextvars
import hashlib
import logging
import threading

from django.conf import settings
from django.core.cache import cache
from django.db import connection, connections
from django.utils.translation import get_language, override

from core.models import ChangeSet

TABLE = ChangeSet._meta.db_table
FLOOR_BITS = 12
CURRENT = f"""
    SELECT floor::text, (SELECT count(*) FROM {TABLE} WHERE xid >= floor),
           (SELECT max(at) FROM {TABLE}), current_setting('directory.writes', true)
    FROM (SELECT (((pg_snapshot_xmin(pg_current_snapshot())::text::bigint)
                   >> {FLOOR_BITS}) << {FLOOR_BITS})::text::xid8 AS floor) AS snapshot
"""
logger = logging.getLogger(__name__)
CACHE_TIMEOUT = 24 * 60 * 60
MISSING = object()


# Within one request the version is read once (see core.http.middleware.RequestDataVersion): its
# facet counts, estimates and ETag then all speak of the same data. A request that writes
# forgets it (`forget`), so what it answers after the write is keyed on the new data.
request_memo = contextvars.ContextVar("data_version_memo", default=None)


def forget():
    """Read the version again at the next look-up: this request has written."""
    memo = request_memo.get()
    if memo is not None:
        memo.clear()


def current():
    """(token, changed): `token` names the data as this transaction sees it; `changed` is
    when the last write committed (None before the first).

    Every API request and cached page reads it, so it is one plain statement: building the
    same query through the ORM costs more than running it.
    """
    memo = request_memo.get()
    if memo:
        return memo["version"]
    with connection.cursor() as cursor:
        cursor.execute(CURRENT)
        floor, count, changed, writes = cursor.fetchone()
    row = (f"{floor}.{count}.{writes or 0}", changed)
    if memo is not None:
        memo["version"] = row
    return row


def stamp(version=None) -> str:
    """The data version as text, `token:changed`: what ETags and cache keys are made of.

    `changed` is part of it, so that a token seen again (a database restored from a backup,
    a test's rolled-back transaction) never finds an answer about other data.
    """
    token, changed = current() if version is None else version
    return f"{token}:{changed.isoformat() if changed else '-'}"


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
