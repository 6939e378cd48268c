"""Real repository shapes (fixtures/_shapes, issue 16): gogen builds what the project ships.

Each fixtures/_shapes/<shape>/expect.toml holds the truth recorded for the public repository the
shape reproduces (scripts/data/real_repos.toml); tests/test_shapes_expect.py checks the truth
files themselves. Where gogen knowingly falls short of the truth, the case is a strict xfail
naming why (LIMITS): it fails the day gogen gets it right, so the list cannot go stale.
Directories in the truth are from the repository's root; gogen's are from the module it works
in (`backend/` when that is the only module), so the truth is read relative to it.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, cast

import pytest

from gogen import api
from gogen.model import BinaryPlan
from gogen.plan import PlanError
from tests.conftest import FIXTURES

SHAPES = FIXTURES / "_shapes"

# (what, shape) -> what gogen does not do yet, said in the closing note of issue 16.
LIMITS: dict[tuple[str, str], str] = {
    ("apps", "go-containerregistry"): "cmd/krane is a module of its own (replace => ../../, no go.work): not scanned",
    ("names", "go-containerregistry"): "cmd/krane is a module of its own (replace => ../../, no go.work): not scanned",
    ("names", "remark42"): "the name is in the repository root's Dockerfile, above the module in backend/",
    ("ports", "remark42"): "the EXPOSE is in the repository root's Dockerfile, above the module in backend/",
    ("primary", "nsq"): "the Dockerfile has no ENTRYPOINT and the Makefile lists its apps in a variable",
    ("ports", "nsq"): "the ports are set in nsqd/options.go, not in a listen call or a flag default",
    ("ports", "caddy"): "80/443 are Caddy's built-in defaults; the EXPOSE lives in another repository",
    ("tags", "caddy"): "the tags are in goreleaser's flags of a build folder its hooks generate",
}


def shape_dirs() -> list[Path]:
    return sorted(p.parent for p in SHAPES.glob("*/expect.toml"))


def cases(what: str) -> list[Any]:
    """The shapes as parameters, each known limit of `what` a strict xfail with its reason."""
    params = []
    for shape in shape_dirs():
        reason = LIMITS.get((what, shape.name))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        params.append(pytest.param(shape, marks=marks, id=shape.name))
    return params


def test_every_limit_names_a_shape() -> None:
    names = {p.name for p in shape_dirs()}
    assert {shape for _, shape in LIMITS} <= names


class Truth:
    """A shape's expect.toml, with directories relative to the module gogen works in."""

    def __init__(self, shape: Path) -> None:
        data = tomllib.loads((shape / "expect.toml").read_text(encoding="utf-8"))
        root = api.module_root(shape / "repo").resolve()
        prefix = (
            "" if root == (shape / "repo").resolve() else root.relative_to((shape / "repo").resolve()).as_posix() + "/"
        )
        self.mains = {d.removeprefix(prefix): m for d, m in cast(dict[str, dict[str, Any]], data["mains"]).items()}
        self.primary = str(data["primary"]).removeprefix(prefix)
        self.ports = sorted(cast(list[int], data["ports"]))
        self.tags = set(cast(list[str], data["tags"]))
        self.cgo = bool(data["cgo"])

    @property
    def apps(self) -> dict[str, dict[str, Any]]:
        return {d: m for d, m in self.mains.items() if m["role"] == "app" and m.get("default", True)}


def built(shape: Path) -> tuple[BinaryPlan, ...]:
    """What gogen builds by default: nothing when it refuses because no main is an application."""
    try:
        _, plan = api.plan(shape / "repo", {})
    except PlanError as exc:
        if "no main package to build" in exc.message:
            return ()
        raise
    return plan.binaries


@pytest.mark.parametrize("shape", cases("apps"))
def test_every_truth_app_is_built_by_default(shape: Path) -> None:
    truth = Truth(shape)
    dirs = {b.dir for b in built(shape)}
    assert set(truth.apps) <= dirs, f"apps not built: {sorted(set(truth.apps) - dirs)}"


@pytest.mark.parametrize("shape", cases("non-apps"))
def test_no_truth_non_app_is_built_by_default(shape: Path) -> None:
    truth = Truth(shape)
    dirs = {b.dir for b in built(shape)}
    non_apps = set(truth.mains) - set(truth.apps)
    assert not dirs & non_apps, f"non-applications built: {sorted(dirs & non_apps)}"


@pytest.mark.parametrize("shape", cases("primary"))
def test_the_primary_is_what_the_project_ships(shape: Path) -> None:
    truth = Truth(shape)
    if not truth.primary:
        assert built(shape) == (), "the project ships no application: gogen must refuse"
        return
    assert built(shape)[-1].dir == truth.primary


@pytest.mark.parametrize("shape", cases("names"))
def test_binary_names_are_the_projects(shape: Path) -> None:
    truth = Truth(shape)
    names = {b.dir: b.name for b in built(shape)}
    wanted = {d: m["name"] for d, m in truth.apps.items() if "name" in m}
    assert {d: names.get(d) for d in wanted} == wanted


@pytest.mark.parametrize("shape", cases("ports"))
def test_the_primary_listens_on_the_projects_ports(shape: Path) -> None:
    truth = Truth(shape)
    if not truth.primary:
        pytest.skip("the project ships no single application")
    assert sorted(built(shape)[-1].ports) == truth.ports


@pytest.mark.parametrize("shape", cases("tags"))
def test_the_build_tags_and_cgo_are_the_projects(shape: Path) -> None:
    truth = Truth(shape)
    if not truth.primary:
        pytest.skip("the project ships no single application")
    _, plan = api.plan(shape / "repo", {})
    flag = next((f for f in plan.build_flags if f.startswith("-tags=")), "-tags=")
    tags = set(flag.removeprefix("-tags=").split(",")) - {""}
    assert truth.tags <= tags, f"missing tags: {sorted(truth.tags - tags)}"
    assert tags - truth.tags <= {"timetzdata", "netgo", "osusergo"}, "tags gogen adds are only its own"
    assert plan.cgo == truth.cgo
