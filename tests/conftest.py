"""Shared test helpers: fixture discovery and the golden-file update flag."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"


def pytest_configure(config: pytest.Config) -> None:
    """The tests see gogen's own image table, never the refreshed one of the person running them
    (`gogen images update` writes it to a user-level cache): an empty cache directory of their own."""
    os.environ["GOGEN_CACHE_DIR"] = str(Path(tempfile.gettempdir()) / f"gogen-tests-no-cache-{os.getpid()}")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden",
        action="store_true",
        default=False,
        help="rewrite the expected files under fixtures/*/expected instead of comparing (review the diff)",
    )


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def fixture_cases() -> list[str]:
    """Every fixtures/<case>/ with a repo/ directory; `_`-prefixed folders are support data."""
    return sorted(
        path.name
        for path in FIXTURES.iterdir()
        if path.is_dir() and not path.name.startswith(("_", ".")) and (path / "repo").is_dir()
    )
