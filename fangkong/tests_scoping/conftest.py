"""grid 07's records, each app's part made in apps/<app>.py, for every walk in this folder."""

import pytest

from .apps import grid07_records


@pytest.fixture
def grid07(world, people, settings, tmp_path):
    """Records of grid 07 of every kind a route can point at."""
    settings.VAR_DIR = tmp_path  # the files of the uploads among them
    return grid07_records(world, people)
