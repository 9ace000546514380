"""generate_directory's sectors written by runs at the same moment.

In its own module: the writes must commit, from threads that each hold their own database
connection, so these tests use `transactional_db`, which flushes the database afterwards.
"""

import threading

import pytest
from django.db import connection

from exhibitors.models import Sector
from expos import synthetic

RUNS = 8


@pytest.mark.usefixtures("transactional_db")
def test_sectors_created_by_runs_at_once_are_created_once():
    barrier = threading.Barrier(RUNS, timeout=30)
    failures = []

    def create():
        try:
            barrier.wait()
            synthetic.create_sectors()
        except Exception as error:  # reported below, with the others
            failures.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=create, daemon=True) for _ in range(RUNS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a run never finished"
    assert failures == []
    assert sorted(Sector.objects.values_list("slug", flat=True)) == sorted(
        slug for slug, *_names in synthetic.SECTORS
    )
