"""Imports run at the same moment.

In its own module: the imports must commit, from threads that each hold their own database
connection, so these tests use `transactional_db`, which flushes the database afterwards.
"""

import threading

import pytest
from django.db import connection

from exhibitors.models import Exhibitor
from expos.models import Expo, Participation
from tests.expos.importing.files import GOOD, run, write

IMPORTS = 16


@pytest.mark.usefixtures("transactional_db", "sectors")
def test_same_file_imported_at_once_writes_each_record_once(tmp_path):
    """Imports run one after the other (expos.importing.importer.IMPORT_LOCK), and each
    writes with INSERT … ON CONFLICT on the file's keys, so the later ones update what the
    first wrote."""
    path = write(tmp_path, GOOD)
    barrier = threading.Barrier(IMPORTS, timeout=30)
    failures = []

    def load():
        try:
            barrier.wait()
            run(path)
        except Exception as error:  # reported below, with the others
            failures.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=load, daemon=True) for _ in range(IMPORTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "an import never finished"
    assert failures == []
    assert sorted(Exhibitor.objects.values_list("slug", flat=True)) == [
        "acme-iot",
        "beijing-zhicheng",
    ]
    assert Expo.objects.count() == 2
    assert Participation.objects.count() == 3
    assert Exhibitor.objects.get(slug="acme-iot").sectors.count() == 2
