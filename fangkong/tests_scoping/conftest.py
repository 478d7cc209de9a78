"""grid 07's records (defined with the route table) for every walk in this folder."""

from .test_every_route import grid07  # noqa: F401 — a fixture
