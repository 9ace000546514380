import pytest

from tests import factories


@pytest.fixture
def sectors():
    """The sectors the test files name."""
    factories.SectorFactory(slug="digital-twin", name="Digital twin")
    factories.SectorFactory(slug="smart-lighting", name="Smart lighting")
