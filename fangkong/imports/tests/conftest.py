import pytest


@pytest.fixture(autouse=True)
def uploads_in_tmp(settings, tmp_path):
    """Uploaded ledgers go to VAR_DIR/imports: a fresh directory per test."""
    settings.VAR_DIR = tmp_path
    return tmp_path / "imports"
