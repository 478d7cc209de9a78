"""Browser tests: the fixtures live in fangkong/browser.py (imported here, no pytest_plugins)."""

from fangkong.browser import browser, page, phone_page, pytest_runtest_makereport

__all__ = ["browser", "page", "phone_page", "pytest_runtest_makereport"]
