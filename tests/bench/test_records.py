"""bench/records.py: each of its three servers runs the variant it is named for, the rounds
alternate, and the variants must answer the same JSON."""

import json
import subprocess
import sys

import pytest

from bench import records
from bench.server import Server
from bench.settings import RECORDS_PAGE_SIZE, ROOT

SETTINGS_SCRIPT = """
import json
import django
django.setup()
from django.conf import settings
print(json.dumps([
    settings.DIRECTORY_API_CACHE,
    settings.DIRECTORY_PREPARED_STATEMENTS,
    settings.DIRECTORY_API_RECORDS_SQL,
]))
"""


@pytest.mark.parametrize(
    ("variant", "expected"),
    [
        ("prepared", [False, True, True]),
        ("unprepared", [False, False, True]),
        ("drf", [False, True, False]),
    ],
)
def test_each_server_reads_its_variant_from_its_environment(tmp_path, variant, expected):
    server = Server(
        "bench_unused",
        tmp_path,
        api_cache=False,
        environment=records.VARIANTS[variant],
        name=variant,
    )
    result = subprocess.run(
        [sys.executable, "-c", SETTINGS_SCRIPT],
        cwd=ROOT,
        env=server.variables(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    # The response cache, then the two switches the ratios are about.
    assert json.loads(result.stdout.splitlines()[-1]) == expected
    assert server.log_path.name == f"serve-bench_unused-cache-0-{variant}.log"


def test_the_rounds_alternate_the_order_of_the_variants():
    forward, backward = ["prepared", "unprepared", "drf"], ["drf", "unprepared", "prepared"]
    assert [records.round_order(n) for n in range(4)] == [forward, backward, forward, backward]


def test_the_paths_are_a_page_of_the_list_and_the_same_with_the_filter():
    assert records.records_paths("CN", "public-safety") == {
        "plain": f"/api/v1/exhibitors/?page_size={RECORDS_PAGE_SIZE}",
        "filtered": (
            f"/api/v1/exhibitors/?country=CN&sector=public-safety&page_size={RECORDS_PAGE_SIZE}"
        ),
    }


def test_answers_are_compared_as_json_and_the_differing_variants_named():
    same = {"prepared": b'{"a": 1, "b": [2]}', "unprepared": b'{"b":[2],"a":1}'}
    assert records.differing({**same, "drf": b'{"a": 1, "b": [2]}'}) == []
    assert records.differing({**same, "drf": b'{"a": 1, "b": [3]}'}) == ["drf"]


def test_the_summary_gives_each_path_median_and_the_load():
    figures = {
        "paths": {
            "plain": {"rounds": {"prepared": [0.010, 0.012, 0.030], "drf": [0.05]}},
            "filtered": {"rounds": {"prepared": [0.020], "drf": [0.06, 0.04]}},
        },
        "load": (1.3, 2.0),
    }
    assert records.summary(figures) == (
        "plain prepared 12.0 ms, drf 50.0 ms; filtered prepared 20.0 ms, drf 50.0 ms; "
        "load average 1.3 → 2.0"
    )
