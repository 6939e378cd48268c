"""Where the module is (issue 16 item 9): a module in a subfolder, or a folder inside a module."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gogen import api
from gogen.errors import RepositoryError
from tests.repo_builder import MAIN, gogen, write_repo

GO_MOD = "module example.com/remark\n\ngo 1.22\n"


def _tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_the_one_module_in_a_subfolder_is_found_and_said(tmp_path: Path) -> None:
    write_repo(
        tmp_path, {".git/HEAD": "ref: x\n", "backend/go.mod": GO_MOD, "backend/app/main.go": MAIN, "README.md": "x"}
    )
    project = api.scan(tmp_path)
    assert [m.dir for m in project.mains] == ["app"]
    (warning,) = [w for w in project.warnings if w.code == "module-root"]
    assert warning.file == "backend/go.mod"
    assert "using the module in backend/" in warning.message
    result = gogen("init", tmp_path)
    assert result.returncode == 0, result.stderr
    assert "using the module in backend/" in result.stderr
    assert (tmp_path / "backend" / "Dockerfile").is_file()
    assert not (tmp_path / "Dockerfile").exists()


def test_a_folder_inside_the_module_scans_the_module(tmp_path: Path) -> None:
    write_repo(
        tmp_path, {".git/HEAD": "ref: x\n", "go.mod": GO_MOD, "cmd/api/main.go": MAIN, "cmd/worker/main.go": MAIN}
    )
    project = api.scan(tmp_path / "cmd" / "api")
    assert [m.dir for m in project.mains] == ["cmd/api", "cmd/worker"]
    (warning,) = [w for w in project.warnings if w.code == "module-root"]
    assert "cmd/api/ in it" in warning.message
    outcome = api.init(tmp_path / "cmd" / "api", {"syntax": False}, api.WriteOptions())
    assert outcome.written
    assert (tmp_path / "Dockerfile").is_file()
    assert not (tmp_path / "cmd" / "api" / "Dockerfile").exists()


def test_the_search_upward_stops_at_the_repository_top(tmp_path: Path) -> None:
    write_repo(tmp_path, {"go.mod": GO_MOD, "inner/.git/HEAD": "ref: x\n", "inner/pkg/x.go": "package pkg\n"})
    with pytest.raises(RepositoryError, match=r"no go\.mod or go\.work"):
        api.scan(tmp_path / "inner" / "pkg")


def test_several_modules_below_are_an_error_naming_them_and_nothing_is_written(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {".git/HEAD": "ref: x\n", "api/go.mod": GO_MOD, "api/main.go": MAIN, "web/go.mod": GO_MOD, "web/main.go": MAIN},
    )
    before = _tree(tmp_path)
    result = gogen("init", tmp_path)
    assert result.returncode == 2
    assert "several modules below it: api/, web/" in result.stderr
    assert "Traceback" not in result.stderr
    assert _tree(tmp_path) == before


def test_a_link_below_is_not_followed_into_another_module(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    write_repo(outside, {"go.mod": GO_MOD, "main.go": MAIN})
    repo = tmp_path / "repo"
    write_repo(repo, {".git/HEAD": "ref: x\n", "README.md": "x"})
    os.symlink(outside, repo / "linked")
    with pytest.raises(RepositoryError, match=r"no go\.mod or go\.work"):
        api.scan(repo)


def test_modules_under_vendor_testdata_and_dot_folders_are_not_candidates(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {
            ".git/HEAD": "ref: x\n",
            "vendor/a/go.mod": GO_MOD,
            "testdata/b/go.mod": GO_MOD,
            ".cache/c/go.mod": GO_MOD,
            "server/go.mod": GO_MOD,
            "server/main.go": MAIN,
        },
    )
    project = api.scan(tmp_path)
    assert [m.dir for m in project.mains] == ["."]
    assert any(w.code == "module-root" and "server/" in w.message for w in project.warnings)


def test_a_module_beside_test_and_example_modules_is_the_one(tmp_path: Path) -> None:
    write_repo(
        tmp_path,
        {
            ".git/HEAD": "ref: x\n",
            "backend/go.mod": GO_MOD,
            "backend/app/main.go": MAIN,
            "e2e/go.mod": GO_MOD,
            "e2e/main.go": MAIN,
            "examples/go.mod": GO_MOD,
        },
    )
    project = api.scan(tmp_path)
    assert [m.dir for m in project.mains] == ["app"]
    assert any(w.code == "module-root" and "backend/" in w.message for w in project.warnings)
