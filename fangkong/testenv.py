"""Test-run environment, loaded as a pytest plugin (-p) so it runs before Django reads its settings. It
stays at the root beside settings.py, whose environment it sets, and conftest.py, which loads too late."""

import os

os.environ.setdefault("SECRET_KEY", "tests-only-not-secret")
os.environ.setdefault("SECURE_COOKIES", "0")  # the live server for browser tests speaks plain http
os.environ.setdefault("LOG_LEVEL", "ERROR")
