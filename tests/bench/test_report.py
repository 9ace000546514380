"""bench/report.py and bench/settings.py: the rows issue 12 adds, their ratios and verdicts,
and the table with another module's rows and the earlier figures."""

import pytest

from bench import changelog, records, report
from bench.settings import TARGETS, target_of

SMALL, LARGE = 10_000, 1_000_000


def figures():
    """What the measures would give, with round numbers that make each ratio plain."""
    peer = {"rate": 100.0, "p50": 0.020}
    return {
        "computed": (
            {
                "api": 500.0,
                "baseline": 1000.0,
                "304": 2000.0,
                **{
                    f"{case} {part} ms": n
                    for n, case in enumerate(["api", "baseline"], 1)
                    for part in ("app", "postgres", "clients")
                },
            },
            50_000,
            '"v1"',
        ),
        "more": {
            "cursor": 300.0,
            "cursor baseline": 1200.0,
            "detail": 900.0,
            "detail baseline": 3000.0,
            "cursor bytes": 49_000,
            "detail bytes": 1_200,
        },
        "imported": {
            "rows": 1_000_000,
            "import rows/s": 50_000.0,
            "import seconds": 20.0,
            "limit seconds": 10.0,
            "limit rows/s": 100_000.0,
            "limit": {"with indexes": 12.0, "indexes rebuilt": 10.0, "indexes": 24},
            "written": {"exhibitors_exhibitor": 333_333},
            "also grew": ["expos_importrun"],
        },
        # 1,000,001 lines: a header and a million rows in 100 s.
        "stream": (6.0, 241 * 2**20, 1_000_001, 100.0, True),
        "ndjson": (400_000, 120.0, False),
        "psql": {
            "rows": 1_000_000,
            "csv seconds": 4.0,
            "ndjson seconds": 10.0,
            "source": {"csv": "the view's own", "ndjson": "the benchmark's own"},
        },
        "facets": {"unfiltered": 0.4, "filtered": 1.5},
        "concurrent": {
            SMALL: {
                "api": 0.1,
                "html": 0.1,
                "search rare": 0.05,
                "search common": 0.2,
                **dict.fromkeys(
                    ["api kept alive", "search rare kept alive", "search common kept alive"], 0.1
                ),
                "html kept alive": 0.3,
            },
            LARGE: {
                "api": 0.12,
                "html": 0.2,
                "search rare": 0.05,
                "search common": 0.1,
                **dict.fromkeys(
                    ["api kept alive", "search rare kept alive", "search common kept alive"], 0.1
                ),
                "html kept alive": 0.6,
            },
        },
        "peers": {
            size: {
                "api": {"rate": 250.0, "p50": 0.010},
                "peer api": peer,
                "html": {"rate": 50.0, "p50": 0.040},
                "peer html": peer,
            }
            for size in (SMALL, LARGE)
        },
        "import peer": {
            size: {
                "rows": 100_000,
                "import rows/s": 20_000.0,
                "import seconds": 5.0,
                "peer rows": 1_500,
                "peer rows/s": 25.0,
                "peer seconds": 60.0,
                "peer totals": {},
                "into": f"bench_{size}",
            }
            for size in (SMALL, LARGE)
        },
    }


def rows_by_key():
    return {row[0]: row for row in report.issue12_rows(SMALL, LARGE, figures())}


def test_every_new_row_has_its_ratio():
    values = {key: row[2] for key, row in rows_by_key().items()}
    assert values == {
        "B5 list": 0.5,
        "B5 cursor": 0.25,
        "B5 detail": 0.3,
        "B7 limit": 0.5,
        "B10 csv": pytest.approx(10_000 / 250_000),
        "B10 ndjson": pytest.approx((400_000 / 120) / 100_000),
        "B11 facets": 0.4,
        "B11 facets filtered": 1.5,
        "B12 api": pytest.approx(1.2),
        "B12 html": 2.0,
        "B12 search rare": 1.0,
        "B12 search common": 0.5,
        "P1 10k": 2.5,
        "P1 1m": 2.5,
        "P2 10k": 0.5,
        "P2 1m": 0.5,
        "P3 10k": 800.0,
        "P3 1m": 800.0,
    }


def test_the_old_import_ratio_is_shown_for_comparison_without_a_verdict():
    rows = [("B7", "rows/s: import ÷ \\copy", 0.05, "0.050", "10 vs 200 rows/s")]
    text = report.table(rows, ["ran"])
    row = "| B7 | rows/s: import ÷ \\copy | 0.050 | — | for comparison | 10 vs 200 rows/s |"
    assert row in text


def test_every_new_row_has_a_target():
    for key in rows_by_key():
        sign, target = target_of(key)
        assert sign in "≤≥="
        assert target > 0


def test_the_verdicts_follow_the_targets():
    text = report.table(list(rows_by_key().values()), ["context"])
    lines = {line.split(" | ")[0].strip("| "): line for line in text.splitlines()}
    assert "| ≥ 0.25 | pass |" in lines["B5 list"]
    assert "| ≥ 0.25 | pass |" in lines["B5 cursor"]  # exactly on the target
    assert "| ≤ 1 | miss |" in lines["B11 facets filtered"]
    assert "| ≤ 1.5 | miss |" in lines["B12 html"]
    assert "| ≥ 1 | miss |" in lines["P2 1m"]
    assert "| ≥ 1 | pass |" in lines["P3 1m"]


def test_details_say_what_was_compared():
    rows = rows_by_key()
    assert rows["B7 limit"][4] == (
        "20.0 s vs 10.0 s for 1,000,000 rows; \\copy into the indexed tables 12.0 s, with 24 "
        "indexes dropped and built after 10.0 s"
    )
    assert "the first 400,000 records, cut after 120 s" in rows["B10 ndjson"][4]
    assert rows["P1 1m"][4] == "250.00/s vs 100.00/s, 8 clients; p50 10.0 ms vs 20.0 ms = 0.50"
    assert rows["B5 list"][4] == (
        "500.00/s vs 1000.00/s, 50,000 bytes, 8 clients; CPU a request: app 1.0 ms, "
        "PostgreSQL 1.0 ms, clients 1.0 ms (the JsonResponse: app 2.0 ms, PostgreSQL 2.0 ms, "
        "clients 2.0 ms)"
    )
    assert "CPU a request" not in rows["B5 cursor"][4]  # not measured there in this run
    assert rows["B12 html"][4] == (
        "100.0 ms at 10k, 200.0 ms at 1m; on kept-alive connections 300.0 ms at 10k, "
        "600.0 ms at 1m = 2.00"
    )
    estimate = "the first 1,500 rows in 60.0 s; the whole file at that rate: 67 min"
    assert estimate in rows["P3 10k"][4]


def test_a_row_may_carry_its_own_target_and_the_baseline_follows_the_table():
    rows = [
        ("B1", "p50", 1.2, "1.20", "fine"),
        ("A1 changelist", "admin", 2.0, "2.00", "slow", ("≤", 1.5)),
    ]
    text = report.table(rows, ["ran"], partial={"B1"}, baseline="## Before issue 12\n\n| x |")
    assert "| B1 | p50 | 1.20 | ≤ 1.5 | pass (partial) | fine |" in text
    assert "| A1 changelist | admin | 2.00 | ≤ 1.5 | miss | slow |" in text
    assert text.endswith("\n## Before issue 12\n\n| x |\n")


def test_a_missing_figure_is_not_applicable():
    assert report.verdict(None, "≥", 1) == "n/a"
    assert report.ratio_row("P1 1m", "x", None, "d")[3] == "n/a"


def test_the_baseline_is_the_table_before_issue_12():
    text = report.baseline_text()
    assert text.startswith("## Before issue 12")
    assert "| B7 | rows/s: import_directory ÷ psql \\copy | 0.077 |" in text


def test_the_context_names_the_peers_and_the_limit():
    lines = report.issue12_context(LARGE, figures())
    assert lines[0].startswith("- B7 limit: the rows import_directory wrote (333,333 in ")
    assert "Other tables the import grew: expos_importrun." in lines[0]
    assert "for the CSV the view's own; for the NDJSON the benchmark's own." in lines[1]
    assert "10k: into bench_10000; 1m: into bench_1000000" in lines[3]


def test_the_admin_rows_get_their_targets_when_the_run_loads_them():
    from bench import admin_pages, run

    assert run.TARGETS is TARGETS
    for key, target in admin_pages.ADMIN_TARGETS.items():
        assert target_of(key) == target


def changelog_figures():
    """What bench.changelog would give: PATCHes at 24 ms on and 20 ms off (medians of the
    rounds), an import at 40,000 rows/s with the log and 50,000 without."""
    size = {"entries": 3_000_000, "changesets": 200, "bytes": 1_300 * 2**20}
    return {
        "patch": {
            "on": [0.030, 0.024, 0.022],
            "off": [0.020, 0.019, 0.050],
            "on requests": 75,
            "off requests": 74,
            "on entries": 75,
            "off entries": 0,
            "triggers": 96,
            "tables": 24,
            "exhibitors": 50,
        },
        "import": {
            "rows": 1_000_000,
            "with": {
                "seconds": 25.0,
                "rows/s": 40_000.0,
                "before": {"entries": 1_000, "changesets": 10, "bytes": 2**20},
                "after": size,
            },
            "without": {
                "seconds": 20.0,
                "rows/s": 50_000.0,
                "before": {"entries": 1_000, "changesets": 10, "bytes": 2**20},
                "after": {"entries": 1_000, "changesets": 10, "bytes": 2**20},
            },
        },
    }


def changelog_rows_by_key(figures=None):
    rows = changelog.changelog_rows(LARGE, figures or changelog_figures())
    return {row[0]: row for row in rows}


def test_the_change_log_rows_are_on_over_off_and_with_over_without():
    rows = changelog_rows_by_key()
    assert {key: row[2] for key, row in rows.items()} == {
        "L1": pytest.approx(1.2),  # the medians of the rounds, 24 ms ÷ 20 ms
        "L2": 0.8,
    }
    assert target_of("L1") == ("≤", 1.25)
    assert target_of("L2") == ("≥", 0.8)


def test_the_change_log_rows_verdicts_follow_their_targets():
    slow = changelog_figures()
    slow["patch"]["on"] = [0.026, 0.026, 0.026]
    slow["import"]["with"]["rows/s"] = 39_000.0
    verdicts = {}
    for name, figures in (("met", changelog_figures()), ("missed", slow)):
        text = report.table(list(changelog_rows_by_key(figures).values()), ["context"])
        verdicts[name] = [
            line.split(" | ")[4] for line in text.splitlines() if line.startswith("| L")
        ]
    assert verdicts == {"met": ["pass", "pass"], "missed": ["miss", "miss"]}


def test_the_change_log_rows_say_what_was_compared_and_how_big_the_log_grew():
    rows = changelog_rows_by_key()
    assert rows["L1"][1] == "p50 of an API PATCH of an exhibitor, change log on ÷ off (1m)"
    assert rows["L1"][4] == (
        "24.0 ms vs 20.0 ms, the median of 3 rounds a side, alternated (75 and 74 PATCHes); "
        "the log took 75 entries on, 0 off"
    )
    assert rows["L2"][3] == "0.80"
    assert rows["L2"][4] == (
        "40,000 vs 50,000 rows/s (25.0 s vs 20.0 s for 1,000,000 rows); the log grew by "
        "2,999,000 entries, 1,299 MB, 1,362 bytes an imported row"
    )


def test_the_change_log_context_gives_its_size_after_the_import():
    (line,) = changelog.changelog_context(LARGE, changelog_figures())
    assert line.startswith("- L1, L2: the change log's 96 triggers (`pgtrigger_change_log_…` ")
    assert "on 24 tables" in line and "the next of 50 exhibitors" in line
    assert (
        "After the import of 1,000,000 rows, core_change held 3,000,000 entries (2,999,000 "
        "from the import) and core_changeset 200 rows (190); with their indexes they took "
        "1,300 MB (1,299 MB from the import: 1,362 bytes an imported row). The copy without "
        "the log gained 0 entries."
    ) in line


def records_figures():
    """What bench.records would give at each size: the list at 10 ms prepared, 11 ms not,
    40 ms through DRF (the medians of three rounds); with the filter 9, 10 and 12 ms."""

    def path(path, prepared, unprepared, drf):
        return {
            "path": path,
            "bytes": 60_000,
            "rounds": {"prepared": prepared, "unprepared": unprepared, "drf": drf},
            "requests": {"prepared": 60, "unprepared": 59, "drf": 45},
        }

    return {
        size: {
            "paths": {
                "plain": path(
                    "/api/v1/exhibitors/?page_size=100",
                    [0.010, 0.012, 0.009],
                    [0.011, 0.010, 0.013],
                    [0.040, 0.044, 0.039],
                ),
                "filtered": path(
                    "/api/v1/exhibitors/?country=CN&sector=x&page_size=100",
                    [0.009, 0.009, 0.009],
                    [0.010, 0.010, 0.010],
                    [0.012, 0.012, 0.012],
                ),
            },
            "load": (1.5, 2.5),
        }
        for size in (SMALL, LARGE)
    }


def records_rows_by_key(figures=None):
    return {row[0]: row for row in records.records_rows(figures or records_figures())}


def test_the_records_rows_are_prepared_over_unprepared_and_sql_over_drf_at_each_size():
    rows = records_rows_by_key()
    assert list(rows) == [
        "R1 10k", "R1 10k filtered", "R1 1m", "R1 1m filtered",
        "R2 10k", "R2 10k filtered", "R2 1m", "R2 1m filtered",
    ]  # fmt: skip
    values = {key: row[2] for key, row in rows.items()}
    for size in ("10k", "1m"):
        assert values[f"R1 {size}"] == pytest.approx(10 / 11)  # the medians of the rounds
        assert values[f"R1 {size} filtered"] == pytest.approx(0.9)
        assert values[f"R2 {size}"] == pytest.approx(0.25)
        assert values[f"R2 {size} filtered"] == pytest.approx(0.75)
    assert target_of("R1 1m filtered") == ("≤", 1.0)
    assert target_of("R2 10k") == ("≤", 0.8)


def test_the_records_rows_verdicts_follow_their_targets():
    slow = records_figures()
    for size in slow:
        plain = slow[size]["paths"]["plain"]["rounds"]
        plain["prepared"], plain["drf"] = [0.012] * 3, [0.014] * 3  # above both targets
    verdicts = {}
    for name, figures in (("met", records_figures()), ("missed", slow)):
        text = report.table(list(records_rows_by_key(figures).values()), ["context"])
        verdicts[name] = {
            line.split(" | ")[0].strip("| "): line.split(" | ")[4]
            for line in text.splitlines()
            if line.startswith("| R")
        }
    assert set(verdicts["met"].values()) == {"pass"}
    assert verdicts["missed"] == {
        key: "miss" if " filtered" not in key else "pass" for key in verdicts["missed"]
    }


def test_the_records_rows_say_what_was_compared():
    rows = records_rows_by_key()
    assert rows["R1 1m"][1] == (
        "p50 of the API list, records' statement prepared ÷ not prepared (1m)"
    )
    assert rows["R2 10k filtered"][1] == (
        "p50 of the API list with the filter, records written by PostgreSQL ÷ by DRF's "
        "serializers (10k)"
    )
    assert rows["R1 1m"][4] == (
        "10.0 ms vs 11.0 ms, the median of 3 rounds a variant, alternated (60 and 59 "
        "requests); the rounds' own ratios 0.69 to 1.20, median 0.91; 60,000 bytes"
    )
    assert rows["R2 1m"][4].endswith("; 60,000 bytes; not prepared 11.0 ms = 0.27")


def test_the_records_context_names_the_variants_the_warm_caches_and_the_load():
    (line,) = records.records_context(records_figures())
    assert line.startswith("- R1, R2: at 10k, 1m, three `make serve` of the same database")
    for words in (
        "`DJANGO_PREPARED_STATEMENTS=0`",
        "`DJANGO_API_RECORDS_SQL=0`",
        "`/api/v1/exhibitors/?page_size=100` and "
        "`/api/v1/exhibitors/?country=CN&sector=x&page_size=100`",
        "Warm caches: ",
        "the count's estimate in the cache",
        "PostgreSQL's shared buffers",
        "10k 1.5 → 2.5, 1m 1.5 → 2.5",
    ):
        assert words in line, words
