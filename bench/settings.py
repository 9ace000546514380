"""What a benchmark run is: its settings from the environment, its fixed bounds, its targets.

Also the two helpers every other module uses, `say` (a timestamped progress line) and `label`
(10000 → "10k"), and whether Redis answers, decided once when the run starts.
"""

import os
import secrets
import socket
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
# BENCH_RESULTS: another file for a trial run, leaving the committed results as they are.
RESULTS = Path(os.environ.get("BENCH_RESULTS", "") or ROOT / "bench" / "results.md")
BASELINE = ROOT / "bench" / "baseline.md"  # the table before issue 12, kept for comparison
SERVER_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/15")
SIZES = sorted(int(n) for n in os.environ.get("BENCH_SIZES", "10000,1000000").split(","))
SEED = int(os.environ.get("BENCH_SEED", "1"))
REUSE = os.environ.get("BENCH_REUSE", "") not in ("", "0")
# The loaded databases are <prefix><size>: bench_10k, bench_1m. Another prefix (bench_mine_)
# keeps a trial run, and the migrations it applies, off the usual ones.
DATABASE_PREFIX = os.environ.get("BENCH_DATABASE_PREFIX", "") or "bench_"
# BENCH_ONLY=changelog: only the change log's cost (L1, L2), at the largest size, for a trial;
# BENCH_ONLY=records: only what the API's records path buys (R1, R2), at every size.
ONLY = os.environ.get("BENCH_ONLY", "")

# Rounds of each latency measurement; the figure is the median of the rounds' percentiles.
ROUNDS = 5
LATENCY_REQUESTS = 20  # a round, for a median
TAIL_REQUESTS = 40  # a round, for a 95th percentile
ROUND_SECONDS = 6  # a round stops early past this, with fewer requests
WARMUP_REQUESTS = 3
# Throughput: as many clients as the server has threads (make serve: 2 workers × 4 threads).
CLIENTS = 8
THROUGHPUT_ROUNDS = 3
THROUGHPUT_SECONDS = 5
THROUGHPUT_MAX_REQUESTS = 50_000
# Latency under load (B12): CLIENTS clients at once, each up to CONCURRENT_REQUESTS a round.
CONCURRENT_ROUNDS = 3
CONCURRENT_REQUESTS = 40
CONCURRENT_SECONDS = 4
CURSOR_DEPTH = 250  # pages of 50 followed from the first in the cursor walk
PAGE_SIZE = 50
REQUEST_TIMEOUT = 120
STREAM_TIMEOUT = 300  # the CSV of every exhibitor; past this B10 reports the part read
WALK_SECONDS = 120
NDJSON_TIMEOUT = 120  # the API's NDJSON of every exhibitor; past this B10 ndjson is partial
COLD_FACET_REQUESTS = 3  # cold facet counts (B11): requests timed, each with an empty cache
# The import peer (P3): generate_directory --exhibitors PEER_EXHIBITORS writes ~100,000 rows.
# django-import-export goes row by row; it imports the first PEER_SLICE_ROWS of the file
# when the whole would take longer than the benchmark can give it (see measure_import_peer).
PEER_EXHIBITORS = 33_334
PEER_SLICE_ROWS = 1_500
# The API list's records path (R1, R2, bench.records): rounds a variant and path, alternated,
# each up to RECORDS_REQUESTS requests or ROUND_SECONDS, after RECORDS_WARMUP requests of each
# path on each server. The page is of the size the claims were made for.
RECORDS_ROUNDS = 10
RECORDS_REQUESTS = 20
RECORDS_WARMUP = 10
RECORDS_PAGE_SIZE = 100

TARGETS = {
    "B1": ("≤", 1.5),
    "B2": ("≤", 1.5),
    "B3": ("≤", 1.2),
    "B4": ("=", 0),
    "B5": ("≥", 0.25),
    "B6 rare": ("≤", 3),
    "B6 common": ("≤", 3),
    # Issue 12 measures the import against what loading the same tables costs PostgreSQL
    # itself (B7 limit); the ratio to a \copy into an unlogged table of text, which no
    # importer leaving the same database behind can reach, is kept for comparison only.
    "B7": ("—", None),
    "B8": ("≥", 3),
    "B9": ("≤", 512),
    "B10": ("≤", 100),
    # Issue 12: computed in full (part 1), exports (2), cold facets (3), the import's limit
    # (4), peers (5, "this ÷ peer", ahead of each at 1M), under concurrency (6).
    "B5 list": ("≥", 0.25),
    "B5 cursor": ("≥", 0.25),
    "B5 detail": ("≥", 0.25),
    "B7 limit": ("≥", 0.5),
    "B10 csv": ("≥", 0.5),
    "B10 ndjson": ("≥", 0.5),
    "B11 facets": ("≤", 1),
    "B11 facets filtered": ("≤", 1),
    "B12 api": ("≤", 1.5),
    "B12 html": ("≤", 1.5),
    "B12 search rare": ("≤", 1.5),
    "B12 search common": ("≤", 1.5),
    # Issue 18: a search costs the same whatever it matches.
    "B13": ("≤", 100),
    # Issue 19: what the change log costs a write (its own target) and an import (ours).
    "L1": ("≤", 1.25),
    "L2": ("≥", 0.8),
    # What the API list's records path buys (R1 10k, R2 1m filtered…: their first word's):
    # preparing its statement must not cost, and writing the records in SQL must pay.
    "R1": ("≤", 1.0),
    "R2": ("≤", 0.8),
    # A peer's rows are keyed "P1 10k", "P1 1m"…: their target is their first word's.
    "P1": ("≥", 1),
    "P2": ("≥", 1),
    "P3": ("≥", 1),
}


def target_of(key):
    """The (sign, target) of a row: its own key's, else its first word's ("P1 1m" → "P1")."""
    return TARGETS[key] if key in TARGETS else TARGETS[key.split()[0]]


def say(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def label(size):
    if size % 1_000_000 == 0:
        return f"{size // 1_000_000}m"
    if size % 1000 == 0:
        return f"{size // 1000}k"
    return str(size)


def redis_answers():
    parts = urlsplit(REDIS_URL)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=2) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


# Production settings need a key; nothing signed with it has to outlive the run.
SECRET_KEY = secrets.token_urlsafe(50)
USE_REDIS = redis_answers()
