"""The truth files of the shape fixtures (fixtures/_shapes/*/expect.toml, issue 16) are sound.

Each truth names only directories that exist and that gogen's scan reports as main packages,
with the schema's keys and types (tests/test_shapes.py checks gogen's decisions against them).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, cast

import pytest

from gogen import api
from gogen.model import Project
from tests.test_shapes import shape_dirs

SHAPE_IDS = [p.name for p in shape_dirs()]


def expect_of(shape: Path) -> dict[str, Any]:
    return tomllib.loads((shape / "expect.toml").read_text(encoding="utf-8"))


def mains_of(expect: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return cast(dict[str, dict[str, Any]], expect["mains"])


def apps_of(expect: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {d: m for d, m in mains_of(expect).items() if m["role"] == "app" and m.get("default", True)}


ROLES = {"app", "example", "test-fixture", "generator", "tool"}
KEYS = {"source", "commit", "module_dir", "primary", "ports", "tags", "cgo", "notes", "mains"}
REQUIRED = {"source", "commit", "module_dir", "primary", "ports", "tags", "cgo", "mains"}


def _is_module_root(folder: Path) -> bool:
    return (folder / "go.mod").is_file() or (folder / "go.work").is_file()


def _scan_containing(repo: Path, directory: str) -> tuple[Project, str]:
    """The scan of the module holding `directory`: the repository root's when it has one, else the
    nearest folder above with its own go.mod; and `directory` relative to it. A nested module outside
    the root's build (no go.work `use`) is not part of the root's scan, so it is scanned on its own."""
    parts = Path(directory).parts
    root_scan = api.scan(repo) if _is_module_root(repo) else None
    if root_scan is not None and directory in {m.dir for m in root_scan.mains}:
        return root_scan, directory
    for cut in range(len(parts), 0, -1):
        base = Path(*parts[:cut])
        if _is_module_root(repo / base):
            rest = Path(*parts[cut:]).as_posix() if cut < len(parts) else "."
            return api.scan(repo / base), rest
    if root_scan is None:
        raise AssertionError(f"no go.mod above {directory}")
    return root_scan, directory


def test_there_are_shapes() -> None:
    assert len(shape_dirs()) >= 15


@pytest.mark.parametrize("shape", shape_dirs(), ids=SHAPE_IDS)
def test_every_expect_names_real_main_packages(shape: Path) -> None:
    expect = expect_of(shape)
    assert REQUIRED <= set(expect) <= KEYS, sorted(set(expect) ^ KEYS)
    assert isinstance(expect["cgo"], bool)
    assert all(isinstance(p, int) for p in cast(list[object], expect["ports"]))
    assert all(isinstance(t, str) for t in cast(list[object], expect["tags"]))
    repo = shape / "repo"
    mains = mains_of(expect)
    assert mains, "a shape names its main packages"
    for directory, entry in mains.items():
        assert entry["role"] in ROLES, (directory, entry)
        assert set(entry) <= {"role", "name", "default"}, (directory, entry)
        assert (repo / directory).is_dir(), directory
        project, rel = _scan_containing(repo, directory)
        assert rel in {m.dir for m in project.mains}, f"{directory} is not a main package in gogen's scan"
    primary = expect["primary"]
    assert primary == "" or primary in apps_of(expect), primary
