"""Browser tests: the fixtures live in fixtures.py (imported here, no pytest_plugins)."""

from .fixtures import browser, page, phone_page, pytest_runtest_makereport

__all__ = ["browser", "page", "phone_page", "pytest_runtest_makereport"]
