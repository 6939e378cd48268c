"""Real repository shapes (fixtures/_shapes, issue 16): gogen builds what the project ships.

Each fixtures/_shapes/<shape>/expect.toml holds the truth recorded for the public repository the
shape reproduces (scripts/data/real_repos.toml). The decision tests are expected to fail until
the decision logic of issue 16 lands (the module is marked xfail); tests/test_shapes_expect.py checks
the truth files themselves and must pass now.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import cast

import pytest

from gogen import api
from tests.conftest import FIXTURES

SHAPES = FIXTURES / "_shapes"

pytestmark = pytest.mark.xfail(strict=False, reason="issue 16: decisions being built")


def shape_dirs() -> list[Path]:
    return sorted(p.parent for p in SHAPES.glob("*/expect.toml"))


def expect_of(shape: Path) -> dict[str, object]:
    return tomllib.loads((shape / "expect.toml").read_text(encoding="utf-8"))


def mains_of(expect: dict[str, object]) -> dict[str, dict[str, object]]:
    return cast(dict[str, dict[str, object]], expect["mains"])


def apps_of(expect: dict[str, object]) -> dict[str, dict[str, object]]:
    return {d: m for d, m in mains_of(expect).items() if m["role"] == "app" and m.get("default", True)}


SHAPE_IDS = [p.name for p in shape_dirs()]


@pytest.mark.parametrize("shape", shape_dirs(), ids=SHAPE_IDS)
def test_every_truth_app_is_built_by_default(shape: Path) -> None:
    expect = expect_of(shape)
    _, plan = api.plan(shape / "repo", {})
    built = {b.dir for b in plan.binaries}
    assert set(apps_of(expect)) <= built, f"apps not built: {sorted(set(apps_of(expect)) - built)}"


@pytest.mark.parametrize("shape", shape_dirs(), ids=SHAPE_IDS)
def test_no_truth_non_app_is_built_by_default(shape: Path) -> None:
    expect = expect_of(shape)
    _, plan = api.plan(shape / "repo", {})
    built = {b.dir for b in plan.binaries}
    non_apps = set(mains_of(expect)) - set(apps_of(expect))
    assert not built & non_apps, f"non-applications built: {sorted(built & non_apps)}"


@pytest.mark.parametrize("shape", shape_dirs(), ids=SHAPE_IDS)
def test_the_primary_is_what_the_project_ships(shape: Path) -> None:
    expect = expect_of(shape)
    if not expect["primary"]:
        pytest.skip("the project ships no single application")
    _, plan = api.plan(shape / "repo", {})
    assert plan.primary.dir == expect["primary"]


@pytest.mark.parametrize("shape", shape_dirs(), ids=SHAPE_IDS)
def test_binary_names_are_the_projects(shape: Path) -> None:
    expect = expect_of(shape)
    _, plan = api.plan(shape / "repo", {})
    names = {b.dir: b.name for b in plan.binaries}
    wanted = {d: m["name"] for d, m in apps_of(expect).items() if "name" in m}
    assert {d: names.get(d) for d in wanted} == wanted


@pytest.mark.parametrize("shape", shape_dirs(), ids=SHAPE_IDS)
def test_the_primary_listens_on_the_projects_ports(shape: Path) -> None:
    expect = expect_of(shape)
    ports = cast(list[int], expect["ports"])
    if not expect["primary"] or not ports:
        pytest.skip("the truth gives no ports for a primary")
    _, plan = api.plan(shape / "repo", {})
    assert sorted(plan.primary.ports) == sorted(ports)
