"""Every fixture's scan equals its golden scan.json (fixtures are discovered automatically)."""

from __future__ import annotations

import pytest

from gogen import api
from tests.conftest import FIXTURES, fixture_cases
from tests.golden import check_golden


@pytest.mark.parametrize("case", fixture_cases())
def test_scan_matches_golden(case: str, update_golden: bool) -> None:
    project = api.scan(FIXTURES / case / "repo")
    check_golden(FIXTURES / case / "expected" / "scan.json", api.to_json(project), update_golden)


@pytest.mark.parametrize("case", fixture_cases())
def test_scan_is_deterministic(case: str) -> None:
    first = api.to_json(api.scan(FIXTURES / case / "repo"))
    second = api.to_json(api.scan(FIXTURES / case / "repo"))
    assert first == second


def test_there_are_at_least_twelve_fixtures() -> None:
    assert len(fixture_cases()) >= 12
