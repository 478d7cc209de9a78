"""Pytest fixtures for the browser tests: Playwright driving Debian's Chromium against pytest-django's
live server. Imported by fangkong/tests_browser/conftest.py; mark the tests `@pytest.mark.browser`.

- `browser`: one headless Chromium for the session, launched from /usr/bin/chromium (`make browser-deps`
  installs it with fonts-noto-cjk; Playwright never downloads a browser here). When it is missing the
  browser tests are skipped with a message, or fail when the CI environment variable is set.
- `page`: a fresh browser context per test (no cookies carried over), desktop size, Chinese locale,
  Asia/Shanghai time, `base_url` set to the live server so tests write `page.goto("/login/")`.
- `phone_page`: the same at 390×844, touch, as on a cheap phone.
- On failure the page's screenshot goes to test-artifacts/<test name>.png.
"""

import os
import re
from pathlib import Path

import pytest

# Playwright's sync API runs an asyncio loop in this thread, and Django refuses database access from a
# thread with a running loop. The tests and the live server are synchronous code: allow it.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",  # containers and CI run as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 10_000

_reports = pytest.StashKey[dict]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so the page fixture knows whether the test failed."""
    report = yield
    item.stash.setdefault(_reports, {})[report.when] = report
    return report


def _failed(item) -> bool:
    return any(r.failed for r in item.stash.get(_reports, {}).values())


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        message = (
            f"Chromium not found at {CHROMIUM}: run `make browser-deps` (Debian chromium, fonts-noto-cjk)"
        )
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def _open_page(browser, live_server, request, **context_options):
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", timezone_id="Asia/Shanghai", **context_options
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    yield page
    if _failed(request.node):
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)[-150:]
        try:
            page.screenshot(path=ARTIFACTS / f"{name}.png", full_page=True)
        except Exception as exc:  # a crashed page must not hide the test's own failure
            print(f"screenshot of {request.node.nodeid} failed: {exc}")
    context.close()


@pytest.fixture
def page(browser, live_server, request):
    yield from _open_page(browser, live_server, request, viewport=DESKTOP)


@pytest.fixture
def phone_page(browser, live_server, request):
    yield from _open_page(
        browser, live_server, request, viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True
    )
